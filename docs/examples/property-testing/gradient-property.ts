// gradientProperty: checkGrad over generated inputs, with fast-check choosing them.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { type Tensor, add, customVjp, mul, sigmoid, square, sum, tanh } from 'purediff'
import { arb, gradientProperty } from 'purediff/testing'

// #region property
// Swish, x·σ(x), as a user would write it; the property checks its gradient on random
// float64 tensors of random shapes (rank ≤ 3, values in [−4, 4]).
const swish = (x: Tensor) => sum(mul(x, sigmoid(x)))
const tensors = arb.shape({ maxRank: 3, maxDim: 4 }).chain((shape) => arb.tensor({ shape, dtype: 'float64', min: -4, max: 4 }))
fc.assert(gradientProperty(swish, tensors), { numRuns: 50, seed: 1 })
// #endregion property

// #region shrink
// A wrong hand-written gradient for tanh (1 + tanh² instead of 1 − tanh²) fails, and fast-check
// shrinks the failing input before reporting it.
const badTanh = customVjp(
  (x: Tensor) => tanh(x),
  (x: Tensor) => [tanh(x), tanh(x)] as const,
  (t: Tensor, g: Tensor) => [mul(g, add(1, square(t)))], // the bug: + where − belongs
)
const r = fc.check(
  gradientProperty((x: Tensor) => sum(badTanh(x)), tensors),
  { numRuns: 50, seed: 1 },
)
assert.ok(r.failed)
assert.match(String(r.errorInstance), /analytic/) // the message names the worst element
// The counterexample is the shrunk input: small, with values near 0, where the two formulas
// 1 + t² and 1 − t² are closest, yet still told apart.
const [shrunk] = r.counterexample ?? []
assert.ok(shrunk !== undefined && shrunk.size <= 4)
// #endregion shrink

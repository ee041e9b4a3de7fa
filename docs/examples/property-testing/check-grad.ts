// checkGrad: compare your function's gradient with central differences, and find the bug.
import assert from 'node:assert/strict'
import { type Tensor, customVjp, exp, log1p, mul, sum, tensor } from 'purediff'
import { checkGrad } from 'purediff/testing'

// #region ok
// A softplus written by hand, log(1 + eˣ), differentiated by purediff: its gradient is right.
const softplus = (x: Tensor) => sum(log1p(exp(x)))
const x = { a: tensor([-2, 0.5, 3], 'float64') } // any pytree of tensors
const r = checkGrad((p: typeof x) => softplus(p.a), x)
assert.ok(r.ok && r.maxAbsError < 1e-8 && r.checked === 3)
// #endregion ok

// #region bug
// The same function with a hand-written backward pass that forgot the chain rule's factor:
// d/dx log(1 + eˣ) = eˣ/(1 + eˣ) = σ(x), but this bwd returns g·eˣ.
const buggy = customVjp(
  (x: Tensor) => log1p(exp(x)),
  (x: Tensor) => [log1p(exp(x)), x] as const,
  (x: Tensor, g: Tensor) => [mul(g, exp(x))],
)
const bad = checkGrad((p: typeof x) => sum(buggy(p.a)), x)
assert.equal(bad.ok, false)
// The report names the worst element: the largest x, where eˣ and σ(x) differ the most.
assert.equal(bad.worst?.path, '.a')
assert.equal(bad.worst?.index, 2)
assert.ok(Math.abs((bad.worst?.analytic ?? 0) - Math.exp(3)) < 1e-9)
assert.ok(Math.abs((bad.worst?.numeric ?? 0) - 1 / (1 + Math.exp(-3))) < 1e-6)
// #endregion bug

// Law suites: named fast-check properties for your own ops, layers and optimizers.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { type Tensor, fromArray, mul, neg, ones, sigmoid, sign, tree } from 'purediff'
import type { Layer } from 'purediff/nn'
import { stateless } from 'purediff/optim'
import { arb } from 'purediff/testing'
import { gradientLaws, layerLaws, optimizerLaws } from 'purediff/laws'

// The caller picks the runner, the number of runs and the seed; a failure names the law.
const runAll = <Ts extends [unknown]>(suite: Readonly<Record<string, fc.IPropertyWithHooks<Ts>>>, numRuns: number) => {
  for (const [law, property] of Object.entries(suite)) {
    const r = fc.check(property, { numRuns, seed: 3 })
    if (r.failed) throw new Error(`${law}: ${String(r.errorInstance)}`)
  }
  return Object.keys(suite)
}

// #region op
// An op of your own: swish(x) = x·σ(x). Its gradient agrees with finite differences, its
// pullback is linear, it composes by the chain rule, and its vjp and jvp are adjoint.
const swish = (x: Tensor) => mul(x, sigmoid(x))
const args = arb
  .shape({ maxRank: 2 })
  .chain((shape) => arb.tensor({ shape, dtype: 'float64' }))
  .map((x) => [x])
const opLaws = runAll(gradientLaws({ name: 'swish', f: swish, args }), 30)
assert.deepEqual(opLaws, ['numeric agreement', 'linearity', 'chain rule', 'adjointness'])
// #endregion op

// #region layer
// A layer of your own: a learnable swish, x·σ(β·x) with one β per unit (β starts at 1).
const learnableSwish = (): Layer<{ beta: Tensor }> => ({
  name: 'learnableSwish',
  init: (_key, inputShape) => ({ params: { beta: ones([...inputShape]) }, outputShape: [...inputShape] }),
  apply: (p, x) => mul(x, sigmoid(mul(p.beta, x))),
})
runAll(layerLaws(learnableSwish(), [3]), 20)
// #endregion layer

// #region layer-bug
// The laws catch a layer whose init ignores the key (here: Math.random), which would make
// runs irreproducible.
const leaky: Layer<{ beta: Tensor }> = {
  ...learnableSwish(),
  init: (_key, inputShape) => ({ params: { beta: fromArray(Array.from({ length: inputShape[0] }, Math.random), [...inputShape]) }, outputShape: [...inputShape] }),
}
assert.throws(() => runAll(layerLaws(leaky, [3]), 20), /init is deterministic in the key/)
// #endregion layer-bug

// #region optimizer
// An optimizer of your own: signSGD, w ← w − η·sign(∇w), a stateless transformation.
const signSgd = (lr: number) => stateless((g: unknown) => tree.map((x: Tensor) => neg(mul(sign(x), lr)), g), 'signSgd')
runAll(optimizerLaws({ name: 'signSgd', transform: signSgd(0.01) }), 30)
// #endregion optimizer

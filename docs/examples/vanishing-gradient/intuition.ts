/**
 * Why the sigmoid's gradient vanishes: σ′(z) ≤ 1/4 (computed with `grad`), the lecture's
 * ∂l/∂w ≈ Δl/Δw (nudge one weight of the first layer and one of the last hidden layer), and
 * what it does to training: after 200 SGD steps the first layers have hardly moved.
 */
import { curvesSpec, lineSpec } from '../plot.js'

// #region bound
import assert from 'node:assert/strict'
import { type Tensor, fromArray, grad, item, oneHot, random, sigmoid as σ, sub, sum, tensor, toFlatArray, valueAndGrad } from 'purediff'
import { type DenseParams, dense, losses, sequential, sigmoid } from 'purediff/nn'
import { applyUpdates, sgd } from 'purediff/optim'

// σ′(z) = σ(z)(1 − σ(z)) reaches its maximum 1/4 at z = 0. Differentiate σ elementwise on a grid
// (the gradient of Σσ(zᵢ) is the vector of σ′(zᵢ)):
const zs = Array.from({ length: 161 }, (_, i) => -8 + i / 10)
const dσ = toFlatArray(grad((z: Tensor) => sum(σ(z)))(tensor(zs, 'float64')))
assert.equal(Math.max(...dσ), 0.25) // exactly ¼, at z = 0 (σ(0) = ½)
assert.equal(dσ[80], 0.25)
assert.ok(dσ[0] < 5e-4) // σ′(−8) = e⁻⁸/(1 + e⁻⁸)² ≈ 3.4e-4: a saturated unit passes almost nothing
// #endregion bound

// #region nudge
// ∂l/∂w ≈ Δl/Δw: add Δw to one weight of the first layer, then to one of the last hidden layer,
// of an 8 × 16 float64 sigmoid network, and watch the loss.
const model = sequential(...Array.from({ length: 8 }, () => [dense(16, { dtype: 'float64' }), sigmoid()]).flat(), dense(4, { dtype: 'float64' }))
const [kx, kInit] = random.split(random.key(3), 2)
const x = random.normal(kx, [64, 8], { dtype: 'float64' })
const y = oneHot(
  Array.from({ length: 64 }, (_, i) => i % 4),
  4,
  'float64',
)
const params = model.init(kInit, [8]).params
type Params = typeof params
const loss = (p: Params): Tensor => losses.softmaxCrossEntropy(model.apply(p, x), y)
const g = grad(loss)(params)
const kernel = (p: Params, entry: number): Tensor => (p[entry] as DenseParams).w

/** The loss after adding `dw` to the weight w[0][0] of entry `layer` of the sequential. */
const nudged = (layer: number, dw: number): number => {
  const w = toFlatArray(kernel(params, layer))
  w[0] += dw
  const p = params.map((q, i) => (i === layer ? { ...q, w: fromArray(w, kernel(params, layer).shape, 'float64') } : q))
  return item(loss(p as Params))
}

const dw = 1e-3
const l0 = item(loss(params))
const firstLayer = 0,
  lastHidden = 14 // entries 0, 2, …, 14 are the eight hidden dense layers
const dlFirst = nudged(firstLayer, dw) - l0
const dlLast = nudged(lastHidden, dw) - l0
// Δl/Δw agrees with the gradient to first order (the error is O(Δw))...
const gFirst = toFlatArray(kernel(g, firstLayer))[0]
const gLast = toFlatArray(kernel(g, lastHidden))[0]
assert.ok(Math.abs(dlFirst / dw - gFirst) < 0.01 * Math.abs(gFirst))
assert.ok(Math.abs(dlLast / dw - gLast) < 0.01 * Math.abs(gLast))
// ...and the same nudge moves the loss far less through the first layer than through the last.
assert.ok(Math.abs(dlFirst) < 0.01 * Math.abs(dlLast))
// #endregion nudge

// #region training
// 200 steps of plain SGD on the whole batch. How far has each layer moved from its
// initial weights, relative to their size?
const opt = sgd(0.5)
let p = params
let s = opt.init(p)
for (let step = 0; step < 200; step++) {
  const [, gs] = valueAndGrad(loss)(p)
  const [u, s2] = opt.update(gs, s, p)
  p = applyUpdates(p, u)
  s = s2
}
const norm = (t: Tensor) => Math.sqrt(toFlatArray(t).reduce((a, v) => a + v * v, 0))
const moved = Array.from({ length: 9 }, (_, i) => norm(sub(kernel(p, 2 * i), kernel(params, 2 * i))) / norm(kernel(params, 2 * i)))
// The layers near the output learn; the first layers stay almost where they started (random):
assert.ok(moved.every((m, i) => i === 0 || m > moved[i - 1]))
assert.ok(moved[0] < 0.01 * moved[moved.length - 1])
assert.ok(item(loss(p)) < l0) // training did make progress: on top of random features
// #endregion training

export const plots = {
  bound: curvesSpec('σ(z) and its derivative σ′(z) (computed with grad)', 'z', 'value', [
    ...zs.map((z) => ({ series: 'σ(z)', x: z, y: 1 / (1 + Math.exp(-z)) })),
    ...zs.map((z, i) => ({ series: 'σ′(z)', x: z, y: dσ[i] })),
  ]),
  moved: lineSpec(
    'After 200 SGD steps: how far each layer moved, ‖W − W₀‖ / ‖W₀‖',
    'layer (1 = nearest the input, 9 = output)',
    'relative change (log scale)',
    moved.map((m, i) => ({ series: 'deep sigmoid', x: i + 1, y: m })),
    true,
  ),
}

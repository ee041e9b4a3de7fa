/**
 * L1 vs L2 regularisation: the update rules, checked one step at a time, and the weights they
 * leave after training a small network on data where only 4 of 40 inputs matter.
 */
import { histogramSpec } from '../plot.js'

// #region updates
import assert from 'node:assert/strict'
import { type Tensor, add, grad, matmul, mul, random, sub, sum, tensor, toFlatArray } from 'purediff'
import { type DenseParams, dense, l1Penalty, l2Penalty, losses, relu, sequential, weightsOf } from 'purediff/nn'
import { type GradientTransformation, type Mask, addDecayedWeights, addL1, applyUpdates, chain, masked, sgd } from 'purediff/optim'
import { fit } from 'purediff/train'

// One step of SGD on L′ = L + penalty, for w = [0.8, −0.3, 0] and ∂L/∂w = g = [0.1, 0.2, −0.4].
const w = { w: tensor([0.8, -0.3, 0], 'float64') }
const g = [0.1, 0.2, -0.4]
const dataLoss = (p: { w: Tensor }): Tensor => sum(mul(tensor(g, 'float64'), p.w)) // a loss whose gradient is g
const eta = 0.5,
  lambda = 0.2
const step = (loss: (p: { w: Tensor }) => Tensor) => toFlatArray(sub(w.w, mul(grad(loss)(w).w, eta)))
const wv = toFlatArray(w.w)
const near = (x: number[], y: number[]) => x.every((v, i) => Math.abs(v - y[i]) < 1e-15)

// L2, L′ = L + λ·½‖w‖²:  wᵗ⁺¹ = (1 − ηλ)·wᵗ − η·∂L/∂w   ("weight decay": × 0.9 here)
const l2Step = step((p) => add(dataLoss(p), l2Penalty(p, lambda)))
assert.ok(
  near(
    l2Step,
    wv.map((v, i) => (1 - eta * lambda) * v - eta * g[i]),
  ),
)
// L1, L′ = L + λ‖w‖₁:     wᵗ⁺¹ = wᵗ − η·∂L/∂w − ηλ·sgn(wᵗ)   (a fixed 0.1 toward 0; sgn(0) = 0)
const l1Step = step((p) => add(dataLoss(p), l1Penalty(p, lambda)))
assert.ok(
  near(
    l1Step,
    wv.map((v, i) => v - eta * g[i] - eta * lambda * Math.sign(v)),
  ),
)

// The same updates as optimizer chains: addDecayedWeights and addL1 add λw and λ·sgn(w) to g.
const viaChain = (t: GradientTransformation<unknown>) => {
  const [u] = t.update({ w: tensor(g, 'float64') }, t.init(w), w)
  return toFlatArray(applyUpdates(w, u).w)
}
assert.ok(near(viaChain(chain(addDecayedWeights(lambda), sgd(eta))), l2Step))
assert.ok(near(viaChain(chain(addL1(lambda), sgd(eta))), l1Step))

// Truncated L1: addL1(ηλ, { truncate: true }) LAST in the chain (after the learning rate, so its
// λ is the shrink per step). With v = w − η·g, each weight becomes sgn(v)·max(|v| − ηλ, 0): a
// weight the pull would carry across 0 stops at exactly 0. Here ηλ = 0.5 and v = [0.75, −0.4, 0.2].
const truncated = viaChain(chain(sgd(eta), addL1(eta * 1, { truncate: true })))
assert.ok(near(truncated, [0.25, 0, 0]))
assert.ok(truncated[1] === 0 && truncated[2] === 0) // exact zeros, not merely small
// #endregion updates

// #region train
// 200 examples with 40 inputs; the target depends on inputs 0–3 only: y = x₀ − x₁ + ½x₂ + 2x₃ + noise
const [kx, kNoise] = random.split(random.key(0))
const x = random.normal(kx, [200, 40])
const coef = tensor(Array.from({ length: 40 }, (_, i) => [[1, -1, 0.5, 2][i] ?? 0]))
const y = add(matmul(x, coef), random.normal(kNoise, [200, 1], { std: 0.1 }))

const model = sequential(dense(16), relu(), dense(1))
const initial = model.init(random.key(1), [40]).params
// As in the lecture, only the weights are regularised, not the biases: weightsOf picks the kernels.
const penalties = {
  none: (_: unknown) => tensor(0),
  'L1, λ = 0.01': (p: unknown) => l1Penalty(weightsOf(p), 0.01),
  'L2, λ = 0.1': (p: unknown) => l2Penalty(weightsOf(p), 0.1),
}
const lr = 0.05
// fit adds `penalty(params)` to the loss of every batch; one batch of all 200 examples per
// epoch makes this 600 steps of plain gradient descent on L′ = MSE + penalty.
const trainWith = (penalty: (p: unknown) => Tensor, optimizer: GradientTransformation<unknown> = sgd(lr)) => {
  const r = fit({ model, params: initial, optimizer, loss: losses.mse, penalty, train: { x, y }, epochs: 600, batchSize: 200, key: random.key(2) })
  return toFlatArray((r.params[0] as DenseParams).w) // the 40 × 16 first-layer weights, row-major
}
const weights = Object.fromEntries(Object.entries(penalties).map(([name, pen]) => [name, trainWith(pen)]))
// #endregion train

// #region truncated
// The same L1 as a truncated gradient in the optimizer, on the kernels only (`masked` skips the
// biases; the activation has no params): no penalty in the loss, exact zeros in the weights.
const kernels = (p: unknown): Mask => (p as object[]).map((layer) => ('w' in layer ? { w: true, b: false } : false))
const l1Truncated = trainWith(() => tensor(0), chain(sgd(lr), masked(addL1(lr * 0.01, { truncate: true }), kernels)))
const zeros = (ws: number[]) => ws.filter((v) => v === 0).length
assert.ok(zeros(l1Truncated) > 0.5 * l1Truncated.length) // most of the useless inputs' weights are exactly 0
assert.equal(zeros(weights['L1, λ = 0.01']), 0) // the plain L1 update hops around 0 and never lands on it
// #endregion truncated

// #region checks
const small = (ws: number[]) => ws.filter((v) => Math.abs(v) < 1e-3).length
const norm = (ws: number[]) => Math.sqrt(ws.reduce((s, v) => s + v * v, 0))
const meanAbs = (ws: number[]) => ws.reduce((s, v) => s + Math.abs(v), 0) / ws.length
const [none, l1, l2] = [weights.none, weights['L1, λ = 0.01'], weights['L2, λ = 0.1']]
// L1 drives most weights to (near) zero: it subtracts ηλ = 5e-4 per step whatever the size of
// w, so a weight the data does not need ends up hopping within about ηλ of zero...
assert.ok(small(l1) > 0.6 * l1.length)
assert.ok(small(l1) > 10 * small(l2))
// ...and keeps the weights of the inputs that matter (rows 0–3 of the kernel) large:
const row = (ws: number[], r: (i: number) => boolean) => ws.filter((_, k) => r(Math.floor(k / 16)))
assert.ok(meanAbs(row(l1, (i) => i < 4)) > 10 * meanAbs(row(l1, (i) => i >= 4)))
// L2 shrinks every weight by a factor each step: all smaller than without it, few near zero.
assert.ok(norm(l2) < 0.5 * norm(none))
assert.ok(small(l2) < 0.1 * l2.length)
// #endregion checks

const values = (f: (w: number) => number) => Object.entries(weights).flatMap(([series, ws]) => ws.map((w) => ({ series, value: f(w) })))
export const plots = {
  weights: histogramSpec(
    'First-layer weights after 600 SGD steps (count on a symlog scale)',
    'weight',
    values((w) => w),
  ),
  magnitudes: histogramSpec(
    'Their magnitudes: log₁₀|w| (exact zeros at −8)',
    'log₁₀ |w|',
    values((w) => Math.max(Math.log10(Math.abs(w)), -8)),
  ),
}

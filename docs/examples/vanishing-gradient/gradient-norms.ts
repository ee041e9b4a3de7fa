/**
 * The vanishing gradient, measured: the per-layer gradient norms of a deep sigmoid network and
 * of the same network with ReLU, at initialisation, on one batch.
 */
import { lineSpec } from '../plot.js'

// #region norms
import assert from 'node:assert/strict'
import { oneHot, random, valueAndGrad } from 'purediff'
import { type AnyLayer, type Layer, dense, init, losses, relu, sequential, sigmoid } from 'purediff/nn'
import { gradientNorms } from 'purediff/train'

// 8 hidden layers of 32 units, then 10 outputs. ReLU layers are He-initialised, sigmoid
// layers Glorot (dense's default), as each activation wants.
// The layers have different params, so the list holds AnyLayer and the model's params are unknown[].
const deepNet = (act: 'sigmoid' | 'relu'): Layer<unknown[]> => {
  const layers: AnyLayer[] = []
  for (let i = 0; i < 8; i++) {
    layers.push(act === 'relu' ? dense(32, { kernelInit: init.heNormal }) : dense(32), act === 'relu' ? relu() : sigmoid())
  }
  layers.push(dense(10))
  return sequential(...layers)
}

// one batch: 256 random inputs with 20 features and random labels of 10 classes
const [kx, ky, kInit] = random.split(random.key(0), 3)
const x = random.normal(kx, [256, 20])
const y = oneHot(
  random.permutation(ky, 256).map((i) => i % 10),
  10,
)

const normsOf = (act: 'sigmoid' | 'relu'): number[] => {
  const model = deepNet(act)
  const { params } = model.init(kInit, [20])
  const [, g] = valueAndGrad((p: unknown[]) => losses.softmaxCrossEntropy(model.apply(p, x), y))(params)
  // one norm per entry of the sequential; the activations (odd entries) have no params
  return gradientNorms(g).filter((_, i) => i % 2 === 0)
}
const norms = { sigmoid: normsOf('sigmoid'), relu: normsOf('relu') }
// #endregion norms

// #region checks
const first = (v: number[]) => v[0]
const last = (v: number[]) => v[v.length - 1]
// Sigmoid: each layer back multiplies the gradient by σ′(z) ≤ 1/4 (times a weight matrix of
// norm about 1 under Glorot), so the norms grow layer after layer toward the output...
assert.ok(
  norms.sigmoid.every((v, i) => i === 0 || v > norms.sigmoid[i - 1]),
  'sigmoid norms grow toward the output',
)
// ...and over 8 layers the first one gets less than a thousandth of the last one's gradient
// ((1/4)⁸ ≈ 1.5e-5 is the scale to expect).
assert.ok(first(norms.sigmoid) < 1e-3 * last(norms.sigmoid), 'sigmoid: the first layer barely learns')
// ReLU passes the gradient unchanged through its active units: the first layer's gradient is of
// the same order as the last layer's...
assert.ok(first(norms.relu) > 0.05 * last(norms.relu), 'relu: no vanishing')
// ...and more than 1000× the sigmoid network's first-layer gradient.
assert.ok(first(norms.relu) > 1000 * first(norms.sigmoid))
// #endregion checks

export const plot = lineSpec(
  'Gradient norm per layer at initialisation (8 × 32 hidden)',
  'layer (1 = nearest the input, 9 = output)',
  '‖∂L/∂W‖ (log scale)',
  Object.entries(norms).flatMap(([series, v]) => v.map((n, i) => ({ series, x: i + 1, y: n }))),
  true,
)

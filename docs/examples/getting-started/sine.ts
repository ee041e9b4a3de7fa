// Fit y = sin(x) on [−π, π] with a 1 → 32 → 32 → 1 tanh network, using `fit` from purediff/train.
import assert from 'node:assert/strict'
import { type Tensor, random, reshape, sin, tensor, toFlatArray } from 'purediff'
import { dense, losses, sequential, tanh } from 'purediff/nn'
import { adam } from 'purediff/optim'
import { fit } from 'purediff/train'
import { type Point, curvesSpec } from '../plot.js'

// #region data
const [dataKey, initKey, fitKey] = random.split(random.key(42), 3)
const column = (t: Tensor) => reshape(t, [t.size, 1]) // [n] → [n, 1]: a batch of 1-feature rows
const x = column(random.uniform(dataKey, [256], { min: -Math.PI, max: Math.PI }))
const y = sin(x)
// #endregion data

// #region fit
const model = sequential(dense(32), tanh(), dense(32), tanh(), dense(1))
const { params } = model.init(initKey, [1])
const result = fit({
  model,
  params,
  optimizer: adam(0.01),
  loss: losses.mse,
  train: { x, y },
  epochs: 150,
  batchSize: 32,
  key: fitKey,
})
const trainLoss = result.history.trainLoss
// #endregion fit

// #region check
// The variance of sin on [−π, π] is ½, so predicting 0 everywhere has a loss of about 0.5;
// the network must do far better, and the curve must follow sin between the data points.
assert.ok(trainLoss[trainLoss.length - 1] < 0.002, `final loss ${trainLoss.at(-1)}`)
const grid = Array.from({ length: 101 }, (_, i) => -3 + (6 * i) / 100)
const predicted = toFlatArray(model.apply(result.params, tensor(grid.map((v) => [v]))))
grid.forEach((v, i) => {
  assert.ok(Math.abs(predicted[i] - Math.sin(v)) < 0.06, `f(${v}) = ${predicted[i]}`)
})
// #endregion check

const curve: Point[] = [...grid.map((v) => ({ series: 'sin x', x: v, y: Math.sin(v) })), ...grid.map((v, i) => ({ series: 'the network', x: v, y: predicted[i] }))]
export const plots = {
  fit: curvesSpec('The trained network against sin x', 'x', 'y', curve),
  loss: curvesSpec(
    'Training loss (mean squared error) per epoch',
    'epoch',
    'loss',
    trainLoss.map((l, e) => ({ series: 'train', x: e, y: l })),
    { logY: true },
  ),
}

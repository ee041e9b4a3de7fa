/**
 * Early stopping with `fit`: a network big enough to memorise 200 noisy examples. The training
 * loss keeps falling, the validation loss turns up; `fit` stops `patience` epochs after the
 * best validation loss and returns the params of that best epoch.
 */

// #region data
import assert from 'node:assert/strict'
import { type Key, matmul, oneHot, random, toFlatArray } from 'purediff'
import { dense, init, losses, relu, sequential } from 'purediff/nn'
import { adam } from 'purediff/optim'
import { evaluate, fit } from 'purediff/train'

// 20 features; the label is the side of a random hyperplane, flipped for 10% of the examples.
const [kTeacher, kTrain, kVal, kTest] = random.split(random.key(0), 4)
const teacher = random.normal(kTeacher, [20, 1])
const makeData = (key: Key, n: number) => {
  const [kx, kFlip] = random.split(key)
  const x = random.normal(kx, [n, 20])
  const flip = toFlatArray(random.uniform(kFlip, [n]))
  const labels = toFlatArray(matmul(x, teacher)).map((v, i) => (v > 0 !== flip[i] < 0.1 ? 1 : 0))
  return { x, y: oneHot(labels, 2) }
}
// the validation set is split from the training data; the test set is kept apart until the end
const train = makeData(kTrain, 200)
const validation = makeData(kVal, 200)
const test = makeData(kTest, 500)
// #endregion data

// #region fit
const model = sequential(dense(64, { kernelInit: init.heNormal }), relu(), dense(64, { kernelInit: init.heNormal }), relu(), dense(2))
const options = {
  model,
  params: model.init(random.key(5), [20]).params,
  optimizer: adam(0.001),
  loss: losses.softmaxCrossEntropy,
  train,
  validation,
  epochs: 60,
  batchSize: 20,
  key: random.key(1),
}
const patience = 10
const run = fit({ ...options, earlyStopping: { patience } }) // restoreBest defaults to true
// #endregion fit

// #region checks
const h = run.history
// The best epoch is the one of the lowest validation loss...
const argmin = h.validationLoss.indexOf(Math.min(...h.validationLoss))
assert.equal(run.bestEpoch, argmin)
// ...and with minDelta = 0 the run stops after exactly `patience` epochs without a new best.
assert.equal(run.stoppedEpoch, run.bestEpoch + patience)
assert.equal(h.trainLoss.length, run.bestEpoch + patience + 1)
// Meanwhile the training loss kept falling and the validation loss rose: overfitting.
assert.ok(h.trainLoss[run.stoppedEpoch] < h.trainLoss[run.bestEpoch])
assert.ok(h.validationLoss[run.stoppedEpoch] > h.validationLoss[run.bestEpoch])
// The params returned are the best epoch's, not the last epoch's: evaluating them gives that
// epoch's validation loss exactly (evaluation is deterministic).
assert.equal(evaluate(model, run.params, validation, losses.softmaxCrossEntropy).loss, h.validationLoss[run.bestEpoch])
// #endregion checks

// #region full
// The same run without early stopping, for all 60 epochs. `fit` is deterministic in its key, so
// its first epochs are the very same as above (bit for bit)...
const full = fit(options)
assert.deepEqual(full.history.validationLoss.slice(0, h.validationLoss.length), h.validationLoss)
// ...and the validation loss keeps climbing after the stop: at epoch 60 it is above the best by
// far more than at the stop.
const last = full.history.validationLoss.length - 1
assert.ok(full.history.validationLoss[last] > h.validationLoss[run.stoppedEpoch])
// On the untouched test set, the restored params beat the params of the last epoch.
const testRestored = evaluate(model, run.params, test, losses.softmaxCrossEntropy)
const testLast = evaluate(model, full.params, test, losses.softmaxCrossEntropy)
assert.ok(testRestored.loss < testLast.loss)
// #endregion full

const curves = (['train', 'validation'] as const).flatMap((series) =>
  (series === 'train' ? full.history.trainLoss : full.history.validationLoss).map((y, epoch) => ({ series: `${series} loss`, x: epoch, y })),
)
const marks = [
  { x: run.bestEpoch, y: 8, label: `best: epoch ${run.bestEpoch}, params restored` },
  { x: run.stoppedEpoch, y: 24, label: `stopped after epoch ${run.stoppedEpoch} (patience ${patience})` },
]
export const plot = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  title: 'Early stopping: training vs validation loss',
  width: 460,
  height: 280,
  layer: [
    {
      data: { values: curves },
      mark: { type: 'line', point: { size: 14 } },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'epoch' },
        y: { field: 'y', type: 'quantitative', title: 'cross-entropy loss' },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
    { data: { values: marks }, mark: { type: 'rule', strokeDash: [4, 3], color: '#555' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
    {
      data: { values: marks },
      mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 11, color: '#333' },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative', scale: null }, text: { field: 'label' } },
    },
  ],
}

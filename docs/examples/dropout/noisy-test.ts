/**
 * The lecture's noisy-test experiment, scaled down to seconds: train the same ReLU network
 * without dropout and with dropout in both forms, then test on inputs with Gaussian noise added.
 */
import { lineSpec } from '../plot.js'

// #region data
import assert from 'node:assert/strict'
import { type Key, add, matmul, oneHot, random } from 'purediff'
import { type AnyLayer, type Layer, dense, dropout, init, losses, relu, sequential } from 'purediff/nn'
import { adam } from 'purediff/optim'
import { evaluate, fit } from 'purediff/train'

// 10 classes in 50 dimensions: each example is its class's prototype plus N(0, 1) noise.
const [kProto, kTrain, kTest, kNoise] = random.split(random.key(0), 4)
const prototypes = random.normal(kProto, [10, 50])
const makeData = (key: Key, n: number) => {
  const [kl, kn] = random.split(key)
  const y = oneHot(
    random.permutation(kl, n).map((i) => i % 10),
    10,
  )
  return { x: add(matmul(y, prototypes), random.normal(kn, [n, 50])), y }
}
const train = makeData(kTrain, 300)
const test = makeData(kTest, 1000)
// the test set again, with extra Gaussian noise of standard deviation σ on every input
const noisy = (sigma: number) => ({ x: add(test.x, random.normal(random.foldIn(kNoise, sigma * 10), [1000, 50], { std: sigma })), y: test.y })
// #endregion data

// #region train
// 50 → 128 → 128 → 10 ReLU (He), dropout after each hidden layer, Adam, 20 epochs of batch 50.
const rate = 0.3
// The list of layers depends on the mode, so it is typed as AnyLayer[] and the params as unknown[].
const net = (mode: 'none' | 'inverted' | 'scaleAtTest'): Layer<unknown[]> => {
  const drop = (): AnyLayer[] => (mode === 'none' ? [] : [dropout(rate, { mode })])
  return sequential<AnyLayer[]>(dense(128, { kernelInit: init.heNormal }), relu(), ...drop(), dense(128, { kernelInit: init.heNormal }), relu(), ...drop(), dense(10))
}
const sigmas = [0, 0.5, 1, 1.5, 2, 2.5]
const results = (['none', 'inverted', 'scaleAtTest'] as const).map((mode) => {
  const model = net(mode)
  const run = fit({
    model,
    params: model.init(random.key(10), [50]).params,
    optimizer: adam(0.001),
    loss: losses.softmaxCrossEntropy,
    train,
    epochs: 20,
    batchSize: 50,
    key: random.key(20),
  })
  const accuracy = sigmas.map((s) => evaluate(model, run.params, s === 0 ? test : noisy(s), losses.softmaxCrossEntropy).accuracy)
  return { mode, trainAccuracy: run.history.trainAccuracy[19], accuracy }
})
// #endregion train

// #region checks
const [none, inverted, scaleAtTest] = results
const at = (r: (typeof results)[number], sigma: number) => r.accuracy[sigmas.indexOf(sigma)]
// All three fit the training data and the clean test data...
for (const r of results) assert.ok(r.trainAccuracy > 0.98 && at(r, 0) > 0.97, r.mode)
// ...but as noise is added (σ from 1 to 2.5) both forms of dropout hold up better than the
// network without it: by more than 1.5 points of accuracy on average.
const noisyMean = (r: (typeof results)[number]) => [1, 1.5, 2, 2.5].reduce((a, s) => a + at(r, s), 0) / 4
assert.ok(noisyMean(inverted) > noisyMean(none) + 0.015)
assert.ok(noisyMean(scaleAtTest) > noisyMean(none) + 0.015)
// #endregion checks

const spec = lineSpec(
  `Test accuracy as noise is added to the test inputs (dropout p = ${rate})`,
  'σ of the added noise',
  'test accuracy',
  results.flatMap((r) => r.accuracy.map((y, i) => ({ series: r.mode === 'none' ? 'no dropout' : r.mode, x: sigmas[i], y }))),
) as { encoding: { y: object } }
export const plot = { ...spec, encoding: { ...spec.encoding, y: { ...spec.encoding.y, scale: { zero: false } } } }

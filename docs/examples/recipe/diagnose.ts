/**
 * The recipe of deep learning on real runs: first ask whether the network is good on its
 * TRAINING data, and only then whether it is good on unseen (validation) data. `diagnose` reads
 * the verdict off a `fit` history.
 */
import { barSpec } from '../plot.js'

// #region data
import assert from 'node:assert/strict'
import { type Key, add, matmul, oneHot, random } from 'purediff'
import { type AnyLayer, type Layer, dense, init, losses, relu, sequential, sigmoid } from 'purediff/nn'
import { type GradientTransformation, adam, sgd } from 'purediff/optim'
import { type Data, type History, diagnose, fit, trainingAdvice } from 'purediff/train'

// 10 classes in 20 dimensions: each example is its class's prototype plus N(0, 0.8²) noise.
const [kProto, kTrain, kVal, kSmall] = random.split(random.key(0), 4)
const prototypes = random.normal(kProto, [10, 20])
const makeData = (key: Key, n: number): Data => {
  const [kl, kn] = random.split(key)
  const y = oneHot(
    random.permutation(kl, n).map((i) => i % 10),
    10,
  )
  return { x: add(matmul(y, prototypes), random.normal(kn, [n, 20], { std: 0.8 })), y }
}
const train = makeData(kTrain, 2000)
const validation = makeData(kVal, 500) // held out from training, never the test set
// #endregion data

// #region runs
/** `depth` hidden layers of 32 units (ReLU layers He-initialised, sigmoid ones Glorot). */
const network = (act: 'sigmoid' | 'relu', depth: number): Layer<unknown[]> =>
  sequential<AnyLayer[]>(...Array.from({ length: depth }, () => (act === 'relu' ? [dense(32, { kernelInit: init.heNormal }), relu()] : [dense(32), sigmoid()])).flat(), dense(10))

const run = (model: Layer<unknown[]>, optimizer: GradientTransformation<unknown>, data: Data, epochs: number): History =>
  fit({ model, params: model.init(random.key(1), [20]).params, optimizer, loss: losses.softmaxCrossEntropy, train: data, validation, epochs, batchSize: 20, key: random.key(2) })
    .history

// A: a deep (8-layer) sigmoid network and plain SGD, and a shallow (1-layer) one for comparison
const deepSigmoidHistory = run(network('sigmoid', 8), sgd(0.1), train, 5)
const deepSigmoid = diagnose(deepSigmoidHistory)
const shallowSigmoid = diagnose(run(network('sigmoid', 1), sgd(0.1), train, 5))
// B: the two fixes for the training data: ReLU instead of sigmoid, Adam instead of SGD
const deepRelu = diagnose(run(network('relu', 8), adam(0.001), train, 5))
// C: the same network trained on only 60 examples
const deepReluSmall = diagnose(run(network('relu', 8), adam(0.001), makeData(kSmall, 60), 30))
// #endregion runs

// #region verdicts
// A: the deep sigmoid network is bad on its TRAINING data (at chance: 10%). The
// shallow one is fine on the same data, so the deeper network is not overfitting: it was not
// trained well. The advice: a new activation, an adaptive learning rate.
assert.equal(deepSigmoid.problem, 'training')
assert.ok(Math.abs(deepSigmoid.evidence.trainAccuracy - 0.1) < 0.02) // chance: 1 in 10 (the classes are balanced)
assert.notEqual(shallowSigmoid.problem, 'training')
assert.ok(deepSigmoid.advice.some((a) => a.includes('ReLU')) && deepSigmoid.advice.some((a) => a.includes('Adam')))
// B: ReLU and Adam train the same deep network, and it generalises: nothing to fix.
assert.equal(deepRelu.problem, 'none')
// C: on 60 examples it still fits its training data, but not the validation data: overfitting.
// The advice: early stopping, regularisation, dropout, more data (B is the "more data" cure).
assert.equal(deepReluSmall.problem, 'testing')
assert.ok(deepReluSmall.advice.some((a) => a.startsWith('dropout')))
// #endregion verdicts

// #region by-hand
// The recipe, by hand, with diagnose's default thresholds: training accuracy below 0.9 is a
// problem on the training data; else a validation accuracy more than 0.05 lower is a problem on
// the testing data.
const byHand = (e: { trainAccuracy: number; validationAccuracy: number }) =>
  e.trainAccuracy < 0.9 ? 'training' : e.validationAccuracy < e.trainAccuracy - 0.05 ? 'testing' : 'none'
for (const d of [deepSigmoid, shallowSigmoid, deepRelu, deepReluSmall]) assert.equal(byHand(d.evidence), d.problem)
// #endregion by-hand

// #region context
// Told the model's layers (and the optimizer), the advice fits the run: A is a sigmoid network
// trained by SGD, so "ReLU instead of sigmoid" and "use Adam" stand; the same failure of a tanh
// network names tanh, a ReLU network hears about dying units, and Adam is not advised to itself.
const A = deepSigmoidHistory
const sigmoidLayers = ['dense', 'sigmoid', 'dense', 'sigmoid', 'dense'] // the types, as in a ModelSpec
assert.deepEqual(diagnose(A, { layers: sigmoidLayers, optimizer: 'sgd' }).advice, trainingAdvice)
const asTanh = diagnose(A, { layers: ['dense', 'tanh', 'dense'], optimizer: 'sgd' }).advice
assert.ok(asTanh[0].includes('instead of tanh') && !asTanh.some((a) => a.includes('sigmoid')))
const asRelu = diagnose(A, { layers: ['dense', 'relu', 'dense'], optimizer: 'adam' }).advice
assert.ok(asRelu[0].includes('Leaky ReLU') && !asRelu.some((a) => a.includes('instead of') || a.startsWith('use an adaptive')))
// #endregion context

const runs = {
  'A: 8 × sigmoid, SGD': deepSigmoid,
  'A′: 1 × sigmoid, SGD': shallowSigmoid,
  'B: 8 × ReLU, Adam': deepRelu,
  'C: B on 60 examples': deepReluSmall,
}
const spec = barSpec(
  'Accuracy on the training data and on the validation data',
  'accuracy',
  Object.entries(runs).flatMap(([name, d]) => [
    { name: `${name}  →  '${d.problem}'`, series: 'training data', value: d.evidence.trainAccuracy },
    { name: `${name}  →  '${d.problem}'`, series: 'validation data', value: d.evidence.validationAccuracy },
  ]),
) as { encoding: { y: object } }
// room for the long labels
export const plot = { ...spec, encoding: { ...spec.encoding, y: { ...spec.encoding.y, axis: { labelLimit: 320 } } } }

// The same loss and gradient in purediff and in TensorFlow.js (the oracle of purediff's tests),
// side by side: the style differs, the numbers agree.
import assert from 'node:assert/strict'
// The union package: tfjs-core alone has no gradients until register_all_gradients is imported
// for its side effect ("Cannot compute gradient: gradient function not found for Mean").
import * as tf from '@tensorflow/tfjs'
import { type Tensor, item, matmul, mean, random, relu, square, sub, toFlatArray, valueAndGrad } from 'purediff'

tf.enableProdMode() // quiet: no "install our node backend" banner in the test output

const [k1, k2, k3, k4] = random.split(random.key(0), 4)
const x = random.normal(k1, [16, 4])
const y = random.normal(k2, [16, 1])
const params = { w1: random.normal(k3, [4, 8], { std: 0.5 }), w2: random.normal(k4, [8, 1], { std: 0.5 }) }

// #region purediff
// purediff: a pure function of a params object; the gradient comes back as the same object.
type Params = { w1: Tensor; w2: Tensor }
const loss = (p: Params, x: Tensor, y: Tensor) => mean(square(sub(matmul(relu(matmul(x, p.w1)), p.w2), y)))
const [value, grads] = valueAndGrad(loss)(params, x, y)
// #endregion purediff

// #region tfjs
// TF.js: a function of positional tensors, inside tidy so that intermediates get disposed.
const [tx, ty, tw1, tw2] = [x, y, params.w1, params.w2].map((t) => tf.tensor(toFlatArray(t), [...t.shape]))
const tfLoss = (w1: tf.Tensor, w2: tf.Tensor) => tf.mean(tf.square(tf.sub(tf.matMul(tf.relu(tf.matMul(tx, w1)), w2), ty))) as tf.Scalar
const [tfValue, tfGrads] = tf.tidy(() => {
  const r = tf.valueAndGrads(tfLoss)([tw1, tw2])
  return [r.value.dataSync()[0], r.grads.map((g) => Array.from(g.dataSync()))] as const
})
tf.dispose([tx, ty, tw1, tw2])
// #endregion tfjs

// #region agree
// Both compute in float32; they agree to float32 rounding (relative 1e-5).
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b))
assert.ok(near(item(value), tfValue))
toFlatArray(grads.w1).forEach((v, i) => {
  assert.ok(near(v, tfGrads[0][i]))
})
toFlatArray(grads.w2).forEach((v, i) => {
  assert.ok(near(v, tfGrads[1][i]))
})
assert.equal(tf.memory().numTensors, 0) // TF.js needs this bookkeeping; purediff has none to do
// #endregion agree

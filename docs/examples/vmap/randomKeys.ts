// Random keys under vmap: a batch of keys gives a batch of independent draws, one key per example.
import assert from 'node:assert/strict'
import { expandDims, grad, mul, random, take, tensor, toFlatArray, vmap } from 'purediff'
import { dense, dropout, losses, sequential } from 'purediff/nn'

// #region keys
// a batch of 4 keys as an int32 tensor [4, 2] (each row holds one key's two words)
const keys = random.split(random.key(0), 4)
const batch = random.keyTensor(keys)
const noise = vmap((k: typeof batch) => random.normal(k, [3]))(batch)
assert.deepEqual(noise.shape, [4, 3])
// row b is exactly what key b gives outside vmap
keys.forEach((k, b) => {
  assert.deepEqual(toFlatArray(random.normal(k, [3])), toFlatArray(noise).slice(3 * b, 3 * b + 3))
})
// one key for the whole batch (a Key, or a key tensor with in-axis null) gives every example the SAME draw
const xs = tensor([[1], [2], [4]])
const shared = vmap((x: typeof xs) => mul(x, random.uniform(random.key(1), [1])))(xs)
const [u, u2, u4] = toFlatArray(shared)
assert.ok(u2 === 2 * u && u4 === 4 * u) // the same u for every example (× 2 and × 4 are exact)
// #endregion keys

// #region dropout
// per-example gradients of a network with dropout: each example draws its own mask from its key
const model = sequential(dense(8), dropout(0.5), dense(2))
const { params } = model.init(random.key(2), [3])
const X = random.normal(random.key(3), [5, 3])
const Y = tensor([0, 1, 1, 0, 1], 'int32')
const loss = (p: typeof params, x: typeof X, y: typeof Y, k: typeof batch) =>
  losses.softmaxCrossEntropyWithIntegerLabels(model.apply(p, expandDims(x, 0), { train: true, key: k }), expandDims(y, 0))
const stepKeys = random.keyTensor(random.split(random.key(4), 5))
const perExample = vmap(grad(loss), { inAxes: [null, 0, 0, 0] })(params, X, Y, stepKeys)
assert.deepEqual((perExample[0] as { w: typeof X }).w.shape, [5, 3, 8])
// example 2's gradient is the gradient of its own loss, drawn with its own key
const g2 = grad(loss)(params, take(X, 2), take(Y, 2), take(stepKeys, 2))
const row2 = toFlatArray(take((perExample[0] as { w: typeof X }).w, 2))
for (const [i, v] of toFlatArray((g2[0] as { w: typeof X }).w).entries()) assert.ok(Math.abs(v - row2[i]) <= 1e-6 * Math.max(1, Math.abs(v)))
// #endregion dropout

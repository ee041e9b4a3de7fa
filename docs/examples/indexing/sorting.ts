// Sorting: sort, a stable argsort, and topK — with the gradient going back to where each value came from.
import assert from 'node:assert/strict'
import { argsort, equal, grad, max, mean, mul, sort, sum, tensor, toArray, toFlatArray, topK } from 'purediff'

// #region sort
const scores = tensor([
  [0.1, 0.7, 0.2],
  [0.3, 0.3, 0.4],
])
assert.deepEqual(toArray(argsort(scores)), [
  [0, 2, 1],
  [0, 1, 2], // a tie keeps its order: argsort is stable
])
// the two best classes per row: values descending, int32 indices, a tie to the lower index
const [top, idx] = topK(scores, 2)
assert.equal(idx.dtype, 'int32')
assert.deepEqual(toArray(idx), [
  [1, 2],
  [2, 0],
])
assert.deepEqual(toFlatArray(top), [0.7, 0.2, 0.4, 0.3].map(Math.fround))
// top-2 accuracy: is the label among the two best? (max over a bool axis is "any")
const labels = tensor([[2], [1]], 'int32')
const hit = max(equal(idx, labels), -1)
assert.equal(hit.dtype, 'bool')
assert.deepEqual(toFlatArray(mean(hit)), [0.5])
// #endregion sort

// #region gradient
// sort is a permutation: its gradient sends each output's cotangent back to its source
const x = tensor([3, 1, 2])
const g = grad((v: typeof x) => sum(mul(tensor([10, 20, 30]), sort(v))))(x)
// sort(x) = [x1, x2, x0], so x1 gets 10, x2 gets 20, x0 gets 30
assert.deepEqual(toFlatArray(g), [30, 10, 20])
// #endregion gradient

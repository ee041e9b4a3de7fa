// Gather and scatter: take, scatterAdd (its transpose), takeAlongAxis, and an embedding layer.
import assert from 'node:assert/strict'
import { grad, random, scatterAdd, sum, take, takeAlongAxis, tensor, toArray, zeros } from 'purediff'
import { embedding } from 'purediff/nn'

// #region take
const table = tensor([
  [1, 2],
  [3, 4],
  [5, 6],
])
// rows 2, 0 and the last (−1): the result has shape indices.shape + [2]
assert.deepEqual(toArray(take(table, [2, 0, -1])), [
  [5, 6],
  [1, 2],
  [5, 6],
])
// the transpose: add rows into zeros at the ids; a repeated id adds up
assert.deepEqual(
  toArray(
    scatterAdd(
      zeros([3, 2]),
      [2, 0, 2],
      tensor([
        [1, 1],
        [1, 1],
        [1, 1],
      ]),
    ),
  ),
  [
    [1, 1],
    [0, 0],
    [2, 2],
  ],
)
// one entry per row, picked by an index per row (argsort, argmax and topK indices read this way)
assert.deepEqual(toArray(takeAlongAxis(table, tensor([[1], [0], [1]], 'int32'), 1)), [[2], [3], [6]])
// an index outside [−3, 3) is an error that names it, never clamped
assert.throws(() => take(table, [3]), /index 3 at indices\[0\] is out of range .* expected an integer in \[-3, 3\)/)
// #endregion take

// #region embedding
const layer = embedding(1000, 8) // a 1000 × 8 table, N(0, 1/8) like Flax's
const { params } = layer.init(random.key(0), [4]) // one example: a sequence of 4 ids
const ids = tensor(
  [
    [5, 17, 5, 999],
    [0, 1, 2, 3],
  ],
  'int32',
)
assert.deepEqual(layer.apply(params, ids).shape, [2, 4, 8])
// the table's gradient is a scatter-add: row 5 is used twice, row 4 never
const g = grad((p: typeof params) => sum(layer.apply(p, ids)))(params).table
const rows = toArray(g) as number[][]
assert.deepEqual([rows[5][0], rows[17][0], rows[4][0]], [2, 1, 0])
// #endregion embedding

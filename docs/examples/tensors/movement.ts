// Moving values around: pad, cumsum, flip, tile, and einsum.
import assert from 'node:assert/strict'
import { cumsum, einsum, flip, grad, matmul, pad, sum, tensor, tile, toArray, toFlatArray, mul } from 'purediff'

// #region movement
const a = tensor([
  [1, 2, 3],
  [4, 5, 6],
])
// one [before, after] pair per axis, filled with the value (0 by default)
assert.deepEqual(
  toArray(
    pad(a, [
      [0, 1],
      [1, 0],
    ]),
  ),
  [
    [0, 1, 2, 3],
    [0, 4, 5, 6],
    [0, 0, 0, 0],
  ],
)
assert.deepEqual(toArray(cumsum(a, 1)), [
  [1, 3, 6],
  [4, 9, 15],
]) // running sums along the rows
assert.deepEqual(toArray(flip(a, 1)), [
  [3, 2, 1],
  [6, 5, 4],
])
assert.deepEqual(toArray(tile(tensor([1, 2]), [3])), [1, 2, 1, 2, 1, 2])
// Their gradients move the cotangent back: cumsum's is the running sum from the other end.
const w = tensor([1, 10, 100])
assert.deepEqual(toFlatArray(grad((x: typeof w) => sum(mul(w, cumsum(x, 0))))(tensor([0, 0, 0]))), [111, 110, 100])
// #endregion movement

// #region einsum
// One letter per axis; letters missing from the output are summed over.
const b = tensor([
  [1, 0],
  [0, 1],
  [1, 1],
])
assert.deepEqual(toArray(einsum('ij,jk->ik', a, b)), toArray(matmul(a, b))) // a matrix product
assert.deepEqual(toFlatArray(einsum('ij->j', a)), [5, 7, 9]) // column sums
assert.deepEqual(einsum('bij,bjk->bik', tile(tensor([[[1, 2]]]), [4, 1, 1]), tile(tensor([[[3], [4]]]), [4, 1, 1])).shape, [4, 1, 1])
// A repeated letter takes a diagonal; '...' names any leading (batch) axes, broadcast as in NumPy.
const sq = tensor([
  [1, 2],
  [3, 4],
])
assert.deepEqual(toFlatArray(einsum('ii->i', sq)), [1, 4]) // the diagonal
assert.deepEqual(toFlatArray(einsum('ii', sq)), [5]) // the trace
assert.deepEqual(einsum('...ij,...jk', tile(tensor([[[[1, 2]]]]), [2, 3, 1, 1]), tensor([[3], [4]])).shape, [2, 3, 1, 1])
// #endregion einsum

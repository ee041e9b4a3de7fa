// Making and reading tensors: shapes, dtypes, broadcasting.
import assert from 'node:assert/strict'
import { add, arange, eye, full, matmul, mean, mul, reshape, sum, tensor, toArray, toFlatArray, transpose, item } from 'purediff'

// #region make
const a = tensor([
  [1, 2, 3],
  [4, 5, 6],
]) // float32 by default
assert.deepEqual(a.shape, [2, 3])
assert.equal(a.dtype, 'float32')
assert.equal(a.size, 6)
const b = tensor([0.1, 0.2, 0.3], 'float64') // or float64 on request
assert.deepEqual(toArray(reshape(arange(6), [3, 2])), [
  [0, 1],
  [2, 3],
  [4, 5],
])
assert.deepEqual(toArray(eye(2)), [
  [1, 0],
  [0, 1],
])
assert.deepEqual(toFlatArray(full([2], 7)), [7, 7])
// #endregion make

// #region broadcast
// NumPy broadcasting: [2, 3] + [3] adds b to each row; mixed dtypes promote to float64.
const c = add(a, b)
assert.equal(c.dtype, 'float64')
assert.deepEqual(c.shape, [2, 3])
// 1 + 0.1 in float64 is 1.1 exactly as JavaScript computes it: no float32 rounding on the way
assert.equal((toArray(c) as number[][])[0][0], 1 + 0.1)
// A column [2, 1] against a row [3] makes a [2, 3] table.
assert.deepEqual(toArray(mul(tensor([[1], [10]]), tensor([1, 2, 3]))), [
  [1, 2, 3],
  [10, 20, 30],
])
// Every binary op also takes a plain number.
assert.deepEqual(toFlatArray(mul(a, 2)), [2, 4, 6, 8, 10, 12])
// #endregion broadcast

// #region reduce
assert.equal(item(sum(a)), 21)
assert.deepEqual(toFlatArray(sum(a, 0)), [5, 7, 9]) // down the columns
assert.deepEqual(toFlatArray(mean(a, 1)), [2, 5]) // along the rows
// (AᵀA)ᵢⱼ = Σₖ AₖᵢAₖⱼ: e.g. entry (0, 0) is 1·1 + 4·4 = 17
assert.deepEqual(toArray(matmul(transpose(a), a)), [
  [17, 22, 27],
  [22, 29, 36],
  [27, 36, 45],
])
// #endregion reduce

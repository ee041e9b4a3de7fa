// The four dtypes: promotion, integer arithmetic, bool masks, casts, and no gradient into ints.
import assert from 'node:assert/strict'
import { DTypeError, add, argmax, cast, div, equal, floorDiv, grad, greater, logicalAnd, mod, mul, sum, tensor, toFlatArray, where } from 'purediff'

// #region promotion
const i = tensor([7, -7, 2], 'int32')
const f = tensor([0.5, 0.5, 0.5]) // float32
assert.equal(add(i, f).dtype, 'float32') // int32 + float32 → float32
assert.equal(add(i, 1).dtype, 'int32') // an integer-valued number takes the int's dtype
assert.equal(add(i, 0.5).dtype, 'float32') // a fraction does not fit in int32
assert.equal(add(f, 2).dtype, 'float32') // a number never widens a float tensor
assert.equal(add(tensor([1, 1, 1], 'float64'), f).dtype, 'float64') // float32 + float64 → float64
// #endregion promotion

// #region integers
// int32 arithmetic is exact and wraps modulo 2³², as in C, NumPy and JAX
assert.deepEqual(toFlatArray(mul(tensor([65536], 'int32'), 65536)), [0])
// true division gives float32; floorDiv and mod round toward −∞ (Python's // and %)
assert.deepEqual(toFlatArray(div(i, 2)), [3.5, -3.5, 1])
assert.deepEqual(toFlatArray(floorDiv(i, 2)), [3, -4, 1])
assert.deepEqual(toFlatArray(mod(i, 2)), [1, 1, 0])
// argmax gives int32 indices; sum of a bool mask counts
assert.equal(argmax(tensor([[1, 9, 3]]), 1).dtype, 'int32')
assert.deepEqual(toFlatArray(sum(greater(i, 0))), [2])
// #endregion integers

// #region masks
// comparisons and logic give bool; where selects with any mask
const x = tensor([-2, 0.5, 3])
const inRange = logicalAnd(greater(x, 0), equal(cast(x, 'int32'), 0)) // 0 < x < 1
assert.equal(inRange.dtype, 'bool')
assert.deepEqual(toFlatArray(where(inRange, x, 0)), [0, 0.5, 0])
// cast: float → int32 truncates toward 0 and saturates; NaN → 0; anything → bool is x ≠ 0
assert.deepEqual(toFlatArray(cast(tensor([-2.7, 2.7, Number.NaN, 1e10]), 'int32')), [-2, 2, 0, 2147483647])
// #endregion masks

// #region gradients
// an int has no derivative: differentiating with respect to one is an error that says why…
assert.throws(() => grad(sum)(i), DTypeError)
// …and int values beside float ones are constants
const counts = tensor([1, 2, 3], 'int32')
assert.deepEqual(toFlatArray(grad((w: typeof x) => sum(mul(w, counts)))(x)), [1, 2, 3])
// #endregion gradients

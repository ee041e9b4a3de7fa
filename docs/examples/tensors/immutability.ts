// Immutability: ops make new tensors; inputs never change, so sharing is always safe.
import assert from 'node:assert/strict'
import { add, neg, reshape, tensor, toArray, toFlatArray } from 'purediff'

// #region new
const x = tensor([1, 2, 3, 4])
const y = add(x, 1)
assert.notEqual(y, x) // a new tensor…
assert.deepEqual(toFlatArray(x), [1, 2, 3, 4]) // …and x is as it was
// #endregion new

// #region views
// reshape is a view of the same storage: no copy is made, and none is needed, because nothing
// can write it. The view and the original always agree.
const m = reshape(x, [2, 2])
const negated = neg(m)
assert.deepEqual(toArray(m), [
  [1, 2],
  [3, 4],
])
assert.deepEqual(toArray(negated), [
  [-1, -2],
  [-3, -4],
])
assert.deepEqual(toFlatArray(x), [1, 2, 3, 4])
// #endregion views

// #region read
// Reading gives copies: changing them changes nothing inside the tensor.
const values = toFlatArray(x)
values[0] = 100
assert.equal(toFlatArray(x)[0], 1)
const nested = toArray(m) as number[][]
nested[0][0] = 100
assert.equal((toArray(m) as number[][])[0][0], 1)
// The shape is frozen.
assert.ok(Object.isFrozen(x.shape))
assert.throws(() => {
  ;(x.shape as number[])[0] = 9
}, TypeError)
// #endregion read

// encodeCheckpoint / decodeCheckpoint: lossless, versioned text, every float bit kept.
import assert from 'node:assert/strict'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { type Tensor, tensor, toFlatArray } from 'purediff'
import { decodeCheckpoint, encodeCheckpoint } from 'purediff/io'

// #region round-trip
// The awkward values: −0, NaN, ±Infinity, the smallest subnormal, and 0.1 (not a float32).
const awkward = [-0, NaN, Infinity, -Infinity, Number.MIN_VALUE, 0.1]
const state = { params: { w: tensor(awkward, 'float64'), b: tensor([0.1, -0], 'float32') }, step: 1234, note: 'epoch 3' }
const text = encodeCheckpoint(state)
const back = decodeCheckpoint(text)
assert.ok(isRight(back))
const restored = back.right as unknown as typeof state

// Bit for bit: compare the IEEE-754 bit patterns, which tells −0 from 0 and keeps NaN's payload.
const bits = (t: Tensor) => [...new BigUint64Array(Float64Array.from(toFlatArray(t)).buffer)]
assert.deepEqual(bits(restored.params.w), bits(state.params.w))
assert.equal(restored.params.b.dtype, 'float32') // dtypes are kept
assert.deepEqual(bits(restored.params.b), bits(state.params.b))
assert.equal(restored.step, 1234)
assert.equal(restored.note, 'epoch 3')
// The text is deterministic: the same tree always encodes to the same string.
assert.equal(encodeCheckpoint(state), text)
// #endregion round-trip

// #region damage
// Damage is reported, never decoded into wrong numbers, and the error names where it is.
const cut = decodeCheckpoint(text.slice(0, text.length / 2)) // a truncated file
assert.ok(isLeft(cut) && /JSON/.test(cut.left.message))
const reshaped = decodeCheckpoint(text.replace('"shape":[6]', '"shape":[7]')) // a shape that lies
assert.ok(isLeft(reshaped) && reshaped.left.message.includes('at tree.params.w.data'))
// One changed character of a tensor's data: the checksum no longer matches.
const flipped = text.replace(/"data":"(.)/, (_m, c: string) => `"data":"${c === 'A' ? 'B' : 'A'}`)
const changed = decodeCheckpoint(flipped)
assert.ok(isLeft(changed) && /checksum/.test(changed.left.message))
// #endregion damage

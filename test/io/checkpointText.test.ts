/**
 * The fast checkpoint text (item 12 of issue 11) changes no byte of the format: the text is
 * exactly `JSON.stringify(Checkpoint.encode(tree))` with the checksum of its definition (FNV-1a
 * of the tree's JSON), tensors large enough to cross the base64 chunk seams keep every bit, and a
 * damaged character anywhere in a large tensor's data is a Left.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { Checkpoint, decodeCheckpoint, encodeCheckpoint } from '../../src/io/index.js'
import { fnv1a } from '../../src/io/codecs.js'
import { dataOf } from '../../src/tensor/Tensor.js'

/** Storage of random bit patterns, `n` values: float32/float64 (NaN payloads, −0, subnormals, ±Infinity included), any int32, bool 0/1. */
function randomBits(n: number, dtype: P.DType, seed: number): Float32Array | Float64Array | Int32Array | Uint8Array {
  const words = new Uint32Array(n * (dtype === 'float64' ? 2 : 1))
  let s = seed >>> 0
  for (let i = 0; i < words.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    words[i] = s ^ (s >>> 13)
  }
  if (dtype === 'int32') return new Int32Array(words.buffer)
  if (dtype === 'bool') return Uint8Array.from(words, (w) => w & 1)
  return dtype === 'float64' ? new Float64Array(words.buffer) : new Float32Array(words.buffer)
}

/** The stored bits of a tensor (NaN payloads included: reading values through numbers could change those). */
const bitsOf = (t: P.Tensor) => {
  const d = dataOf(t)
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength)
}

// sizes around the seams: 3·2^16 bytes per encoder chunk, 2^16 characters (49152 bytes) per decoder chunk
const sizes = fc.constantFrom(49152, 196608, 393216).chain((bytes) => fc.integer({ min: bytes / 8 - 3, max: bytes / 4 + 3 }))

describe('checkpoint text', () => {
  it('is JSON.stringify of the Checkpoint codec, checksum as defined, and round-trips every bit of large tensors', () => {
    fc.assert(
      fc.property(sizes, fc.constantFrom<P.DType>('float32', 'float64', 'int32', 'bool'), fc.nat(), fc.integer({ min: -5, max: 5 }), (n, dtype, seed, step) => {
        const data = randomBits(n, dtype, seed)
        const w = P.fromArray(data, [n], dtype)
        const tree = { layers: [{ w, b: P.zeros([3], dtype) }], step, name: 'run "1"\n' }
        const text = encodeCheckpoint(tree)
        const json = Checkpoint.encode(tree)
        expect(text === JSON.stringify(json)).toBe(true)
        expect(json.checksum).toBe(fnv1a(JSON.stringify(json.tree)))
        const back = decodeCheckpoint(text)
        if (E.isLeft(back)) throw back.left
        const t = (back.right as unknown as typeof tree).layers[0].w
        expect([t.dtype, t.shape]).toEqual([dtype, [n]])
        expect(bitsOf(t).equals(bitsOf(w))).toBe(true)
      }),
      { numRuns: 8 },
    )
  })

  it('a damaged character anywhere in a large tensor is a Left', () => {
    const n = 70000
    const text = encodeCheckpoint({ w: P.fromArray(randomBits(n, 'float32', 3), [n], 'float32') })
    const start = text.indexOf('"data":"') + 8
    const end = text.indexOf('"', start)
    fc.assert(
      fc.property(fc.integer({ min: start, max: end - 1 }), fc.constantFrom('A', '/', '=', '*', 'é', ' '), (at, c) => {
        fc.pre(text[at] !== c)
        const r = decodeCheckpoint(text.slice(0, at) + c + text.slice(at + 1))
        expect(E.isLeft(r)).toBe(true)
        if (E.isLeft(r)) expect(r.left.message).toMatch(/tree\.w\.data|checksum/)
      }),
      { numRuns: 20 },
    )
  })
})

/**
 * oneHot with an int32 tensor of indices: the same rows as the number[] form, any rank of
 * indices (result shape [...indices.shape, depth]), no gradient, and errors for float indices
 * (cast them) and indices outside [0, depth) (named, never clamped).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { thrown } from '../helpers/errors.js'

describe('oneHot of an int32 tensor', () => {
  it('equals the number[] form, and row i has its 1 at indices[i] only', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((depth) => fc.tuple(fc.constant(depth), fc.array(fc.integer({ min: 0, max: depth - 1 }), { maxLength: 8 }))),
        fc.constantFrom<P.DType>('float32', 'float64', 'int32', 'bool'),
        ([depth, ix], dtype) => {
          const t = P.oneHot(P.tensor(ix, 'int32'), depth, dtype)
          expect([t.shape, t.dtype]).toEqual([[ix.length, depth], dtype])
          expect(P.toFlatArray(t)).toEqual(P.toFlatArray(P.oneHot(ix, depth, dtype)))
          for (const [i, k] of ix.entries()) for (let j = 0; j < depth; j++) expect(P.toFlatArray(t)[i * depth + j]).toBe(j === k ? 1 : 0)
        },
      ),
      { numRuns: 30 },
    )
  })

  it('indices of any rank: the result has shape [...indices.shape, depth]', () => {
    expect(P.toArray(P.oneHot(P.tensor(2, 'int32'), 3))).toEqual([0, 0, 1])
    const t = P.oneHot(
      P.tensor(
        [
          [0, 2],
          [1, 1],
        ],
        'int32',
      ),
      3,
    )
    expect(t.shape).toEqual([2, 2, 3])
    expect(P.toFlatArray(t)).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0])
  })

  it('argmax then oneHot inside grad gives a zero gradient (a constant of the logits)', () => {
    const x = P.tensor([[1, 3, 2]], 'float64')
    const g = P.grad((z: P.Tensor) => P.sum(P.mul(z, P.oneHot(P.argmax(z, -1), 3, 'float64'))))(x)
    // f = z[argmax z] with the one-hot held constant: ∂f/∂z = the one-hot itself
    expect(P.toFlatArray(g)).toEqual([0, 1, 0])
  })

  it('float indices are a DTypeError saying to cast; indices outside [0, depth) an ArgumentError naming them', () => {
    const f = thrown(() => P.oneHot(P.tensor([0, 1]), 2))
    expect(f).toBeInstanceOf(P.DTypeError)
    expect(f.message).toMatch(/oneHot: indices must be int32, got float32; cast them/)
    for (const [ix, bad, at] of [
      [[0, 3], 3, 1],
      [[-1, 0], -1, 0],
    ] as const) {
      const e = thrown(() => P.oneHot(P.tensor([...ix], 'int32'), 3))
      expect(e).toBeInstanceOf(P.ArgumentError)
      expect(e.message).toBe(`oneHot: index ${bad} at position ${at} is not an integer in [0, 3)`)
    }
  })
})

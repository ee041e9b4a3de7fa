/**
 * `batches` is a permutation partition of the examples: every row exactly once, batches of
 * `batchSize` rows with the last partial batch kept, rows of x and y kept together,
 * deterministic in the key, and pure.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { batches } from '../../src/train/index.js'

/** n examples whose x row i is [i, −i] and y row i is [10·i]. */
const dataOf = (n: number, dtype: P.DType) => ({
  x: P.fromArray(
    Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? Math.floor(k / 2) : -Math.floor(k / 2))),
    [n, 2],
    dtype,
  ),
  y: P.fromArray(
    Array.from({ length: n }, (_, i) => 10 * i),
    [n, 1],
    dtype,
  ),
})

describe('batches', () => {
  it('is a partition of a permutation: every row once, sizes batchSize with the remainder last, x and y together', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.integer({ min: 1, max: 12 }), fc.nat(2 ** 31), fc.constantFrom<P.DType>('float32', 'float64'), (n, bs, seed, dtype) => {
        const data = dataOf(n, dtype)
        const out = batches(P.random.key(seed), data, bs)
        const sizes = out.map((b) => b.x.shape[0])
        const expected = Array.from({ length: Math.ceil(n / bs) }, (_, i) => Math.min(bs, n - i * bs))
        expect(sizes).toEqual(expected)
        const rows = out.flatMap((b) => P.toArray(b.x) as number[][])
        const ys = out.flatMap((b) => P.toFlatArray(b.y))
        expect(rows.map((r) => r[0]).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i))
        rows.forEach((r, i) => {
          expect(r[1]).toBe(-r[0])
          expect(ys[i]).toBe(10 * r[0])
        })
        // the order is exactly random.permutation(key, n)
        expect(rows.map((r) => r[0])).toEqual(P.random.permutation(P.random.key(seed), n))
        for (const b of out) {
          expect(b.x.dtype).toBe(dtype)
          expect(b.y.shape.slice(1)).toEqual([1])
        }
      }),
      { numRuns: 100 },
    )
  })

  it('is deterministic in the key and pure (the data is unchanged)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 8 }), fc.nat(2 ** 31), (n, bs, seed) => {
        const data = dataOf(n, 'float32')
        const before = [P.toFlatArray(data.x), P.toFlatArray(data.y)]
        const a = batches(P.random.key(seed), data, bs).map((b) => P.toFlatArray(b.x))
        const b = batches(P.random.key(seed), data, bs).map((b) => P.toFlatArray(b.x))
        expect(a).toEqual(b)
        expect([P.toFlatArray(data.x), P.toFlatArray(data.y)]).toEqual(before)
      }),
      { numRuns: 50 },
    )
  })

  it('different keys give different orders (on enough rows)', () => {
    const data = dataOf(50, 'float32')
    const a = batches(P.random.key(1), data, 50)[0],
      b = batches(P.random.key(2), data, 50)[0]
    expect(P.toFlatArray(a.x)).not.toEqual(P.toFlatArray(b.x))
  })

  it('keeps trailing axes (images) and refuses bad input with a clear error', () => {
    const x = P.reshape(P.arange(5 * 2 * 3), [5, 2, 3]),
      y = P.eye(5)
    const out = batches(P.random.key(0), { x, y }, 4)
    expect(out.map((b) => b.x.shape)).toEqual([
      [4, 2, 3],
      [1, 2, 3],
    ])
    expect(() => batches(P.random.key(0), { x, y }, 0)).toThrow(P.ArgumentError)
    expect(() => batches(P.random.key(0), { x, y }, 1.5)).toThrow(/batchSize/)
    expect(() => batches(P.random.key(0), { x, y: P.eye(4) }, 2)).toThrow(P.ShapeError)
    expect(() => batches(P.random.key(0), { x: [1, 2] as never, y }, 2)).toThrow(/data\.x/)
  })
})

/**
 * The arbitraries produce what they promise: shapes in range, tensors of the right shape and
 * dtype with values in bounds and away from the avoided points, shapes that really broadcast
 * (checked with the library's own `add` on zeros) covering equal shapes, scalars and rank
 * differences, and valid PRNG keys.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { ArgumentError, random } from '../../src/index.js'
import { arb } from '../../src/testing/index.js'

const runs = { numRuns: 50 }

describe('arb.shape', () => {
  it('keeps rank and dimensions in the default ranges', () => {
    fc.assert(
      fc.property(arb.shape(), (s) => s.length <= 3 && s.every((d) => Number.isInteger(d) && d >= 1 && d <= 4)),
      runs,
    )
  })

  it('keeps rank and dimensions in custom ranges, and reaches every rank', () => {
    const c = { minRank: 2, maxRank: 4, minDim: 0, maxDim: 2 }
    fc.assert(
      fc.property(arb.shape(c), (s) => s.length >= 2 && s.length <= 4 && s.every((d) => d >= 0 && d <= 2)),
      runs,
    )
    const ranks = new Set(fc.sample(arb.shape(c), { numRuns: 200, seed: 1 }).map((s) => s.length))
    expect([...ranks].sort()).toEqual([2, 3, 4])
  })

  it('rejects impossible constraints', () => {
    expect(() => arb.shape({ minRank: 3, maxRank: 1 })).toThrow(ArgumentError)
    expect(() => arb.shape({ minDim: 5, maxDim: 2 })).toThrow(ArgumentError)
    expect(() => arb.shape({ maxRank: -1 })).toThrow(ArgumentError)
  })
})

describe('arb.tensor', () => {
  it('defaults to float64 values in [-3, 3] with a shape from arb.shape()', () => {
    fc.assert(
      fc.property(arb.tensor(), (t) => {
        expect(t.dtype).toBe('float64')
        expect(t.rank).toBeLessThanOrEqual(3)
        expect(P.toFlatArray(t).every((v) => Number.isFinite(v) && v >= -3 && v <= 3)).toBe(true)
      }),
      runs,
    )
  })

  it('uses a fixed shape, or an arbitrary of shapes', () => {
    fc.assert(
      fc.property(arb.tensor({ shape: [2, 3] }), (t) => t.shape.join() === '2,3' && t.size === 6),
      runs,
    )
    fc.assert(
      fc.property(arb.tensor({ shape: fc.constantFrom([1], [4, 1]) }), (t) => ['1', '4,1'].includes(t.shape.join())),
      runs,
    )
  })

  it('keeps values in [min, max] and at least margin away from awayFrom', () => {
    const c = { min: -2, max: 2, awayFrom: [0, 1, -1.5], margin: 0.2, shape: [3, 3] }
    fc.assert(
      fc.property(arb.tensor(c), (t) => {
        for (const v of P.toFlatArray(t)) {
          expect(v).toBeGreaterThanOrEqual(-2)
          expect(v).toBeLessThanOrEqual(2)
          // awayFrom is built from p ± margin in float64, hence the rounding slack
          for (const p of c.awayFrom) expect(Math.abs(v - p)).toBeGreaterThanOrEqual(0.2 - 1e-12)
        }
      }),
      { numRuns: 100 },
    )
  })

  it('reaches every allowed interval', () => {
    const vs = fc.sample(arb.tensor({ shape: [], min: -1, max: 1, awayFrom: [0], margin: 0.5 }), { numRuns: 100, seed: 2 }).map(P.item)
    expect(vs.some((v) => v < 0)).toBe(true)
    expect(vs.some((v) => v > 0)).toBe(true)
  })

  it('filters out values for which avoid holds', () => {
    fc.assert(
      fc.property(arb.tensor({ shape: [5], avoid: (v) => v > 0 && v < 2 }), (t) => P.toFlatArray(t).every((v) => !(v > 0 && v < 2))),
      runs,
    )
  })

  it('makes float32 tensors with float32 values that still obey the bounds', () => {
    const c = { dtype: 'float32', min: -0.3, max: 0.7, awayFrom: [0.1], margin: 0.1, shape: [4] } as const
    fc.assert(
      fc.property(arb.tensor(c), (t) => {
        expect(t.dtype).toBe('float32')
        for (const v of P.toFlatArray(t)) {
          expect(Math.fround(v)).toBe(v)
          expect(v >= -0.3 && v <= 0.7 && Math.abs(v - 0.1) >= 0.1 - 1e-12).toBe(true)
        }
      }),
      runs,
    )
  })

  it('draws values of ordinary size, not mostly tiny ones (in both dtypes), and still reaches ±0-adjacent tiny values', () => {
    // Half the draws are even over [-3, 3], so P(|v| > 0.5) ≥ ½·(5/6) ≈ 0.42; fast-check's doubles
    // alone give about 0.04 (they spread over every binade). 4000 draws: the standard deviation
    // of the fraction is under 0.01, so 0.3 cannot be missed by chance.
    for (const dtype of ['float64', 'float32'] as const) {
      const vs = fc.sample(arb.tensor({ shape: [1], dtype }), 4000).map((t) => P.toFlatArray(t)[0])
      expect(vs.filter((v) => Math.abs(v) > 0.5).length / vs.length).toBeGreaterThan(0.3)
      expect(vs.some((v) => Math.abs(v) < 1e-6)).toBe(true)
      expect(vs.every((v) => v >= -3 && v <= 3 && (dtype === 'float64' || Math.fround(v) === v))).toBe(true)
    }
  })

  it('rejects constraints that leave no value', () => {
    expect(() => arb.tensor({ min: 1, max: 0 })).toThrow(ArgumentError)
    expect(() => arb.tensor({ min: -1, max: 1, awayFrom: [0], margin: 2 })).toThrow(/no value/)
    expect(() => arb.tensor({ min: Number.NaN })).toThrow(ArgumentError)
  })
})

describe('arb.broadcastableShapes', () => {
  it('produces n shapes that broadcast together (add on zeros succeeds)', () => {
    fc.assert(
      fc.property(arb.broadcastableShapes({ n: 3 }), (shapes) => {
        expect(shapes).toHaveLength(3)
        const out = shapes.map((s) => P.zeros(s)).reduce((a, b) => P.add(a, b))
        // the broadcast result: per aligned axis from the right, the largest dimension
        const rank = Math.max(...shapes.map((s) => s.length))
        const expected = Array.from({ length: rank }, (_, i) => Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)))
        expect(out.shape).toEqual(expected)
      }),
      { numRuns: 100 },
    )
  })

  it('respects the rank and dimension constraints on the result', () => {
    fc.assert(
      fc.property(arb.broadcastableShapes({ maxRank: 2, maxDim: 3 }), (shapes) => shapes.every((s) => s.length <= 2 && s.every((d) => d >= 1 && d <= 3))),
      runs,
    )
  })

  it('covers equal shapes, scalars, rank differences and size-1 axes', () => {
    const pairs = fc.sample(arb.broadcastableShapes(), { numRuns: 300, seed: 3 })
    const same = (a: number[], b: number[]) => a.join() === b.join()
    expect(pairs.some(([a, b]) => same(a, b) && a.length > 0)).toBe(true)
    expect(pairs.some(([a, b]) => (a.length === 0) !== (b.length === 0))).toBe(true)
    expect(pairs.some(([a, b]) => a.length !== b.length && a.length > 0 && b.length > 0)).toBe(true)
    expect(pairs.some(([a, b]) => a.length === b.length && !same(a, b))).toBe(true)
  })

  it('rejects a bad n', () => {
    expect(() => arb.broadcastableShapes({ n: 0 })).toThrow(ArgumentError)
  })
})

describe('arb.key', () => {
  it('produces PRNG keys that the random module accepts', () => {
    fc.assert(
      fc.property(arb.key(), (k) => {
        expect(random.isKey(k)).toBe(true)
        expect(random.split(k, 3)).toHaveLength(3)
      }),
      { numRuns: 20 },
    )
  })

  it('is reproducible from the fast-check seed', () => {
    const a = fc.sample(arb.key(), { numRuns: 5, seed: 9 }).map(random.keyData)
    const b = fc.sample(arb.key(), { numRuns: 5, seed: 9 }).map(random.keyData)
    expect(a).toEqual(b)
  })
})

describe('arb.tensor with int32 and bool', () => {
  it('int32: integers in [min, max], away from the listed points; bool: 0 and 1', () => {
    const ts = fc.sample(arb.tensor({ shape: [6], dtype: 'int32', min: -2.5, max: 4, awayFrom: [0], margin: 1 }), { numRuns: 200, seed: 5 })
    const seen = new Set(ts.flatMap((t) => P.toFlatArray(t)))
    expect(ts.every((t) => t.dtype === 'int32')).toBe(true)
    // the integers of [−2.5, 4] at least 1 from 0: −2, −1, 1, 2, 3, 4 — and each of them appears
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 1, 2, 3, 4])
    const bs = fc.sample(arb.tensor({ shape: [4], dtype: 'bool' }), { numRuns: 50, seed: 5 })
    expect(new Set(bs.flatMap((t) => P.toFlatArray(t)))).toEqual(new Set([0, 1]))
    expect(bs.every((t) => t.dtype === 'bool')).toBe(true)
    expect(() => arb.tensor({ dtype: 'int32', min: 0.2, max: 0.8 })).toThrow(ArgumentError)
  })
})

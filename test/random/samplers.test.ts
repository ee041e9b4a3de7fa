/**
 * What the samplers promise besides their distributions: shapes and dtypes, counter-based bits
 * (element i depends only on the key and i), the bounds of uniform in the stored dtype, the
 * bits of float32 and float64 uniforms, exact bernoulli at p = 0 and 1, and permutations.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { random, toFlatArray } from '../../src/index.js'

const seed = fc.maxSafeNat()

/** The smallest float32 >= x, by stepping the bit pattern of fround(x) when it fell below x. */
function smallestFloat32AtLeast(x: number): number {
  const f = Math.fround(x)
  if (f >= x) return f
  if (f === 0) return 2 ** -149
  const a = Float32Array.of(f)
  new Uint32Array(a.buffer)[0] += f > 0 ? 1 : -1
  return a[0]
}

describe('shapes and dtypes', () => {
  it('every sampler returns the shape and dtype asked for, float32 by default', () => {
    const k = random.key(3)
    for (const t of [random.uniform(k, [2, 3]), random.normal(k, [2, 3]), random.bernoulli(k, 0.3, [2, 3])]) {
      expect(t.shape).toEqual([2, 3])
      expect(t.dtype).toBe('float32')
    }
    expect(random.uniform(k, [4], { dtype: 'float64' }).dtype).toBe('float64')
    expect(random.normal(k, [4], { dtype: 'float64' }).dtype).toBe('float64')
    expect(random.bernoulli(k, 0.3, [4], 'float64').dtype).toBe('float64')
    expect(random.uniform(k, []).shape).toEqual([])
    expect(toFlatArray(random.normal(k, [0, 5]))).toEqual([])
  })
})

describe('counter-based: element i depends only on the key and i', () => {
  it('a prefix of a longer draw is the shorter draw, whatever the shape', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 }), (s, n, extra) => {
        const k = random.key(s)
        const same = (f: (shape: number[]) => number[]) => {
          const long = f([n + extra])
          return f([n]).every((v, i) => Object.is(v, long[i]))
        }
        return (
          same((sh) => toFlatArray(random.uniform(k, sh))) &&
          same((sh) => toFlatArray(random.uniform(k, sh, { dtype: 'float64', min: -3, max: 5 }))) &&
          same((sh) => toFlatArray(random.normal(k, sh))) &&
          same((sh) => toFlatArray(random.normal(k, sh, { dtype: 'float64' }))) &&
          same((sh) => toFlatArray(random.bernoulli(k, 0.4, sh)))
        )
      }),
      { numRuns: 50 },
    )
  })
  it('the shape only arranges the values', () => {
    const k = random.key(11)
    expect(toFlatArray(random.normal(k, [2, 3, 2]))).toEqual(toFlatArray(random.normal(k, [12])))
  })
  it('different keys give different draws', () => {
    const a = toFlatArray(random.uniform(random.key(0), [8]))
    const b = toFlatArray(random.uniform(random.key(1), [8]))
    expect(a).not.toEqual(b)
  })
})

describe('uniform bits and bounds', () => {
  it('float32 values are multiples of 2^-23 in [0, 1) (23 bits, as JAX)', () => {
    const xs = toFlatArray(random.uniform(random.key(5), [10000]))
    expect(xs.every((x) => x >= 0 && x < 1 && Number.isInteger(x * 2 ** 23))).toBe(true)
  })
  it('float64 values use more than 24 bits (not float32 values widened)', () => {
    const xs = toFlatArray(random.uniform(random.key(5), [1000], { dtype: 'float64' }))
    expect(xs.every((x) => x >= 0 && x < 1 && Number.isInteger(x * 2 ** 53))).toBe(true)
    // With 53 random bits, P(x * 2^24 is an integer) = 2^-29 per value.
    expect(xs.filter((x) => !Number.isInteger(x * 2 ** 24)).length).toBeGreaterThan(990)
  })
  it('values lie in [min, max) as stored in the dtype, for any finite min < max', () => {
    const bound = fc.double({ min: -1e30, max: 1e30, noNaN: true })
    fc.assert(
      fc.property(seed, bound, bound, fc.constantFrom('float32' as const, 'float64' as const), (s, a, b, dtype) => {
        if (a === b) return true
        const [min, max] = a < b ? [a, b] : [b, a]
        let xs: number[]
        try {
          xs = toFlatArray(random.uniform(random.key(s), [200], { min, max, dtype }))
        } catch (e) {
          // Only legitimate when no float32 lies in [min, max).
          return dtype === 'float32' && String(e).includes('no float32 value') && !(smallestFloat32AtLeast(min) < max)
        }
        return xs.every((x) => x >= min && x < max)
      }),
      { numRuns: 300 },
    )
  })
  it('rounding never reaches max, even on a one-ulp interval', () => {
    const k = random.key(1)
    // float64 [1, 1 + 2^-52): the only value is 1.
    expect(new Set(toFlatArray(random.uniform(k, [100], { min: 1, max: 1 + 2 ** -52, dtype: 'float64' })))).toEqual(new Set([1]))
    // float32 [1, 1 + 2^-23): the only value is 1.
    expect(new Set(toFlatArray(random.uniform(k, [100], { min: 1, max: 1 + 2 ** -23 })))).toEqual(new Set([1]))
    // float32 [0, 2^-140): the values are subnormals below 2^-140.
    const tiny = toFlatArray(random.uniform(k, [1000], { min: 0, max: 2 ** -140 }))
    expect(tiny.every((x) => x >= 0 && x < 2 ** -140)).toBe(true)
    // float32 [0.1, 0.2): 0.1 is not a float32, so the smallest allowed value is fround(0.1) > 0.1.
    const xs = toFlatArray(random.uniform(k, [1000], { min: 0.1, max: 0.2 }))
    expect(xs.every((x) => x >= 0.1 && x < 0.2)).toBe(true)
  })
  it('min and max scale the unit draw: min + u (max - min)', () => {
    const k = random.key(2)
    const u = toFlatArray(random.uniform(k, [50], { dtype: 'float64' }))
    const v = toFlatArray(random.uniform(k, [50], { min: -3, max: 5, dtype: 'float64' }))
    expect(v.every((x, i) => Math.abs(x - (-3 + 8 * u[i])) < 1e-15)).toBe(true)
  })
})

describe('normal', () => {
  it('is finite, and mean + std scale the standard draw', () => {
    const k = random.key(4)
    const z = toFlatArray(random.normal(k, [10000], { dtype: 'float64' }))
    const y = toFlatArray(random.normal(k, [10000], { mean: 3, std: 2, dtype: 'float64' }))
    expect(z.every(Number.isFinite)).toBe(true)
    expect(y.every((x, i) => Math.abs(x - (3 + 2 * z[i])) < 1e-12)).toBe(true)
    // Box–Muller with u1 >= 2^-53 bounds |z| by sqrt(2 · 53 · ln 2) ≈ 8.57; float32 (2^-24) by 5.77.
    expect(z.every((x) => Math.abs(x) <= 8.58)).toBe(true)
    expect(toFlatArray(random.normal(k, [10000])).every((x) => Math.abs(x) <= 5.78)).toBe(true)
  })
})

describe('bernoulli', () => {
  it('p = 0 gives all zeros and p = 1 all ones, exactly; other p give only 0 and 1', () => {
    fc.assert(
      fc.property(seed, fc.double({ min: 0, max: 1, noNaN: true }), (s, p) => {
        const k = random.key(s)
        const zeros = toFlatArray(random.bernoulli(k, 0, [300]))
        const ones = toFlatArray(random.bernoulli(k, 1, [300], 'float64'))
        const mixed = toFlatArray(random.bernoulli(k, p, [300]))
        return zeros.every((x) => x === 0) && ones.every((x) => x === 1) && mixed.every((x) => x === 0 || x === 1)
      }),
      { numRuns: 50 },
    )
  })
  it('is monotone in p for a fixed key (the same uniforms are thresholded)', () => {
    const k = random.key(8)
    const lo = toFlatArray(random.bernoulli(k, 0.3, [1000]))
    const hi = toFlatArray(random.bernoulli(k, 0.6, [1000]))
    expect(lo.every((x, i) => x <= hi[i])).toBe(true)
  })
})

describe('permutation', () => {
  it('is a permutation of 0 … n-1 for any n', () => {
    fc.assert(
      fc.property(seed, fc.integer({ min: 0, max: 2000 }), (s, n) => {
        const p = random.permutation(random.key(s), n)
        const seen = new Uint8Array(n)
        for (const v of p) {
          if (!Number.isInteger(v) || v < 0 || v >= n || seen[v] === 1) return false
          seen[v] = 1
        }
        return p.length === n
      }),
      { numRuns: 100 },
    )
    expect(random.permutation(random.key(0), 0)).toEqual([])
    expect(random.permutation(random.key(0), 1)).toEqual([0])
  })
  it('returns a fresh plain array each time', () => {
    const k = random.key(1)
    const a = random.permutation(k, 5)
    a[0] = 99
    expect(random.permutation(k, 5)).not.toContain(99)
  })
})

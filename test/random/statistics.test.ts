/**
 * The distributions, checked with tolerances derived from their standard errors, over random
 * seeds (fast-check prints the seed of a failure). Each moment check allows 5 standard errors
 * (two-sided tail 5.7e-7) and each chi-square test uses the critical value at α = 1e-6, so a
 * correct sampler fails a run of this file with probability about 1e-4. Nothing is tuned to pass.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { random, toFlatArray } from '../../src/index.js'

const N = 100_000
const SEEDS = { numRuns: 3 }
const seed = fc.maxSafeNat()

// --- statistics helpers

interface Moments {
  mean: number
  variance: number
  skewness: number
  kurtosis: number
}

function moments(xs: readonly number[]): Moments {
  const n = xs.length
  let s = 0
  for (const x of xs) s += x
  const mean = s / n
  let m2 = 0,
    m3 = 0,
    m4 = 0
  for (const x of xs) {
    const d = x - mean
    const d2 = d * d
    m2 += d2
    m3 += d2 * d
    m4 += d2 * d2
  }
  m2 /= n
  m3 /= n
  m4 /= n
  return { mean, variance: m2, skewness: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) }
}

function correlation(xs: readonly number[], ys: readonly number[]): number {
  const a = moments(xs)
  const b = moments(ys)
  let c = 0
  for (let i = 0; i < xs.length; i++) c += (xs[i] - a.mean) * (ys[i] - b.mean)
  return c / xs.length / Math.sqrt(a.variance * b.variance)
}

/** Σ (observed - expected)² / expected over bins of equal expectation. */
function chiSquare(counts: ArrayLike<number>, expected: number): number {
  let s = 0
  for (let i = 0; i < counts.length; i++) s += (counts[i] - expected) ** 2 / expected
  return s
}

/** ln Γ(a) for a = k/2 (k a positive integer), exactly from Γ(1) = 1, Γ(1/2) = √π, Γ(a+1) = aΓ(a). */
function logGammaHalf(a: number): number {
  let x = Number.isInteger(a) ? 1 : 0.5
  let r = Number.isInteger(a) ? 0 : 0.5 * Math.log(Math.PI)
  for (; x < a; x++) r += Math.log(x)
  return r
}

/** P(χ²_df > x) = Q(df/2, x/2), the regularised upper incomplete gamma (series or Lentz fraction). */
function chiSquareSurvival(x: number, df: number): number {
  const a = df / 2
  const z = x / 2
  if (z <= 0) return 1
  const front = Math.exp(-z + a * Math.log(z) - logGammaHalf(a))
  if (z < a + 1) {
    let term = 1 / a
    let sum = term
    for (let n = 1; n < 1000 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= z / (a + n)
      sum += term
    }
    return 1 - front * sum
  }
  const tiny = 1e-300
  let b = z + 1 - a
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < 1e-16) break
  }
  return front * h
}

/** The x with P(χ²_df > x) = alpha, by bisection. */
function chiSquareCritical(df: number, alpha: number): number {
  let lo = 0
  let hi = df + 100 * Math.sqrt(2 * df) + 100
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2
    if (chiSquareSurvival(mid, df) > alpha) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

const ALPHA = 1e-6

describe('the chi-square helper agrees with published tables', () => {
  it('0.999 quantiles: df 1 → 10.828, 4 → 18.467, 5 → 20.515, 19 → 43.820', () => {
    expect(chiSquareCritical(1, 0.001)).toBeCloseTo(10.828, 2)
    expect(chiSquareCritical(4, 0.001)).toBeCloseTo(18.467, 2)
    expect(chiSquareCritical(5, 0.001)).toBeCloseTo(20.515, 2)
    expect(chiSquareCritical(19, 0.001)).toBeCloseTo(43.82, 2)
    expect(chiSquareCritical(19, 0.05)).toBeCloseTo(30.144, 2)
  })
})

// --- uniform

describe('uniform', () => {
  // U ~ U[0,1): mean 1/2, variance 1/12. SE(mean) = sqrt(1/12 / N) ≈ 9.1e-4.
  // The sample variance has SE sqrt((μ4 - σ⁴) / N) with μ4 = E(U - 1/2)⁴ = 1/80, so
  // μ4 - σ⁴ = 1/80 - 1/144 = 1/180 and SE ≈ 2.4e-4. (23- or 53-bit grids shift these by < 1e-7.)
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: mean 1/2 and variance 1/12 within 5 standard errors`, () => {
      fc.assert(
        fc.property(seed, (s) => {
          const m = moments(toFlatArray(random.uniform(random.key(s), [N], { dtype })))
          return Math.abs(m.mean - 0.5) < 5 * Math.sqrt(1 / 12 / N) && Math.abs(m.variance - 1 / 12) < 5 * Math.sqrt(1 / 180 / N)
        }),
        SEEDS,
      )
    })
    it(`${dtype}: 20 equal bins pass a chi-square test (df 19, α = 1e-6)`, () => {
      const critical = chiSquareCritical(19, ALPHA) // ≈ 64
      fc.assert(
        fc.property(seed, (s) => {
          const counts = new Float64Array(20)
          for (const x of toFlatArray(random.uniform(random.key(s), [N], { dtype }))) counts[Math.floor(x * 20)]++
          return chiSquare(counts, N / 20) < critical
        }),
        SEEDS,
      )
    })
  }
  it('the low bits are uniform too: float64 draws scaled by 2^24, mod 20, in 20 bins', () => {
    // Bits 25..53 of the 53-bit fraction: a float32-widened stream would put everything in bin 0.
    const critical = chiSquareCritical(19, ALPHA)
    const counts = new Float64Array(20)
    for (const x of toFlatArray(random.uniform(random.key(77), [N], { dtype: 'float64' }))) counts[Math.floor(((x * 2 ** 24) % 1) * 20)]++
    expect(chiSquare(counts, N / 20)).toBeLessThan(critical)
  })
  it('min/max: U[-3, 5) has mean 1 and variance 64/12', () => {
    // SE(mean) = 8 · sqrt(1/12 / N); SE(variance) = 64 · sqrt(1/180 / N).
    const m = moments(toFlatArray(random.uniform(random.key(12), [N], { min: -3, max: 5 })))
    expect(Math.abs(m.mean - 1)).toBeLessThan(5 * 8 * Math.sqrt(1 / 12 / N))
    expect(Math.abs(m.variance - 64 / 12)).toBeLessThan(5 * 64 * Math.sqrt(1 / 180 / N))
  })
})

// --- independence

describe('independence', () => {
  // For independent streams the sample correlation r has standard deviation ≈ 1/sqrt(N).
  const bound = 5 / Math.sqrt(N)
  it('the two keys of a split give uncorrelated streams, as do parent and child', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const parent = random.key(s)
        const [a, b] = random.split(parent)
        const u = (k: random.Key) => toFlatArray(random.uniform(k, [N]))
        const ua = u(a)
        return Math.abs(correlation(ua, u(b))) < bound && Math.abs(correlation(ua, u(parent))) < bound
      }),
      SEEDS,
    )
  })
  it('foldIn siblings give uncorrelated streams', () => {
    fc.assert(
      fc.property(seed, fc.nat(), (s, i) => {
        const k = random.key(s)
        const x = toFlatArray(random.normal(random.foldIn(k, i), [N]))
        const y = toFlatArray(random.normal(random.foldIn(k, i + 1), [N]))
        return Math.abs(correlation(x, y)) < bound
      }),
      SEEDS,
    )
  })
  it('neighbouring elements of one stream are uncorrelated (lag 1)', () => {
    const xs = toFlatArray(random.uniform(random.key(21), [N + 1]))
    expect(Math.abs(correlation(xs.slice(0, N), xs.slice(1)))).toBeLessThan(bound)
  })
})

// --- normal

describe('normal', () => {
  // Z ~ N(0, 1): SE(mean) = 1/sqrt(N); SE(variance) = sqrt(2/N) since Var(Z²) = 2;
  // SE(skewness) ≈ sqrt(6/N); SE(kurtosis) ≈ sqrt(24/N) (asymptotic, for normal data).
  // Box–Muller truncates |Z| at 5.77 (float32) or 8.57 (float64); the mass beyond 5.77 is 8e-9.
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: mean 0, variance 1, skewness 0, kurtosis 3 within 5 standard errors`, () => {
      fc.assert(
        fc.property(seed, (s) => {
          const m = moments(toFlatArray(random.normal(random.key(s), [N], { dtype })))
          return (
            Math.abs(m.mean) < 5 / Math.sqrt(N) &&
            Math.abs(m.variance - 1) < 5 * Math.sqrt(2 / N) &&
            Math.abs(m.skewness) < 5 * Math.sqrt(6 / N) &&
            Math.abs(m.kurtosis - 3) < 5 * Math.sqrt(24 / N)
          )
        }),
        SEEDS,
      )
    })
  }
  it('tail mass: P(|Z| > 2) = 0.0455 within 5 standard errors', () => {
    // 2·(1 - Φ(2)) = 0.04550; SE = sqrt(p(1-p)/N) ≈ 6.6e-4.
    const p = 0.0455003
    const xs = toFlatArray(random.normal(random.key(31), [N], { dtype: 'float64' }))
    const frac = xs.filter((x) => Math.abs(x) > 2).length / N
    expect(Math.abs(frac - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N))
  })
})

// --- bernoulli

describe('bernoulli', () => {
  // The mean of N Bernoulli(p) draws has SE sqrt(p(1-p)/N).
  it('the mean is p within 5 standard errors, for several p', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const k = random.key(s)
        return [0.01, 0.1, 0.3, 0.5, 0.9, 0.999].every((p) => {
          const mean = moments(toFlatArray(random.bernoulli(k, p, [N]))).mean
          return Math.abs(mean - p) < 5 * Math.sqrt((p * (1 - p)) / N)
        })
      }),
      SEEDS,
    )
  })
})

// --- permutation

describe('permutation', () => {
  it('all 3! orders of 3 items are equally likely (chi-square, df 5, α = 1e-6)', () => {
    const K = 12_000
    fc.assert(
      fc.property(seed, (s) => {
        const base = random.key(s)
        const counts = new Float64Array(9)
        for (let i = 0; i < K; i++) {
          const p = random.permutation(random.foldIn(base, i), 3)
          counts[p[0] * 3 + p[1]]++
        }
        // Codes 0·3+0, 1·3+1, 2·3+2 (a repeated value) cannot occur; drop them.
        const used = [1, 2, 3, 5, 6, 7].map((c) => counts[c])
        return counts[0] + counts[4] + counts[8] === 0 && chiSquare(used, K / 6) < chiSquareCritical(5, ALPHA)
      }),
      SEEDS,
    )
  })
  it('each position of a permutation of 7 holds each value equally often (chi-square, df 6 per position)', () => {
    const n = 7
    const K = 7_000
    const critical = chiSquareCritical(n - 1, ALPHA)
    fc.assert(
      fc.property(seed, (s) => {
        const base = random.key(s)
        const counts = Array.from({ length: n }, () => new Float64Array(n))
        for (let i = 0; i < K; i++) {
          const p = random.permutation(random.foldIn(base, i), n)
          for (let pos = 0; pos < n; pos++) counts[pos][p[pos]]++
        }
        return counts.every((c) => chiSquare(c, K / n) < critical)
      }),
      SEEDS,
    )
  })
})

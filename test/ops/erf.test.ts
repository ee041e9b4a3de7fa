/**
 * erf is accurate to float64 rounding (relative error ≤ 1e−14, the contract of DESIGN.md) over
 * the whole line: against an independent 420-digit oracle (highPrecision.ts: BigInt Maclaurin
 * series) on [−6, 6], at the boundaries of the kernel's three regions (0.5 and 2.5) and for tiny
 * |x|; beyond, against hand-derived values. The derivative 2/√π·e^(−x²) and the second derivative
 * −2x·erf′(x) against their closed forms; float32 is the float64 value rounded once. The registry
 * row (test/specs/ops.ts) runs the gradient laws; the TF.js oracle compares with tf.erf.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { erfHP } from './highPrecision.js'

const flat = P.toFlatArray
const t64 = (v: number[]) => P.fromArray(v, [v.length], 'float64')
const erf64 = (v: number[]) => flat(P.erf(t64(v)))
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI)
const dErf = (x: Tensor) => P.grad((t: Tensor) => P.sum(P.erf(t)))(x)

/** |got − want| / |want| ≤ 1e−14 for each point (want from the oracle). */
function accurate(xs: number[]): void {
  const got = erf64(xs)
  xs.forEach((x, i) => {
    const want = erfHP(x)
    const rel = Math.abs(got[i] - want) / Math.abs(want)
    expect(rel, `erf(${x}) = ${got[i]}, want ${want}`).toBeLessThanOrEqual(1e-14)
  })
}

describe('erf values', () => {
  it('relative error ≤ 1e−14 against the 420-digit oracle on [−6, 6]', () => {
    const xs = fc.array(
      fc.oneof(
        fc.double({ min: -6, max: 6, noNaN: true }),
        fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((k) => (6 * k) / 2 ** 20),
      ),
      { minLength: 1, maxLength: 8 },
    )
    fc.assert(
      fc.property(xs, (v) => {
        accurate(v.filter((x) => x !== 0))
      }),
      { numRuns: 60 },
    )
  })

  it('at the boundaries of the regions (|x| = 0.5, 2.5) and a few ulps around them', () => {
    const xs: number[] = []
    for (const b of [0.5, 2.5]) for (let k = -4; k <= 4; k++) xs.push(b + k * b * 2 ** -52, -(b + k * b * 2 ** -52))
    accurate(xs)
  })

  it('tiny |x|: erf(x) = 2x/√π (the next term, −2x³/(3√π), is below 1e−16 of it for |x| < 1e−8)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1e-8, noNaN: true }), fc.boolean(), (m, neg) => {
        const x = neg ? -m : m
        const [y] = erf64([x])
        expect(Math.abs(y - TWO_OVER_SQRT_PI * x) / Math.abs(TWO_OVER_SQRT_PI * x)).toBeLessThanOrEqual(1e-15)
      }),
    )
  })

  it('tails: erf(x) = 1 exactly for x ≥ 6, since erfc(6) < e^(−36)/(6√π) ≈ 2.2e−17 < 2⁻⁵⁴ (half an ulp below 1)', () => {
    expect(erf64([6, 7.5, 27, 1e3, 1e300, Number.MAX_VALUE])).toEqual([1, 1, 1, 1, 1, 1])
    expect(erf64([-6, -1e300])).toEqual([-1, -1])
  })

  it('odd: erf(−x) = −erf(x) bit for bit, for every double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        const [a, b] = erf64([x, -x])
        expect(Object.is(a, -b)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('special values: ±0 → ±0, ±∞ → ±1, NaN → NaN', () => {
    const y = erf64([0, -0, Infinity, -Infinity, Number.NaN])
    expect(Object.is(y[0], 0) && Object.is(y[1], -0)).toBe(true)
    expect(y.slice(2)).toEqual([1, -1, Number.NaN])
  })

  it('float32: the float64 value rounded once, within 1e−14 relative before rounding', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -8, max: 8, noNaN: true }), { minLength: 1, maxLength: 8 }), (v) => {
        const y = flat(P.erf(P.tensor(v)))
        expect(P.erf(P.tensor(v)).dtype).toBe('float32')
        expect(y).toEqual(erf64(v).map(Math.fround))
      }),
    )
  })
})

describe('erf derivatives', () => {
  it('erf′(x) = 2/√π·e^(−x²) and erf″(x) = −2x·erf′(x), float64', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 1, maxLength: 8 }), (v) => {
        const x = t64(v)
        const g = flat(dErf(x))
        const h = flat(P.grad((t: Tensor) => P.sum(dErf(t)))(x))
        v.forEach((xi, i) => {
          const d1 = TWO_OVER_SQRT_PI * Math.exp(-xi * xi)
          // e^(−x²) with x² rounded: relative error ≤ (x² + 2)·2⁻⁵² on either side
          const tol = (xi * xi + 4) * 2 ** -52
          expect(Math.abs(g[i] - d1)).toBeLessThanOrEqual(tol * d1)
          expect(Math.abs(h[i] + 2 * xi * d1)).toBeLessThanOrEqual(2 * tol * Math.abs(2 * xi * d1))
        })
      }),
      { numRuns: 100 },
    )
  })

  it('finite everywhere: 2/√π at ±0, 0 at ±1e300 and ±∞ (no ∞·0), second derivative too', () => {
    const x = t64([0, -0, 1e300, -1e300, Infinity, -Infinity])
    const g = flat(dErf(x))
    expect(g[0]).toBe(TWO_OVER_SQRT_PI)
    expect(g[1]).toBe(TWO_OVER_SQRT_PI)
    expect(g.slice(2).map(Math.abs)).toEqual([0, 0, 0, 0])
    const h = flat(P.grad((t: Tensor) => P.sum(dErf(t)))(x))
    expect(h.map(Math.abs)).toEqual([0, 0, 0, 0, 0, 0])
  })
})

/**
 * gelu (both forms), silu and rsqrt against closed forms and hand-derived values: exact GELU
 * against the 420-digit oracle (highPrecision.ts), the fused primitives against their composites
 * (`x·(1 + erf(x/√2))/2`, `½x(1 + tanh u)`, `x·σ(x)`), derivative identities, special values
 * (±0, ±∞, NaN, ±1e300, tiny) with no NaN anywhere finite, and float32 = float64 rounded once.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { geluHP } from './highPrecision.js'

const flat = P.toFlatArray
const t64 = (v: number[]) => P.fromArray(v, [v.length], 'float64')
const EPS = 2 ** -52
const geluT = (x: Tensor) => P.gelu(x, { approximate: true })
const d1 = (f: (x: Tensor) => Tensor) => (x: Tensor) => P.grad((t: Tensor) => P.sum(f(t)))(x)
const d2 = (f: (x: Tensor) => Tensor) => d1((t) => d1(f)(t))
const sig = (v: number) => 1 / (1 + Math.exp(-v))
const C = Math.sqrt(2 / Math.PI)
const moderate = fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 1, maxLength: 8 })

describe('gelu (exact) against the 420-digit oracle', () => {
  it('|Δ| ≤ 2e−15·|x| + 4ε·|gelu(x)| on [−5, 8] (erf is within 1.5e−15 relative, so Φ within 0.8e−15 absolute)', () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 8, noNaN: true }), (x) => {
        const [y] = flat(P.gelu(t64([x])))
        const want = geluHP(x)
        expect(Math.abs(y - want)).toBeLessThanOrEqual(2e-15 * Math.abs(x) + 4 * EPS * Math.abs(want))
      }),
      { numRuns: 80 },
    )
  })
  it('lower tail x ∈ [−12, −5], through erfc: relative ≤ (x² + 20)·ε (x/√2 rounds: erfc′/erfc ≈ 2a)', () => {
    fc.assert(
      fc.property(fc.double({ min: -12, max: -5, noNaN: true }), (x) => {
        const [y] = flat(P.gelu(t64([x])))
        const want = geluHP(x)
        expect(y < 0).toBe(true)
        expect(Math.abs(y - want) / Math.abs(want)).toBeLessThanOrEqual((x * x + 20) * EPS)
      }),
      { numRuns: 40 },
    )
  })
})

describe('the fused primitives equal their composites', () => {
  it('values and first derivatives, float64, |x| ≤ 6', () => {
    fc.assert(
      fc.property(moderate, (v) => {
        const x = t64(v)
        const close = (a: number[], b: number[], tol: number) => {
          for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])))
        }
        const geluC = (t: Tensor) => P.mul(P.mul(t, 0.5), P.add(1, P.erf(P.mul(t, Math.SQRT1_2))))
        const geluTC = (t: Tensor) => P.mul(P.mul(t, 0.5), P.add(1, P.tanh(P.mul(P.add(t, P.mul(P.mul(P.square(t), t), 0.044715)), C))))
        const siluC = (t: Tensor) => P.mul(t, P.sigmoid(t))
        for (const [f, c] of [
          [P.gelu, geluC],
          [geluT, geluTC],
          [P.silu, siluC],
        ] as const) {
          close(flat(f(x)), flat(c(x)), 1e-14)
          close(flat(d1(f)(x)), flat(d1(c)(x)), 1e-14)
          close(flat(d2(f)(x)), flat(d2(c)(x)), 1e-13)
        }
      }),
      { numRuns: 60 },
    )
  })
})

describe('derivative identities', () => {
  it('gelu′(x) + gelu′(−x) = 1, silu′(x) + silu′(−x) = 1; gelu″ = φ(x)(2 − x²); silu″ = σσ̄(2 + x(σ̄ − σ))', () => {
    fc.assert(
      fc.property(moderate, (v) => {
        const x = t64([...v, ...v.map((a) => -a)])
        const n = v.length
        for (const f of [P.gelu, P.silu]) {
          const g = flat(d1(f)(x))
          for (let i = 0; i < n; i++) expect(Math.abs(g[i] + g[i + n] - 1)).toBeLessThanOrEqual(16 * EPS * (1 + Math.abs(v[i])))
        }
        const hg = flat(d2(P.gelu)(x))
        const hs = flat(d2(P.silu)(x))
        for (let i = 0; i < n; i++) {
          const a = v[i]
          const phi = Math.exp((-a * a) / 2) / Math.sqrt(2 * Math.PI)
          expect(Math.abs(hg[i] - phi * (2 - a * a))).toBeLessThanOrEqual(1e-14 * (1 + a * a))
          const s = sig(a),
            q = sig(-a)
          expect(Math.abs(hs[i] - s * q * (2 + a * (q - s)))).toBeLessThanOrEqual(1e-14 * (1 + Math.abs(a)))
        }
      }),
      { numRuns: 60 },
    )
  })
  it('rsqrt′(x) = −½x^(−3/2), rsqrt″(x) = ¾x^(−5/2)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 8 }), (v) => {
        const x = t64(v)
        const g = flat(d1(P.rsqrt)(x))
        const h = flat(d2(P.rsqrt)(x))
        v.forEach((a, i) => {
          expect(Math.abs(g[i] + 0.5 * a ** -1.5)).toBeLessThanOrEqual(8 * EPS * 0.5 * a ** -1.5)
          expect(Math.abs(h[i] - 0.75 * a ** -2.5)).toBeLessThanOrEqual(16 * EPS * 0.75 * a ** -2.5)
        })
      }),
    )
  })
})

describe('special values (hand-derived)', () => {
  const specials = [0, -0, Infinity, -Infinity, Number.NaN, 1e300, -1e300, 1e-300, -1e-300]
  it('gelu, both forms: 0, −0, ∞, −0 (the limit x·Φ(x) → 0⁻), NaN, x, −0 (underflow), x/2, −x/2 to 1 ulp', () => {
    for (const f of [P.gelu, geluT]) {
      const y = flat(f(t64(specials)))
      expect(y.slice(0, 7)).toEqual([0, -0, Infinity, -0, Number.NaN, 1e300, -0])
      // gelu(x) = x·Φ(x) and Φ(±1e−300) = ½ to far below an ulp
      expect(y[7]).toBe(5e-301)
      expect(y[8]).toBe(-5e-301)
    }
    // gelu(−40.5) = −40.5·Φ(−40.5) ≈ −φ(40.5) ≈ −e^(−820) underflows to −0
    expect(flat(P.gelu(t64([-40.5])))).toEqual([-0])
  })
  it('silu: 0, −0, ∞, −0, NaN, x, −0, x/2, −x/2', () => {
    const y = flat(P.silu(t64(specials)))
    expect(y).toEqual([0, -0, Infinity, -0, Number.NaN, 1e300, -0, 5e-301, -5e-301])
    // silu(x) = x·eˣ/(1 + eˣ) ≈ x·eˣ for x ≤ −40: relative 1e−15
    const [a] = flat(P.silu(t64([-50])))
    expect(Math.abs(a + 50 * Math.exp(-50)) / (50 * Math.exp(-50))).toBeLessThanOrEqual(1e-15)
  })
  it('rsqrt: +∞ at +0, −∞ at −0 (IEEE rSqrt), NaN below 0, 0 at ∞; 2^537 at 2^−1074, 2^−511 at 2^1022 (exact)', () => {
    expect(flat(P.rsqrt(t64([0, -0, -1, Infinity, Number.NaN, 2 ** -1074, 2 ** 1022, 0.25])))).toEqual([Infinity, -Infinity, Number.NaN, 0, Number.NaN, 2 ** 537, 2 ** -511, 2])
  })
  it('gradients are finite (or the limits) at ±1e300 and ±∞: 1 above, −0/0 below, no NaN', () => {
    const x = t64([1e300, -1e300, Infinity, -Infinity])
    for (const f of [P.gelu, geluT, P.silu]) {
      expect(flat(d1(f)(x)).map((v) => v + 0)).toEqual([1, 0, 1, 0])
      expect(flat(d2(f)(x)).map((v) => v + 0)).toEqual([0, 0, 0, 0])
    }
  })
  it('no NaN for any finite input, |x| up to the largest double, in both dtypes', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 8 }), (v) => {
        for (const f of [P.gelu, geluT, P.silu, P.erf]) {
          for (const x of [t64(v), P.tensor(v.map(Math.fround).filter(Number.isFinite).concat([0]))]) {
            expect(flat(f(x)).some(Number.isNaN)).toBe(false)
            expect(flat(d1(f)(x)).some(Number.isNaN)).toBe(false)
          }
        }
      }),
      { numRuns: 100 },
    )
  })
})

describe('float32', () => {
  it('each op gives the float64 value of the same input rounded once', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 8 }), (v) => {
        for (const f of [P.gelu, geluT, P.silu, (t: Tensor) => P.rsqrt(P.abs(t))]) {
          const y = f(P.tensor(v))
          expect(y.dtype).toBe('float32')
          expect(flat(y)).toEqual(flat(f(t64(v))).map(Math.fround))
        }
      }),
    )
  })
})

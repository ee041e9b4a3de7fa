/**
 * logSigmoid against closed forms over the whole finite range, in both dtypes: log σ(x) −
 * log σ(−x) = x and σ(x) + σ(−x) = 1 (identities of the exact function), the asymptotes
 * log σ(x) = x for x ≤ −40 and −e⁻ˣ for x ≥ 40 (hand-derived below), the naive formula where it
 * is accurate (|x| ≤ 30), and first and second derivatives σ(−x) and −σ(x)·σ(−x). The gradient
 * laws (test/ops/gradients.test.ts) and the TF.js oracle (test/oracle) run its registry rows.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'

const EPS = 2 ** -52
const flat = P.toFlatArray
const t64 = (v: number[]) => P.fromArray(v, [v.length], 'float64')
const dLogSigmoid = (x: Tensor) => P.grad((t: Tensor) => P.sum(P.logSigmoid(t)))(x)
const d2LogSigmoid = (x: Tensor) => P.grad((t: Tensor) => P.sum(dLogSigmoid(t)))(x)

/** Finite doubles of every magnitude: moderate values and the full range, zeros and subnormals included. */
const anyFinite = fc.oneof(fc.double({ min: -40, max: 40, noNaN: true }), fc.double({ noNaN: true, noDefaultInfinity: true }))

describe('logSigmoid', () => {
  it('is finite, ≤ 0, with a gradient in [0, 1], for every finite x in both dtypes', () => {
    const float32 = fc.oneof(fc.float({ min: -40, max: 40, noNaN: true }), fc.float({ noNaN: true, noDefaultInfinity: true }))
    const cases = fc.oneof(
      fc.tuple(fc.array(anyFinite, { minLength: 1, maxLength: 8 }), fc.constant('float64' as const)),
      fc.tuple(fc.array(float32, { minLength: 1, maxLength: 8 }), fc.constant('float32' as const)),
    )
    fc.assert(
      fc.property(cases, ([xs, dtype]) => {
        const x = P.fromArray(xs, [xs.length], dtype)
        const y = flat(P.logSigmoid(x)),
          g = flat(dLogSigmoid(x)),
          h = flat(d2LogSigmoid(x))
        for (let i = 0; i < xs.length; i++) {
          expect(Number.isFinite(y[i]) && y[i] <= 0, `logSigmoid(${xs[i]}) = ${y[i]}`).toBe(true)
          expect(g[i] >= 0 && g[i] <= 1, `logSigmoid′(${xs[i]}) = ${g[i]}`).toBe(true)
          expect(h[i] <= 0 && h[i] >= -0.25, `logSigmoid″(${xs[i]}) = ${h[i]}`).toBe(true)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('satisfies log σ(x) − log σ(−x) = x and σ(x) + σ(−x) = 1 (float64)', () => {
    fc.assert(
      fc.property(anyFinite, (v) => {
        const [a, b] = flat(P.logSigmoid(t64([v, -v])))
        // each side has a relative rounding error of a few ulps of max(|x|, log 2)
        expect(Math.abs(a - b - v)).toBeLessThanOrEqual(8 * EPS * Math.max(Math.abs(v), 1))
        const [ga, gb] = flat(dLogSigmoid(t64([v, -v]))) // σ(−x) and σ(x)
        expect(Math.abs(ga + gb - 1)).toBeLessThanOrEqual(4 * EPS)
      }),
      { numRuns: 300 },
    )
  })

  it('follows its asymptotes: x for x ≤ −40, −e⁻ˣ for x ≥ 40', () => {
    // log σ(x) = x − log(1 + eˣ) and log(1 + e) = e − e²/2 + …: for x ≤ −40, eˣ < 4.3e−18 is below
    // half an ulp of x (≥ 3.5e−15), so the value is x exactly; for x ≥ 40 it is −e⁻ˣ(1 − e⁻ˣ/2 …),
    // i.e. −e⁻ˣ within a relative 1e−17 plus the rounding of exp and log1p.
    fc.assert(
      fc.property(fc.double({ min: 40, max: 1e300, noNaN: true }), (m) => {
        const [neg, pos] = flat(P.logSigmoid(t64([-m, m])))
        expect(neg).toBe(-m)
        const want = -Math.exp(-m)
        expect(Math.abs(pos - want)).toBeLessThanOrEqual(4 * EPS * Math.abs(want))
        // derivatives σ(−x): 1 at −m, e⁻ᵐ at m
        const [g0, g1] = flat(dLogSigmoid(t64([-m, m])))
        expect(g0).toBe(1)
        expect(Math.abs(g1 + want)).toBeLessThanOrEqual(4 * EPS * Math.abs(want))
      }),
      { numRuns: 200 },
    )
  })

  it('agrees with the naive log(1/(1 + e⁻ˣ)) where that is accurate (|x| ≤ 30)', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), (v) => {
        const want = Math.log(1 / (1 + Math.exp(-v)))
        const got = P.item(P.logSigmoid(P.scalar(v, 'float64')))
        // the naive form loses relative accuracy as log σ → 0 (x ≫ 0): compare on the scale of 1 + |x|
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-14 * (1 + Math.abs(v)))
        const s = 1 / (1 + Math.exp(v)) // σ(−x)
        expect(Math.abs(P.item(dLogSigmoid(P.scalar(v, 'float64'))) - s)).toBeLessThanOrEqual(1e-15)
        // second derivative −σ(x)·σ(−x)
        expect(Math.abs(P.item(d2LogSigmoid(P.scalar(v, 'float64'))) + s * (1 - s))).toBeLessThanOrEqual(1e-15)
      }),
      { numRuns: 200 },
    )
  })

  it('is finite where log(sigmoid(x)) is not: −1e4, −1e30 and −1e300 in both dtypes', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const xs = dtype === 'float32' ? [-1e4, -1e30, -3e38] : [-1e4, -1e30, -1e300]
      const x = P.fromArray(xs, [3], dtype)
      // log σ(x) = x exactly down here (see the asymptotes), x as the dtype stores it
      expect(flat(P.logSigmoid(x))).toEqual(flat(x))
      expect(flat(dLogSigmoid(x))).toEqual([1, 1, 1])
      // the naive composition: log(0) = −Infinity and a NaN gradient (why the op exists)
      expect(flat(P.log(P.sigmoid(x)))[0]).toBe(-Infinity)
      expect(flat(P.grad((t: Tensor) => P.sum(P.log(P.sigmoid(t))))(x))[0]).toBeNaN()
    }
  })

  it('keeps the dtype, takes plain numbers as float32, and names itself on bad input', () => {
    expect(P.logSigmoid(P.tensor([1, 2], 'float64')).dtype).toBe('float64')
    expect(P.logSigmoid(0).dtype).toBe('float32')
    expect(P.item(P.logSigmoid(0))).toBe(Math.fround(-Math.LN2))
    expect(() => P.logSigmoid('x' as unknown as Tensor)).toThrow(/^logSigmoid: argument 'x' must be a Tensor or a number, got string x/)
  })
})

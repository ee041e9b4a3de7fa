/**
 * The fused primitives `leakyRelu`, `prelu` and `elu` (one kernel each way, "why: speed") equal
 * their composite forms `where(greater(x, 0), x, …)` — values, gradients (both arguments of
 * prelu), second derivatives and forward-mode tangents — in float64 and float32, on random
 * inputs and on the edge cases 0, −0, ±Infinity, NaN and tiny magnitudes. Where the composite
 * itself rounds more (elu's derivative through expm1(x) + 1), the fused value is also checked
 * against the closed form α·eˣ.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { DType, Tensor } from '../../src/index.js'
import { arb } from '../../src/testing/index.js'

// --- the composites the primitives replace

const leakyComposite = (x: Tensor, a: number) => P.where(P.greater(x, 0), x, P.mul(x, a))
const preluComposite = (x: Tensor, a: Tensor) => P.where(P.greater(x, 0), x, P.mul(a, x))
const eluComposite = (x: Tensor, a: number) => P.where(P.greater(x, 0), x, P.mul(P.expm1(P.minimum(x, 0)), a))

const flat = P.toFlatArray
const EPS = 2 ** -52
const edge = [-1e300, -30, -2, -1e-300, -0, 0, 1e-300, 2, 30, 1e300]
const alphas = fc.constantFrom(0.01, 0.3, 1, 1.7, -0.5)

/** Bitwise equal values, except that +0 and −0 count as equal (a gradient of 0 may be either: the
 * composite adds an exact 0 from `where` where the fused rule multiplies g by 0). NaN = NaN. */
function sameBits(a: readonly number[], b: readonly number[]) {
  expect(a.length).toBe(b.length)
  a.forEach((v, i) => {
    if (!(Object.is(v, b[i]) || (v === 0 && b[i] === 0))) expect([i, v]).toEqual([i, b[i]])
  })
}

/** First and second derivative of Σ f along x, by grad and grad of grad. */
function derivatives(f: (x: Tensor) => Tensor, x: Tensor): [number[], number[]] {
  const g = P.grad((y: Tensor) => P.sum(f(y)))
  return [flat(g(x)), flat(P.grad((y: Tensor) => P.sum(g(y)))(x))]
}

describe('leakyRelu equals where(greater(x, 0), x, x·α)', () => {
  it('values, gradients, second derivatives and tangents, float64 and float32, bit for bit', () => {
    fc.assert(
      fc.property(arb.tensor({ shape: arb.shape({ maxRank: 2 }), min: -5, max: 5 }), alphas, fc.constantFrom<DType>('float64', 'float32'), (x64, a, dtype) => {
        const x = P.cast(x64, dtype)
        sameBits(flat(P.leakyRelu(x, a)), flat(leakyComposite(x, a)))
        const [g1, h1] = derivatives((y) => P.leakyRelu(y, a), x)
        const [g2, h2] = derivatives((y) => leakyComposite(y, a), x)
        sameBits(g1, g2)
        sameBits(h1, h2)
        const v = P.full(x.shape, 0.5, dtype)
        sameBits(flat(P.jvp((y: Tensor) => P.leakyRelu(y, a), [x], [v])[1]), flat(P.jvp((y: Tensor) => leakyComposite(y, a), [x], [v])[1]))
      }),
      { numRuns: 200 },
    )
  })
  it('edge cases: ±0 (derivative α), ±Infinity, NaN', () => {
    const x = P.tensor([...edge, Infinity, -Infinity, NaN], 'float64')
    sameBits(flat(P.leakyRelu(x, 0.2)), flat(leakyComposite(x, 0.2)))
    sameBits(derivatives((y) => P.leakyRelu(y, 0.2), x)[0], derivatives((y) => leakyComposite(y, 0.2), x)[0])
    expect(flat(P.grad((y: Tensor) => P.sum(P.leakyRelu(y, 0.2)))(P.tensor([0, -0], 'float64')))).toEqual([0.2, 0.2])
  })
})

describe('prelu equals where(greater(x, 0), x, α·x)', () => {
  const pair = fc
    .tuple(arb.shape({ minRank: 1, maxRank: 3 }), fc.boolean())
    .chain(([s, perUnit]) => fc.tuple(arb.tensor({ shape: s, min: -5, max: 5 }), arb.tensor({ shape: perUnit ? s.slice(-1) : [], min: -1, max: 1 })))
  it('values and gradients in x and α (broadcast α sums over the batch), bit for bit', () => {
    fc.assert(
      fc.property(pair, fc.constantFrom<DType>('float64', 'float32'), ([x64, a64], dtype) => {
        const x = P.cast(x64, dtype),
          a = P.cast(a64, dtype)
        sameBits(flat(P.prelu(x, a)), flat(preluComposite(x, a)))
        const loss = (f: typeof preluComposite) => (p: { x: Tensor; a: Tensor }) => P.sum(P.mul(f(p.x, p.a), P.cos(p.x)))
        const g1 = P.grad(loss(P.prelu))({ x, a }),
          g2 = P.grad(loss(preluComposite))({ x, a })
        sameBits(flat(g1.x), flat(g2.x))
        sameBits(flat(g1.a), flat(g2.a))
        // second order: the mixed derivative ∂²/∂x∂α = [x ≤ 0] and ∂²/∂x² = 0 away from 0
        const gg = (f: typeof preluComposite) => P.grad((p: { x: Tensor; a: Tensor }) => P.sum(P.grad((q: { x: Tensor; a: Tensor }) => P.sum(f(q.x, q.a)))(p).x))({ x, a })
        const s1 = gg(P.prelu),
          s2 = gg(preluComposite)
        sameBits(flat(s1.x), flat(s2.x))
        sameBits(flat(s1.a), flat(s2.a))
        const tx = P.full(x.shape, 0.5, dtype),
          ta = P.full(a.shape, -2, dtype)
        sameBits(flat(P.jvp(P.prelu, [x, a], [tx, ta])[1]), flat(P.jvp(preluComposite, [x, a], [tx, ta])[1]))
      }),
      { numRuns: 200 },
    )
  })
  it('edge cases: the slope at 0 is α, ∂/∂α at 0 is 0; NaN and ±Infinity as the composite', () => {
    const x = P.tensor([...edge, Infinity, -Infinity, NaN], 'float64'),
      a = P.scalar(0.25, 'float64')
    sameBits(flat(P.prelu(x, a)), flat(preluComposite(x, a)))
    const g = P.grad((p: { x: Tensor; a: Tensor }) => P.sum(P.prelu(p.x, p.a)))({ x: P.tensor([0, -3], 'float64'), a })
    expect(flat(g.x)).toEqual([0.25, 0.25])
    expect(P.item(g.a)).toBe(-3) // Σ x over x ≤ 0: 0 + (−3)
  })
})

describe('elu equals where(greater(x, 0), x, expm1(min(x, 0))·α)', () => {
  it('values bit for bit in float64; float32 within one rounding (the composite rounds twice)', () => {
    fc.assert(
      fc.property(arb.tensor({ shape: arb.shape({ maxRank: 2 }), min: -40, max: 5 }), alphas, (x, a) => {
        sameBits(flat(P.elu(x, a)), flat(eluComposite(x, a)))
        const x32 = P.cast(x, 'float32')
        const f = flat(P.elu(x32, a)),
          c = flat(eluComposite(x32, a))
        // fused: one rounding of α·expm1(x) to float32; composite: expm1 rounded, then the product
        // rounded again; the two differ by at most one float32 ulp of the result (≤ 2⁻²³·|y|)
        f.forEach((v, i) => {
          expect(Math.abs(v - c[i])).toBeLessThanOrEqual(2 ** -23 * Math.abs(c[i]))
        })
      }),
      { numRuns: 200 },
    )
  })
  it('derivatives match the composite to rounding and the closed form α·eˣ more closely', () => {
    fc.assert(
      fc.property(arb.tensor({ shape: [6], min: -40, max: 5, awayFrom: [0], margin: 1e-3 }), alphas, (x, a) => {
        const [g1, h1] = derivatives((y) => P.elu(y, a), x)
        const [g2, h2] = derivatives((y) => eluComposite(y, a), x)
        const xs = flat(x)
        xs.forEach((v, i) => {
          const exact1 = v > 0 ? 1 : a * Math.exp(v) // elu′
          const exact2 = v > 0 ? 0 : a * Math.exp(v) // elu″
          // the composite computes α·(expm1(x) + 1): an absolute error up to ε·|α| from the + 1
          expect(Math.abs(g1[i] - g2[i])).toBeLessThanOrEqual(2 * EPS * Math.abs(a))
          expect(Math.abs(h1[i] - h2[i])).toBeLessThanOrEqual(2 * EPS * Math.abs(a))
          // the fused kernel multiplies α by exp(x): within 2 ulps of the closed form
          expect(Math.abs(g1[i] - exact1)).toBeLessThanOrEqual(2 * EPS * Math.abs(exact1))
          expect(Math.abs(h1[i] - exact2)).toBeLessThanOrEqual(2 * EPS * Math.abs(exact2))
        })
      }),
      { numRuns: 200 },
    )
  })
  it('edge cases: derivative α at 0, elu(−∞) = −α, no Infinity or NaN from large x', () => {
    const x = P.tensor([...edge, Infinity, -Infinity, NaN], 'float64')
    sameBits(flat(P.elu(x, 1.5)), flat(eluComposite(x, 1.5)))
    expect(flat(P.elu(P.tensor([-Infinity], 'float64'), 1.5))).toEqual([-1.5])
    expect(flat(P.grad((y: Tensor) => P.sum(P.elu(y, 1.5)))(P.tensor([0, -0, 1e300], 'float64')))).toEqual([1.5, 1.5, 1])
    const jv = P.jvp((y: Tensor) => P.elu(y, 2), [P.tensor([-1, 3], 'float64')], [P.tensor([1, 1], 'float64')])[1]
    expect(flat(jv)).toEqual([2 * Math.exp(-1), 1])
  })
})

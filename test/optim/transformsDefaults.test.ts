/**
 * The documented defaults of the optimizer parts, each pinned where only a default can decide
 * the value (mutation testing found them unobserved: the aliases always pass these options
 * explicitly), and the dtype rules when a gradient and its state differ in dtype. Expected
 * values are the documented formulas evaluated by hand (decimals in the comments).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { tensor, toFlatArray } from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { addL1, chain, momentum, scaleByRms, scaleByRss, sgd, trace } from '../../src/optim/index.js'

const f64 = (xs: number[]) => [tensor(xs, 'float64')]
const first = (u: Tensor[]) => toFlatArray(u[0])[0]
/** The first leaf of a state field (a list of one tensor here). */
const leaf = (t: unknown): Tensor => (t as Tensor[])[0]

describe('scaleByRss() defaults (PyTorch Adagrad): s₀ = 0, ε = 1e-10 outside the root', () => {
  it('one step with g = 1e-5: u = g/(√(g²) + 1e-10) = 1/1.00001', () => {
    const t = scaleByRss()
    const [u] = t.update(f64([1e-5]), t.init(f64([0])))
    // ε outside: 1e-5/(1e-5 + 1e-10) = 0.99999000009999…; ε inside would give 1e-5/√(2e-10) ≈ 0.7071,
    // s₀ = 0.1 would give ≈ 3.2e-5, ε = 1e-7 would give 1/1.01 ≈ 0.990099.
    expect(first(u)).toBeCloseTo(1 / 1.00001, 14)
  })
  it('the state is the sum of squares from 0', () => {
    const t = scaleByRss()
    const [, s] = t.update(f64([3]), t.init(f64([0])))
    expect(toFlatArray(leaf(s.sumOfSquares))[0]).toBe(9)
  })
})

describe('scaleByRms() defaults: decay 0.9, ε = 1e-8 outside, ν₀ = 0, not seeded with the first gradient', () => {
  it('one step with g = 1e-4: ν = 0.1·1e-8 = 1e-9, u = 1e-4/(√1e-9 + 1e-8)', () => {
    const t = scaleByRms()
    const [u, s] = t.update(f64([1e-4]), t.init(f64([0])))
    // ≈ 1e-4/3.1632777e-5 = 3.16128…; seeded (ν = g²) would give ≈ 0.9999, ε inside ≈ 0.9535,
    // decay 0.99 (ν = 1e-10) ≈ 9.990.
    expect(first(u)).toBeCloseTo(1e-4 / (Math.sqrt(1e-9) + 1e-8), 12)
    expect(toFlatArray(leaf(s.nu))[0]).toBeCloseTo(1e-9, 22)
  })
  it('the second step decays ν by 0.9: ν₂ = 0.9·1e-9 + 0.1·1e-8 = 1.9e-9', () => {
    const t = scaleByRms()
    const [, s1] = t.update(f64([1e-4]), t.init(f64([0])))
    const [, s2] = t.update(f64([1e-4]), s1)
    expect(toFlatArray(leaf(s2.nu))[0]).toBeCloseTo(1.9e-9, 22)
  })
})

describe('trace() defaults: decay 0.9, no Nesterov', () => {
  it('a constant gradient 1: u₁ = 1, u₂ = 1 + 0.9 = 1.9 (Nesterov would give 1.9 and 2.71)', () => {
    const t = trace()
    const [u1, s1] = t.update(f64([1]), t.init(f64([0])))
    const [u2] = t.update(f64([1]), s1)
    expect(first(u1)).toBe(1)
    expect(first(u2)).toBe(1.9)
  })
})

describe('momentum with a gradient and a state of different dtypes', () => {
  it('float64 state, float32 gradient: the state stays float64 and exact, the update is float32', () => {
    // State from float64 params; gradients arrive in float32 (g = fround(0.1) = 0.100000001490116…).
    const opt = momentum(1, { beta: 0.5 })
    const g = [tensor([0.1], 'float32')]
    const [u1, s1] = opt.update(g, opt.init(f64([0])))
    const [u2, s2] = opt.update(g, s1)
    const g32 = Math.fround(0.1)
    const b2 = g32 + 0.5 * g32 // b₂ = g + 0.5·b₁ in float64: 0.15000000223517418
    expect(u1[0].dtype).toBe('float32')
    expect(u2[0].dtype).toBe('float32')
    expect(toFlatArray(u2[0])[0]).toBe(-Math.fround(b2))
    const buffer = (s2 as unknown as [{ trace: Tensor[] }])[0].trace[0]
    expect(buffer.dtype).toBe('float64')
    expect(toFlatArray(buffer)[0]).toBe(b2)
  })
  it('float32 state, float64 gradient: the state is rounded to float32, the update stays float64', () => {
    const t = trace({ decay: 0.5 })
    const [u1, s1] = t.update(f64([0.1]), t.init([tensor([0], 'float32')]))
    expect(u1[0].dtype).toBe('float64')
    expect(toFlatArray(u1[0])[0]).toBe(0.1)
    expect(leaf(s1.trace).dtype).toBe('float32')
    expect(toFlatArray(leaf(s1.trace))[0]).toBe(Math.fround(0.1))
  })
})

describe('addL1: the subgradient sign(w), with sign(0) = 0 and sign(NaN) = NaN', () => {
  it('a NaN weight gives a NaN update (never hidden); ±0 weights add nothing', () => {
    const opt = chain(addL1(1), sgd(1))
    const w = f64([NaN, 0, -0, 2])
    const [u] = opt.update(f64([0.5, 0.5, 0.5, 0.5]), opt.init(w), w)
    const got = toFlatArray(u[0])
    expect(got[0]).toBeNaN()
    expect(Array.from(got.slice(1))).toEqual([-0.5, -0.5, -1.5])
  })
  it('property: for finite w, u = g + λ·sign(w) exactly', () => {
    fc.assert(
      fc.property(fc.double({ min: -4, max: 4, noNaN: true }), fc.double({ min: -4, max: 4, noNaN: true }), (g, w) => {
        const t = addL1(0.25)
        const [u] = t.update(f64([g]), t.init(f64([w])), f64([w]))
        const sign = w > 0 ? 1 : w < 0 ? -1 : 0
        return Object.is(first(u), g + 0.25 * sign)
      }),
      { numRuns: 50 },
    )
  })
})

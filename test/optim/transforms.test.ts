/**
 * The transforms one by one: PyTorch's documented updates on varying gradients (derived by hand
 * in the comments), the lecture's L1/L2 identities (bit-exact on dyadic numbers, within one
 * rounding on random ones), clipping, schedules inside a chain, dtypes, immutability and errors
 * (applyIfFinite and multiSteps: wrappers.test.ts).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import * as O from '../../src/optim/index.js'
import type { GradientTransformation } from '../../src/optim/index.js'
import { snapshot, unchanged } from '../../laws/index.js'

import { flat, steps, t64 } from './steps.js'

describe('PyTorch formulas on varying gradients, by hand', () => {
  it('Adam: t=1 gives m̂ = g, v̂ = g²; t=2 with g = −1 after g = 1 gives m̂ = −1/19, v̂ = 1', () => {
    // m₁ = 0.1, v₁ = 0.001, m̂₁ = 0.1/0.1 = 1, v̂₁ = 0.001/0.001 = 1 → θ₁ = θ₀ − 0.1·1/1.
    // m₂ = 0.9·0.1 − 0.1 = −0.01, v₂ = 0.999·0.001 + 0.001 = 0.001999 = 1 − 0.999², so v̂₂ = 1;
    // m̂₂ = −0.01/(1 − 0.81) = −1/19 → θ₂ = θ₁ + 0.1/19 (ε = 0 to keep it exact).
    const [th1, th2] = steps(O.adam(0.1, { eps: 0 }), [0], [[1], [-1]])
    expect(th1[0]).toBeCloseTo(-0.1, 15)
    expect(th2[0]).toBeCloseTo(-0.1 + 0.1 / 19, 15)
  })
  it('Adagrad: g = 3 then 4 gives steps 3/√9 = 1 and 4/√25 = 0.8', () => {
    expect(steps(O.adagrad(1, { eps: 0 }), [0], [[3], [4]])).toEqual([[-1], [-1.8]])
  })
  it('RMSprop (decay ½): g = 2 then 4 gives ν = 2, 9 and steps 2/√2 = √2, 4/3', () => {
    const [a, b] = steps(O.rmsprop(1, { decay: 0.5, eps: 0 }), [0], [[2], [4]])
    expect(a[0]).toBeCloseTo(-Math.SQRT2, 15)
    expect(b[0]).toBeCloseTo(-Math.SQRT2 - 4 / 3, 14)
  })
  it('Momentum (β = ½): g = 2 then −4 gives b = 2, −3; Nesterov steps g + βb = 3, −5.5', () => {
    expect(steps(O.momentum(1, { beta: 0.5 }), [0], [[2], [-4]])).toEqual([[-2], [1]])
    expect(steps(O.momentum(1, { beta: 0.5, nesterov: true }), [0], [[2], [-4]])).toEqual([[-3], [2.5]])
  })
})

describe("the lecture's regularisation identities", () => {
  // Dyadic numbers: every product and sum below is exact in binary, so the two sides agree bit for bit.
  const w = [2, -4, 0.75, 0],
    g = [1, 0.5, -2, 0.25],
    eta = 0.5,
    lambda = 0.25
  it('L2: chain(addDecayedWeights(λ), sgd(η)) is (1 − ηλ)w − ηg, exactly', () => {
    expect(steps(O.chain(O.addDecayedWeights(lambda), O.sgd(eta)), w, [g])[0]).toEqual(w.map((x, i) => (1 - eta * lambda) * x - eta * g[i]))
  })
  it('L1: chain(addL1(λ), sgd(η)) is w − ηg − ηλ·sign(w), sign(0) = 0, exactly', () => {
    expect(steps(O.chain(O.addL1(lambda), O.sgd(eta)), w, [g])[0]).toEqual(w.map((x, i) => x - eta * g[i] - eta * lambda * Math.sign(x)))
  })
  it('both identities hold within one rounding on random float64 values', () => {
    const d = fc.double({ min: -10, max: 10, noNaN: true })
    fc.assert(
      fc.property(
        fc.array(fc.tuple(d, d), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 1e-3, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (pairs, eta2, lam) => {
          const ws = pairs.map(([a]) => a),
            gs = pairs.map(([, b]) => b)
          const l2 = steps(O.chain(O.addDecayedWeights(lam), O.sgd(eta2)), ws, [gs])[0]
          const l1 = steps(O.chain(O.addL1(lam), O.sgd(eta2)), ws, [gs])[0]
          // Count the roundings. L2, library: λw, g + λw, η·(…), w − (…): 4; reference: ηλ, 1 − ηλ,
          // (1 − ηλ)x, ηg, the difference: 5. L1: 4 and 4. Each rounds by at most 2⁻⁵³ of a value no
          // larger than `scale` below, so |difference| ≤ 9·2⁻⁵³·scale, plus an absolute 2⁻¹⁰⁷⁵ per
          // rounding in the subnormal range, where rounding is absolute.
          ws.forEach((x, i) => {
            const scale = Math.abs(x) + eta2 * Math.abs(gs[i]) + eta2 * lam * Math.abs(x) + eta2 * lam
            const tol = 9 * 2 ** -53 * scale + 9 * Number.MIN_VALUE
            expect(Math.abs(l2[i] - ((1 - eta2 * lam) * x - eta2 * gs[i]))).toBeLessThanOrEqual(tol)
            expect(Math.abs(l1[i] - (x - eta2 * gs[i] - eta2 * lam * Math.sign(x)))).toBeLessThanOrEqual(tol)
          })
        },
      ),
      { numRuns: 200 },
    )
  })
  it('L1 drives weights to exactly 0 and keeps them there; L2 only shrinks them (the lecture’s picture)', () => {
    // zero loss gradient, η = 0.125, λ = 0.5 (dyadic, so every step is exact): L1 moves |w| down
    // by ηλ = 0.0625 per step, reaching exactly 0 after 16 and 8 steps, where sign(0) = 0 keeps
    // it; L2 multiplies by 1 − ηλ = 0.9375 every step and never reaches 0.
    let p1 = [t64([1, -0.5])],
      p2 = [t64([1, -0.5])]
    const o1 = O.chain(O.addL1(0.5), O.sgd(0.125)),
      o2 = O.chain(O.addDecayedWeights(0.5), O.sgd(0.125))
    let s1 = o1.init(p1),
      s2 = o2.init(p2)
    for (let i = 0; i < 40; i++) {
      const z = [t64([0, 0])]
      const [u1, n1] = o1.update(z, s1, p1)
      p1 = O.applyUpdates(p1, u1)
      s1 = n1
      const [u2, n2] = o2.update(z, s2, p2)
      p2 = O.applyUpdates(p2, u2)
      s2 = n2
    }
    expect(flat(p1[0])).toEqual([0, 0])
    // (each step rounds once: 40 roundings of relative size ≤ 2⁻⁵³)
    flat(p2[0]).forEach((x, i) => {
      expect(Math.abs(x / ([1, -0.5][i] * 0.9375 ** 40) - 1)).toBeLessThan(40 * 2 ** -53)
    })
  })
  it('weight decay needs the params', () => {
    const opt = O.adamw(0.1)
    expect(() => opt.update([t64([1])], opt.init([t64([1])]))).toThrow(/addDecayedWeights.*needs the params/)
    expect(() => O.addL1(0.1).update([t64([1])], {})).toThrow(P.ArgumentError)
  })
})

describe('clipByGlobalNorm', () => {
  const leaf = (n: number) => fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n, maxLength: n })
  it('after: norm ≤ max, the direction unchanged; at or below max: untouched', () => {
    fc.assert(
      fc.property(leaf(3), leaf(2), fc.double({ min: 0.01, max: 10, noNaN: true }), (a, b, max) => {
        const g = { a: t64(a), b: [t64(b)] }
        const clip = O.clipByGlobalNorm(max)
        const [u] = clip.update(g, clip.init(g))
        const before = [...a, ...b],
          after = [...flat(u.a), ...flat(u.b[0])]
        const norm = Math.hypot(...before),
          normAfter = Math.hypot(...after)
        if (norm <= max) {
          expect(after).toEqual(before)
        } else {
          expect(normAfter).toBeLessThanOrEqual(max * (1 + 1e-15))
          expect(Math.abs(normAfter - max)).toBeLessThanOrEqual(1e-14 * max)
          // the norms differ by an ulp or two (Math.hypot vs √Σx²): relative error, or one subnormal step
          before.forEach((x, i) => {
            expect(Math.abs(after[i] - (x * max) / norm)).toBeLessThanOrEqual(1e-15 * Math.abs(x) + Number.MIN_VALUE)
          })
        }
      }),
      { numRuns: 300 },
    )
  })
  // mantissa·10^k: one exponent for the whole gradient, or one per element (mixed magnitudes)
  const magnitude = (k: fc.Arbitrary<number>) => fc.tuple(fc.double({ min: -9.99, max: 9.99, noNaN: true }), k).map(([m, e]) => m * 10 ** e)
  const exponent = fc.integer({ min: -300, max: 299 })
  const anyMagnitude = fc.oneof(
    exponent.chain((e) => fc.array(magnitude(fc.constant(e)), { minLength: 1, maxLength: 5 })),
    fc.array(magnitude(exponent), { minLength: 1, maxLength: 5 }),
  )
  it('clips finite gradients of any magnitude (1e-300…1e300): norm ≤ max within rounding, the same direction', () => {
    const maxArb = fc.oneof(
      fc.double({ min: 0.01, max: 10, noNaN: true }),
      magnitude(exponent)
        .map(Math.abs)
        .filter((m) => m > 0),
    )
    fc.assert(
      fc.property(anyMagnitude, maxArb, (before, max) => {
        const clip = O.clipByGlobalNorm(max)
        const [u] = clip.update([t64(before)], clip.init([t64(before)]))
        const after = flat(u[0])
        // Math.hypot is the oracle: it scales by the largest element, so it neither overflows nor underflows
        const norm = Math.hypot(...before)
        if (norm <= max) {
          expect(after).toEqual(before)
          return
        }
        expect(Math.hypot(...after)).toBeLessThanOrEqual(max * (1 + 8 * 2 ** -52))
        expect(after.some((v) => v !== 0)).toBe(true)
        // elementwise max·x/‖g‖: a few roundings; where an intermediate underflows, an absolute
        // error far below the rounding of the whole vector (x·max underflowing loses ≤ 2⁻¹⁰⁷⁵, divided
        // by ‖g‖ ≥ 2⁻⁹⁶⁹/max that is ≤ 2⁻¹⁰⁶·max), plus the final subnormal rounding
        before.forEach((x, i) => {
          const want = max * (x / norm)
          expect(Math.abs(after[i] - want)).toBeLessThanOrEqual(8 * 2 ** -52 * Math.abs(want) + 2 ** -100 * max + 2 * Number.MIN_VALUE)
        })
      }),
      {
        numRuns: 400,
        // counterexamples found on the way: x·max underflowed to 0 for max = 5e-324 (a zeroed
        // update), and a subnormal element next to a 1e-136 one
        examples: [
          [[0], 5e-324],
          [[-3.4395525670743494e-136, 0], 5e-324],
          [[1.5e-323, -3.4395525670743494e-136, 0], 2.8662938058952913e-136],
        ],
      },
    )
  })
  it('g = 1e200 (g² = Infinity) is clipped to norm max, not zeroed; so are 1e-200 and float32 3e38', () => {
    const clip = O.clipByGlobalNorm(2)
    const [u] = clip.update({ a: t64([1e200, -1e200]), b: [t64([1e200])] }, {})
    // ‖g‖ = √3·1e200: each element becomes ±2/√3
    for (const v of [...flat(u.a), ...flat(u.b[0])]) expect(Math.abs(Math.abs(v) - 2 / Math.sqrt(3))).toBeLessThanOrEqual(4e-16)
    expect(Math.sign(flat(u.a)[1])).toBe(-1)
    // tiny gradients are below max: untouched; with max below their norm they are scaled up to it
    const tiny = O.clipByGlobalNorm(1e-201)
    const [v] = tiny.update([t64([3e-200, 4e-200])], {})
    expect(flat(v[0]).map((x) => x / 1e-201)).toEqual([expect.closeTo(0.6, 14), expect.closeTo(0.8, 14)])
    const [w] = clip.update([P.tensor([3e38, -3e38], 'float32')], {})
    expect(flat(w[0])).toEqual([Math.fround(Math.SQRT2), -Math.fround(Math.SQRT2)])
  })
  it('a NaN gradient is not hidden', () => {
    const clip = O.clipByGlobalNorm(1)
    const [u] = clip.update([t64([NaN, 1])], clip.init([t64([0, 0])]))
    expect(flat(u[0]).every(Number.isNaN)).toBe(true)
  })
})

describe('the fused learning rate (a fused pass equals the composite)', () => {
  // chain(part, scaleByLearningRate) runs as one pass; an identity in between prevents the fusion,
  // so the two must agree bit for bit, in float32 (rounding of the intermediate) and float64.
  const parts: [string, () => GradientTransformation<unknown>][] = [
    ['scaleByAdam', () => O.scaleByAdam()],
    ['scaleByRss', () => O.scaleByRss({ eps: 1e-7, epsInSqrt: true, initialAccumulator: 0.1 })],
    ['scaleByRms', () => O.scaleByRms({ seedWithFirstGradient: true, eps: 0 })],
    ['trace', () => O.trace()],
    ['trace nesterov', () => O.trace({ nesterov: true })],
  ]
  const value = fc.double({ min: -3, max: 3, noNaN: true })
  for (const [name, part] of parts) {
    it(`${name} then the learning rate: fused = two passes, bit for bit`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom<P.DType>('float32', 'float64'),
          fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
          fc.constantFrom<O.LearningRate>(0.1, 0.003, (t: number) => 0.1 / (t + 1)),
          (dtype, grads, lr) => {
            const fused = O.chain(part(), O.scaleByLearningRate(lr))
            const apart = O.chain(part(), O.identity(), O.scaleByLearningRate(lr))
            let p = [P.tensor([1, -1, 0.5], dtype)]
            let sf = fused.init(p),
              sa = apart.init(p)
            const bits = (t: unknown) => P.tree.leaves(t).map((l) => P.toFlatArray(l).map((x) => (Object.is(x, -0) ? '-0' : x)))
            for (const g of grads) {
              const [uf, nf] = fused.update([P.tensor(g, dtype)], sf, p)
              const [ua, na] = apart.update([P.tensor(g, dtype)], sa, p)
              expect(bits(uf)).toEqual(bits(ua))
              expect(bits([nf[0], nf[1]])).toEqual(bits([na[0], na[2]]))
              p = O.applyUpdates(p, uf)
              sf = nf
              sa = na
            }
          },
        ),
        { numRuns: 100 },
      )
    })
  }
})

describe('schedules inside a chain, dtypes, immutability, errors', () => {
  it('a schedule is called with the 0-based count of updates done so far', () => {
    const calls: number[] = []
    const opt = O.adam((step) => {
      calls.push(step)
      return 0.1
    })
    steps(opt, [0], [[1], [1], [1]])
    expect(calls).toEqual([0, 1, 2])
  })
  it('float64 params stay float64, float32 stay float32, counts are float64, accumulators follow the params', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const p = { w: P.ones([2, 2], dtype), b: [P.zeros([2], dtype)] }
      const opts: GradientTransformation<unknown>[] = [O.adam(0.1), O.adagrad(0.1, { profile: 'optax' }), O.rmsprop(0.1), O.momentum(0.1, { nesterov: true }), O.adamw(0.1)]
      for (const opt of opts) {
        const s0 = opt.init(p)
        const [u, s1] = opt.update(
          P.tree.map((x: Tensor) => P.mul(x, 0.5), p),
          s0,
          p,
        )
        const next = O.applyUpdates(p, u)
        expect(P.tree.structureEquals(next, p)).toBe(true)
        expect(P.tree.structureEquals(u, p)).toBe(true)
        expect(P.tree.structureEquals(s1, s0)).toBe(true)
        expect(P.tree.leaves(s1).every((l) => (l.rank === 0 ? l.dtype === 'float64' : l.dtype === dtype))).toBe(true)
      }
    }
  })
  it('update changes none of its inputs, and never shares storage with them unless passing through', () => {
    const p = { w: t64([1, 2]) },
      g = { w: t64([0.5, -1]) }
    const opt = O.adam(0.1)
    const s = opt.init(p)
    const before = snapshot({ p, g, s })
    const [u, s1] = opt.update(g, s, p)
    O.applyUpdates(p, u)
    opt.update(g, s1, p)
    expect(unchanged(before, { p, g, s }).ok).toBe(true)
  })
  it('hyperparameters are checked at construction, naming the optimizer', () => {
    expect(() => O.sgd(-0.1)).toThrow(/scaleByLearningRate.*learning rate/)
    expect(() => O.adam(0.1, { b1: 1 })).toThrow(/scaleByAdam.*b1.*\[0, 1\)/)
    expect(() => O.rmsprop(0.1, { decay: -0.5 })).toThrow(/scaleByRms.*decay/)
    expect(() => O.momentum(0.1, { beta: 1.5 })).toThrow(/trace.*decay/)
    expect(() => O.adagrad(0.1, { profile: 'keras' as never })).toThrow(/adagrad.*profile/)
    expect(() => O.clipByGlobalNorm(0)).toThrow(/clipByGlobalNorm.*max/)
    expect(() => O.multiSteps(O.sgd(1), 0)).toThrow(/multiSteps.*positive integer/)
    expect(() => O.chain(O.sgd(1), {} as never)).toThrow(/chain.*argument 1/)
  })
  it('a state or grads of the wrong structure or shape is an error naming it', () => {
    const opt = O.adam(0.1)
    const s = opt.init({ w: t64([1, 2]) })
    expect(() => opt.update({ v: t64([1, 2]) }, s)).toThrow(/scaleByAdam.*state\.mu.*structure/)
    expect(() => opt.update({ w: t64([1, 2, 3]) }, s)).toThrow(P.ShapeError)
    expect(() => opt.update({ w: t64([1, 2]) }, [{}, {}] as never)).toThrow(/scaleByAdam.*'mu'/)
    expect(() => O.applyUpdates({ w: t64([1]) }, { w: [t64([1])] })).toThrow(/applyUpdates.*structure/)
  })
})

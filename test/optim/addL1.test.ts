/**
 * `addL1(λ, { truncate: true })` last in a chain is the truncated gradient: with v = w + u (where
 * the incoming step would land), a weight with |v| ≤ λ lands on exactly 0, any other on
 * v − λ·sign(v) up to rounding — so no weight is ever carried across zero by the pull — and
 * `truncate: false` is the plain `addL1`.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { tensor, toFlatArray } from '../../src/index.js'
import { addL1, applyUpdates, chain, sgd } from '../../src/optim/index.js'

const finite = fc.double({ min: -4, max: 4, noNaN: true })

describe('addL1 truncated', () => {
  it('chain(sgd(η), addL1(λ, truncate)): exact zeros where |w − η·g| ≤ λ, else v − λ·sign(v) (two roundings), never across zero', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(finite, finite), { minLength: 1, maxLength: 20 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (wg, eta, lambda) => {
          const w = tensor(
            wg.map(([a]) => a),
            'float64',
          )
          const g = tensor(
            wg.map(([, b]) => b),
            'float64',
          )
          const opt = chain(sgd(eta), addL1(lambda, { truncate: true }))
          const [u] = opt.update([g], opt.init([w]), [w])
          const out = toFlatArray(applyUpdates([w], u)[0])
          wg.forEach(([a, b], i) => {
            const v = a + -eta * b // sgd's step, then where it would land
            if (Math.abs(v) <= lambda) expect(Object.is(out[i], 0), `w ${a}, g ${b}: ${out[i]}`).toBe(true)
            else {
              expect(Math.sign(out[i])).toBe(Math.sign(v))
              // w + (u − λ·sign v) against (w + u) − λ·sign v: each side rounds twice, at most ulp(|w| + |u| + λ)/2 each
              expect(Math.abs(out[i] - (v - lambda * Math.sign(v)))).toBeLessThanOrEqual(2 * 2 ** -52 * (Math.abs(a) + Math.abs(eta * b) + lambda))
            }
          })
        },
      ),
      { numRuns: 200 },
    )
  })

  it('float32 params land on exactly +0 too, and a zero weight moves again only when the step beats λ', () => {
    const w = tensor([0.30000001192092896, -0.1, 0, 0, 1], 'float32')
    const g = tensor([0, 0, 1, 3, 0], 'float32')
    const opt = chain(sgd(0.25), addL1(0.5, { truncate: true }))
    const [u] = opt.update([g], opt.init([w]), [w])
    // 0.3 and −0.1: |v| ≤ 0.5 → 0; 0 with g = 1: v = −0.25 → 0; 0 with g = 3: v = −0.75 → −0.25; 1 → 0.5
    expect(Array.from(toFlatArray(applyUpdates([w], u)[0]))).toEqual([0, 0, 0, -0.25, 0.5])
    expect(Object.is(toFlatArray(applyUpdates([w], u)[0])[0], 0)).toBe(true)
  })

  it('NaN stays NaN, and truncate: false is the plain addL1, bit for bit', () => {
    const w = tensor([Number.NaN, 1, -2, 0], 'float64')
    const t = chain(sgd(0.1), addL1(0.05, { truncate: true }))
    expect(Number.isNaN(toFlatArray(t.update([tensor([0, 0, 0, 0], 'float64')], t.init([w]), [w])[0][0])[0])).toBe(true)
    const g = [tensor([0.5, -1, 2, 3], 'float64')]
    const a = chain(addL1(0.3), sgd(0.1)),
      b = chain(addL1(0.3, { truncate: false }), sgd(0.1))
    expect(Array.from(toFlatArray(a.update(g, a.init([w]), [w])[0][0]))).toEqual(Array.from(toFlatArray(b.update(g, b.init([w]), [w])[0][0])))
  })

  it('refuses options that are not { truncate: boolean }', () => {
    expect(() => addL1(0.1, { truncate: 'yes' as never })).toThrow(/addL1: options\.truncate must be a boolean, got/)
    expect(() => addL1(0.1, null as never)).toThrow(/addL1: options must be \{ truncate\?: boolean \}/)
    expect(() => addL1(-1, { truncate: true })).toThrow(/addL1: lambda must be a finite number ≥ 0/)
  })
})

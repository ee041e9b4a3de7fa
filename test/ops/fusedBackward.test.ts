/**
 * The fused backward kernels of relu, sigmoid, tanh and softplus equal their closed-form
 * derivatives, first and second order, in both dtypes. (The registry in test/specs/ops.ts also
 * checks them against central differences.)
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'

const sig = (v: number) => 1 / (1 + Math.exp(-v))
const rows: [string, (t: Tensor) => Tensor, (v: number) => number, (v: number) => number][] = [
  // [name, op, f′, f″]
  ['relu', P.relu, (v) => (v > 0 ? 1 : 0), () => 0],
  ['sigmoid', P.sigmoid, (v) => sig(v) * (1 - sig(v)), (v) => sig(v) * (1 - sig(v)) * (1 - 2 * sig(v))],
  ['tanh', P.tanh, (v) => 1 - Math.tanh(v) ** 2, (v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)],
  ['softplus', P.softplus, sig, (v) => sig(v) * (1 - sig(v))],
]

describe.each(rows)('%s', (_name, op, d1, d2) => {
  const xs = fc.array(
    fc.double({ min: -6, max: 6, noNaN: true }).filter((v) => Math.abs(v) > 1e-3),
    { minLength: 1, maxLength: 8 },
  )
  it('first derivative, float64 and float32', () => {
    fc.assert(
      fc.property(xs, (v) => {
        const g = P.toFlatArray(P.grad((t: Tensor) => P.sum(op(t)))(P.tensor(v, 'float64')))
        g.forEach((gi, i) => {
          expect(gi).toBeCloseTo(d1(v[i]), 14)
        })
        const g32 = P.grad((t: Tensor) => P.sum(op(t)))(P.tensor(v))
        expect(g32.dtype).toBe('float32')
        P.toFlatArray(g32).forEach((gi, i) => {
          expect(Math.abs(gi - d1(Math.fround(v[i])))).toBeLessThan(1e-6)
        })
      }),
      { numRuns: 100 },
    )
  })
  it('second derivative through the fused backward (grad of grad, and jvp of grad)', () => {
    fc.assert(
      fc.property(xs, (v) => {
        const x = P.tensor(v, 'float64')
        const g = (t: Tensor) => P.sum(P.grad((u: Tensor) => P.sum(op(u)))(t))
        P.toFlatArray(P.grad(g)(x)).forEach((hi, i) => {
          expect(hi).toBeCloseTo(d2(v[i]), 13)
        })
        const [, hv] = P.jvp(
          P.grad((u: Tensor) => P.sum(op(u))),
          [x],
          [P.ones([v.length], 'float64')],
        )
        P.toFlatArray(hv).forEach((hi, i) => {
          expect(hi).toBeCloseTo(d2(v[i]), 13)
        })
      }),
      { numRuns: 100 },
    )
  })
})

/**
 * gradientProperty: a fast-check property that holds for correct gradients and fails, with a
 * message naming path, index, analytic and numeric values, for a wrong one.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { arb, gradientProperty } from '../../src/testing/index.js'

// sin whose rule forgets the incoming cotangent: returns cos(x) instead of g·cos(x)
const sinForgetsG = P.customVjp(
  (x: Tensor) => P.sin(x),
  (x: Tensor) => [P.sin(x), x] as const,
  (x: Tensor, _g: Tensor) => [P.cos(x)],
)

describe('gradientProperty', () => {
  it('holds for correct gradients over pytrees', () => {
    const params = fc.record({ w: arb.tensor({ shape: [2, 3] }), b: arb.tensor({ shape: [3] }) })
    const f = (p: { w: Tensor; b: Tensor }) => P.sum(P.tanh(P.add(p.w, p.b)))
    expect(fc.check(gradientProperty(f, params), { numRuns: 20, seed: 1 }).failed).toBe(false)
  })

  it('fails for a wrong gradient, reporting path, index, analytic and numeric', () => {
    const params = fc.record({ a: arb.tensor({ shape: [2] }), x: arb.tensor({ shape: [3] }) })
    // weighted by 3 so the forgotten cotangent matters
    const f = (p: { a: Tensor; x: Tensor }) => P.add(P.sum(P.square(p.a)), P.sum(P.mul(sinForgetsG(p.x), 3)))
    const r = fc.check(gradientProperty(f, params), { numRuns: 20, seed: 1 })
    expect(r.failed).toBe(true)
    expect(String(r.errorInstance)).toMatch(/worst at \.x index \d+: analytic \S+, numeric \S+/)
  })

  it('passes its options to checkGrad', () => {
    const f = (x: Tensor) => P.sum(P.mul(sinForgetsG(x), 3))
    const x = arb.tensor({ shape: [3] })
    const r = fc.check(gradientProperty(f, x, { directions: 2 }), { numRuns: 5, seed: 2 })
    expect(r.failed).toBe(true)
    expect(String(r.errorInstance)).toContain('direction')
  })
})

/**
 * checkGrad: passes on functions with closed-form gradients, fails (naming the right leaf path
 * and flat index) on a deliberately wrong gradient, treats non-finite values as failures,
 * never mutates its input, and checks random directions in its directional mode.
 */
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { type Tensor, ArgumentError, ShapeError } from '../../src/index.js'
import { checkGrad, formatGradCheck } from '../../src/testing/index.js'

const t64 = (v: number[]) => P.tensor(v, 'float64')

/**
 * square with a wrong rule at ONE element: the cotangent is 2·g·x + g·mask, mask one-hot at
 * `bad`, so only that element's derivative is off, by exactly 1 (for g = 1).
 */
function squareWrongAt(size: number, bad: number): (x: Tensor) => Tensor {
  const mask = P.fromArray(Array.from({ length: size }, (_, i) => (i === bad ? 1 : 0)), [size], 'float64')
  return P.customVjp(
    (x: Tensor) => P.square(x),
    (x: Tensor) => [P.square(x), x] as const,
    (x: Tensor, g: Tensor) => [P.add(P.mul(P.mul(g, x), 2), P.mul(g, mask))],
  )
}

describe('checkGrad on correct gradients', () => {
  it('passes for Σx² (∇ = 2x) and reports tiny errors', () => {
    const r = checkGrad((x: Tensor) => P.sum(P.square(x)), t64([1, -2, 0.5]))
    expect(r.ok).toBe(true)
    expect(r.checked).toBe(3)
    expect(r.maxAbsError).toBeLessThan(1e-8)
    expect(r.worst?.path).toBe('<root>')
  })

  it('covers every element of every leaf of a pytree', () => {
    // f = Σ sin(w)·b + Σ c²: ∂/∂w = cos(w)·b, ∂/∂b = Σ sin(w), ∂/∂c = 2c
    const params = { w: P.tensor([[0.5, -1], [2, 0.1]], 'float64'), b: [P.scalar(3, 'float64')], c: t64([1, 2, 3]) }
    const f = (p: typeof params) => P.add(P.sum(P.mul(P.sin(p.w), p.b[0])), P.sum(P.square(p.c)))
    const r = checkGrad(f, params)
    expect(r.ok).toBe(true)
    expect(r.checked).toBe(4 + 1 + 3)
    expect(['.w', '.b[0]', '.c']).toContain(r.worst?.path)
  })

  it('casts float32 leaves to float64 before calling f', () => {
    const seen: string[] = []
    const r = checkGrad((x: Tensor) => { seen.push(x.dtype); return P.sum(P.exp(x)) }, P.tensor([0.25, -0.5]))
    expect(r.ok).toBe(true)
    expect(new Set(seen)).toEqual(new Set(['float64']))
  })

  it('gives ok with worst null for an input without elements', () => {
    const r = checkGrad((x: Tensor) => P.sum(x), P.zeros([0], 'float64'))
    expect(r).toEqual({ ok: true, maxAbsError: 0, maxRelError: 0, worst: null, checked: 0, rtol: 1e-5, atol: 1e-7 })
  })
})

describe('checkGrad on wrong gradients', () => {
  it('fails and names the leaf path and flat index of the wrong element', () => {
    const wrong = squareWrongAt(4, 2)
    const x = { a: t64([1, 2]), b: [t64([0.5]), t64([1, -1, 3, 0.25])] }
    const f = (p: typeof x) => P.add(P.sum(P.square(p.a)), P.add(P.sum(P.square(p.b[0])), P.sum(wrong(p.b[1]))))
    const r = checkGrad(f, x)
    expect(r.ok).toBe(false)
    expect(r.worst?.path).toBe('.b[1]')
    expect(r.worst?.index).toBe(2)
    // analytic 2·3 + 1 (the wrong rule), numeric 2·3
    expect(r.worst?.analytic).toBeCloseTo(7, 12)
    expect(r.worst?.numeric).toBeCloseTo(6, 6)
    expect(r.maxAbsError).toBeCloseTo(1, 6)
    expect(formatGradCheck(r)).toMatch(/FAILED.*\.b\[1\] index 2: analytic 7/)
  })

  it('counts non-finite derivatives as failures', () => {
    // √x at 0: the analytic derivative is +∞ and √(−ε) is NaN
    const r = checkGrad((x: Tensor) => P.sum(P.sqrt(x)), t64([1, 0]))
    expect(r.ok).toBe(false)
    expect(r.maxAbsError).toBe(Infinity)
    expect(r.worst).toMatchObject({ path: '<root>', index: 1 })
  })

  it('respects the tolerances: a loose rtol accepts a small relative error', () => {
    // the wrong element is off by 1 out of 2·100 + 1: a relative error of about 0.5%
    const x = t64([0, 0, 100, 0])
    const f = (v: Tensor) => P.sum(squareWrongAt(4, 2)(v))
    expect(checkGrad(f, x).ok).toBe(false)
    expect(checkGrad(f, x, { rtol: 1e-2 }).ok).toBe(true)
  })
})

describe('checkGrad: purity and options', () => {
  it('does not mutate its input', () => {
    const x = { w: P.tensor([1.5, -0, 2]), v: t64([3]) }
    const before = [P.toFlatArray(x.w), P.toFlatArray(x.v)]
    checkGrad((p: typeof x) => P.sum(P.mul(P.sum(P.square(p.w)), p.v)), x)
    const after = [P.toFlatArray(x.w), P.toFlatArray(x.v)]
    after.forEach((a, i) => a.forEach((v, j) => expect(Object.is(v, before[i][j])).toBe(true)))
    expect(x.w.dtype).toBe('float32')
  })

  it('checks k random directions, deterministically in the seed', () => {
    const f = (x: Tensor) => P.sum(P.mul(P.sin(x), x))
    const x = P.tensor([[0.5, 1, -2], [3, 0.1, -0.7]], 'float64')
    const r = checkGrad(f, x, { directions: 5, seed: 11 })
    expect(r.ok).toBe(true)
    expect(r.checked).toBe(5)
    expect(r.worst?.path).toBe('<direction>')
    expect(checkGrad(f, x, { directions: 5, seed: 11 })).toEqual(r)
    expect(checkGrad(f, x, { directions: 5, seed: 12 }).worst?.analytic).not.toBe(r.worst?.analytic)
  })

  it('catches a wrong gradient along random directions', () => {
    const r = checkGrad((v: Tensor) => P.sum(squareWrongAt(4, 1)(v)), t64([1, 2, 3, 4]), { directions: 3 })
    expect(r.ok).toBe(false)
    expect(r.worst?.path).toBe('<direction>')
  })

  it('rejects invalid options and non-scalar functions with precise errors', () => {
    const f = (x: Tensor) => P.sum(x)
    const x = t64([1])
    expect(() => checkGrad(f, x, { eps: 0 })).toThrow(ArgumentError)
    expect(() => checkGrad(f, x, { rtol: -1 })).toThrow(ArgumentError)
    expect(() => checkGrad(f, x, { directions: 1.5 })).toThrow(/directions/)
    expect(() => checkGrad(f, x, { seed: -1 })).toThrow(/seed/)
    expect(() => checkGrad((v: Tensor) => P.mul(v, 2), t64([1, 2]))).toThrow(ShapeError)
  })
})

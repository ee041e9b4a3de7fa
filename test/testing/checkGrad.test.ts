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
  const mask = P.fromArray(
    Array.from({ length: size }, (_, i) => (i === bad ? 1 : 0)),
    [size],
    'float64',
  )
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
    const params = {
      w: P.tensor(
        [
          [0.5, -1],
          [2, 0.1],
        ],
        'float64',
      ),
      b: [P.scalar(3, 'float64')],
      c: t64([1, 2, 3]),
    }
    const f = (p: typeof params) => P.add(P.sum(P.mul(P.sin(p.w), p.b[0])), P.sum(P.square(p.c)))
    const r = checkGrad(f, params)
    expect(r.ok).toBe(true)
    expect(r.checked).toBe(4 + 1 + 3)
    expect(['.w', '.b[0]', '.c']).toContain(r.worst?.path)
  })

  it('casts float32 leaves to float64 before calling f', () => {
    const seen: string[] = []
    const r = checkGrad(
      (x: Tensor) => {
        seen.push(x.dtype)
        return P.sum(P.exp(x))
      },
      P.tensor([0.25, -0.5]),
    )
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
    after.forEach((a, i) => {
      a.forEach((v, j) => {
        expect(Object.is(v, before[i][j])).toBe(true)
      })
    })
    expect(x.w.dtype).toBe('float32')
  })

  it('checks k random directions, deterministically in the seed', () => {
    const f = (x: Tensor) => P.sum(P.mul(P.sin(x), x))
    const x = P.tensor(
      [
        [0.5, 1, -2],
        [3, 0.1, -0.7],
      ],
      'float64',
    )
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

describe('checkGrad with weights (vector-valued f)', () => {
  // A counterexample of the registry's saturated logSigmoid row (seed -772311214): outputs of
  // ±300…1000 with weights of both signs. Summed first, Σ w ⊙ f cancels to a value far below
  // Σ|w ⊙ f|, and the rounding of that sum (different at x ± ε after the perturbed term) exceeded
  // the floor taken from |Σ w ⊙ f|: a correct derivative (index 27, x = −1000, ∂ = w = 1.3e-5)
  // "failed" by 1.6e-7. Differenced element by element, only the perturbed output changes.
  const { logSigmoid, mul, sum, tensor, zeros } = P
  const x = tensor(
    [
      [
        [1000, -300, -300, 300],
        [-300.00000000000006, -902.8230762017832, -300, 1000],
        [300, -414.0444410713773, 300, -300],
        [-300.0000000000008, 300, 497.7615900329734, 999.9999999999991],
      ],
      [
        [-300, -374.0989265020062, 417.0961380004883, 655.472261853723],
        [300.0000000000009, 345.48166589768374, 300, 999.9999999999995],
        [-882.532626747505, -300.0000000000006, -470.29913390911787, -1000],
        [-450.1462936401367, 300, 305.08289337158203, 1000],
      ],
      [
        [-900.6581695140453, 300.00000000000034, 1000, -835.1536788525253],
        [-300, -300.00000000000017, -300, 300.0000000000006],
        [761.7813745510291, -549.5070457458496, -300, -1000],
        [-300, -1000, 738.9059066772461, -300],
      ],
    ],
    'float64',
  )
  const w = tensor(
    [
      [
        [0, -1.6284446716308594, 1.1458187103271484, 0],
        [-1.1877250671386719, -0.04159736633300781, -0.1786212921142578, 0],
        [0, 0.0000019073486328125, 0, -0.34593772888183594],
        [-1.0882587432861328, 0, 0, 0],
      ],
      [
        [0, 0.12054443359375, 0, 0],
        [0, 0, 0, 0],
        [0, 0, -0.6270618438720703, 0.0000133514404296875],
        [0.7905559539794922, 0, 0, 0],
      ],
      [
        [-1.2592601776123047, 0, 0, 0],
        [0, 0.7243003845214844, 0.0000019073486328125, 0],
        [0, 0.000003814697265625, 0, 1.2502632141113281],
        [1.1083240509033203, 0.1789073944091797, 0, 0],
      ],
    ],
    'float64',
  )

  it('passes the correct derivative where the summed form cannot tell rounding from error', () => {
    expect(checkGrad((t: Tensor) => logSigmoid(t), x, { weights: w }).ok).toBe(true)
    const summed = checkGrad((t: Tensor) => sum(mul(w, logSigmoid(t))), x)
    expect(summed.ok).toBe(false) // why weights exist: the scalar form's floor is |Σ w ⊙ f|
    expect(summed.worst?.index).toBe(27)
  })

  it('still catches a wrong derivative, and agrees with the scalar form on ordinary values', () => {
    // d/dx of x³ is 3x²; a rule of 3.3x² (10% too big) must fail at every weight scale
    const wrong = P.customVjp(
      (t: Tensor) => mul(mul(t, t), t),
      (t: Tensor) => [mul(mul(t, t), t), t] as const,
      (t: Tensor, g: Tensor) => [mul(g, mul(mul(t, t), 3.3))],
    )
    const xs = tensor([0.5, -1.5, 2], 'float64'),
      ws = tensor([1, -0.25, 0.5], 'float64')
    expect(checkGrad(wrong, xs, { weights: ws }).ok).toBe(false)
    const right = (t: Tensor) => mul(mul(t, t), t)
    const a = checkGrad(right, xs, { weights: ws }),
      b = checkGrad((t: Tensor) => sum(mul(ws, right(t))), xs)
    expect(a.ok && b.ok).toBe(true)
    // both compare the same analytic gradient 3x²·w: 0.75, −1.6875, 6 (by hand)
    expect(a.worst !== null && b.worst !== null).toBe(true)
    expect(checkGrad(right, xs, { weights: ws, directions: 4, seed: 1 }).ok).toBe(true)
  })

  it("refuses an output whose shape is not the weights' shape", () => {
    expect(() => checkGrad((t: Tensor) => sum(t), tensor([1, 2], 'float64'), { weights: zeros([2], 'float64') })).toThrow(/weights of shape \[2\]/)
  })
})

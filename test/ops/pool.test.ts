/**
 * maxPool and avgPool beyond the registry rows (test/specs/opsPool.ts, which run the gradient,
 * immutability and vmap laws) and the TF.js oracle (test/oracle/opsPool.ts):
 * - tiling windows (VALID, stride = window) equal a max / mean over a reshaped view, in 1-D, 2-D, 3-D;
 * - hand-derived values and gradients: ties to the first maximum, overlapping windows adding at a
 *   shared maximum, NaN, ±0, SAME borders averaging in-bounds elements only;
 * - the derivative rules are adjoint pairs at second order too: the vjp of the (linear) pullback
 *   is the jvp, and jacrev (vmap over cotangents, x unbatched) equals jacfwd;
 * - dtypes, and errors naming the op, the shape and the option.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { ArgumentError, ShapeError, type Tensor } from '../../src/index.js'
import { expectError } from '../helpers/errors.js'
import { pooled, poolShapeArb } from '../specs/opsPool.js'
import { tensorOf } from '../specs/ops.js'

const flat = (t: Tensor) => P.toFlatArray(t)

describe('tiling windows equal a reduction over a reshaped view', () => {
  // [B, n₁·k₁, …, C] viewed as [B, n₁, k₁, …, C]: window axes at 2, 4, 6
  const tiled = fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }))
    .chain(([d, b, c]) =>
      fc
        .tuple(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: d, maxLength: d }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: d, maxLength: d }))
        .chain(([n, k]) => tensorOf([b, ...n.map((ni, a) => ni * k[a]), c]).map((x) => ({ x, n, k }))),
    )
  const view = (x: Tensor, n: number[], k: number[]) => P.reshape(x, [x.shape[0], ...n.flatMap((ni, a) => [ni, k[a]]), x.shape[x.rank - 1]])
  const windowAxes = (d: number) => Array.from({ length: d }, (_, a) => 2 + 2 * a)

  it('maxPool(x, k) = max over the window axes (exactly)', () => {
    fc.assert(
      fc.property(tiled, ({ x, n, k }) => {
        expect(flat(P.maxPool(x, k))).toEqual(flat(P.max(view(x, n, k), windowAxes(n.length))))
      }),
      { numRuns: 40 },
    )
  })
  it('avgPool(x, k) = mean over the window axes (to 1e-12)', () => {
    fc.assert(
      fc.property(tiled, ({ x, n, k }) => {
        const got = flat(P.avgPool(x, k))
        const want = flat(P.mean(view(x, n, k), windowAxes(n.length)))
        got.forEach((v, i) => {
          expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(want[i])))
        })
      }),
      { numRuns: 40 },
    )
  })
})

describe('hand-derived values and gradients', () => {
  const img = (rows: number[][]) => P.tensor([rows.map((r) => r.map((v) => [v]))], 'float64') // [1, H, W, 1]
  const gradOf = (f: (u: Tensor) => Tensor, x: Tensor) => flat(P.grad((u: Tensor) => P.sum(f(u)))(x))

  it('ties: each window sends its gradient to its first maximum in row-major order', () => {
    // 2×2 windows, stride 2: every window is all 7s, so only its top-left element gets the 1
    const x = img([
      [7, 7, 7, 7],
      [7, 7, 7, 7],
    ])
    expect(flat(P.maxPool(x, 2))).toEqual([7, 7])
    expect(gradOf((u) => P.maxPool(u, 2), x)).toEqual([1, 0, 1, 0, 0, 0, 0, 0])
  })
  it('overlapping windows add at a shared maximum', () => {
    // 1-D [1, 5, 2, 4], windows of 2 at stride 1: [1,5] [5,2] [2,4] → 5, 5, 4; x₁ is the max twice
    const x = P.tensor([[[1], [5], [2], [4]]], 'float64')
    expect(flat(P.maxPool(x, 2, { strides: 1 }))).toEqual([5, 5, 4])
    expect(gradOf((u) => P.maxPool(u, 2, { strides: 1 }), x)).toEqual([0, 2, 0, 1])
  })
  it('a NaN makes its window NaN and takes the gradient; other windows are unaffected; max(−0, +0) = +0', () => {
    const x = P.tensor([[[1], [Number.NaN], [3], [2], [-0], [0]]], 'float64')
    const y = flat(P.maxPool(x, 2))
    expect(y[0]).toBeNaN()
    expect(y[1]).toBe(3)
    expect(Object.is(y[2], 0)).toBe(true)
    expect(gradOf((u) => P.maxPool(u, 2), x)).toEqual([0, 1, 1, 0, 1, 0])
  })
  it('padding is never the max: all-negative input with SAME padding', () => {
    // 2×2 image of negatives, 3×3 window stride 1, SAME: every window covers the whole image
    const x = img([
      [-4, -3],
      [-2, -5],
    ])
    expect(flat(P.maxPool(x, 3, { strides: 1, padding: 'SAME' }))).toEqual([-2, -2, -2, -2])
  })
  it('SAME averages the in-bounds elements only (TF), and the gradient shares by those counts', () => {
    // n = 5, k = 3, s = 1: total padding 2, one each side; counts 2, 3, 3, 3, 2
    const x = P.tensor([[[1], [3], [2], [6], [10]]], 'float64')
    const y = flat(P.avgPool(x, 3, { strides: 1, padding: 'SAME' }))
    expect(y).toEqual([2, 2, 11 / 3, 6, 8])
    // ∂/∂xᵢ Σ y = Σ over the windows holding xᵢ of 1/count: x₀ ∈ windows 0, 1 → 1/2 + 1/3
    const g = gradOf((u) => P.avgPool(u, 3, { strides: 1, padding: 'SAME' }), x)
    const want = [1 / 2 + 1 / 3, 1 / 2 + 2 / 3, 1, 1 / 2 + 2 / 3, 1 / 2 + 1 / 3]
    g.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i], 14)
    })
  })
  it('SAME with a stride above the window pads nothing (the total is clamped at 0)', () => {
    // 3-D [1, 1, 1, 2, 1], window 1, strides [1, 1, 2]: out = ⌈2/2⌉ = 1, total = max(0·2 + 1 − 2, 0) = 0,
    // so the one window is x[0]. (TF.js 4.22's 3-D pools get this wrong: they read x[1].)
    const x = P.fromArray([0, -0.001], [1, 1, 1, 2, 1], 'float64')
    expect(flat(P.maxPool(x, 1, { strides: [1, 1, 2], padding: 'SAME' }))).toEqual([0])
    expect(flat(P.avgPool(x, 1, { strides: [1, 1, 2], padding: 'SAME' }))).toEqual([0])
  })
  it('explicit padding: the output extent is ⌊(n + lo + hi − k) / s⌋ + 1', () => {
    // n = 4, k = 3, pads [2, 1], s = 2: ⌊(4 + 3 − 3)/2⌋ + 1 = 3 windows at −2, 0, 2: [x₀], [x₀..x₂], [x₂, x₃]
    const x = P.tensor([[[1], [2], [3], [5]]], 'float64')
    expect(flat(P.avgPool(x, 3, { strides: 2, padding: [[2, 1]] }))).toEqual([1, 2, 4])
    expect(flat(P.maxPool(x, 3, { strides: 2, padding: [[2, 1]] }))).toEqual([1, 3, 5])
  })
})

describe('second order: the rules are adjoint pairs', () => {
  const cases = fc
    .tuple(fc.constantFrom('VALID' as const, 'SAME' as const, 'explicit' as const), fc.boolean())
    .chain(([kind, isMax]) => poolShapeArb().chain((s) => fc.tuple(tensorOf(s, 'distinct'), tensorOf(s), fc.constant(kind), fc.constant(isMax))))
  const fOf = (kind: 'VALID' | 'SAME' | 'explicit', isMax: boolean) => pooled(isMax ? P.maxPool : P.avgPool, kind)

  it('the vjp of the pullback g ↦ Jᵀg is the jvp: ∇_g ⟨u, Jᵀg⟩ = J u', () => {
    fc.assert(
      fc.property(cases, ([x, u, kind, isMax]) => {
        const f = fOf(kind, isMax)
        const [y, pullback] = P.vjp(f, x)
        const g0 = P.zeros(y.shape, 'float64')
        const back = P.grad((g: Tensor) => P.sum(P.mul(u, pullback(g))))(g0)
        const [, ju] = P.jvp(f, [x], [u])
        expect(flat(back)).toEqual(flat(ju))
      }),
      { numRuns: 30 },
    )
  })
  it('jacrev (a batch of cotangents, x unbatched) equals jacfwd (a batch of tangents)', () => {
    fc.assert(
      fc.property(cases, ([x, , kind, isMax]) => {
        const f = fOf(kind, isMax)
        const a = flat(P.jacrev(f)(x))
        const b = flat(P.jacfwd(f)(x))
        a.forEach((v, i) => {
          expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-15)
        })
      }),
      { numRuns: 20 },
    )
  })
})

describe('dtypes', () => {
  it('float32 and float64 keep their dtype; int32 and bool pool in float32', () => {
    for (const op of [P.maxPool, P.avgPool]) {
      expect(op(P.ones([1, 2, 2, 1]), 2).dtype).toBe('float32')
      expect(op(P.ones([1, 2, 2, 1], 'float64'), 2).dtype).toBe('float64')
      expect(op(P.ones([1, 2, 2, 1], 'int32'), 2).dtype).toBe('float32')
      expect(op(P.ones([1, 2, 2, 1], 'bool'), 2).dtype).toBe('float32')
    }
  })
})

describe('errors name the op, the shape and the option', () => {
  const x = P.ones([2, 4, 4, 3])
  for (const [name, op] of [
    ['maxPool', P.maxPool],
    ['avgPool', P.avgPool],
  ] as const) {
    it(name, () => {
      expectError(() => op(P.ones([4, 4]), 2), ShapeError, name, '[4,4]', 'rank 2', '1, 2 or 3 spatial axes')
      expectError(() => op(P.ones([1, 2, 2, 2, 2, 1]), 2), ShapeError, name, 'rank 6')
      expectError(() => op('x' as never, 2), ArgumentError, name, "argument 'x'")
      expectError(() => op(x, 0), ArgumentError, name, 'window', 'got number 0')
      expectError(() => op(x, [2, 2, 2]), ArgumentError, name, 'window', '2 of them', '[2,4,4,3]', '[2,2,2]')
      expectError(() => op(x, 1.5), ArgumentError, name, 'window')
      expectError(() => op(x, 2, { strides: [1, 0] }), ArgumentError, name, 'strides', '[1,0]')
      expectError(() => op(x, 2, { padding: 'same' as never }), ArgumentError, name, 'padding', "'SAME', 'VALID'", 'same')
      expectError(() => op(x, 2, { padding: [[0, 1]] }), ArgumentError, name, 'padding', '2 pairs', '[[0,1]]')
      expectError(
        () =>
          op(x, 2, {
            padding: [
              [0, 1],
              [0, -1],
            ] as never,
          }),
        ArgumentError,
        name,
        'padding',
      )
      expectError(
        () =>
          op(x, 2, {
            padding: [
              [0, 2],
              [0, 0],
            ],
          }),
        ArgumentError,
        name,
        'padding [0,2]',
        'spatial axis 0',
        'window 2',
      )
      expectError(() => op(x, 2, null as never), ArgumentError, name, 'options')
      expectError(() => op(x, 5), ShapeError, name, 'window [5,5]', '[2,4,4,3]', 'spatial axis 0', 'empty')
      expectError(
        () =>
          op(x, [1, 6], {
            padding: [
              [0, 0],
              [1, 0],
            ],
          }),
        ShapeError,
        name,
        'spatial axis 1',
        'length 4, 5 with padding',
        'window 6',
      )
      expectError(() => op(P.ones([1, 0, 3, 1]), 1), ShapeError, name, 'length 0')
    })
  }
  it('an empty batch or no channels is fine (an empty output)', () => {
    expect(P.maxPool(P.ones([0, 4, 4, 3]), 2).shape).toEqual([0, 2, 2, 3])
    expect(P.avgPool(P.ones([1, 4, 4, 0]), 2).shape).toEqual([1, 2, 2, 0])
  })
})

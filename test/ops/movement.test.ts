/**
 * pad, cumsum, flip and tile: values from their definitions, the identities that tie each to
 * its inverse, and errors naming the op and the values. (Gradients and forward mode: the law
 * suites over their rows in test/specs/ops.ts; TF.js: test/oracle/opsMovement.ts.)
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { shapeArb, tensorOf } from '../specs/ops.js'
import { expectError } from '../helpers/errors.js'
import { ravel, unravel } from '../helpers/shapes.js'

const bits = (t: P.Tensor) => ({ shape: [...t.shape], dtype: t.dtype, values: P.toFlatArray(t) })

const widthsArb = (rank: number) => fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { minLength: rank, maxLength: rank })

describe('pad', () => {
  it('puts x at `before` inside a tensor of value (definition), and slicing it back out is the identity', () => {
    fc.assert(
      fc.property(
        shapeArb(0, 3).chain((s) => fc.tuple(tensorOf(s), widthsArb(s.length), fc.double({ min: -5, max: 5, noNaN: true }))),
        ([x, w, v]) => {
          const y = P.pad(x, w, v)
          const shape = x.shape.map((n, d) => w[d][0] + n + w[d][1])
          expect(y.shape).toEqual(shape)
          const xs = P.toFlatArray(x)
          const ys = P.toFlatArray(y)
          ys.forEach((got, i) => {
            const idx = unravel(i, shape)
            const inside = idx.every((k, d) => k >= w[d][0] && k < w[d][0] + x.shape[d])
            expect(got).toBe(
              inside
                ? xs[
                    ravel(
                      idx.map((k, d) => k - w[d][0]),
                      x.shape,
                    )
                  ]
                : v,
            )
          })
          expect(
            bits(
              P.slice(
                y,
                w.map(([b]) => b),
                x.shape,
              ),
            ),
          ).toEqual(bits(x))
        },
      ),
      { numRuns: 50 },
    )
  })
  it('pads with −0 as −0 (regression: a fresh seed drew pad([−3, 0], [[0, 1]], −0), which gave +0)', () => {
    const y = P.toFlatArray(P.pad(P.tensor([-3, 0], 'float64'), [[0, 1]], -0))
    expect(Object.is(y[2], -0)).toBe(true)
    expect(Object.is(y[1], 0)).toBe(true)
  })

  it('keeps float32 and pads a float32 tensor with the value rounded to float32', () => {
    const y = P.pad(P.tensor([1]), [[1, 1]], 0.1)
    expect(y.dtype).toBe('float32')
    expect(P.toFlatArray(y)).toEqual([Math.fround(0.1), 1, Math.fround(0.1)])
  })
  it('refuses bad widths, naming pad and the values', () => {
    const x = P.zeros([2, 3])
    expectError(() => P.pad(x, [[1, 1]]), P.ArgumentError, 'pad', '[2,3]', '[[1,1]]')
    expectError(
      () =>
        P.pad(x, [
          [0, 0],
          [-1, 2],
        ]),
      P.ArgumentError,
      'pad',
      'widths[1]',
      '[-1,2]',
      'non-negative',
    )
    expectError(
      () =>
        P.pad(x, [
          [0, 0],
          [1.5, 2],
        ]),
      P.ArgumentError,
      'pad',
      '1.5',
    )
    expectError(
      () =>
        P.pad(
          x,
          [
            [0, 0],
            [1, 2],
          ],
          'a' as never,
        ),
      P.ArgumentError,
      'pad',
      'value',
      'string a',
    )
  })
})

describe('cumsum', () => {
  it('is the running sum (closed form: cumsum of ones along the axis is 1, 2, …, n)', () => {
    const y = P.cumsum(P.ones([2, 4, 3]), 1)
    const want = Array.from({ length: 24 }, (_, i) => Math.floor((i % 12) / 3) + 1)
    expect(P.toFlatArray(y)).toEqual(want)
    expect(P.toFlatArray(P.cumsum(P.ones([4]), -1))).toEqual([1, 2, 3, 4])
  })
  it('its last entry along the axis is the sum over the axis (integer values: exact)', () => {
    fc.assert(
      fc.property(
        shapeArb(1, 3).chain((s) =>
          fc.tuple(
            fc
              .array(fc.integer({ min: -9, max: 9 }), { minLength: s.reduce((a, b) => a * b, 1), maxLength: s.reduce((a, b) => a * b, 1) })
              .map((v) => P.fromArray(v, s, 'float64')),
            fc.integer({ min: 0, max: s.length - 1 }),
          ),
        ),
        ([x, a]) => {
          const n = x.shape[a]
          const last = P.slice(
            P.cumsum(x, a),
            x.shape.map((_, d) => (d === a ? n - 1 : 0)),
            x.shape.map((m, d) => (d === a ? 1 : m)),
          )
          expect(bits(P.squeeze(last, a))).toEqual(bits(P.sum(x, a)))
        },
      ),
      { numRuns: 50 },
    )
  })
  it('runs its sums in float64 for float32 input: 1 + 2⁻²⁴ + 2⁻²⁴ reaches 1 + 2⁻²³', () => {
    // In float32 arithmetic 1 + 2⁻²⁴ rounds back to 1 at each step; in float64 the two add up.
    const y = P.cumsum(P.tensor([1, 2 ** -24, 2 ** -24]), 0)
    expect(P.toFlatArray(y)[2]).toBe(1 + 2 ** -23)
  })
  it('refuses a rank-0 tensor and a bad axis, naming cumsum', () => {
    expectError(() => P.cumsum(P.scalar(1), 0), P.ShapeError, 'cumsum', 'rank-0')
    expectError(() => P.cumsum(P.zeros([2, 3]), 2), P.ShapeError, 'cumsum', 'axis 2', 'rank 2')
    expectError(() => P.cumsum(P.zeros([2, 3]), undefined as never), P.ArgumentError, 'cumsum', 'undefined')
  })
})

describe('flip', () => {
  it('reverses the named axes (definition), and flipping twice is the identity', () => {
    fc.assert(
      fc.property(
        shapeArb(1, 3).chain((s) => fc.tuple(tensorOf(s), fc.subarray([...s.keys()], { minLength: 1 }))),
        ([x, axes]) => {
          const y = P.flip(x, axes)
          const xs = P.toFlatArray(x)
          P.toFlatArray(y).forEach((got, i) => {
            const idx = unravel(i, x.shape).map((k, d) => (axes.includes(d) ? x.shape[d] - 1 - k : k))
            expect(got).toBe(xs[ravel(idx, x.shape)])
          })
          expect(bits(P.flip(y, axes))).toEqual(bits(x))
        },
      ),
      { numRuns: 50 },
    )
  })
  it('flips every axis by default, and refuses bad axes', () => {
    expect(P.toFlatArray(P.flip(P.arange(6), undefined))).toEqual([5, 4, 3, 2, 1, 0])
    expectError(() => P.flip(P.zeros([2]), 1), P.ShapeError, 'flip', 'axis 1')
    expectError(() => P.flip(P.zeros([2, 2]), [0, -2]), P.ShapeError, 'flip', 'repeat')
    expectError(() => P.flip(P.zeros([2]), 'x' as never), P.ArgumentError, 'flip', 'string x')
  })
})

describe('tile', () => {
  it('repeats x (definition: y[k] = x[k mod n] per axis); reps of all 1 return x itself', () => {
    fc.assert(
      fc.property(
        shapeArb(0, 3).chain((s) => fc.tuple(tensorOf(s), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: s.length, maxLength: s.length }))),
        ([x, reps]) => {
          const y = P.tile(x, reps)
          const shape = x.shape.map((n, d) => n * reps[d])
          expect(y.shape).toEqual(shape)
          const xs = P.toFlatArray(x)
          P.toFlatArray(y).forEach((got, i) => {
            expect(got).toBe(
              xs[
                ravel(
                  unravel(i, shape).map((k, d) => k % x.shape[d]),
                  x.shape,
                )
              ],
            )
          })
          expect(
            P.tile(
              x,
              x.shape.map(() => 1),
            ),
          ).toBe(x)
        },
      ),
      { numRuns: 50 },
    )
  })
  it('its gradient sums over the repeats: d/dx Σ tile(x, [3]) = 3', () => {
    const g = P.grad((x: P.Tensor) => P.sum(P.tile(x, [3])))(P.tensor([1, 2]))
    expect(P.toFlatArray(g)).toEqual([3, 3])
  })
  it('refuses reps of the wrong length or value, naming tile', () => {
    expectError(() => P.tile(P.zeros([2, 3]), [2]), P.ArgumentError, 'tile', '[2,3]', '[2]')
    expectError(() => P.tile(P.zeros([2]), [-1]), P.ArgumentError, 'tile', 'reps[0]', '-1')
  })
})

describe('rules', () => {
  it("cumsum's vjp is the reversed running sum: ∂/∂x_j Σ_k w_k y_k = Σ_{k≥j} w_k", () => {
    const w = P.tensor([1, 10, 100])
    const g = P.grad((x: P.Tensor) => P.sum(P.mul(w, P.cumsum(x, 0))))(P.zeros([3]))
    expect(P.toFlatArray(g)).toEqual([111, 110, 100])
  })
  it("pad's vjp slices the interior out; flip's flips", () => {
    const w = P.tensor([1, 2, 3, 4])
    expect(P.toFlatArray(P.grad((x: P.Tensor) => P.sum(P.mul(w, P.pad(x, [[1, 1]], 7))))(P.zeros([2])))).toEqual([2, 3])
    expect(P.toFlatArray(P.grad((x: P.Tensor) => P.sum(P.mul(w, P.flip(x, 0))))(P.zeros([4])))).toEqual([4, 3, 2, 1])
  })
})

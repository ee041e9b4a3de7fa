/**
 * maximum/minimum and the max/min reductions at the values where a comparison-based kernel goes
 * wrong: signed zeros, NaN, ±Infinity and ties. The references are outside the code under test:
 * `Math.max`/`Math.min`, which ECMAScript specifies as IEEE 754-2019 maximum/minimum (NaN if
 * either is NaN, +0 larger than −0), and the tie rule of the gradients written out below.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'

type DT = 'float32' | 'float64'
const special = fc.constantFrom(0, -0, 1, -1, 2, NaN, Infinity, -Infinity, 0.5)
/** Pairs of equal-length value lists drawn from a small set, so ties, ±0 pairs and NaN are common. */
const pairs = fc
  .integer({ min: 1, max: 12 })
  .chain((n) => fc.tuple(fc.array(special, { minLength: n, maxLength: n }), fc.array(special, { minLength: n, maxLength: n }), fc.constantFrom<DT>('float32', 'float64')))
const same = (got: readonly number[], want: readonly number[]) => {
  expect(got.length).toBe(want.length)
  got.forEach((v, i) => {
    if (!Object.is(v, want[i])) throw new Error(`[${i}]: ${v}, expected ${want[i]}`)
  })
}
/** Whether the FIRST argument receives the cotangent: a NaN first, then the larger (a ≥ b for max), ties to the first. */
const firstGetsMax = (a: number, b: number) => Number.isNaN(a) || (!Number.isNaN(b) && a >= b)
const firstGetsMin = (a: number, b: number) => Number.isNaN(a) || (!Number.isNaN(b) && a <= b)

describe('IEEE 754-2019 maximum and minimum', () => {
  it('maximum is Math.max and minimum is Math.min, bit for bit, ±0 and NaN included', () => {
    fc.assert(
      fc.property(pairs, ([xs, ys, dt]) => {
        const a = P.tensor(xs, dt),
          b = P.tensor(ys, dt)
        same(
          P.toFlatArray(P.maximum(a, b)),
          xs.map((x, i) => Math.fround(Math.max(x, ys[i]))),
        )
        same(
          P.toFlatArray(P.minimum(a, b)),
          xs.map((x, i) => Math.fround(Math.min(x, ys[i]))),
        )
      }),
      { numRuns: 150 },
    )
  })

  it('the max and min reductions agree: max(stack([a, b]), 0) = maximum(a, b), and over any axis', () => {
    fc.assert(
      fc.property(pairs, ([xs, ys, dt]) => {
        const a = P.tensor(xs, dt),
          b = P.tensor(ys, dt)
        same(P.toFlatArray(P.max(P.stack([a, b]), 0)), P.toFlatArray(P.maximum(a, b)))
        same(P.toFlatArray(P.min(P.stack([a, b]), 0)), P.toFlatArray(P.minimum(a, b)))
        // All of a at once: the fold of Math.max from −∞ (Math.max(−∞, −0) = −0).
        same(P.toFlatArray(P.max(a)), [xs.reduce((m, x) => Math.max(m, x), -Infinity)])
        same(P.toFlatArray(P.min(a)), [xs.reduce((m, x) => Math.min(m, x), Infinity)])
      }),
      { numRuns: 150 },
    )
  })

  it('relu(−0) = +0 and clip follows the same rule: clip(−0, 0, 1) = +0, clip(+0, −1, −0) = −0', () => {
    expect(P.toFlatArray(P.relu(P.tensor([-0, 0, -1])))).toEqual([0, 0, 0])
    expect(Object.is(P.toFlatArray(P.relu(P.tensor([-0])))[0], 0)).toBe(true)
    expect(Object.is(P.item(P.clip(P.scalar(-0), 0, 1)), 0)).toBe(true)
    expect(Object.is(P.item(P.clip(P.scalar(0), -1, -0)), -0)).toBe(true)
  })

  it('a number −0 stays −0 when lifted, even after +0 was lifted (Map keys do not tell them apart)', () => {
    P.add(P.scalar(1), 0) // lifts, and caches, +0
    P.add(P.scalar(1, 'float64'), 0)
    expect(Object.is(P.item(P.minimum(P.scalar(0), -0)), -0)).toBe(true)
    expect(Object.is(P.item(P.minimum(P.scalar(0, 'float64'), -0)), -0)).toBe(true)
  })

  it('argmax of a ±0 tie is the first of them, whatever its sign; of a NaN, the first NaN', () => {
    expect(P.toFlatArray(P.argmax(P.tensor([-0, 0]), 0))).toEqual([0])
    expect(P.toFlatArray(P.argmax(P.tensor([-1, 0, -0]), 0))).toEqual([1])
    expect(P.toFlatArray(P.argmax(P.tensor([1, NaN, 2, NaN]), 0))).toEqual([1])
  })
})

describe('the gradient tie rule of maximum and minimum', () => {
  // One element at a time (a sum over elements would mix them): ∂/∂a and ∂/∂b of f(a, b).
  const grads = (f: (a: Tensor, b: Tensor) => Tensor, x: number, y: number, dt: DT) => P.grad((p: Tensor[]) => f(p[0], p[1]))([P.scalar(x, dt), P.scalar(y, dt)]).map(P.item)

  it('vjp: the whole cotangent goes to ONE input — the first on a tie (±0 included), a NaN before a number', () => {
    fc.assert(
      fc.property(special, special, fc.constantFrom<DT>('float32', 'float64'), (x, y, dt) => {
        const first = firstGetsMax(x, y) ? [1, 0] : [0, 1]
        expect(grads(P.maximum, x, y, dt)).toEqual(first)
        expect(grads(P.minimum, x, y, dt)).toEqual(firstGetsMin(x, y) ? [1, 0] : [0, 1])
        // The reductions route it the same way.
        expect(grads((a, b) => P.max(P.stack([a, b])), x, y, dt)).toEqual(first)
        expect(grads((a, b) => P.min(P.stack([a, b])), x, y, dt)).toEqual(firstGetsMin(x, y) ? [1, 0] : [0, 1])
      }),
      { numRuns: 200 },
    )
  })

  it("jvp agrees with the vjp: the output tangent is the chosen input's tangent", () => {
    fc.assert(
      fc.property(pairs, fc.integer({ min: 1, max: 1000 }), ([xs, ys, dt], seed) => {
        const ta = xs.map((_, i) => (seed * (i + 1)) % 97),
          tb = xs.map((_, i) => -((seed * (i + 3)) % 89) - 1)
        const a = P.tensor(xs, dt),
          b = P.tensor(ys, dt)
        const [, tMax] = P.jvp((u: Tensor, v: Tensor) => P.maximum(u, v), [a, b], [P.tensor(ta, dt), P.tensor(tb, dt)])
        const [, tMin] = P.jvp((u: Tensor, v: Tensor) => P.minimum(u, v), [a, b], [P.tensor(ta, dt), P.tensor(tb, dt)])
        same(
          P.toFlatArray(tMax),
          xs.map((x, i) => (firstGetsMax(x, ys[i]) ? ta[i] : tb[i])),
        )
        same(
          P.toFlatArray(tMin),
          xs.map((x, i) => (firstGetsMin(x, ys[i]) ? ta[i] : tb[i])),
        )
      }),
      { numRuns: 100 },
    )
  })

  it('the fixed cases: maximum(−0, +0) sends it to the −0 (the first), minimum(+0, −0) to the +0', () => {
    for (const dt of ['float32', 'float64'] as const) {
      expect(grads(P.maximum, -0, 0, dt)).toEqual([1, 0])
      expect(grads(P.maximum, 0, -0, dt)).toEqual([1, 0])
      expect(grads(P.minimum, 0, -0, dt)).toEqual([1, 0])
      expect(grads(P.maximum, 1, 1, dt)).toEqual([1, 0])
      expect(grads(P.maximum, 1, NaN, dt)).toEqual([0, 1])
      expect(grads(P.maximum, NaN, 1, dt)).toEqual([1, 0])
    }
  })
})

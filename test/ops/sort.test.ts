/**
 * sort, argsort and topK against a stable reference: Array.prototype.sort of (value, index)
 * pairs, which the language specifies as stable, under the documented order (numbers ascending,
 * −0 equal to +0, NaN after everything; topK the reverse with ties still by index). Inputs are
 * tie-heavy (small integers, ±0, ±Infinity, NaN; int32 extremes) in float32, float64 and int32,
 * with rows short and long enough to take every kernel path (merge sort, radix sort, top-k heap). Gradients
 * at ties, immutability and errors too. (Gradient laws over distinct values: the rows in
 * test/specs/ops.ts; TF.js: test/oracle/opsSort.ts.)
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { RADIX_FROM, useHeap } from '../../src/kernels/sort.js'
import { expectError } from '../helpers/errors.js'

const RUNS = 30

/** The documented order: −1, 0, 1 as a comes before, with, after b (NaN last, −0 = +0). */
function order(a: number, b: number): number {
  const an = Number.isNaN(a)
  const bn = Number.isNaN(b)
  if (an || bn) return an === bn ? 0 : an ? 1 : -1
  return a < b ? -1 : a > b ? 1 : 0
}

/** Stable argsort by the language's stable sort: ascending, or descending with ties by index. */
function refArgsort(vals: readonly number[], desc = false): number[] {
  return vals
    .map((v, i) => [v, i] as const)
    .sort((p, q) => (desc ? -order(p[0], q[0]) : order(p[0], q[0])))
    .map(([, i]) => i)
}

/** Flat positions of every lane along `axis` of `shape`, lanes in row-major order of the other axes. */
function lanes(shape: readonly number[], axis: number): number[][] {
  const n = shape[axis]
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1)
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1)
  const out: number[][] = []
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) out.push(Array.from({ length: n }, (_, j) => (o * n + j) * inner + i))
  return out
}

// Ties, signed zeros, infinities and NaN often; generic doubles too.
const value = fc.oneof(fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity), fc.integer({ min: -3, max: 3 }), fc.double({ min: -1e6, max: 1e6 }))
const dtype = fc.constantFrom<P.DType>('float32', 'float64', 'int32')
/** Values for a dtype: int32 gets integers (the extremes included), floats everything above. */
const valuesOf = (dt: P.DType, n: number) =>
  fc.array(dt === 'int32' ? fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-(2 ** 31), 2 ** 31 - 1), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })) : value, {
    minLength: n,
    maxLength: n,
  })

/** A shape with one axis short (1–12) or long (RADIX_FROM and more), the others 1–3. */
const shapeArb = fc
  .tuple(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: RADIX_FROM, max: RADIX_FROM + 80 })), fc.nat())
  .map(([small, long, at]) => {
    const s = small.slice()
    s.splice(at % (small.length + 1), 0, long)
    return s
  })

/** x (of one of `dtypes`) and a valid axis. */
const caseOf = (dtypes: fc.Arbitrary<P.DType>) =>
  fc.tuple(shapeArb, dtypes).chain(([s, dt]) =>
    fc.tuple(
      valuesOf(
        dt,
        s.reduce((a, b) => a * b, 1),
      ).map((v) => P.fromArray(v, s, dt)),
      fc.integer({ min: -s.length, max: s.length - 1 }),
    ),
  )
const caseArb = caseOf(dtype)
/** Float x only: for gradients. */
const floatCaseArb = caseOf(fc.constantFrom<P.DType>('float32', 'float64'))

/** x with a long or short last axis and k in [0, n], often small (the heap) and often large. */
const topKArb = fc.tuple(shapeArb, dtype).chain(([s0, dt]) => {
  const s = s0.slice()
  const n = Math.max(...s)
  s.splice(s.indexOf(n), 1)
  s.push(n)
  return fc.tuple(
    valuesOf(
      dt,
      s.reduce((a, b) => a * b, 1),
    ).map((v) => P.fromArray(v, s, dt)),
    fc.oneof(fc.integer({ min: 0, max: Math.min(n, 4) }), fc.integer({ min: 0, max: n })),
  )
})

describe('argsort', () => {
  it('is the stable ascending argsort of every lane (the reference: Array.prototype.sort on (value, index))', () => {
    fc.assert(
      fc.property(caseArb, ([x, axis]) => {
        const i = P.argsort(x, axis)
        expect(i.shape).toEqual(x.shape)
        const xs = P.toFlatArray(x)
        const is = P.toFlatArray(i)
        for (const lane of lanes(x.shape, axis < 0 ? axis + x.rank : axis)) {
          expect(lane.map((p) => is[p])).toEqual(refArgsort(lane.map((p) => xs[p])))
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('of a sorted lane is the identity, and argsort(argsort(x)) inverts it (ranks)', () => {
    fc.assert(
      fc.property(caseArb, ([x, axis]) => {
        const a = axis < 0 ? axis + x.rank : axis
        const id = P.toFlatArray(P.argsort(P.sort(x, axis), axis))
        const perm = P.toFlatArray(P.argsort(x, axis))
        const rank = P.toFlatArray(P.argsort(P.argsort(x, axis), axis))
        for (const lane of lanes(x.shape, a)) {
          expect(lane.map((p) => id[p])).toEqual(lane.map((_, j) => j))
          // rank[perm[j]] = j
          expect(lane.map((p) => rank[lane[perm[p]]])).toEqual(lane.map((_, j) => j))
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('puts NaN last and keeps ±0 in their order, on the merge and radix paths', () => {
    expect(P.toFlatArray(P.argsort(P.tensor([Number.NaN, 1, Number.NaN, -Infinity, Infinity])))).toEqual([3, 1, 4, 0, 2])
    expect(P.toFlatArray(P.argsort(P.tensor([0, -0, 0, -0], 'float64')))).toEqual([0, 1, 2, 3])
    expect(P.toFlatArray(P.argsort(P.tensor([-0, 0, -0, 0])))).toEqual([0, 1, 2, 3])
    // a long float32 row (radix): NaN at 0, ±0 alternating, then numbers
    const n = RADIX_FROM + 4
    const v = Array.from({ length: n }, (_, i) => (i === 0 ? Number.NaN : i % 2 === 0 ? 0 : i < 8 ? -0 : i - 100))
    expect(P.toFlatArray(P.argsort(P.fromArray(v, [n], 'float32')))).toEqual(refArgsort(v))
    expect(P.toFlatArray(P.argsort(P.fromArray(v, [n], 'float32'))).at(-1)).toBe(0)
  })
})

describe('sort', () => {
  it('is ascending, a permutation of each lane (multiset equal), and x read at argsort(x)', () => {
    fc.assert(
      fc.property(caseArb, ([x, axis]) => {
        const y = P.sort(x, axis)
        expect(y.shape).toEqual(x.shape)
        expect(y.dtype).toBe(x.dtype)
        const xs = P.toFlatArray(x)
        const ys = P.toFlatArray(y)
        const is = P.toFlatArray(P.argsort(x, axis))
        const a = axis < 0 ? axis + x.rank : axis
        // a total order that tells −0 from +0, to compare multisets bit for bit
        const strict = (p: number, q: number) => order(p, q) || (Object.is(p, -0) ? -1 : 0) - (Object.is(q, -0) ? -1 : 0)
        for (const lane of lanes(x.shape, a)) {
          const got = lane.map((p) => ys[p])
          for (let j = 1; j < got.length; j++) expect(order(got[j - 1], got[j])).toBeLessThanOrEqual(0)
          expect(got.slice().sort(strict)).toEqual(lane.map((p) => xs[p]).sort(strict))
          // sort = takeAlongAxis(x, argsort(x)): toEqual compares with Object.is, so −0 ≠ +0 here
          expect(got).toEqual(lane.map((p) => xs[lane[is[p]]]))
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('is idempotent', () => {
    fc.assert(
      fc.property(caseArb, ([x, axis]) => {
        const y = P.sort(x, axis)
        expect(P.toFlatArray(P.sort(y, axis))).toEqual(P.toFlatArray(y))
      }),
      { numRuns: 15 },
    )
  })

  it('sends each output cotangent back to the position its value came from, ties included', () => {
    fc.assert(
      fc.property(floatCaseArb, fc.integer({ min: 1, max: 2 ** 30 }), ([x0, axis], seed) => {
        // a finite x (NaN and Infinity make the objective itself NaN); ties stay
        const x = P.fromArray(
          P.toFlatArray(x0).map((v) => (Number.isFinite(v) ? v : 7)),
          x0.shape,
          x0.dtype,
        )
        const w = P.fromArray(
          Array.from({ length: x.size }, (_, j) => ((seed * (j + 1)) % 17) - 8),
          x.shape,
          x.dtype,
        )
        const g = P.toFlatArray(P.grad((t: P.Tensor) => P.sum(P.mul(w, P.sort(t, axis))))(x))
        const ws = P.toFlatArray(w)
        const is = P.toFlatArray(P.argsort(x, axis))
        const want = new Array<number>(x.size).fill(0)
        for (const lane of lanes(x.shape, axis < 0 ? axis + x.rank : axis)) {
          for (const p of lane) want[lane[is[p]]] = ws[p]
        }
        expect(g).toEqual(want)
      }),
      { numRuns: 15 },
    )
  })
})

describe('topK', () => {
  it('is the first k of a stable descending sort (NaN first, ties to the lower index), values and indices', () => {
    fc.assert(
      fc.property(topKArb, ([x, k]) => {
        const [v, i] = P.topK(x, k)
        const n = x.shape[x.rank - 1]
        const shape = [...x.shape.slice(0, -1), k]
        expect(v.shape).toEqual(shape)
        expect(i.shape).toEqual(shape)
        expect(v.dtype).toBe(x.dtype)
        const xs = P.toFlatArray(x)
        const vs = P.toFlatArray(v)
        const is = P.toFlatArray(i)
        for (let r = 0; r * n < xs.length; r++) {
          const row = xs.slice(r * n, (r + 1) * n)
          const want = refArgsort(row, true).slice(0, k)
          expect(is.slice(r * k, (r + 1) * k)).toEqual(want)
          expect(vs.slice(r * k, (r + 1) * k)).toEqual(want.map((j) => row[j]))
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('takes both kernel paths: the heap for k ≪ n, a whole sort otherwise (fixed cases)', () => {
    const n = 300
    const v = Array.from({ length: n }, (_, j) => ((j * 37) % 11) - 5 + (j % 7 === 0 ? Number.NaN : 0))
    for (const dt of ['float32', 'float64'] as const) {
      for (const k of [0, 1, 3, 40, 151, 299, 300]) {
        const x = P.fromArray(v, [1, n], dt)
        expect(P.toFlatArray(P.topK(x, k)[1])).toEqual(refArgsort(v, true).slice(0, k))
      }
    }
    expect(useHeap(n, 3, true) && !useHeap(n, 299, true) && useHeap(n, 40, false) && !useHeap(n, 299, false)).toBe(true)
  })

  it('ranks NaN above every number and ±0 as equal', () => {
    const [v, i] = P.topK(P.tensor([1, Number.NaN, 3, Number.NaN, Infinity], 'float64'), 4)
    expect(P.toFlatArray(i)).toEqual([1, 3, 4, 2])
    expect(P.toFlatArray(v)).toEqual([Number.NaN, Number.NaN, Infinity, 3])
    expect(P.toFlatArray(P.topK(P.tensor([-0, 0, -0]), 3)[1])).toEqual([0, 1, 2])
  })

  it('sends the cotangent of each value to its index, and none elsewhere', () => {
    const x = P.tensor([[2, 5, 5, -1, 2]], 'float64')
    // top 3: 5 (1), 5 (2), 2 (0): d/dx Σ [1, 10, 100]·values
    const g = P.grad((t: P.Tensor) => P.sum(P.mul(P.tensor([[1, 10, 100]], 'float64'), P.topK(t, 3)[0])))(x)
    expect(P.toFlatArray(g)).toEqual([100, 1, 10, 0, 0])
  })
})

describe('dtypes', () => {
  it('indices are int32; int32 and bool tensors sort in their own dtype', () => {
    fc.assert(
      fc.property(caseArb, ([x, axis]) => {
        expect(P.argsort(x, axis).dtype).toBe('int32')
        expect(P.topK(P.reshape(x, [-1]), 1)[1].dtype).toBe('int32')
      }),
      { numRuns: 5 },
    )
    const i = P.tensor([[3, -1, 2, -1]], 'int32')
    expect(P.sort(i).dtype).toBe('int32')
    expect(P.toFlatArray(P.sort(i))).toEqual([-1, -1, 2, 3])
    expect(P.toFlatArray(P.argsort(i))).toEqual([1, 3, 2, 0])
    const [v, k] = P.topK(i, 2)
    expect([v.dtype, P.toFlatArray(v), P.toFlatArray(k)]).toEqual(['int32', [3, 2], [0, 2]])
    const b = P.tensor([1, 0, 1, 0], 'bool')
    expect(P.sort(b).dtype).toBe('bool')
    expect(P.toFlatArray(P.sort(b))).toEqual([0, 0, 1, 1])
    expect(P.toFlatArray(P.argsort(b))).toEqual([1, 3, 0, 2])
  })

  it('an int32 sort is a constant to differentiation: the gradient flows only through float values', () => {
    // f(x) = Σ x · cast(sort(i)) with i int32: d/dx = cast(sort(i)), and nothing flows into i
    const i = P.tensor([2, 0, 1], 'int32')
    const g = P.grad((x: P.Tensor) => P.sum(P.mul(x, P.cast(P.sort(i), 'float64'))))(P.tensor([5, 6, 7], 'float64'))
    expect(P.toFlatArray(g)).toEqual([0, 1, 2])
  })
})

describe('edges, immutability and errors', () => {
  it('handles empty axes and length-1 axes', () => {
    expect(P.sort(P.zeros([2, 0])).shape).toEqual([2, 0])
    expect(P.argsort(P.zeros([0, 3]), 0).shape).toEqual([0, 3])
    expect(P.topK(P.zeros([0, 3]), 2)[0].shape).toEqual([0, 2])
    expect(P.topK(P.zeros([2, 3]), 0)[1].shape).toEqual([2, 0])
    expect(P.toFlatArray(P.argsort(P.tensor([[4], [2]])))).toEqual([0, 0])
    expect(P.toFlatArray(P.sort(P.tensor([[4], [2]])))).toEqual([4, 2])
  })

  it('never changes its input', () => {
    fc.assert(
      fc.property(caseArb, ([x, axis]) => {
        const before = P.toFlatArray(x)
        P.sort(x, axis)
        P.argsort(x, axis)
        P.topK(x, 1)
        if (x.dtype !== 'int32') P.grad((t: P.Tensor) => P.sum(P.sort(t, axis)))(x)
        expect(P.toFlatArray(x)).toEqual(before)
      }),
      { numRuns: 15 },
    )
  })

  it('errors name the op, the argument and what was expected', () => {
    for (const op of ['sort', 'argsort'] as const) {
      const f = op === 'sort' ? P.sort : P.argsort
      expectError(() => f(P.scalar(1)), P.ShapeError, op, 'rank-0')
      expectError(() => f(P.zeros([2, 3]), 2), P.ShapeError, op, 'axis 2', '[-2, 1]')
      expectError(() => f(P.zeros([2, 3]), 0.5), P.ShapeError, op, 'axis 0.5')
      expectError(() => f(P.zeros([2, 3]), '0' as unknown as number), P.ArgumentError, op, 'axis', 'string 0')
      expectError(() => f([1, 2] as unknown as P.Tensor), P.ArgumentError, op, "'x'")
    }
    expectError(() => P.topK(P.scalar(1), 0), P.ShapeError, 'topK', 'rank-0')
    for (const k of [-1, 4, 1.5, Number.NaN]) expectError(() => P.topK(P.zeros([2, 3]), k), P.ArgumentError, 'topK', 'n = 3', `k = ${k}`, '[0, n]')
    expectError(() => P.topK(P.zeros([3]), '1' as unknown as number), P.ArgumentError, 'topK', 'k = string 1')
  })
})

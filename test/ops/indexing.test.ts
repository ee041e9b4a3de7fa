/**
 * take, takeAlongAxis and scatterAdd against their definitions (hand loops over multi-indices,
 * and slice + concat), the adjoint identity that ties take to scatterAdd (exact: integer-valued
 * float64 data, so every sum is exact), their rules compared bitwise with the ops they are
 * defined by, the index arguments left untouched, and errors naming the index, its position and
 * the bound. (Errors, dtypes of the indices, traced indices and immutability:
 * indexingArgs.test.ts. Numeric gradients and forward mode: the law suites over the rows of
 * test/specs/opsIndexing.ts; TF.js: test/oracle/opsIndexing.ts.)
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { expectError } from '../helpers/errors.js'
import { ravel, unravel } from '../helpers/shapes.js'

const RUNS = 40

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1)

/** Integer-valued float64 data in [−9, 9]: every sum and product below is exact. */
const intTensor = (shape: readonly number[]) =>
  fc.array(fc.integer({ min: -9, max: 9 }), { minLength: size(shape), maxLength: size(shape) }).map((v) => P.fromArray(v, shape, 'float64'))

/**
 * A shape of rank 1..3 (one axis sometimes 33–40 long, so both row-copy paths of the kernel run),
 * an axis, and an index shape of rank 0..2 filled with valid indices (negatives and repeats
 * included).
 */
const caseArb = fc
  .tuple(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.boolean(), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }))
  .chain(([s, wide, ishape]) => {
    const shape = wide ? [...s.slice(0, -1), 33 + (s[s.length - 1] % 8)] : s
    return fc.integer({ min: 0, max: shape.length - 1 }).chain((axis) => {
      const n = shape[axis]
      return fc.record({
        shape: fc.constant(shape),
        axis: fc.constant(axis),
        ishape: fc.constant(ishape),
        flat: fc.array(fc.integer({ min: -n, max: n - 1 }), { minLength: size(ishape), maxLength: size(ishape) }),
      })
    })
  })

/**
 * The flat index list as nested arrays of `ishape` (a number at rank 0), or as an index tensor
 * when an axis is 0 (nested arrays cannot say [0, 2] from [0]).
 */
function nest(flat: readonly number[], ishape: readonly number[]): P.Indices {
  if (ishape.includes(0)) return P.fromArray(flat, ishape, 'int32')
  if (ishape.length === 0) return flat[0]
  let k = 0
  const build = (d: number): unknown => (d === ishape.length ? flat[k++] : Array.from({ length: ishape[d] }, () => build(d + 1)))
  return build(0) as P.Indices
}

const outShapeOf = (shape: readonly number[], axis: number, ishape: readonly number[]) => [...shape.slice(0, axis), ...ishape, ...shape.slice(axis + 1)]
const norm = (k: number, n: number) => (k < 0 ? k + n : k)

describe('take', () => {
  it('is y[a…, j…, b…] = x[a…, indices[j…], b…] (definition, by a loop over the result)', () => {
    fc.assert(
      fc.property(
        caseArb.chain((c) => intTensor(c.shape).map((x) => ({ ...c, x }))),
        ({ shape, axis, ishape, flat, x }) => {
          const y = P.take(x, nest(flat, ishape), axis)
          const want = outShapeOf(shape, axis, ishape)
          expect(y.shape).toEqual(want)
          const xs = P.toFlatArray(x)
          const ys = P.toFlatArray(y)
          ys.forEach((got, i) => {
            const at = unravel(i, want)
            const j = ravel(at.slice(axis, axis + ishape.length), ishape)
            const src = [...at.slice(0, axis), norm(flat[j], shape[axis]), ...at.slice(axis + ishape.length)]
            expect(got).toBe(xs[ravel(src, shape)])
          })
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('on a 1-d list equals concatenating one-entry slices (slice + concat)', () => {
    fc.assert(
      fc.property(
        caseArb.filter((c) => c.ishape.length === 1 && c.flat.length > 0).chain((c) => intTensor(c.shape).map((x) => ({ ...c, x }))),
        ({ shape, axis, flat, x }) => {
          const parts = flat.map((k) =>
            P.slice(
              x,
              shape.map((_, d) => (d === axis ? norm(k, shape[axis]) : 0)),
              shape.map((n, d) => (d === axis ? 1 : n)),
            ),
          )
          expect(P.toFlatArray(P.take(x, flat, axis))).toEqual(P.toFlatArray(P.concat(parts, axis)))
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('takes an int-like index tensor as well as arrays, and an integer drops the axis', () => {
    const x = P.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      'float64',
    )
    expect(P.toArray(P.take(x, 1, 1))).toEqual([2, 5])
    expect(P.toArray(P.take(x, -1))).toEqual([4, 5, 6])
    expect(P.take(x, [], 1).shape).toEqual([2, 0])
    expect(P.toArray(P.take(x, P.take(P.tensor([1, 0], 'int32'), [0, 1, 0]), 0))).toEqual([
      [4, 5, 6],
      [1, 2, 3],
      [4, 5, 6],
    ])
  })

  it('keeps the dtype of x, int32 and bool included', () => {
    expect(P.take(P.tensor([1, 2]), [0]).dtype).toBe('float32')
    expect(P.take(P.tensor([1, 2], 'float64'), [0]).dtype).toBe('float64')
    const ints = P.take(
      P.tensor(
        [
          [7, -8],
          [9, 10],
        ],
        'int32',
      ),
      [1, -1, 0],
      1,
    )
    expect(ints.dtype).toBe('int32')
    expect(P.toArray(ints)).toEqual([
      [-8, -8, 7],
      [10, 10, 9],
    ])
    const bools = P.take(P.tensor([1, 0], 'bool'), [1, 1, 0])
    expect(bools.dtype).toBe('bool')
    expect(P.toArray(bools)).toEqual([0, 0, 1])
  })

  it('reads indices that ops compute: argmax and argsort results (int32) index directly, and the gradient flows to x only', () => {
    const x = P.tensor(
      [
        [0.5, 3, -1],
        [2, -4, 1],
      ],
      'float64',
    )
    const best = P.argmax(x, 1) // [1, 0]
    expect(P.toArray(P.takeAlongAxis(x, P.expandDims(best, 1), 1))).toEqual([[3], [2]])
    const g = P.grad((t: P.Tensor) => P.sum(P.takeAlongAxis(t, P.argsort(t, 1), 1)))(x)
    expect(P.toArray(g)).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ])
  })
})

describe('scatterAdd', () => {
  it('is out = target; out[a…, indices[j…], b…] += updates[a…, j…, b…] (definition, by a loop over the updates)', () => {
    fc.assert(
      fc.property(
        caseArb.chain((c) => fc.tuple(intTensor(c.shape), intTensor(outShapeOf(c.shape, c.axis, c.ishape))).map(([t, u]) => ({ ...c, t, u }))),
        ({ shape, axis, ishape, flat, t, u }) => {
          const want = P.toFlatArray(t)
          const us = P.toFlatArray(u)
          const ushape = outShapeOf(shape, axis, ishape)
          us.forEach((v, i) => {
            const at = unravel(i, ushape)
            const j = ravel(at.slice(axis, axis + ishape.length), ishape)
            want[ravel([...at.slice(0, axis), norm(flat[j], shape[axis]), ...at.slice(axis + ishape.length)], shape)] += v
          })
          const y = P.scatterAdd(t, nest(flat, ishape), u, axis)
          expect(y.shape).toEqual(shape)
          expect(P.toFlatArray(y)).toEqual(want)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('counts repeated indices: scatterAdd(zeros, i, ones) holds how often each entry is named', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.integer({ min: -n, max: n - 1 }), { maxLength: 12 }))),
        ([n, idx]) => {
          const counts = new Array<number>(n).fill(0)
          for (const k of idx) counts[norm(k, n)]++
          expect(P.toFlatArray(P.scatterAdd(P.zeros([n], 'float64'), idx, P.ones([idx.length], 'float64')))).toEqual(counts)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('broadcasts updates to target[:axis] + indices + target[axis+1:] and promotes the dtype', () => {
    const y = P.scatterAdd(P.zeros([3, 2]), [0, 0, 2], P.scalar(1.5, 'float64'))
    expect(y.dtype).toBe('float64')
    // bool adds as int32, as add does: counts, not a logical or
    const hits = P.scatterAdd(P.zeros([3], 'bool'), [1, 1, 2], P.tensor([1, 1, 0], 'bool'))
    expect([hits.dtype, P.toArray(hits)]).toEqual(['int32', [0, 2, 0]])
    expect(P.toArray(P.scatterAdd(P.tensor([2 ** 31 - 1], 'int32'), [0], P.tensor([5], 'int32')))).toEqual([-(2 ** 31) + 4])
    expect(P.toArray(y)).toEqual([
      [3, 3],
      [0, 0],
      [1.5, 1.5],
    ])
    // [1] broadcasts to [2, 1] (target [2, 2], one index on axis 1); [2] would not (NumPy aligns the last axes)
    expect(P.toArray(P.scatterAdd(P.ones([2, 2]), [1], P.tensor([7]), 1))).toEqual([
      [1, 8],
      [1, 8],
    ])
    expectError(() => P.scatterAdd(P.ones([2, 2]), [1], P.tensor([7, 8]), 1), P.ShapeError, 'scatterAdd', 'updates have shape [2]', 'expected [2,1]')
  })
})

describe('take and scatterAdd are each other’s transpose', () => {
  const adjointCase = caseArb.chain((c) => fc.tuple(intTensor(c.shape), intTensor(outShapeOf(c.shape, c.axis, c.ishape))).map(([x, u]) => ({ ...c, x, u })))
  const dot = (a: P.Tensor, b: P.Tensor) => P.item(P.sum(P.mul(a, b)))

  it('⟨take(x, i), u⟩ = ⟨x, scatterAdd(0, i, u)⟩ exactly', () => {
    fc.assert(
      fc.property(adjointCase, ({ shape, axis, ishape, flat, x, u }) => {
        const i = nest(flat, ishape)
        const lhs = dot(P.take(x, i, axis), u)
        const rhs = dot(x, P.scatterAdd(P.zeros(shape, 'float64'), i, u, axis))
        // === (not Object.is): the two sums may end in zeros of different signs
        expect(lhs === rhs, `${lhs} vs ${rhs}`).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })

  it('regression: x = zeros([37]), i = 26, u = −1 (a fresh seed), where the two sums are −0 and +0: equal, not the same bits', () => {
    const x = P.zeros([37], 'float64')
    const u = P.scalar(-1, 'float64')
    expect(dot(P.take(x, 26), u) === dot(x, P.scatterAdd(P.zeros([37], 'float64'), 26, u))).toBe(true)
  })

  it("take's vjp is scatterAdd into zeros; scatterAdd's vjp is g for the target and take(g) for the updates (bitwise)", () => {
    fc.assert(
      fc.property(adjointCase, ({ shape, axis, ishape, flat, x, u }) => {
        const i = nest(flat, ishape)
        const [, pullTake] = P.vjp((t: P.Tensor) => P.take(t, i, axis), x)
        expect(P.toFlatArray(pullTake(u))).toEqual(P.toFlatArray(P.scatterAdd(P.zeros(shape, 'float64'), i, u, axis)))
        const [, pullScatter] = P.vjp(([t, v]: P.Tensor[]) => P.scatterAdd(t, i, v, axis), [P.zeros(shape, 'float64'), u])
        const [gt, gu] = pullScatter(x)
        expect(P.toFlatArray(gt)).toEqual(P.toFlatArray(x))
        expect(P.toFlatArray(gu)).toEqual(P.toFlatArray(P.take(x, i, axis)))
      }),
      { numRuns: RUNS },
    )
  })

  it('jvp of take is take of the tangent; of scatterAdd, scatterAdd of the tangents', () => {
    fc.assert(
      fc.property(adjointCase, ({ axis, ishape, flat, x, u }) => {
        const i = nest(flat, ishape)
        const [, dy] = P.jvp((t: P.Tensor) => P.take(t, i, axis), [x], [P.neg(x)])
        expect(P.toFlatArray(dy)).toEqual(P.toFlatArray(P.take(P.neg(x), i, axis)))
        const [, ds] = P.jvp((t: P.Tensor, v: P.Tensor) => P.scatterAdd(t, i, v, axis), [x, u], [P.neg(x), P.square(u)])
        expect(P.toFlatArray(ds)).toEqual(P.toFlatArray(P.scatterAdd(P.neg(x), i, P.square(u), axis)))
      }),
      { numRuns: RUNS },
    )
  })

  it('a gradient through take counts each row as often as it is looked up', () => {
    const g = P.grad((t: P.Tensor) => P.sum(P.take(t, [3, 0, 3, -1, 1])))(P.zeros([5, 2], 'float64'))
    expect(P.toArray(g)).toEqual([
      [1, 1],
      [1, 1],
      [0, 0],
      [2, 2],
      [1, 1],
    ])
  })
})

describe('takeAlongAxis', () => {
  /** x of rank 1..3, an axis, and indices of the same rank: m entries on the axis, others equal or 1 (broadcast). */
  const alongArb = fc
    .tuple(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 3 }))
    .chain(([shape, m]) =>
      fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 }), fc.constant(m), fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length })),
    )
    .chain(([shape, axis, m, ones]) => {
      const ishape = shape.map((d, i) => (i === axis ? m : ones[i] ? 1 : d))
      const n = shape[axis]
      return fc.record({
        x: intTensor(shape),
        axis: fc.constant(axis),
        idx: fc.array(fc.integer({ min: -n, max: n - 1 }), { minLength: size(ishape), maxLength: size(ishape) }).map((v) => P.fromArray(v, ishape, 'int32')),
      })
    })

  it('is y[a…, j, b…] = x[a…, indices[a…, j, b…], b…] with the other axes broadcast (definition)', () => {
    fc.assert(
      fc.property(alongArb, ({ x, axis, idx }) => {
        const y = P.takeAlongAxis(x, idx, axis)
        const want = x.shape.map((d, i) => (i === axis ? idx.shape[axis] : Math.max(d, idx.shape[i])))
        expect(y.shape).toEqual(want)
        const xs = P.toFlatArray(x)
        const is = P.toFlatArray(idx)
        P.toFlatArray(y).forEach((got, p) => {
          const at = unravel(p, want)
          const k =
            is[
              ravel(
                at.map((a, d) => (idx.shape[d] === 1 ? 0 : a)),
                idx.shape,
              )
            ]
          const src = at.map((a, d) => (d === axis ? norm(k, x.shape[axis]) : x.shape[d] === 1 ? 0 : a))
          expect(got).toBe(xs[ravel(src, x.shape)])
        })
      }),
      { numRuns: RUNS },
    )
  })

  it('is adjoint to its vjp exactly: ⟨takeAlongAxis(x, i), u⟩ = ⟨x, vjp(u)⟩, and the vjp scatters (a loop)', () => {
    fc.assert(
      fc.property(
        alongArb.chain((c) => intTensor(P.takeAlongAxis(c.x, c.idx, c.axis).shape).map((u) => ({ ...c, u }))),
        ({ x, axis, idx, u }) => {
          const [y, pull] = P.vjp((t: P.Tensor) => P.takeAlongAxis(t, idx, axis), x)
          const gx = pull(u)
          const lhs = P.item(P.sum(P.mul(y, u)))
          const rhs = P.item(P.sum(P.mul(x, gx)))
          expect(lhs === rhs, `${lhs} vs ${rhs}`).toBe(true)
          // the scatter by hand: every output position adds its u into the x entry it read
          const want = new Array<number>(x.size).fill(0)
          const us = P.toFlatArray(u)
          const is = P.toFlatArray(idx)
          us.forEach((v, p) => {
            const at = unravel(p, y.shape)
            const k =
              is[
                ravel(
                  at.map((a, d) => (idx.shape[d] === 1 ? 0 : a)),
                  idx.shape,
                )
              ]
            want[
              ravel(
                at.map((a, d) => (d === axis ? norm(k, x.shape[axis]) : x.shape[d] === 1 ? 0 : a)),
                x.shape,
              )
            ] += v
          })
          expect(P.toFlatArray(gx)).toEqual(want)
        },
      ),
      { numRuns: RUNS },
    )
  })
})

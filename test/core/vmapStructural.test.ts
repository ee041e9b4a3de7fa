/**
 * The batching rules of the reductions, shape and movement ops, on what the registry rows do not
 * reach: argmax/argmin, oneHot of int32 indices, reshape with −1, concat of batched and
 * unbatched operands, keepDims, negative axes, every dtype, and the rules only gradients meet
 * (extremumMask, padSlice). Each property states `vmap(f)(xs)` equals stacking `f` over the
 * slices of xs (test/helpers/vmapStacking.ts), for a batch axis and an output axis drawn anywhere
 * and batch sizes 1 to 3.
 *
 * Values are small integers in float64: every sum and product is exact, so batched and
 * per-example results must agree bit for bit (no tolerance), and integer data has ties, which
 * checks that argmax/max keep the FIRST extremum under batching.
 */
import fc from 'fast-check'
import { describe, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { RUNS, axisOf, batchedArb, dtypeArb, example, shapeArb, sizeArb, stacks, unbatchedArb } from '../helpers/vmapBatched.js'

// --- reductions

describe('vmap of reductions', () => {
  it('argmax and argmin along a (possibly negative) axis give the first extremum of each example', () => {
    fc.assert(
      fc.property(
        fc.tuple(shapeArb(1, 3), sizeArb).chain(([s, size]) => fc.tuple(batchedArb(s, size), axisOf(s.length), fc.boolean(), fc.nat(s.length - 1), fc.constant(size), dtypeArb)),
        ([x, axis, isMax, o, size, dtype]) => {
          stacks((t) => (isMax ? P.argmax(t, axis) : P.argmin(t, axis)), [{ ...x, value: P.cast(x.value, dtype) }], size, o)
        },
      ),
      RUNS,
    )
  })

  it('sum, max and min over any subset of (possibly negative) axes, with and without keepDims, in every dtype', () => {
    const arb = fc.tuple(shapeArb(1, 3), sizeArb).chain(([s, size]) =>
      fc.tuple(
        batchedArb(s, size),
        fc.option(
          fc
            .subarray(
              s.map((_, d) => d),
              { minLength: 1 },
            )
            .chain((ax) => fc.tuple(...ax.map((a) => fc.constantFrom(a, a - s.length)))),
        ),
        fc.boolean(),
        fc.constantFrom(P.sum, P.max, P.min),
        fc.nat(s.length),
        fc.constant(size),
        dtypeArb,
      ),
    )
    fc.assert(
      fc.property(arb, ([x0, axes, keepDims, op, o, size, dtype]) => {
        // int32 sums and extrema run their own kernels; bool sums count, bool max is "any".
        const x = { ...x0, value: P.cast(x0.value, dtype) }
        const f = (t: Tensor) => op(t, axes ?? undefined, keepDims)
        const outRank = f(example(x, 0)).rank
        stacks(f, [x], size, o % (outRank + 1))
      }),
      RUNS,
    )
  })

  it('gradients of max and min (the extremum mask) batch: the first maximum of each example gets the gradient', () => {
    fc.assert(
      fc.property(
        fc.tuple(shapeArb(1, 3), sizeArb).chain(([s, size]) => fc.tuple(batchedArb(s, size), axisOf(s.length), fc.boolean(), fc.nat(s.length), fc.constant(size))),
        ([x, axis, isMax, o, size]) => {
          stacks(
            P.grad((t: Tensor) => P.sum(P.square(isMax ? P.max(t, axis, true) : P.min(t, axis)))),
            [x],
            size,
            o,
          )
        },
      ),
      RUNS,
    )
  })
})

// --- shape and movement

describe('vmap of shape and movement ops', () => {
  it('reshape with −1 (flatten, a leading size, a trailing 1)', () => {
    fc.assert(
      fc.property(
        fc.tuple(shapeArb(1, 3), sizeArb).chain(([s, size]) =>
          fc.tuple(
            batchedArb(s, size),
            fc.constantFrom<(s: number[]) => number[]>(
              (_) => [-1],
              (t) => [t[0], -1],
              (_) => [-1, 1],
            ),
            fc.constant(s),
            fc.constant(size),
            fc.nat(2),
          ),
        ),
        ([x, target, s, size, o]) => {
          const f = (t: Tensor) => P.reshape(t, target(s))
          stacks(f, [x], size, o % (f(example(x, 0)).rank + 1))
        },
      ),
      RUNS,
    )
  })

  it('oneHot of int32 indices batched along any axis', () => {
    const arb = fc.tuple(shapeArb(0, 2), sizeArb, fc.integer({ min: 1, max: 4 })).chain(([s, size, depth]) =>
      fc.tuple(
        batchedArb(s, size).map((a) => ({ ...a, value: P.cast(P.mod(P.abs(a.value), depth), 'int32') })),
        fc.constant(depth),
        fc.constant(size),
        fc.nat(s.length + 1),
      ),
    )
    fc.assert(
      fc.property(arb, ([ix, depth, size, o]) => {
        stacks((t) => P.oneHot(t, depth), [ix], size, o)
      }),
      RUNS,
    )
  })

  it('concat of batched and unbatched operands along a (possibly negative) axis', () => {
    // Three operands sharing every axis but the joined one; each batched or not (at least one is).
    const arb = fc.tuple(shapeArb(1, 3), sizeArb, fc.array(fc.boolean(), { minLength: 3, maxLength: 3 })).chain(([s, size, batched]) =>
      axisOf(s.length).chain((axis) => {
        const a = axis < 0 ? axis + s.length : axis
        const operand = (i: number) => {
          const shape = s.map((n, d) => (d === a ? i + 1 : n))
          return batched[i] || (i === 0 && !batched.includes(true)) ? batchedArb(shape, size) : unbatchedArb(shape)
        }
        return fc.tuple(fc.tuple(operand(0), operand(1), operand(2)), fc.constant(axis), fc.constant(size), fc.nat(s.length))
      }),
    )
    fc.assert(
      fc.property(arb, ([args, axis, size, o]) => {
        stacks((...ts) => P.concat(ts, axis), args, size, o)
      }),
      RUNS,
    )
  })

  it('the backward of slice (padSlice) and of pad batch: vmap(grad(f)) for slices, pads, flips, cumsums, transposes', () => {
    const arb = fc
      .tuple(fc.array(fc.integer({ min: 2, max: 3 }), { minLength: 2, maxLength: 3 }), sizeArb)
      .chain(([s, size]) => fc.tuple(batchedArb(s, size), unbatchedArb(s.map((n) => n - 1)), axisOf(s.length), fc.nat(s.length), fc.constant(size)))
    fc.assert(
      fc.property(arb, ([x, w, axis, o, size]) => {
        const r = x.value.rank - 1
        const f = (t: Tensor) => {
          const cut = P.slice(
            t,
            t.shape.map(() => 1),
            t.shape.map(() => -1),
          )
          const moved = P.flip(
            P.cumsum(
              P.pad(
                cut,
                cut.shape.map((_, d) => (d === 0 ? [1, 0] : [0, 0]) as [number, number]),
              ),
              axis,
            ),
            axis,
          )
          const back = P.slice(
            moved,
            moved.shape.map((_, d) => (d === 0 ? 1 : 0)),
          )
          return P.sum(P.square(P.mul(P.transpose(back, [...Array.from({ length: r }, (_, i) => r - 1 - i)]), P.transpose(w.value))))
        }
        stacks(P.grad(f), [x], size, o)
      }),
      RUNS,
    )
  })

  it('pad, slice, cumsum, flip and transpose in every dtype, along (possibly negative) axes', () => {
    const arb = fc.tuple(fc.array(fc.integer({ min: 2, max: 3 }), { minLength: 1, maxLength: 3 }), sizeArb).chain(([s, size]) =>
      fc.tuple(
        batchedArb(s, size),
        axisOf(s.length),
        fc.array(fc.tuple(fc.nat(2), fc.nat(2)), { minLength: s.length, maxLength: s.length }),
        fc.shuffledSubarray(
          s.map((_, d) => d),
          { minLength: s.length, maxLength: s.length },
        ),
        fc.nat(s.length),
        fc.constant(size),
        dtypeArb,
      ),
    )
    fc.assert(
      fc.property(arb, ([x0, axis, widths, perm, o, size, dtype]) => {
        const x = { ...x0, value: P.cast(x0.value, dtype) }
        const f = (t: Tensor) => {
          const cut = P.slice(
            t,
            t.shape.map((n) => n - 2),
            t.shape.map(() => 2),
          )
          return P.transpose(P.flip(P.cumsum(P.pad(cut, widths as [number, number][], 7), axis), axis), perm)
        }
        stacks(f, [x], size, o)
      }),
      RUNS,
    )
  })

  it('broadcastTo gaining leading axes and widening size-1 ones', () => {
    const arb = fc
      .tuple(shapeArb(0, 2), sizeArb, shapeArb(0, 2), fc.integer({ min: 2, max: 3 }))
      .chain(([s, size, lead, widen]) =>
        fc.tuple(batchedArb(s, size), fc.constant([...lead, ...s.map((n) => (n === 1 ? widen : n))]), fc.constant(size), fc.nat(lead.length + s.length)),
      )
    fc.assert(
      fc.property(arb, ([x, target, size, o]) => {
        stacks((t) => P.broadcastTo(t, target), [x], size, o)
      }),
      RUNS,
    )
  })
})

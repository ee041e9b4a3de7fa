/**
 * The batching rules of the reductions, shape and movement ops and matmul, on what the registry
 * rows do not reach: argmax/argmin, oneHot of int32 indices, reshape with −1, concat of batched
 * and unbatched operands, matmul with transpose flags and with an unbatched operand of higher
 * rank, keepDims, negative axes. Each property states `vmap(f)(xs)` equals stacking `f` over the
 * slices of xs (the slices are taken with slice/squeeze, outside any vmap), for a batch axis and
 * an output axis drawn anywhere and batch sizes 1 to 3.
 *
 * Values are small integers in float64: every sum and product is exact, so batched and
 * per-example results must agree bit for bit (no tolerance), and integer data has ties, which
 * checks that argmax/max keep the FIRST extremum under batching.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { mm } from '../../src/ops/linalg.js'

const RUNS = { numRuns: 25 }

// --- batched values and the stacking property

/** A batched argument: the value, and its batch axis (null: the same for every example). */
interface Arg {
  readonly value: Tensor
  readonly axis: number | null
}

/** Example `k` of a batched argument (the unbatched one is its own example). */
function example(a: Arg, k: number): Tensor {
  if (a.axis === null) return a.value
  const begin = a.value.shape.map((_, d) => (d === a.axis ? k : 0))
  const size = a.value.shape.map((n, d) => (d === a.axis ? 1 : n))
  return P.squeeze(P.slice(a.value, begin, size), a.axis)
}

/** vmap(f) on the batched arguments against the stack (along `outAxis`) of f over the examples. */
function stacks(f: (...xs: Tensor[]) => Tensor, args: readonly Arg[], size: number, outAxis: number): void {
  const want = P.stack(
    Array.from({ length: size }, (_, k) => f(...args.map((a) => example(a, k)))),
    outAxis,
  )
  const got = P.vmap(f, { inAxes: args.map((a) => a.axis), outAxes: outAxis })(...args.map((a) => a.value))
  expect(got.shape).toEqual(want.shape)
  expect(got.dtype).toBe(want.dtype)
  expect(P.toFlatArray(got)).toEqual(P.toFlatArray(want))
}

const shapeArb = (minRank: number, maxRank: number) => fc.array(fc.integer({ min: 1, max: 3 }), { minLength: minRank, maxLength: maxRank })

/** A float64 tensor of small integers (ties likely). */
const valuesOf = (shape: readonly number[]) =>
  fc
    .array(fc.integer({ min: -4, max: 4 }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) })
    .map((v) => P.fromArray(v, shape, 'float64'))

/** An argument whose examples have shape `shape`, batched (size examples) along a random axis. */
const batchedArb = (shape: readonly number[], size: number): fc.Arbitrary<Arg> =>
  fc.integer({ min: 0, max: shape.length }).chain((axis) => {
    const full = shape.slice()
    full.splice(axis, 0, size)
    return valuesOf(full).map((value) => ({ value, axis }))
  })

const unbatchedArb = (shape: readonly number[]): fc.Arbitrary<Arg> => valuesOf(shape).map((value) => ({ value, axis: null }))

const sizeArb = fc.integer({ min: 1, max: 3 })

const dtypeArb = fc.constantFrom<P.DType>('float64', 'float32', 'int32', 'bool')

/** An axis of a rank-r example, negative half the time. */
const axisOf = (r: number) => fc.integer({ min: 0, max: r - 1 }).chain((a) => fc.constantFrom(a, a - r))

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

// --- matmul

/** Example shapes of op(a)·op(b) with m, k, n and leading batch axes (a's and b's broadcast together). */
const productArb = fc.record({
  m: fc.integer({ min: 1, max: 3 }),
  k: fc.integer({ min: 1, max: 3 }),
  n: fc.integer({ min: 1, max: 3 }),
  lead: shapeArb(0, 2),
  cutA: fc.nat(2),
  cutB: fc.nat(2),
  onesA: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  onesB: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  ta: fc.boolean(),
  tb: fc.boolean(),
  batchA: fc.boolean(),
  batchB: fc.boolean(),
  size: sizeArb,
})

describe('vmap of matmul', () => {
  it('with transpose flags, either operand batched or both, and leading axes of different ranks broadcasting', () => {
    const arb = productArb.chain(({ m, k, n, lead, cutA, cutB, onesA, onesB, ta, tb, batchA, batchB, size }) => {
      // Each operand's leading axes are a suffix of one shape, some widened to 1: they broadcast.
      const suffix = (cut: number, ones: readonly boolean[]) => lead.slice(Math.min(cut, lead.length)).map((d, i) => (ones[i] ? 1 : d))
      const la = suffix(cutA, onesA)
      const lb = suffix(cutB, onesB)
      const sa = [...la, ...(ta ? [k, m] : [m, k])]
      const sb = [...lb, ...(tb ? [n, k] : [k, n])]
      return fc.tuple(
        batchA || !batchB ? batchedArb(sa, size) : unbatchedArb(sa),
        batchB ? batchedArb(sb, size) : unbatchedArb(sb),
        fc.constant({ ta, tb, size }),
        fc.nat(lead.length + 2),
      )
    })
    fc.assert(
      fc.property(arb, ([a, b, { ta, tb, size }, o]) => {
        const outRank = mm(example(a, 0), example(b, 0), ta, tb).rank
        stacks((x, y) => mm(x, y, ta, tb), [a, b], size, o % (outRank + 1))
      }),
      RUNS,
    )
  })

  it('an unbatched operand of higher rank lines up from the right (public matmul, vectors included)', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), shapeArb(1, 2), sizeArb, fc.boolean(), fc.boolean())
      .chain(([m, k, n, lead, size, batchedLeft, vector]) => {
        // The batched operand is a matrix (or a vector); the unbatched one has extra leading axes.
        const small = vector ? [k] : batchedLeft ? [m, k] : [k, n]
        const big = batchedLeft ? [...lead, k, n] : [...lead, m, k]
        const args = batchedLeft ? fc.tuple(batchedArb(small, size), unbatchedArb(big)) : fc.tuple(unbatchedArb(big), batchedArb(small, size))
        return fc.tuple(args, fc.constant(size), fc.nat(lead.length + 2))
      })
    fc.assert(
      fc.property(arb, ([[a, b], size, o]) => {
        const outRank = P.matmul(example(a, 0), example(b, 0)).rank
        stacks(P.matmul, [a, b], size, o % (outRank + 1))
      }),
      RUNS,
    )
  })

  it('per-example gradients of a dense layer (matmul folded over the batch) equal the gradients of each example', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), sizeArb)
      .chain(([inN, outN, rows, size]) => fc.tuple(unbatchedArb([inN, outN]), batchedArb([rows, inN], size), fc.constant(size), fc.nat(2)))
    fc.assert(
      fc.property(arb, ([w, x, size, o]) => {
        const perExample = (wt: Tensor, xt: Tensor) => P.grad((v: Tensor) => P.sum(P.square(P.matmul(xt, v))))(wt)
        stacks(perExample, [w, x], size, o)
      }),
      RUNS,
    )
  })

  it('nested vmap of matmul: two batch axes, each anywhere', () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), sizeArb, sizeArb, fc.nat(2), fc.nat(2)).chain(([m, k, s1, s2, i1, i2]) => {
      const shape = [m, k]
      shape.splice(i1, 0, s2)
      return fc.tuple(batchedArb(shape, s1), unbatchedArb([k, 2]), fc.constant({ s1, s2, i1, i2 }))
    })
    fc.assert(
      fc.property(arb, ([a, b, { s1, i1, i2 }]) => {
        const inner = P.vmap((x: Tensor) => P.matmul(x, b.value), { inAxes: i1, outAxes: i2 })
        stacks(inner, [a], s1, 0)
      }),
      RUNS,
    )
  })
})

describe('vmap over an empty batch', () => {
  it("gives a result with a batch axis of size 0 and each example's shape (no rule divides by the batch size)", () => {
    // Example shapes come from calling f on one example of zeros; the batch of 0 examples is [0, ...].
    const x = P.zeros([0, 2, 3], 'float64')
    const w = P.zeros([3, 4], 'float64')
    const cases: [string, (t: Tensor) => Tensor][] = [
      ['matmul (a batched)', (t) => P.matmul(t, w)],
      ['matmul (b batched)', (t) => P.matmul(P.zeros([5, 2], 'float64'), t)],
      ['sum', (t) => P.sum(t, -1)],
      ['argmax', (t) => P.argmax(t, 0)],
      ['reshape', (t) => P.reshape(t, [-1])],
      ['concat', (t) => P.concat([t, P.zeros([2, 1], 'float64')], 1)],
      ['transpose', (t) => P.transpose(t)],
    ]
    for (const [name, f] of cases) {
      const one = f(P.zeros([2, 3], 'float64'))
      expect(P.vmap(f)(x).shape, name).toEqual([0, ...one.shape])
    }
  })
})

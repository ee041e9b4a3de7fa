/**
 * Shared by the vmap tests of the indexing ops: arbitraries of small-integer data and int32
 * indices, and the stacking law — vmap(f) over per-argument examples equals stacking f over
 * them, exactly (gathers copy values; sums of small integers are exact in any order).
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'

// --- arbitraries

export const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1)

/** A float64 tensor of small integers (sums of them are exact in any order). */
export const intValued = (shape: readonly number[]) =>
  fc.array(fc.integer({ min: -9, max: 9 }), { minLength: size(shape), maxLength: size(shape) }).map((v) => P.fromArray(v, shape, 'float64'))

/** An int32 index tensor of `shape` with entries in [−n, n). */
export const indicesOf = (shape: readonly number[], n: number) =>
  fc.array(fc.integer({ min: -n, max: n - 1 }), { minLength: size(shape), maxLength: size(shape) }).map((v) => P.fromArray(v, shape, 'int32'))

/** Shapes of rank minRank..maxRank, axes of length 1..3. */
export const shapeOf = (minRank: number, maxRank: number) => fc.array(fc.integer({ min: 1, max: 3 }), { minLength: minRank, maxLength: maxRank })

/** `count` examples from `arb`. */
export const examples = <T>(arb: fc.Arbitrary<T>, count: number) => fc.array(arb, { minLength: count, maxLength: count })

/** A batch axis for a value of rank `rank`: an insertion point in [0, rank], or null (`shared` allowed). */
export const batchAxis = (rank: number, shared: boolean) => (shared ? fc.option(fc.integer({ min: 0, max: rank }), { freq: 3 }) : fc.integer({ min: 0, max: rank }))

// --- the law

/** The examples of one argument as vmap gets it: stacked along `axis`, or the first one when shared. */
const batchOf = (xs: readonly Tensor[], axis: number | null): Tensor => (axis === null ? xs[0] : P.stack(xs, axis))

function same(got: Tensor, want: Tensor): void {
  expect(got.shape).toEqual(want.shape)
  expect(got.dtype).toBe(want.dtype)
  expect(P.toFlatArray(got)).toEqual(P.toFlatArray(want))
}

/** vmap(f) over per-argument examples (shared arguments use example 0) against the stack of f. */
export function checkStacking(f: (...a: Tensor[]) => Tensor, args: readonly (readonly Tensor[])[], axes: readonly (number | null)[], outAxis: number): void {
  const count = Math.max(...args.map((xs) => xs.length))
  const per = Array.from({ length: count }, (_, b) => f(...args.map((xs, i) => (axes[i] === null ? xs[0] : xs[b]))))
  const got = P.vmap(f, { inAxes: axes.slice(), outAxes: outAxis })(...args.map((xs, i) => batchOf(xs, axes[i])))
  same(got, P.stack(per, outAxis))
}

/** A drawn natural number as an output batch axis for f's result: an insertion point in [0, rank]. */
export const outAxisFor = (f: () => Tensor) => (o: number) => o % (f().rank + 1)

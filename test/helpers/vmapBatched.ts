/**
 * The stacking property of vmap for the tests of the structural batching rules: `vmap(f)(xs)` equals the stack of
 * `f` over the slices of xs (taken with slice/squeeze, outside any vmap), compared bit for bit,
 * and arbitraries of batched arguments: small-integer float64 tensors (exact sums and products,
 * frequent ties) with a batch axis anywhere.
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'

export const RUNS = { numRuns: 25 }

// --- batched values and the stacking property

/** A batched argument: the value, and its batch axis (null: the same for every example). */
export interface Arg {
  readonly value: Tensor
  readonly axis: number | null
}

/** Example `k` of a batched argument (the unbatched one is its own example). */
export function example(a: Arg, k: number): Tensor {
  if (a.axis === null) return a.value
  const begin = a.value.shape.map((_, d) => (d === a.axis ? k : 0))
  const size = a.value.shape.map((n, d) => (d === a.axis ? 1 : n))
  return P.squeeze(P.slice(a.value, begin, size), a.axis)
}

/** vmap(f) on the batched arguments against the stack (along `outAxis`) of f over the examples. */
export function stacks(f: (...xs: Tensor[]) => Tensor, args: readonly Arg[], size: number, outAxis: number): void {
  const want = P.stack(
    Array.from({ length: size }, (_, k) => f(...args.map((a) => example(a, k)))),
    outAxis,
  )
  const got = P.vmap(f, { inAxes: args.map((a) => a.axis), outAxes: outAxis })(...args.map((a) => a.value))
  expect(got.shape).toEqual(want.shape)
  expect(got.dtype).toBe(want.dtype)
  expect(P.toFlatArray(got)).toEqual(P.toFlatArray(want))
}

export const shapeArb = (minRank: number, maxRank: number) => fc.array(fc.integer({ min: 1, max: 3 }), { minLength: minRank, maxLength: maxRank })

/** A float64 tensor of small integers (ties likely). */
export const valuesOf = (shape: readonly number[]) =>
  fc
    .array(fc.integer({ min: -4, max: 4 }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) })
    .map((v) => P.fromArray(v, shape, 'float64'))

/** An argument whose examples have shape `shape`, batched (size examples) along a random axis. */
export const batchedArb = (shape: readonly number[], size: number): fc.Arbitrary<Arg> =>
  fc.integer({ min: 0, max: shape.length }).chain((axis) => {
    const full = shape.slice()
    full.splice(axis, 0, size)
    return valuesOf(full).map((value) => ({ value, axis }))
  })

export const unbatchedArb = (shape: readonly number[]): fc.Arbitrary<Arg> => valuesOf(shape).map((value) => ({ value, axis: null }))

export const sizeArb = fc.integer({ min: 1, max: 3 })

export const dtypeArb = fc.constantFrom<P.DType>('float64', 'float32', 'int32', 'bool')

/** An axis of a rank-r example, negative half the time. */
export const axisOf = (r: number) => fc.integer({ min: 0, max: r - 1 }).chain((a) => fc.constantFrom(a, a - r))

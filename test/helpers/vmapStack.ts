/**
 * The stacking property of vmap for tests: vmap(f)(stacked) equals stacking f over the examples,
 * with each argument batched along a random axis or not at all (at least one is) and the
 * result's batch axis first or last. Examples are drawn independently (not scaled copies).
 *
 * The comparison allows a relative 1e-12: a batched matrix product may sum in another order than
 * the per-example ones (the kernels block by size), and only there do bits differ.
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { tensorOf } from '../specs/ops.js'

/** Same structure, shapes and dtypes; values within a relative 1e-12. */
export function close(got: unknown, want: unknown): void {
  const g = P.tree.leaves(got)
  const w = P.tree.leaves(want)
  expect(g.length).toBe(w.length)
  g.forEach((t, i) => {
    expect(t.shape).toEqual(w[i].shape)
    expect(t.dtype).toBe(w[i].dtype)
    const a = P.toFlatArray(t)
    const b = P.toFlatArray(w[i])
    a.forEach((v, j) => {
      const e = b[j]
      if (Object.is(v, e) || v === e || (Number.isNaN(v) && Number.isNaN(e))) return
      expect(Math.abs(v - e)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e)))
    })
  })
}

/** An argument: its examples stacked along `axis`, or one value shared by every example. */
export type BatchArg = { readonly examples: readonly Tensor[]; readonly axis: number } | { readonly value: Tensor }

/** vmap(f) on the stacked arguments against the stack of f over the examples (results may be pytrees). */
// biome-ignore lint/suspicious/noExplicitAny: f takes tensors and returns any pytree of them
export function checkStack(f: (...a: Tensor[]) => any, args: readonly BatchArg[], size: number, outAxis: 0 | -1): void {
  const example = (i: number) => args.map((a) => ('value' in a ? a.value : a.examples[i]))
  const outs = Array.from({ length: size }, (_, i) => f(...example(i)))
  const want = P.tree.map((...ls: Tensor[]) => P.stack(ls, outAxis < 0 ? ls[0].rank : 0), outs[0], ...outs.slice(1))
  const inputs = args.map((a) => ('value' in a ? a.value : P.stack(a.examples, a.axis)))
  const got = P.vmap(f, { inAxes: args.map((a) => ('value' in a ? null : a.axis)), outAxes: outAxis })(...inputs)
  close(got, want)
}

/** One argument of `size` examples from `arb`, batched along a random axis, or (when `batched` is false) one value. */
export const argOf = (arb: fc.Arbitrary<Tensor>, rank: number, size: number, batched: boolean): fc.Arbitrary<BatchArg> =>
  batched
    ? fc.tuple(fc.array(arb, { minLength: size, maxLength: size }), fc.integer({ min: 0, max: rank })).map(([examples, axis]) => ({ examples, axis }))
    : arb.map((value) => ({ value }))

export interface Spec {
  readonly arb: fc.Arbitrary<Tensor>
  readonly rank: number
}
export const float = (shape: readonly number[], domain: Parameters<typeof tensorOf>[1] = 'any'): Spec => ({ arb: tensorOf(shape, domain), rank: shape.length })
export const labels = (shape: readonly number[], classes: number): Spec => ({
  arb: fc
    .array(fc.integer({ min: 0, max: classes - 1 }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) })
    .map((v) => P.fromArray(v, shape, 'int32')),
  rank: shape.length,
})
export const mask = (shape: readonly number[]): Spec => ({
  arb: fc.array(fc.constantFrom(0, 1), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }).map((v) => P.fromArray(v, shape, 'float64')),
  rank: shape.length,
})

/**
 * Arguments of the specs for a batch of 1–3, each batched or not (at least one; `which` fixes
 * which ones), and the result's batch axis.
 */
export const batchOf = (specs: readonly Spec[], which?: readonly boolean[]) =>
  fc
    .tuple(
      fc.integer({ min: 1, max: 3 }),
      which === undefined ? fc.array(fc.boolean(), { minLength: specs.length, maxLength: specs.length }) : fc.constant(which),
      fc.constantFrom<0 | -1>(0, -1),
    )
    .chain(([size, drawn, out]) => {
      const batched = drawn.some((b) => b) ? drawn : drawn.map((_, i) => i === 0)
      return fc.tuple(fc.constant(size), fc.tuple(...specs.map((s, i) => argOf(s.arb, s.rank, size, batched[i]))), fc.constant(out))
    })

/** The stacking property of `f` on arguments drawn by `batchOf`. */
// biome-ignore lint/suspicious/noExplicitAny: as checkStack
export const property = (specs: readonly Spec[], f: (...a: Tensor[]) => any, numRuns = 12, which?: readonly boolean[]) =>
  fc.assert(
    fc.property(batchOf(specs, which), ([size, args, out]) => checkStack(f, args, size, out)),
    { numRuns },
  )

/** Every choice of which of `n` arguments are batched (at least one). */
export const batchedSubsets = (n: number): boolean[][] => Array.from({ length: 2 ** n - 1 }, (_, m) => Array.from({ length: n }, (_, i) => ((m + 1) & (1 << i)) !== 0))

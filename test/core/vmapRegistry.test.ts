/**
 * Every op of the registry batches: `vmap(f)(xs)` equals stacking `f` over the slices of xs. For
 * each row, its generated arguments give the first example; the others are the same tensors
 * scaled by 1.25 and 1.5 (exact in float64, and every row's domain survives a factor ≥ 1 — only
 * values are compared here, so kinks do not matter). Each argument is batched along a random
 * axis or not at all (at least one is), and the result's batch axis is drawn too.
 *
 * The comparison allows a relative 1e-12: a batched matrix product may sum in another order
 * than the per-example ones (the kernels block by size), and only there do bits differ.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { opRows } from '../specs/ops.js'

const FACTORS = [1, 1.25, 1.5]

function close(got: Tensor, want: Tensor): void {
  expect(got.shape).toEqual(want.shape)
  expect(got.dtype).toBe(want.dtype)
  const g = P.toFlatArray(got)
  const w = P.toFlatArray(want)
  g.forEach((v, i) => {
    const e = w[i]
    if (Object.is(v, e) || v === e || (Number.isNaN(v) && Number.isNaN(e))) return
    expect(Math.abs(v - e)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e)))
  })
}

/** A batched call of `f` against the stack of its per-example calls. */
function checkVmap(f: (...a: Tensor[]) => Tensor, args: readonly Tensor[], size: number, axes: readonly (number | null)[], outAxis: number): void {
  const examples = FACTORS.slice(0, size).map((k) => args.map((a, i) => (axes[i] === null ? a : P.mul(a, k))))
  const batchedArgs = args.map((a, i) => {
    const ax = axes[i]
    return ax === null
      ? a
      : P.stack(
          examples.map((ex) => ex[i]),
          ax,
        )
  })
  const outs = examples.map((ex) => f(...ex))
  const want = P.stack(outs, outAxis)
  const got = P.vmap(f, { inAxes: axes.slice(), outAxes: outAxis })(...batchedArgs)
  close(got, want)
}

/** Batch axes per argument (null or an insertion point in [0, rank]); at least one batched. */
const axesArb = (args: readonly Tensor[]) =>
  fc.tuple(...args.map((a) => fc.option(fc.integer({ min: 0, max: a.rank }), { freq: 3 }))).map((axes) => (axes.every((x) => x === null) ? [0, ...axes.slice(1)] : axes))

describe('vmap(f)(xs) equals stacking f over slices, for every op of the registry', () => {
  for (const row of opRows) {
    it(row.name, () => {
      fc.assert(
        fc.property(
          row.args.chain((args) => fc.tuple(fc.constant(args), axesArb(args), fc.integer({ min: 1, max: 3 }), fc.nat(8))),
          ([args, axes, size, o]) => {
            const outRank = row.f(...args).rank
            checkVmap(row.f, args, size, axes, o % (outRank + 1))
          },
        ),
        { numRuns: 8 },
      )
    })
  }
})

/**
 * Every op of the registry passes the vmap laws (purediff/laws `vmapLaws`): `vmap(f)(xs)` equals
 * stacking `f` over the slices of xs, for a random batch axis per argument (or none), a random
 * result axis and batch sizes 1–3; and `vmap(grad(Σ f))` equals the stacked per-example
 * gradients. The examples are the row's arguments scaled by 1, 1.25 and 1.5, which keeps every
 * row's domain (only values are compared, so kinks do not matter).
 *
 * The comparison allows a relative 1e-12: a batched matrix product may sum in another order
 * than the per-example ones (the kernels block by size), and only there do bits differ.
 */
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { vmapLaws } from '../../laws/index.js'
import { opRows } from '../specs/ops.js'

describe('every op of the registry passes vmapLaws', () => {
  for (const row of opRows) {
    const laws = vmapLaws(row)
    for (const [law, property] of Object.entries(laws)) {
      it(`${row.name}: ${law}`, () => {
        fc.assert(property, { numRuns: law === 'vmap equals stacking' ? 8 : 4 })
      })
    }
  }
})

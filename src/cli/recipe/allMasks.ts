/**
 * (h) The all-masks check: for a small layer linear in the dropped units, the average over all
 * 2ⁿ dropout masks, weighted by p^(dropped)·(1 − p)^(kept), equals the test-time output, in
 * both modes (computed with `dropoutWithMask`).
 *
 * @internal
 */
import { add, matmul, mul, random, tensor, toFlatArray } from '../../index.js'
import { type DropoutMode, dropout, dropoutWithMask } from '../../nn/index.js'
import type { Context, Result } from './common.js'
import { allMasksDiffers } from './lecture.js'

/** Runs (h). */
export function allMasks(ctx: Context): Result {
  const n = 8
  const rate = 0.3
  const [kx, kw] = random.split(random.key(ctx.seed + 8), 2)
  const x = random.normal(kx, [1, n], { dtype: 'float64' })
  const w = random.normal(kw, [n, 3], { dtype: 'float64' })
  const rows = (['inverted', 'scaleAtTest'] as DropoutMode[]).map((mode) => {
    let avg = tensor([[0, 0, 0]], 'float64')
    for (let m = 0; m < 2 ** n; m++) {
      const bits = Array.from({ length: n }, (_, i) => (m >> i) & 1)
      const kept = bits.reduce((a, b) => a + b, 0)
      const prob = (1 - rate) ** kept * rate ** (n - kept)
      avg = add(avg, mul(matmul(dropoutWithMask(x, tensor([bits], 'float64'), rate, mode), w), prob))
    }
    const layer = dropout(rate, { mode })
    const test = matmul(layer.apply(layer.init(random.key(0), [n]).params, x), w)
    const a = toFlatArray(avg)
    const b = toFlatArray(test)
    return { mode, masks: 2 ** n, maxAbsDiff: Math.max(...a.map((v, i) => Math.abs(v - b[i]))) }
  })
  const numbers = Object.fromEntries(rows.map((r) => [r.mode, r]))
  return {
    id: 'h',
    title: 'dropout: the average over all masks equals the test-time rule',
    config: `x ~ N(0,1) of ${n} units, y = dropout(x)·W with W ~ N(0,1) [${n}×3], rate ${rate}, float64, all 2^${n} = ${2 ** n} masks weighted by p^dropped·(1−p)^kept`,
    header: ['mode', 'masks', 'max |average − test output|'],
    rows: rows.map((r) => [r.mode, r.masks, r.maxAbsDiff.toExponential(2)]),
    numbers,
    plots: [],
    lecture: 'average of all 2^M thinned networks = weights × (1 − p), exactly for networks linear in the dropped units',
    differs: allMasksDiffers(numbers),
  }
}

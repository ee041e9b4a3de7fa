/**
 * The spread of per-example gradient norms at the end of `purediff train`, for `diagnose`: one
 * `vmap(grad(loss))` over the first rows of the training split — at most `SPREAD_ROWS`, and at
 * most `SPREAD_ENTRIES` gradient entries in all (per-example gradients hold one copy of the
 * params per example); none for a model too big for `MIN_SPREAD_ROWS` rows.
 *
 * @internal
 */
import { type Tensor, expandDims, grad, vmap } from '../index.js'
import type { Layer } from '../nn/index.js'
import { type NormSpread, gradientNormSpread } from '../train/index.js'
import { leaves } from '../tree/index.js'
import { type Dataset, crossEntropy, rows } from './dataset.js'

/** Rows of the batch: a few dozen show a tail, for the cost of about one training batch. */
export const SPREAD_ROWS = 32
/** Below this many rows a median says little: no spread. */
export const MIN_SPREAD_ROWS = 8
/** 2²³ float32 entries, 32 MB: the MNIST MLP (784-256-128-10, 235k params) gets all 32 rows. */
export const SPREAD_ENTRIES = 2 ** 23

/**
 * The spread on the first rows of `data`, with the index of each of those rows in the data it
 * was taken from (`Dataset.rows`, for naming an example to inspect); undefined when `params` are
 * too many for `MIN_SPREAD_ROWS` rows within `SPREAD_ENTRIES`.
 */
export function spreadOn(model: Layer<unknown[]>, params: unknown, data: Dataset): { spread: NormSpread[]; rows: number[] } | undefined {
  const size = leaves(params).reduce((n, l) => n + l.size, 0)
  const b = Math.min(SPREAD_ROWS, data.n, Math.floor(SPREAD_ENTRIES / Math.max(1, size)))
  if (b < MIN_SPREAD_ROWS) return undefined
  const idx = Array.from({ length: b }, (_, i) => i)
  const batch = rows(data, idx)
  // the loss of ONE example (a row, a label), batched by vmap
  const loss = (p: unknown, x: Tensor, y: Tensor) => crossEntropy(model.apply(p as unknown[], expandDims(x, 0)), expandDims(y, 0))
  const perExample = vmap(grad(loss), { inAxes: [null, 0, 0] })(params, batch.x, batch.y)
  return { spread: gradientNormSpread(perExample as unknown[]), rows: idx.map((i) => data.rows?.[i] ?? i) }
}

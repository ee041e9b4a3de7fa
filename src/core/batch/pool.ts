/**
 * Batching rules of the pooling primitives (src/ops/pool.ts): the vmap axis is folded into the
 * batch axis, `[V, B, ...spatial, C]` → `[V·B, ...spatial, C]`, the primitive runs once, and
 * the result is unfolded. Pooling treats every batch row alike, so one call over V·B rows is
 * exactly V calls over B rows. A vmap axis already in front costs nothing (the fold is a
 * reshape); elsewhere it is moved there first.
 *
 * @internal
 */
import type { Tensor } from '../../tensor/model.js'
import { bind } from '../../engine/trace.js'
import { reshape } from '../../ops/shape.js'
import { type BatchRule, batchFirst } from './common.js'

/** `[V, B, …]` → `[V·B, …]`. */
const fold = (x: Tensor): Tensor => reshape(x, [x.shape[0] * x.shape[1], ...x.shape.slice(2)])

/**
 * Every input with its vmap axis first (an unbatched one broadcast to the vmap size, which only
 * the two-input gather and scatter can meet) and folded into its batch axis; the result unfolded
 * with the vmap axis at 0.
 */
const foldIntoBatch: BatchRule = (prim, vals, dims, params, size) => {
  const firsts = vals.map((v, i) => batchFirst(v, dims[i], size))
  const y = bind(prim, firsts.map(fold), params)
  return [reshape(y, [size, firsts[0].shape[1], ...y.shape.slice(1)]), 0]
}

/** Rules of the pooling primitives. */
export const poolRules: Readonly<Record<string, BatchRule>> = Object.freeze({
  maxPool: foldIntoBatch,
  maxPoolGather: foldIntoBatch,
  maxPoolScatter: foldIntoBatch,
  avgPool: foldIntoBatch,
  avgPoolTranspose: foldIntoBatch,
})

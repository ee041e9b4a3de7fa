/**
 * The batching rule of `conv`, with no loop over examples (as JAX batches conv_general_dilated):
 * a batched x folds the vmap axis into its batch axis; a batched kernel folds it into the output
 * channels of each group; both batched fold it into the feature groups (each example's channels
 * become groups of their own, meeting only their own kernel).
 *
 * @internal
 */
import type { Tensor } from '../../tensor/model.js'
import { bind } from '../../engine/trace.js'
import { reshape, transpose } from '../../ops/shape.js'
import { add } from '../../ops/arithmetic.js'
import { relu } from '../../ops/unary.js'
import { convP } from '../../ops/conv.js'
import type { ConvBiasParams } from '../../ops/convFused.js'
import type { ConvParams } from '../../ops/convOptions.js'
import { type BatchRule, moveAxis } from './common.js'

const rule: BatchRule = (prim, [x, w], [dx, dw], p: ConvParams, size) => {
  const r = exampleSpatial(x, dx)
  const G = p.groups
  if (dw === null) {
    // x [V, B, ...] → [V·B, ...]: the examples are more batch rows.
    const xv = moveAxis(x as Tensor, dx as number, 0)
    const y = bind(prim, [reshape(xv, [-1, ...xv.shape.slice(2)]), w], p)
    return [reshape(y, [size, -1, ...y.shape.slice(1)]), 0]
  }
  const wv = moveAxis(w, dw, r) // [..k, V, cg, outC]
  const win = wv.shape.slice(0, r)
  const cg = wv.shape[r + 1],
    outC = wv.shape[r + 2],
    og = outC / G
  if (dx === null) {
    // Output channel q·(V·og) + v·og + j of one conv is channel q·og + j of example v:
    // [..k, V, cg, G, og] → [..k, cg, G, V, og].
    const sp = Array.from({ length: r }, (_, a) => a)
    const wk = transpose(reshape(wv, [...win, size, cg, G, og]), [...sp, r + 1, r + 2, r, r + 3])
    const y = bind(prim, [x, reshape(wk, [...win, cg, G * size * og])], p)
    const lead = y.shape.slice(0, r + 1)
    return [reshape(moveAxis(reshape(y, [...lead, G, size, og]), r + 2, 0), [size, ...lead, outC]), 0]
  }
  // Both batched: example v's channels become groups v·G … v·G + G − 1 of one conv with V·G groups.
  const xv = moveAxis(x, dx, r + 1) // [B, ..n, V, inC]
  const xs = reshape(xv, [...xv.shape.slice(0, r + 1), -1])
  const wk = reshape(moveAxis(wv, r, r + 1), [...win, cg, size * outC]) // [..k, cg, V, outC]
  const y = bind(prim, [xs, wk], { ...p, groups: size * G })
  const lead = y.shape.slice(0, r + 1)
  return [moveAxis(reshape(y, [...lead, size, outC]), r + 1, 0), 0]
}

/** The number of spatial axes of one example of x (batched along `d`, or not). */
const exampleSpatial = (x: Tensor, d: number | null): number => x.rank - (d === null ? 0 : 1) - 2

/**
 * relu?(conv(x, W) + b), fused: with only x batched (a batch of examples through a conv layer)
 * the examples fold into the batch axis and ONE fused call runs; otherwise conv's rule above,
 * then b (its batch axis in front, broadcast over the examples' axes) and relu as ops — the
 * composition the fused primitive is bitwise equal to, so the rule changes no value.
 */
const biasRule: BatchRule = (prim, [x, w, b], [dx, dw, db], p: ConvBiasParams, size) => {
  if (dx !== null && dw === null && db === null) {
    const xv = moveAxis(x, dx, 0)
    const y = bind(prim, [reshape(xv, [-1, ...xv.shape.slice(2)]), w, b], p)
    return [reshape(y, [size, -1, ...y.shape.slice(1)]), 0]
  }
  let z: Tensor
  let at: number | null
  if (dx === null && dw === null) {
    z = bind(convP, [x, w], p.conv)
    at = null
  } else [z, at] = rule(convP, [x, w], [dx, dw], p.conv, size) as [Tensor, number | null]
  if (db === null) z = add(z, b)
  else {
    // b [V, C] as [V, 1, …, 1, C] against z's [V, batch, …spatial, C] (or its unbatched [batch, …, C])
    const b0 = moveAxis(b, db, 0)
    const ones = new Array<number>(at === null ? z.rank - 1 : z.rank - 2).fill(1)
    z = add(z, reshape(b0, [size, ...ones, b0.shape[1]]))
    at = 0
  }
  return [p.relu ? relu(z) : z, at]
}

/** Batching rules of the convolution primitives. */
export const convRules: Readonly<Record<string, BatchRule>> = Object.freeze({ conv: rule, convBias: biasRule })

/**
 * What every batching rule shares: its type, and the moves of a batch axis. A rule receives the
 * primitive, the batched values one level down with the batch axis of each (null for an input
 * that is the same for every example), the primitive's params and the batch size; it returns the
 * batched result and its batch axis (null when the result is the same for every example).
 * Rules compute with ops, never with a loop over examples.
 *
 * @internal
 */
import type { Tensor } from '../../tensor/model.js'
import type { Primitive } from '../../engine/primitive.js'
import { bind } from '../../engine/trace.js'
import { broadcastTo, expandDims, reshape, transpose } from '../../ops/shape.js'

// --- model

/** A batching rule (see the module comment). */
// biome-ignore lint/suspicious/noExplicitAny: params differ per primitive; each rule knows its own
export type BatchRule = (prim: Primitive<any>, vals: readonly Tensor[], dims: readonly (number | null)[], params: any, size: number) => [Tensor, number | null]

// --- moving the batch axis

/** `x` with its axis `from` moved to position `to` (the others keep their order). */
export function moveAxis(x: Tensor, from: number, to: number): Tensor {
  if (from === to) return x
  const perm = Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== from)
  perm.splice(to, 0, from)
  return transpose(x, perm)
}

/** `x` with its batch axis first: batched values move it, unbatched ones get a broadcast copy of size `size`. */
export function batchFirst(x: Tensor, dim: number | null, size: number): Tensor {
  if (dim === null) return broadcastTo(expandDims(x, 0), [size, ...x.shape])
  return moveAxis(x, dim, 0)
}

/** The rank of one example of a value batched along `dim` (or of an unbatched value). */
export const exampleRank = (x: Tensor, dim: number | null): number => (dim === null ? x.rank : x.rank - 1)

/**
 * Operands of a broadcasting op made ready to run batched: each batched one gets its batch axis
 * first, then size-1 axes up to the largest example rank, so NumPy broadcasting lines its
 * example axes up from the right exactly as for one example; unbatched ones stay as they are
 * (they broadcast over the batch axis). The result's batch axis is 0.
 */
export function alignForBroadcast(vals: readonly Tensor[], dims: readonly (number | null)[]): Tensor[] {
  let rank = 0
  vals.forEach((v, i) => {
    rank = Math.max(rank, exampleRank(v, dims[i]))
  })
  return vals.map((v, i) => {
    const d = dims[i]
    if (d === null) return v
    const first = moveAxis(v, d, 0)
    const r = first.rank - 1
    return r === rank ? first : reshape(first, [first.shape[0], ...new Array<number>(rank - r).fill(1), ...first.shape.slice(1)])
  })
}

// --- generic rules

/** An elementwise op of one operand (parameters that name no axis): the batch axis stays where it is. */
export const elementwiseUnary: BatchRule = (prim, [x], [d], params) => [bind(prim, [x], params), d]

/**
 * A broadcasting elementwise op of any number of operands (parameters that name no axis): align
 * them (see `alignForBroadcast`) and apply the op once; the batch axis of the result is 0.
 */
export const elementwiseBroadcast: BatchRule = (prim, vals, dims, params) => [bind(prim, alignForBroadcast(vals, dims), params), 0]

/**
 * Batching rules of reductions, shape and movement ops, and matmul. A rule that names axes
 * keeps the batch axis where it is when that costs nothing (reductions, slices, pads, flips,
 * running sums, transposes): each example axis `a` becomes `a` or `a + 1` in the batched value
 * (see `lift`), and the rule computes where the batch axis lands in the result. Ops whose
 * parameters are whole shapes (reshape, broadcastTo, concat) move the batch axis first. matmul
 * batches natively over its broadcast leading axes.
 *
 * @internal
 */
import { bind } from '../../engine/trace.js'
import { reshape } from '../../ops/shape.js'
import { type BatchRule, alignForBroadcast, batchFirst, moveAxis } from './common.js'

// --- axes of one example in the batched value

/** The axis of the batched value (batch axis at `d`) that is axis `a` of one example. */
const lift = (a: number, d: number): number => (a < d ? a : a + 1)

/** `xs` with `v` inserted at index `at` (a per-axis parameter gaining the batch axis). */
function insertAt<T>(xs: readonly T[], at: number, v: T): T[] {
  const out = xs.slice()
  out.splice(at, 0, v)
  return out
}

/** Where the batch axis `d` lands once the (batched-value) axes `gone` are removed. */
const afterRemoving = (d: number, gone: readonly number[]): number => d - gone.filter((a) => a < d).length

// --- reductions

interface ReduceParams {
  readonly axes: readonly number[]
  readonly keepDims: boolean
}

/**
 * sum and max/min (`max` with its sign): reduce the lifted axes in place; with keepDims the batch
 * axis stays at `d`, otherwise it moves down by the reduced axes before it.
 */
const reduceRule: BatchRule = (prim, [x], [d], params: ReduceParams) => {
  if (d === null) return [bind(prim, [x], params), null]
  const axes = params.axes.map((a) => lift(a, d))
  return [bind(prim, [x], { ...params, axes }), params.keepDims ? d : afterRemoving(d, axes)]
}

/** extremumMask: the mask has the input's shape, so the batch axis stays. */
const maskRule: BatchRule = (prim, [x], [d], params: ReduceParams) => {
  if (d === null) return [bind(prim, [x], params), null]
  return [bind(prim, [x], { ...params, axes: params.axes.map((a) => lift(a, d)) }), d]
}

/** argmax/argmin along one lifted axis, which the result drops. */
const argRule: BatchRule = (prim, [x], [d], params: { readonly axis: number; readonly sign: 1 | -1 }) => {
  if (d === null) return [bind(prim, [x], params), null]
  const axis = lift(params.axis, d)
  return [bind(prim, [x], { ...params, axis }), afterRemoving(d, [axis])]
}

// --- shape

/** reshape: the batch axis first, then the example shape after it. */
const reshapeRule: BatchRule = (prim, [x], [d], shape: readonly number[], size) => {
  if (d === null) return [bind(prim, [x], shape), null]
  return [reshape(moveAxis(x, d, 0), [size, ...shape]), 0]
}

/**
 * transpose in place: the batch axis stays at `d` of the result and every example axis `p` that
 * lands at output position `i` reads the lifted axis of `p`.
 */
const transposeRule: BatchRule = (prim, [x], [d], perm: readonly number[]) => {
  if (d === null) return [bind(prim, [x], perm), null]
  return [
    bind(
      prim,
      [x],
      insertAt(
        perm.map((p) => lift(p, d)),
        d,
        d,
      ),
    ),
    d,
  ]
}

/**
 * broadcastTo: the batch axis first, then size-1 axes for the leading axes the example gains, so
 * the example's own axes still line up from the right with the target.
 */
const broadcastToRule: BatchRule = (prim, [x], [d], shape: readonly number[], size) => {
  if (d === null) return [bind(prim, [x], shape), null]
  const first = moveAxis(x, d, 0)
  const gained = shape.length - (first.rank - 1)
  const lined = gained === 0 ? first : reshape(first, [size, ...new Array<number>(gained).fill(1), ...first.shape.slice(1)])
  return [bind(prim, [lined], Object.freeze([size, ...shape])), 0]
}

/** slice in place: the whole batch axis is kept (begin 0, size the batch). */
const sliceRule: BatchRule = (prim, [x], [d], params: { readonly begin: readonly number[]; readonly size: readonly number[] }, size) => {
  if (d === null) return [bind(prim, [x], params), null]
  return [bind(prim, [x], { begin: insertAt(params.begin, d, 0), size: insertAt(params.size, d, size) }), d]
}

/** padSlice (the adjoint of slice) in place: nothing is padded along the batch axis. */
const padSliceRule: BatchRule = (prim, [x], [d], { begin, shape }: { readonly begin: readonly number[]; readonly shape: readonly number[] }, size) => {
  if (d === null) return [bind(prim, [x], { begin, shape }), null]
  return [bind(prim, [x], { begin: insertAt(begin, d, 0), shape: Object.freeze(insertAt(shape, d, size)) }), d]
}

/** concat: every operand batch-first (an unbatched one broadcast over the batch), joined along the lifted axis. */
const concatRule: BatchRule = (prim, xs, dims, axis: number, size) => [
  bind(
    prim,
    xs.map((x, i) => batchFirst(x, dims[i], size)),
    axis + 1,
  ),
  0,
]

/** oneHot: the depth axis is appended last, so the batch axis of the indices stays. */
const oneHotRule: BatchRule = (prim, [ix], [d], params) => [bind(prim, [ix], params), d]

// --- movement

/** pad in place: nothing is added along the batch axis. */
const padRule: BatchRule = (prim, [x], [d], params: { readonly before: readonly number[]; readonly shape: readonly number[]; readonly value: number }, size) => {
  if (d === null) return [bind(prim, [x], params), null]
  return [bind(prim, [x], { ...params, before: insertAt(params.before, d, 0), shape: Object.freeze(insertAt(params.shape, d, size)) }), d]
}

/** cumsum along the lifted axis, in place. */
const cumsumRule: BatchRule = (prim, [x], [d], params: { readonly axis: number; readonly reverse: boolean }) => {
  if (d === null) return [bind(prim, [x], params), null]
  return [bind(prim, [x], { ...params, axis: lift(params.axis, d) }), d]
}

/** flip along the lifted axes, in place. */
const flipRule: BatchRule = (prim, [x], [d], axes: readonly number[]) => {
  if (d === null) return [bind(prim, [x], axes), null]
  return [
    bind(
      prim,
      [x],
      axes.map((a) => lift(a, d)),
    ),
    d,
  ]
}

// --- matmul

interface MatmulParams {
  readonly ta: boolean
  readonly tb: boolean
}

/**
 * matmul (operands of rank ≥ 2, transpose flags ta/tb). When only one operand is batched and its
 * rows (a, untransposed) or columns (b, untransposed) can absorb the batch, the batch axis is
 * folded into them: one product of (size·m)×k by k×n instead of `size` small ones, which is what
 * per-example gradients of a dense layer meet. Otherwise the batch axis goes first with size-1
 * axes up to the larger example rank (`alignForBroadcast`), so the example batch axes broadcast
 * as for one example and an unbatched operand lines up from the right; the kernel broadcasts
 * the leading axes natively.
 */
const matmulRule: BatchRule = (prim, [a, b], [da, db], params: MatmulParams, size) => {
  const { ta, tb } = params
  if (da !== null && db === null && !ta) {
    // a: [...B, m, k] per example → [...B, size·m, k]; the product's rows split back into [size, m].
    const r = a.rank - 1
    const folded = moveAxis(a, da, r - 2)
    const lead = folded.shape.slice(0, r - 2)
    const c = bind(prim, [reshape(folded, [...lead, size * folded.shape[r - 1], folded.shape[r]]), b], params)
    const cs = c.shape
    return [reshape(c, [...cs.slice(0, -2), size, cs[cs.length - 2] / size, cs[cs.length - 1]]), cs.length - 2]
  }
  if (da === null && db !== null && !tb) {
    // b: [...B, k, n] per example → [...B, k, size·n]; the product's columns split back into [size, n].
    const r = b.rank - 1
    const folded = moveAxis(b, db, r - 1)
    const lead = folded.shape.slice(0, r - 2)
    const c = bind(prim, [a, reshape(folded, [...lead, folded.shape[r - 2], size * folded.shape[r]])], params)
    const cs = c.shape
    return [reshape(c, [...cs.slice(0, -1), size, cs[cs.length - 1] / size]), cs.length - 1]
  }
  return [bind(prim, alignForBroadcast([a, b], [da, db]), params), 0]
}

/** Rules of the reduction, shape, movement and product primitives. */
export const structuralRules: Readonly<Record<string, BatchRule>> = Object.freeze({
  sum: reduceRule,
  max: reduceRule,
  extremumMask: maskRule,
  argExtremum: argRule,
  reshape: reshapeRule,
  transpose: transposeRule,
  broadcastTo: broadcastToRule,
  slice: sliceRule,
  padSlice: padSliceRule,
  concat: concatRule,
  oneHot: oneHotRule,
  pad: padRule,
  cumsum: cumsumRule,
  flip: flipRule,
  matmul: matmulRule,
})

/**
 * Batching rules of reductions, shape and movement ops, and matmul. A rule that names axes
 * keeps the batch axis where it is when that costs nothing (reductions, slices, pads, flips,
 * running sums, transposes, oneHot): each example axis `a` becomes `a` or `a + 1` in the batched
 * value (see `lift`), and the rule computes where the batch axis lands in the result. Ops whose
 * parameters are whole shapes (reshape, broadcastTo) move the batch axis first; concat joins its
 * operands with their batch axes where the first batched one has it. matmul folds the batch into
 * the rows or columns of a product with one unbatched operand, and otherwise broadcasts it as a
 * leading axis, which its kernel batches natively.
 *
 * @internal
 */
import type { Tensor } from '../../tensor/model.js'
import { bind } from '../../engine/trace.js'
import { broadcastTo, expandDims, reshape } from '../../ops/shape.js'
import { type BatchRule, alignForBroadcast, moveAxis } from './common.js'

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

/**
 * A rule of a one-input primitive from its batched case: the trace runs a rule only when some
 * input is batched on it, so for one input `d` is a number (an unbatched one would run as is).
 */
// biome-ignore lint/suspicious/noExplicitAny: params differ per primitive; each rule knows its own
function single(rule: (prim: Parameters<BatchRule>[0], x: Tensor, d: number, params: any, size: number) => [Tensor, number]): BatchRule {
  return (prim, [x], [d], params, size) => (d === null ? [bind(prim, [x], params), null] : rule(prim, x, d, params, size))
}

// --- reductions

interface ReduceParams {
  readonly axes: readonly number[]
  readonly keepDims: boolean
}

/**
 * sum and max/min (`max` with its sign): reduce the lifted axes in place; with keepDims the batch
 * axis stays at `d`, otherwise it moves down by the reduced axes before it.
 */
const reduceRule = single((prim, x, d, params: ReduceParams) => {
  const axes = params.axes.map((a) => lift(a, d))
  return [bind(prim, [x], { ...params, axes }), params.keepDims ? d : afterRemoving(d, axes)]
})

/** extremumMask: the mask has the input's shape, so the batch axis stays. */
const maskRule = single((prim, x, d, params: ReduceParams) => {
  return [bind(prim, [x], { ...params, axes: params.axes.map((a) => lift(a, d)) }), d]
})

/** argmax/argmin along one lifted axis, which the result drops. */
const argRule = single((prim, x, d, params: { readonly axis: number; readonly sign: 1 | -1 }) => {
  const axis = lift(params.axis, d)
  return [bind(prim, [x], { ...params, axis }), afterRemoving(d, [axis])]
})

// --- shape

/** reshape: the batch axis first, then the example shape after it. */
const reshapeRule = single((_prim, x, d, shape: readonly number[], size) => {
  return [reshape(moveAxis(x, d, 0), [size, ...shape]), 0]
})

/**
 * transpose in place: the batch axis stays at `d` of the result and every example axis `p` that
 * lands at output position `i` reads the lifted axis of `p`.
 */
const transposeRule = single((prim, x, d, perm: readonly number[]) => {
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
})

/**
 * broadcastTo: the batch axis first, then size-1 axes for the leading axes the example gains, so
 * the example's own axes still line up from the right with the target.
 */
const broadcastToRule = single((prim, x, d, shape: readonly number[], size) => {
  const first = moveAxis(x, d, 0)
  const gained = shape.length - (first.rank - 1)
  const lined = gained === 0 ? first : reshape(first, [size, ...new Array<number>(gained).fill(1), ...first.shape.slice(1)])
  return [bind(prim, [lined], Object.freeze([size, ...shape])), 0]
})

/** slice in place: the whole batch axis is kept (begin 0, size the batch). */
const sliceRule = single((prim, x, d, params: { readonly begin: readonly number[]; readonly size: readonly number[] }, size) => {
  return [bind(prim, [x], { begin: insertAt(params.begin, d, 0), size: insertAt(params.size, d, size) }), d]
})

/** padSlice (the adjoint of slice) in place: nothing is padded along the batch axis. */
const padSliceRule = single((prim, x, d, { begin, shape }: { readonly begin: readonly number[]; readonly shape: readonly number[] }, size) => {
  return [bind(prim, [x], { begin: insertAt(begin, d, 0), shape: Object.freeze(insertAt(shape, d, size)) }), d]
})

/**
 * concat: the batch axis stays where the first batched operand has it; the other batched ones
 * move there and unbatched ones are broadcast over the batch there; the join is along the lifted axis.
 */
const concatRule: BatchRule = (prim, xs, dims, axis: number, size) => {
  const d = dims.find((x) => x !== null) ?? 0
  const at = (x: Tensor, dx: number | null): Tensor => (dx === null ? broadcastTo(expandDims(x, d), insertAt(x.shape, d, size)) : moveAxis(x, dx, d))
  return [
    bind(
      prim,
      xs.map((x, i) => at(x, dims[i])),
      lift(axis, d),
    ),
    d,
  ]
}

/** oneHot: the depth axis is appended last, so the batch axis of the indices stays. */
const oneHotRule = single((prim, ix, d, params) => [bind(prim, [ix], params), d])

// --- movement

/** pad in place: nothing is added along the batch axis. */
const padRule = single((prim, x, d, params: { readonly before: readonly number[]; readonly shape: readonly number[]; readonly value: number }, size) => {
  return [bind(prim, [x], { ...params, before: insertAt(params.before, d, 0), shape: Object.freeze(insertAt(params.shape, d, size)) }), d]
})

/** cumsum along the lifted axis, in place. */
const cumsumRule = single((prim, x, d, params: { readonly axis: number; readonly reverse: boolean }) => {
  return [bind(prim, [x], { ...params, axis: lift(params.axis, d) }), d]
})

/** flip along the lifted axes, in place. */
const flipRule = single((prim, x, d, axes: readonly number[]) => {
  return [
    bind(
      prim,
      [x],
      axes.map((a) => lift(a, d)),
    ),
    d,
  ]
})

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
  if (da !== null && db === null && !ta && size > 0) {
    // a: [...B, m, k] per example → [...B, size·m, k]; the product's rows split back into [size, m].
    const r = a.rank - 1
    const folded = moveAxis(a, da, r - 2)
    const lead = folded.shape.slice(0, r - 2)
    const c = bind(prim, [reshape(folded, [...lead, size * folded.shape[r - 1], folded.shape[r]]), b], params)
    const cs = c.shape
    return [reshape(c, [...cs.slice(0, -2), size, cs[cs.length - 2] / size, cs[cs.length - 1]]), cs.length - 2]
  }
  if (da === null && db !== null && !tb && size > 0) {
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

/**
 * Batching rules of the indexing and sorting primitives: gathers and scatters with batched
 * data, batched indices or both, argsort and topK.
 *
 * Batched data with shared indices only shifts the axis parameter. Shared data with batched
 * indices is one gather: take puts the batch axis where it sits in the indices, takeAlongAxis
 * merges it into the indexed axis of the indices. When every example has its own data AND its
 * own indices (and for scatters with batched indices), the batch axis goes right before the
 * indexed axis, the two merge into one axis of length B·n, and each example's indices are
 * offset by b·n — after they are checked against n and made non-negative by a gather from
 * arange(n), so an index out of range for its example is an error naming n, never a read of
 * the next example's data. takeAlongAxis and its transpose are already per position, so there
 * both operands just get the same batch axis.
 *
 * @internal
 */
import { ArgumentError, fmt } from '../../tensor/errors.js'
import { type Tensor, arange, fromData } from '../../tensor/Tensor.js'
import { bind } from '../../engine/trace.js'
import { add } from '../../ops/arithmetic.js'
import { take } from '../../ops/indexing.js'
import { broadcastTo, expandDims, reshape } from '../../ops/shape.js'
import { type BatchRule, moveAxis } from './common.js'

// --- placing the batch axis

/** `x` with its batch axis at `at`; an unbatched `x` gets a broadcast one of length `size` there. */
function batchAt(x: Tensor, dim: number | null, at: number, size: number): Tensor {
  if (dim !== null) return moveAxis(x, dim, at)
  const shape = x.shape.slice()
  shape.splice(at, 0, size)
  return broadcastTo(expandDims(x, at), shape)
}

/** The axis of the batched value (batch axis at `d`) that is axis `a` of one example. */
const lift = (a: number, d: number): number => (a < d ? a : a + 1)

/** `shape` with the axes [at, at + 2) merged into one. */
const mergeTwo = (shape: readonly number[], at: number): number[] => [...shape.slice(0, at), shape[at] * shape[at + 1], ...shape.slice(at + 2)]

/** `shape` with axis `at` split into [size, shape[at] / size]. */
const splitAt = (shape: readonly number[], at: number, size: number): number[] => [...shape.slice(0, at), size, shape[at] / size, ...shape.slice(at + 1)]

// --- per-example indices into a merged batch·n axis

/**
 * Indices `idx` (batch axis first, [B, J…]), each example's entries in [−n, n), as positions in
 * an axis of length B·n that holds the examples' axes one after the other: entry j of example b
 * becomes b·n + (idx[b, j] mod n). The range check runs on idx against n (a gather from
 * arange(n), which also makes the entries non-negative) before any offset is added; its error
 * is rethrown under `op`, naming the indexed axis of one example (`what`).
 */
function mergedIndices(op: string, idx: Tensor, n: number, size: number, what: string): Tensor {
  if (size * n > 2147483647) throw new ArgumentError(op, `under vmap, ${size} examples × ${n} positions exceed the int32 index range`)
  let local: Tensor
  try {
    local = take(arange(n, 'int32'), idx)
  } catch (e) {
    if (!(e instanceof ArgumentError) || e.op !== 'take') throw e
    const stock = `axis 0 (length ${n}) of x of shape [${n}]`
    const text = e.message.slice('take: '.length).replace(stock, what)
    throw new ArgumentError(op, `${text} (under vmap: that position starts with the example's place in the batch)`)
  }
  const offsets = fromData(
    Int32Array.from({ length: size }, (_, b) => b * n),
    [size, ...new Array<number>(idx.rank - 1).fill(1)],
    'int32',
  )
  return add(local, offsets)
}

const axisText = (name: string, shape: readonly number[], axis: number) => `axis ${axis} (length ${shape[axis]}) of ${name} of shape ${fmt(shape)} (one example)`

/** The shape of one example of a value batched along `dim`. */
const exampleShape = (x: Tensor, dim: number): number[] => x.shape.filter((_, i) => i !== dim)

// --- take and its transpose

interface AxisParams {
  readonly axis: number
}

interface ScatterParams {
  readonly axis: number
  readonly n: number
}

/**
 * take(x, idx, axis). Batched x only: the axis shifts past the batch axis, which lands after the
 * index axes when it was after `axis`. Batched indices only: one gather, the batch axis sits at
 * axis + its place in the indices. Both: x's batch axis moves to `axis` and merges with the
 * indexed axis; the indices, batch first, become merged positions (see `mergedIndices`); the
 * result is [A…, B, J…, C…].
 */
const takeRule: BatchRule = (prim, [x, idx], [dx, di], { axis }: AxisParams, size) => {
  if (di === null) {
    if (dx === null) return [bind(prim, [x, idx], { axis }), null]
    return [bind(prim, [x, idx], { axis: lift(axis, dx) }), dx <= axis ? dx : dx + idx.rank - 1]
  }
  if (dx === null) return [bind(prim, [x, idx], { axis }), axis + di]
  const xb = moveAxis(x, dx, axis)
  const n = xb.shape[axis + 1]
  const pos = mergedIndices('take', moveAxis(idx, di, 0), n, size, axisText('x', exampleShape(x, dx), axis))
  return [bind(prim, [reshape(xb, mergeTwo(xb.shape, axis)), pos], { axis }), axis]
}

/**
 * takeTranspose(idx, u; axis, n), the scatter of u's index axes [axis, axis + r) into an axis of
 * length n. Shared indices: the axis shifts when u's batch axis is before the index axes, and
 * stays when it is after them (inside them, it moves before). Batched indices: u (broadcast if
 * shared) gets its batch axis at `axis` and the scatter goes into the merged B·n axis, which
 * then splits back into [B, n].
 */
const takeTransposeRule: BatchRule = (prim, [idx, u], [di, du], { axis, n }: ScatterParams, size) => {
  if (di === null) {
    if (du === null) return [bind(prim, [idx, u], { axis, n }), null]
    const r = idx.rank
    if (du >= axis + r) return [bind(prim, [idx, u], { axis, n }), du - r + 1]
    const ub = du <= axis ? u : moveAxis(u, du, axis)
    const d = du <= axis ? du : axis
    return [bind(prim, [idx, ub], { axis: axis + 1, n }), d]
  }
  const ub = batchAt(u, du, axis, size)
  const ex = ub.shape.filter((_, i) => i !== axis)
  const outShape = [...ex.slice(0, axis), n, ...ex.slice(axis + idx.rank - 1)]
  const pos = mergedIndices('take (transpose)', moveAxis(idx, di, 0), n, size, axisText('the result', outShape, axis))
  const out = bind(prim, [pos, ub], { axis, n: size * n })
  return [reshape(out, splitAt(out.shape, axis, size)), axis]
}

/**
 * scatterAdd(target, idx, u; axis). Shared indices: target and u get their batch axes at
 * matching places (before the indexed axis, or after it and after u's index axes) and the axis
 * shifts. Batched indices: target and u get the batch axis at `axis`, target's merges with its
 * indexed axis, and the scatter adds each example's updates into its own block in the same
 * order as one example would.
 */
const scatterAddRule: BatchRule = (prim, [target, idx, u], [dt, di, du], { axis }: AxisParams, size) => {
  if (di === null) {
    if (dt === null && du === null) return [bind(prim, [target, idx, u], { axis }), null]
    const r = idx.rank
    // where the batch axis goes in target (t) and u, and the indexed axis of batched target
    let t = dt ?? 0
    if (dt === null && du !== null) t = du <= axis ? du : du >= axis + r ? du - r + 1 : 0
    const tu = t <= axis ? t : t + r - 1
    const tb = batchAt(target, dt, t, size)
    const ub = batchAt(u, du, tu, size)
    return [bind(prim, [tb, idx, ub], { axis: lift(axis, t) }), t]
  }
  const tb = batchAt(target, dt, axis, size)
  const ub = batchAt(u, du, axis, size)
  const n = tb.shape[axis + 1]
  const pos = mergedIndices('scatterAdd', moveAxis(idx, di, 0), n, size, axisText('target', exampleShape(tb, axis), axis))
  const out = bind(prim, [reshape(tb, mergeTwo(tb.shape, axis)), pos, ub], { axis })
  return [reshape(out, tb.shape), axis]
}

// --- takeAlongAxis and its transpose

/**
 * takeAlongAxis(x, idx; axis), idx with x's shape but m at `axis`. Shared x: the batch axis of
 * idx moves to `axis` and merges with its indexed axis (B·m picks from the same x), then splits
 * out again. Otherwise both get the same batch axis (shared indices broadcast) and the axis
 * shifts: the gather is per position already.
 */
const takeAlongRule: BatchRule = (prim, [x, idx], [dx, di], { axis }: AxisParams, size) => {
  if (dx === null) {
    if (di === null) return [bind(prim, [x, idx], { axis }), null]
    const ib = moveAxis(idx, di, axis)
    const out = bind(prim, [x, reshape(ib, mergeTwo(ib.shape, axis))], { axis })
    return [reshape(out, ib.shape), axis]
  }
  const ib = batchAt(idx, di, dx, size)
  return [bind(prim, [x, ib], { axis: lift(axis, dx) }), dx]
}

/** takeAlongAxisTranspose(idx, u; axis, n): idx and u get the same batch axis, the axis shifts. */
const takeAlongTransposeRule: BatchRule = (prim, [idx, u], [di, du], { axis, n }: ScatterParams, size) => {
  if (di === null && du === null) return [bind(prim, [idx, u], { axis, n }), null]
  const d = du ?? (di as number)
  return [bind(prim, [batchAt(idx, di, d, size), batchAt(u, du, d, size)], { axis: lift(axis, d), n }), d]
}

// --- sorting

/** argsort and topKIndices work along the last axis: a batch axis there moves first. */
const lastAxisRule: BatchRule = (prim, [x], [d], params) => {
  if (d === null) return [bind(prim, [x], params), null]
  if (d < x.rank - 1) return [bind(prim, [x], params), d]
  return [bind(prim, [moveAxis(x, d, 0)], params), 0]
}

/** Rules of the indexing and sorting primitives. */
export const indexingRules: Readonly<Record<string, BatchRule>> = Object.freeze({
  take: takeRule,
  takeTranspose: takeTransposeRule,
  scatterAdd: scatterAddRule,
  takeAlongAxis: takeAlongRule,
  takeAlongAxisTranspose: takeAlongTransposeRule,
  argsort: lastAxisRule,
  topKIndices: lastAxisRule,
})

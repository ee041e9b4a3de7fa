/**
 * Gather and scatter: `take`, `takeAlongAxis` and `scatterAdd`. Each gather is linear in its
 * data and its transpose is a scatter-add, so the rules are one op each: take's vjp scatters the
 * cotangent into zeros, scatterAdd's vjp for its updates takes the cotangent's rows back out, and
 * takeAlongAxis pairs with its own along-axis scatter. The indices are a primitive INPUT (an
 * index tensor, never a param), so other trace kinds see them; they never get a cotangent, and
 * every primitive checks them against the axis before its kernel reads them.
 *
 * @since 0.2.0
 */
import * as kg from '../kernels/gather.js'
import { alloc, arithmeticOf, promote } from '../tensor/dtype.js'
import { ArgumentError, ShapeError, fmt } from '../tensor/errors.js'
import { type Shape, broadcastShapes, normalizeAxis, shapesEqual, sizeOf } from '../tensor/shape.js'
import { type ConcreteTensor, type Tensor, fromData } from '../tensor/Tensor.js'
import { checkTensor, describe } from '../tensor/checks.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { cast } from './arithmetic.js'
import { broadcastTo } from './shape.js'
import { checkInRange, indexTensor } from './indices.js'

// --- model

/**
 * Indices for the indexing ops: an int32 tensor, one integer, or (nested, rectangular) arrays
 * of integers. Negative entries count from the end of the axis (NumPy).
 *
 * @category model
 * @since 0.2.0
 */
export type Indices = Tensor | number | readonly number[] | readonly (readonly number[])[] | readonly (readonly (readonly number[])[])[]

interface AxisParams {
  readonly axis: number
}

/** A scatter into zeros: the length `n` of the axis the result gets back. */
interface ScatterParams {
  readonly axis: number
  readonly n: number
}

/** [outer, n, inner]: the sizes before, at and after `axis`. */
function around(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))]
}

const axisText = (name: string, shape: Shape, axis: number) => `axis ${axis} (length ${shape[axis]}) of ${name} of shape ${fmt(shape)}`

// --- take and its transpose

const takeP: Primitive<AxisParams> = {
  name: 'take',
  impl: ([x, idx], { axis }) => {
    checkInRange('take', idx, x.shape[axis], axisText('x', x.shape, axis))
    const shape = Object.freeze([...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)])
    const out = alloc(x.dtype, 0, 'take', shape)
    const [outer, n, inner] = around(x.shape, axis)
    kg.gather(x._data, outer, n, inner, idx._data, out)
    return fromData(out, shape, x.dtype)
  },
  jvp: ([t], [, idx], _o, p) => (t === null ? null : bind(takeP, [t, idx], p)),
  // the transpose of a gather: scatter the cotangent's rows back, adding duplicates
  vjp: (g, [x, idx], _o, { axis }) => [bind(takeTransposeP, [idx, g], { axis, n: x.shape[axis] }), null],
}

/** The result of scattering `u` into zeros whose `axis` has length n (u's index axes replaced). */
function scatterZeros(op: string, idx: ConcreteTensor, u: ConcreteTensor, axis: number, n: number): ConcreteTensor {
  const shape = Object.freeze([...u.shape.slice(0, axis), n, ...u.shape.slice(axis + idx.rank)])
  checkInRange(op, idx, n, axisText('the result', shape, axis))
  const out = alloc(u.dtype, 0, op, shape)
  const [outer, , inner] = around(shape, axis)
  kg.scatterAdd(out, outer, n, inner, idx._data, u._data)
  return fromData(out, shape, u.dtype)
}

// why a primitive of its own: scatterAdd(zeros, …) would first copy a whole table of zeros; a
// fresh zero-filled allocation is touched only on the rows the indices name.
const takeTransposeP: Primitive<ScatterParams> = {
  name: 'takeTranspose',
  impl: ([idx, u], { axis, n }) => scatterZeros('take (transpose)', idx, u, axis, n),
  jvp: ([, t], [idx], _o, p) => (t === null ? null : bind(takeTransposeP, [idx, t], p)),
  vjp: (g, [idx], _o, { axis }) => [null, bind(takeP, [g, idx], { axis })],
}

/**
 * Takes entries along one axis at the given indices (NumPy `take`, `tf.gather`): the result has
 * shape `x.shape[:axis] + indices.shape + x.shape[axis+1:]` and
 * `y[a…, j…, b…] = x[a…, indices[j…], b…]`. Indices may repeat; a negative one counts from the
 * end; one outside [−n, n) is an ArgumentError naming it, its position and n (never clamped).
 * On axis 0 of a table this is an embedding lookup, one row copy per index. Its vjp is
 * `scatterAdd(zeros like x, indices, g, axis)`: repeated indices add up their cotangents.
 *
 * @example
 * import { take, tensor, toArray } from 'purediff'
 * const table = tensor([[1, 2], [3, 4], [5, 6]])
 * if (JSON.stringify(toArray(take(table, [2, 0, -1]))) !== '[[5,6],[1,2],[5,6]]') throw new Error()
 * if (JSON.stringify(toArray(take(table, [[1], [0]], 1))) !== '[[[2],[1]],[[4],[3]],[[6],[5]]]') throw new Error()
 * @category indexing
 * @since 0.2.0
 */
export function take(x: Tensor, indices: Indices, axis = 0): Tensor {
  const t = checkTensor('take', x)
  const a = axisOf('take', t, axis)
  const idx = indexTensor('take', indices, t.shape[a], axisText('x', t.shape, a))
  return bind(takeP, [t, idx], { axis: a })
}

function axisOf(op: string, t: Tensor, axis: unknown, what = 'x'): number {
  if (t.rank === 0) throw new ShapeError(op, `${what} has rank 0: there is no axis to index; expected rank ≥ 1`)
  if (typeof axis !== 'number') throw new ArgumentError(op, `axis must be an integer, got ${describe(axis)}`)
  return normalizeAxis(op, axis, t.rank)
}

// --- scatterAdd

const scatterAddP: Primitive<AxisParams> = {
  name: 'scatterAdd',
  impl: ([target, idx, u], { axis }) => {
    const [outer, n, inner] = around(target.shape, axis)
    checkInRange('scatterAdd', idx, n, axisText('target', target.shape, axis))
    const out = alloc(target.dtype, 0, 'scatterAdd', target.shape)
    out.set(target._data)
    kg.scatterAdd(out, outer, n, inner, idx._data, u._data)
    return fromData(out, target.shape, target.dtype)
  },
  jvp: ([tt, , tu], [target, idx], _o, { axis }) => {
    if (tu === null) return tt
    if (tt === null) return bind(takeTransposeP, [idx, tu], { axis, n: target.shape[axis] })
    return bind(scatterAddP, [tt, idx, tu], { axis })
  },
  vjp: (g, [, idx], _o, { axis }, needs) => [g, null, needs[2] ? bind(takeP, [g, idx], { axis }) : null],
}

/**
 * Adds `updates` into a copy of `target` at the given indices along `axis`, the transpose of
 * `take` (NumPy `np.add.at`, `tf.tensorScatterAdd`): `out = target`, then
 * `out[a…, indices[j…], b…] += updates[a…, j…, b…]` for every j, in order, so duplicate indices
 * accumulate. `updates` has (or broadcasts to) shape `target.shape[:axis] + indices.shape +
 * target.shape[axis+1:]`; the result has target's shape and the dtype `add` gives (promoted,
 * bool as int32). Indices as in `take`. Its vjp: `g` for target, `take(g, indices, axis)` for updates.
 * Cost: the result is a new tensor, so the whole target is copied before the rows are added (a
 * 50,000×256 table is a 51 MB write); the gradient of `take` scatters into fresh zeros instead,
 * touching only the rows it adds to.
 *
 * @example
 * import { scatterAdd, tensor, toArray, zeros } from 'purediff'
 * const counts = scatterAdd(zeros([3]), [0, 2, 0, -1], tensor([1, 1, 1, 1]))
 * if (JSON.stringify(toArray(counts)) !== '[2,0,2]') throw new Error()
 * const rows = scatterAdd(zeros([2, 2]), [1], tensor([[5, 6]]))
 * if (JSON.stringify(toArray(rows)) !== '[[0,0],[5,6]]') throw new Error()
 * @category indexing
 * @since 0.2.0
 */
export function scatterAdd(target: Tensor, indices: Indices, updates: Tensor, axis = 0): Tensor {
  const tg = checkTensor('scatterAdd', target, 'target')
  let u = checkTensor('scatterAdd', updates, 'updates')
  const a = axisOf('scatterAdd', tg, axis, 'target')
  const idx = indexTensor('scatterAdd', indices, tg.shape[a], axisText('target', tg.shape, a))
  const want = [...tg.shape.slice(0, a), ...idx.shape, ...tg.shape.slice(a + 1)]
  if (!shapesEqual(u.shape, want)) {
    let fits = true
    try {
      fits = shapesEqual(broadcastShapes('scatterAdd', u.shape, want), want)
    } catch {
      fits = false
    }
    if (!fits) {
      throw new ShapeError(
        'scatterAdd',
        `updates have shape ${fmt(u.shape)}; expected ${fmt(want)} (target.shape[:axis] + indices.shape + target.shape[axis+1:] for target ${fmt(tg.shape)}, indices ${fmt(idx.shape)}, axis ${a}) or a shape that broadcasts to it`,
      )
    }
    u = broadcastTo(u, want)
  }
  // as `add`: the promoted dtype, bool counted as int32 (0/1), so repeated ids count up
  const dtype = arithmeticOf(promote(tg.dtype, u.dtype))
  const t2 = cast(tg, dtype)
  if (idx.size === 0 || sizeOf(want) === 0) return t2
  return bind(scatterAddP, [t2, idx, cast(u, dtype)], { axis: a })
}

// --- takeAlongAxis and its transpose

const takeAlongP: Primitive<AxisParams> = {
  name: 'takeAlongAxis',
  impl: ([x, idx], { axis }) => {
    const [outer, n, inner] = around(x.shape, axis)
    checkInRange('takeAlongAxis', idx, n, axisText('x', x.shape, axis))
    const out = alloc(x.dtype, 0, 'takeAlongAxis', idx.shape)
    kg.gatherAlong(x._data, outer, n, inner, idx._data, idx.shape[axis], out)
    return fromData(out, idx.shape, x.dtype)
  },
  jvp: ([t], [, idx], _o, p) => (t === null ? null : bind(takeAlongP, [t, idx], p)),
  vjp: (g, [x, idx], _o, { axis }) => [bind(takeAlongTransposeP, [idx, g], { axis, n: x.shape[axis] }), null],
}

const takeAlongTransposeP: Primitive<ScatterParams> = {
  name: 'takeAlongAxisTranspose',
  impl: ([idx, u], { axis, n }) => {
    const shape = Object.freeze(u.shape.map((d, i) => (i === axis ? n : d)))
    checkInRange('takeAlongAxis (transpose)', idx, n, axisText('the result', shape, axis))
    const out = alloc(u.dtype, 0, 'takeAlongAxis (transpose)', shape)
    const [outer, , inner] = around(shape, axis)
    kg.scatterAddAlong(out, outer, n, inner, idx._data, u.shape[axis], u._data)
    return fromData(out, shape, u.dtype)
  },
  jvp: ([, t], [idx], _o, p) => (t === null ? null : bind(takeAlongTransposeP, [idx, t], p)),
  vjp: (g, [idx], _o, { axis }) => [null, bind(takeAlongP, [g, idx], { axis })],
}

/**
 * Picks one entry along `axis` for every position of `indices` (NumPy `take_along_axis`):
 * `indices` has the rank of x, and `y[a…, j, b…] = x[a…, indices[a…, j, b…], b…]`. The other axes
 * broadcast between x and indices (NumPy rules, per axis), so the result has their broadcast
 * shape with `indices.shape[axis]` at `axis`. It is how the values of `argsort` or `topK`
 * indices are read. Indices as in `take`. Its vjp scatter-adds the cotangent back along the
 * axis.
 *
 * @example
 * import { takeAlongAxis, tensor, toArray } from 'purediff'
 * const x = tensor([[10, 20, 30], [40, 50, 60]])
 * if (JSON.stringify(toArray(takeAlongAxis(x, [[2, 0], [-1, 1]], 1))) !== '[[30,10],[60,50]]') throw new Error()
 * if (JSON.stringify(toArray(takeAlongAxis(x, [[1, 0, 1]], 0))) !== '[[40,20,60]]') throw new Error()
 * @category indexing
 * @since 0.2.0
 */
export function takeAlongAxis(x: Tensor, indices: Indices, axis: number): Tensor {
  let t = checkTensor('takeAlongAxis', x)
  const a = axisOf('takeAlongAxis', t, axis)
  let idx = indexTensor('takeAlongAxis', indices, t.shape[a], axisText('x', t.shape, a))
  if (idx.rank !== t.rank) {
    throw new ShapeError('takeAlongAxis', `indices have shape ${fmt(idx.shape)} (rank ${idx.rank}) but x has shape ${fmt(t.shape)} (rank ${t.rank}); expected the same rank`)
  }
  const common = t.shape.map((d, i) => {
    const e = idx.shape[i]
    if (i === a || d === e || e === 1) return d
    if (d === 1) return e
    throw new ShapeError(
      'takeAlongAxis',
      `indices of shape ${fmt(idx.shape)} do not broadcast against x of shape ${fmt(t.shape)} at axis ${i} (${e} vs ${d}); axes other than ${a} must be equal or 1`,
    )
  })
  const xs = common.map((d, i) => (i === a ? t.shape[a] : d))
  const is = common.map((d, i) => (i === a ? idx.shape[a] : d))
  if (!shapesEqual(t.shape, xs)) t = broadcastTo(t, xs)
  if (!shapesEqual(idx.shape, is)) idx = broadcastTo(idx, is)
  return bind(takeAlongP, [t, idx], { axis: a })
}

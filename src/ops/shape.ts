/**
 * Shape and movement ops. `reshape` (and `expandDims`, `squeeze`) share storage: tensors are
 * immutable, so a view can never be changed behind anyone's back. Every op here works on all
 * four dtypes and keeps the dtype (concat and stack promote mixed inputs).
 *
 * @since 0.1.0
 */
import * as km from '../kernels/movement.js'
import { type DType, alloc, checkDType, promote } from '../tensor/dtype.js'
import { ArgumentError, DTypeError, ShapeError, fmt } from '../tensor/errors.js'
import { type Shape, broadcastShapes, broadcastStrides, checkShape, normalizeAxis, shapesEqual, sizeOf, stridesOf } from '../tensor/shape.js'
import { type Tensor, Tensor as TensorClass, fromData, zeros } from '../tensor/Tensor.js'
import { checkTensor, describe } from '../tensor/checks.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { cast } from './arithmetic.js'

// --- reshape

const reshapeP: Primitive<Shape> = {
  name: 'reshape',
  impl: ([x], shape) => fromData(x._data, shape, x.dtype),
  jvp: ([t], _x, _o, shape) => (t === null ? null : reshape(t, shape)),
  vjp: (g, [x]) => [reshape(g, x.shape)],
}

/**
 * The same values in a new shape (row-major); one entry may be −1 to infer it. Shares storage.
 *
 * @example
 * import { reshape, arange, toArray } from 'purediff'
 * const t = reshape(arange(6), [2, -1])
 * if (JSON.stringify(toArray(t)) !== '[[0,1,2],[3,4,5]]') throw new Error()
 * @category shape
 * @since 0.1.0
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const t = checkTensor('reshape', x)
  if (!Array.isArray(shape)) throw new ShapeError('reshape', `shape must be an array, got ${describe(shape)}`)
  const s = shape.slice()
  const inferAt = s.indexOf(-1)
  if (inferAt >= 0) {
    if (s.indexOf(-1, inferAt + 1) >= 0) throw new ShapeError('reshape', `shape ${JSON.stringify(shape)} has more than one -1`)
    let known = 1
    for (let i = 0; i < s.length; i++) if (i !== inferAt) known *= s[i]
    if (known === 0 || t.size % known !== 0) {
      throw new ShapeError('reshape', `cannot infer -1 in ${JSON.stringify(shape)} for ${t.size} elements of shape ${fmt(t.shape)}`)
    }
    s[inferAt] = t.size / known
  }
  const ns = checkShape('reshape', s)
  if (sizeOf(ns) !== t.size) throw new ShapeError('reshape', `cannot reshape ${fmt(t.shape)} (${t.size} elements) to ${fmt(ns)} (${sizeOf(ns)} elements)`)
  if (shapesEqual(ns, t.shape)) return t
  return bind(reshapeP, [t], ns)
}

/**
 * Inserts an axis of length 1 at `axis` (negative counts from the end of the result).
 *
 * @example
 * import { expandDims, zeros } from 'purediff'
 * if (expandDims(zeros([2, 3]), 1).shape.join() !== '2,1,3') throw new Error()
 * @category shape
 * @since 0.1.0
 */
export function expandDims(x: Tensor, axis: number): Tensor {
  const t = checkTensor('expandDims', x)
  const a = normalizeAxis('expandDims', axis, t.rank + 1)
  const s = t.shape.slice()
  s.splice(a, 0, 1)
  return reshape(t, s)
}

/**
 * Removes axes of length 1: the given ones (an error if not 1), or all of them.
 *
 * @example
 * import { squeeze, zeros } from 'purediff'
 * if (squeeze(zeros([1, 3, 1])).shape.join() !== '3') throw new Error()
 * @category shape
 * @since 0.1.0
 */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  const t = checkTensor('squeeze', x)
  const axes = axis === undefined ? t.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : (typeof axis === 'number' ? [axis] : axis).map((a) => normalizeAxis('squeeze', a, t.rank))
  for (const a of axes) {
    if (t.shape[a] !== 1) throw new ShapeError('squeeze', `axis ${a} of shape ${fmt(t.shape)} has length ${t.shape[a]}; expected 1`)
  }
  return reshape(
    t,
    t.shape.filter((_, i) => !axes.includes(i)),
  )
}

// --- transpose

const transposeP: Primitive<readonly number[]> = {
  name: 'transpose',
  impl: ([x], perm) => {
    const str = stridesOf(x.shape)
    const shape = Object.freeze(perm.map((p) => x.shape[p]))
    const out = alloc(x.dtype, x.size, 'transpose', shape)
    km.stridedCopy(
      x._data,
      0,
      perm.map((p) => str[p]),
      shape,
      out,
    )
    return fromData(out, shape, x.dtype)
  },
  jvp: ([t], _x, _o, perm) => (t === null ? null : transpose(t, perm)),
  vjp: (g, _x, _o, perm) => {
    const inv = new Array<number>(perm.length)
    perm.forEach((p, i) => {
      inv[p] = i
    })
    return [transpose(g, inv)]
  },
}

/**
 * Permutes the axes (`perm[i]` is the input axis that becomes axis i); reverses them by default.
 *
 * @example
 * import { transpose, tensor, toArray } from 'purediff'
 * if (JSON.stringify(toArray(transpose(tensor([[1, 2, 3]])))) !== '[[1],[2],[3]]') throw new Error()
 * @category shape
 * @since 0.1.0
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const t = checkTensor('transpose', x)
  const p = perm === undefined ? t.shape.map((_, i) => t.rank - 1 - i) : perm.map((a) => normalizeAxis('transpose', a, t.rank))
  if (p.length !== t.rank || new Set(p).size !== t.rank) {
    throw new ShapeError('transpose', `perm ${JSON.stringify(perm)} is not a permutation of the ${t.rank} axes of shape ${fmt(t.shape)}`)
  }
  if (p.every((a, i) => a === i)) return t
  return bind(transposeP, [t], p)
}

// --- broadcastTo

const broadcastToP: Primitive<Shape> = {
  name: 'broadcastTo',
  impl: ([x], shape) => {
    const out = alloc(x.dtype, sizeOf(shape), 'broadcastTo', shape)
    km.stridedCopy(x._data, 0, broadcastStrides(x.shape, shape), shape, out)
    return fromData(out, shape, x.dtype)
  },
  jvp: ([t], _x, _o, shape) => (t === null ? null : broadcastTo(t, shape)),
  // The engine sums the cotangent back over the broadcast axes.
  vjp: (g) => [g],
}

/**
 * Repeats `x` along axes of length 1 (and new leading axes) to reach `shape` (NumPy rules).
 *
 * @example
 * import { broadcastTo, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(broadcastTo(tensor([1, 2]), [2, 2])).join() !== '1,2,1,2') throw new Error()
 * @category shape
 * @since 0.1.0
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const t = checkTensor('broadcastTo', x)
  const s = checkShape('broadcastTo', shape)
  const b = broadcastShapes('broadcastTo', t.shape, s)
  if (!shapesEqual(b, s)) throw new ShapeError('broadcastTo', `cannot broadcast ${fmt(t.shape)} to ${fmt(s)}; the result would be ${fmt(b)}`)
  if (shapesEqual(t.shape, s)) return t
  return bind(broadcastToP, [t], s)
}

// --- slice and its adjoint

interface SliceParams {
  readonly begin: readonly number[]
  readonly size: readonly number[]
}

const sliceP: Primitive<SliceParams> = {
  name: 'slice',
  impl: ([x], { begin, size }) => {
    const str = stridesOf(x.shape)
    let off = 0
    for (let d = 0; d < begin.length; d++) off += begin[d] * str[d]
    const shape = Object.freeze(size.slice())
    const out = alloc(x.dtype, sizeOf(shape), 'slice', shape)
    km.stridedCopy(x._data, off, str, shape, out)
    return fromData(out, shape, x.dtype)
  },
  jvp: ([t], _x, _o, { begin, size }) => (t === null ? null : slice(t, begin, size)),
  vjp: (g, [x], _o, { begin }) => [padSlice(g, begin, x.shape)],
}

interface PadParams {
  readonly begin: readonly number[]
  readonly shape: Shape
}

const padSliceP: Primitive<PadParams> = {
  name: 'padSlice',
  impl: ([g], { begin, shape }) => {
    const out = alloc(g.dtype, sizeOf(shape), 'backward of slice', shape)
    km.padInto(g._data, g.shape, begin, shape, stridesOf(shape), out)
    return fromData(out, shape, g.dtype)
  },
  jvp: ([t], _x, _o, { begin, shape }) => (t === null ? null : padSlice(t, begin, shape)),
  vjp: (g, [x], _o, { begin }) => [slice(g, begin, x.shape)],
}

/** The adjoint of slice: `g` placed at `begin` inside zeros of `shape`. @internal */
function padSlice(g: Tensor, begin: readonly number[], shape: Shape): Tensor {
  return bind(padSliceP, [g], { begin, shape })
}

/**
 * The block starting at `begin` with extent `size` per axis (−1: to the end).
 *
 * @example
 * import { slice, tensor, toArray } from 'purediff'
 * const x = tensor([[1, 2, 3], [4, 5, 6]])
 * if (JSON.stringify(toArray(slice(x, [0, 1], [2, -1]))) !== '[[2,3],[5,6]]') throw new Error()
 * @category shape
 * @since 0.1.0
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  const t = checkTensor('slice', x)
  if (!Array.isArray(begin) || begin.length !== t.rank) {
    throw new ShapeError('slice', `begin ${JSON.stringify(begin)} must have one entry per axis of shape ${fmt(t.shape)}`)
  }
  const sz = size ?? t.shape.map(() => -1)
  if (!Array.isArray(sz) || sz.length !== t.rank) throw new ShapeError('slice', `size ${JSON.stringify(size)} must have one entry per axis of shape ${fmt(t.shape)}`)
  const s = sz.map((n, d) => (n === -1 ? t.shape[d] - begin[d] : n))
  for (let d = 0; d < t.rank; d++) {
    if (!Number.isInteger(begin[d]) || !Number.isInteger(s[d]) || begin[d] < 0 || s[d] < 0 || begin[d] + s[d] > t.shape[d]) {
      throw new ShapeError('slice', `begin ${JSON.stringify(begin)} with size ${JSON.stringify(sz)} does not fit in shape ${fmt(t.shape)} (axis ${d})`)
    }
  }
  if (s.every((n, d) => n === t.shape[d])) return t
  return bind(sliceP, [t], { begin: begin.slice(), size: s })
}

// --- concat and stack

const concatP: Primitive<number> = {
  name: 'concat',
  impl: (xs, axis) => {
    const dtype = xs[0].dtype
    const shape = xs[0].shape.slice()
    shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0)
    const out = alloc(dtype, sizeOf(shape), 'concat', shape)
    const outer = sizeOf(shape.slice(0, axis))
    const inner = sizeOf(shape.slice(axis + 1))
    km.concat(
      xs.map((x) => x._data),
      xs.map((x) => x.shape[axis]),
      outer,
      inner,
      out,
    )
    return fromData(out, Object.freeze(shape), dtype)
  },
  jvp: (ts, xs, _o, axis) =>
    ts.every((t) => t === null)
      ? null
      : concat(
          ts.map((t, i) => t ?? zeros(xs[i].shape, xs[i].dtype)),
          axis,
        ),
  vjp: (g, xs, _o, axis, needs) => {
    let at = 0
    return xs.map((x, i) => {
      const begin = g.shape.map((_, d) => (d === axis ? at : 0))
      at += x.shape[axis]
      return needs[i] ? slice(g, begin, x.shape) : null
    })
  },
}

/**
 * Joins tensors along an existing axis; other axes must match. Mixed dtypes promote (bool <
 * int32 < float32 < float64).
 *
 * @example
 * import { concat, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(concat([tensor([1, 2]), tensor([3])], 0)).join() !== '1,2,3') throw new Error()
 * @category shape
 * @since 0.1.0
 */
export function concat(ts: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(ts) || ts.length === 0) throw new ArgumentError('concat', `expected a non-empty array of tensors, got ${describe(ts)}`)
  for (const [i, t] of ts.entries()) checkTensor('concat', t, `ts[${i}]`)
  const first = ts[0]
  if (first.rank === 0) throw new ShapeError('concat', 'cannot concatenate rank-0 tensors; use stack')
  const a = normalizeAxis('concat', axis, first.rank)
  for (const t of ts) {
    if (t.rank !== first.rank || t.shape.some((d: number, i: number) => i !== a && d !== first.shape[i])) {
      throw new ShapeError('concat', `shapes ${ts.map((x) => fmt(x.shape)).join(', ')} differ off axis ${a}; expected equal sizes except along it`)
    }
  }
  if (ts.length === 1) return first
  const dtype = ts.reduce<DType>((d, t) => promote(d, t.dtype), first.dtype)
  return bind(
    concatP,
    ts.map((t) => cast(t, dtype)),
    a,
  )
}

/**
 * Stacks same-shape tensors along a new axis.
 *
 * @example
 * import { stack, tensor } from 'purediff'
 * if (stack([tensor([1, 2]), tensor([3, 4])], 1).shape.join() !== '2,2') throw new Error()
 * @category shape
 * @since 0.1.0
 */
export function stack(ts: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(ts) || ts.length === 0) throw new ArgumentError('stack', `expected a non-empty array of tensors, got ${describe(ts)}`)
  for (const [i, t] of ts.entries()) checkTensor('stack', t, `ts[${i}]`)
  for (const t of ts) {
    if (!shapesEqual(t.shape, ts[0].shape)) throw new ShapeError('stack', `shapes ${ts.map((x) => fmt(x.shape)).join(', ')} differ; expected all equal`)
  }
  const a = normalizeAxis('stack', axis, ts[0].rank + 1)
  return concat(
    ts.map((t) => expandDims(t, a)),
    a,
  )
}

// --- oneHot

interface OneHotParams {
  readonly depth: number
  readonly dtype: DType
}

// The indices are the primitive's input (so a batching or staging trace sees them); the result
// is a constant of them, hence nonDifferentiable (int32 carries no gradient anyway).
const oneHotP: Primitive<OneHotParams> = {
  name: 'oneHot',
  impl: ([ix], { depth, dtype }) => {
    const shape = Object.freeze([...ix.shape, depth])
    const out = alloc(dtype, ix.size * depth, 'oneHot', shape)
    const d = ix._data
    for (let i = 0; i < ix.size; i++) {
      const v = d[i]
      if (!(v >= 0 && v < depth)) throw new ArgumentError('oneHot', `index ${v} at position ${i} is not an integer in [0, ${depth})`)
      out[i * depth + v] = 1
    }
    return fromData(out, shape, dtype)
  },
  jvp: () => null,
  vjp: () => [null],
  nonDifferentiable: true,
}

/**
 * One-hot vectors: result[…i, j] = 1 where j = indices[…i], else 0; the shape is
 * `[...indices.shape, depth]` (`[n, depth]` for an array of n numbers). `indices` is an array of
 * numbers or an int32 tensor (a float one is a DTypeError: cast it); every index must be an
 * integer in [0, depth), else an ArgumentError naming it (never clamped).
 *
 * @example
 * import { oneHot, tensor, toArray } from 'purediff'
 * if (JSON.stringify(toArray(oneHot([2, 0], 3))) !== '[[0,0,1],[1,0,0]]') throw new Error()
 * if (JSON.stringify(toArray(oneHot(tensor([2, 0], 'int32'), 3))) !== '[[0,0,1],[1,0,0]]') throw new Error()
 * @category shape
 * @since 0.1.0
 */
export function oneHot(indices: readonly number[] | Tensor, depth: number, dtype: DType = 'float32'): Tensor {
  checkDType('oneHot', dtype)
  if (!Number.isInteger(depth) || depth < 1) throw new ArgumentError('oneHot', `depth must be a positive integer, got ${depth}`)
  if (indices instanceof TensorClass) {
    if (indices.dtype !== 'int32') throw new DTypeError('oneHot', `indices must be int32, got ${indices.dtype}; cast them with cast(indices, 'int32')`)
    return bind(oneHotP, [indices], { depth, dtype })
  }
  if (!Array.isArray(indices)) throw new ArgumentError('oneHot', `indices must be an array of integers or an int32 tensor, got ${describe(indices)}`)
  const out = alloc(dtype, indices.length * depth, 'oneHot', [indices.length, depth])
  indices.forEach((ix, i) => {
    if (!Number.isInteger(ix) || ix < 0 || ix >= depth) {
      throw new ArgumentError('oneHot', `index ${ix} at position ${i} is not an integer in [0, ${depth})`)
    }
    out[i * depth + ix] = 1
  })
  return fromData(out, Object.freeze([indices.length, depth]), dtype)
}

/**
 * Pooling: `maxPool` and `avgPool` over windows of a channels-last input
 * `[batch, ...spatial, channels]` (1, 2 or 3 spatial axes, by rank), with strides and
 * 'SAME' / 'VALID' / explicit padding (see `PoolOptions`).
 *
 * Every derivative is a linear primitive whose own rules are the other half of an adjoint pair,
 * so derivatives of every order work:
 * - maxPool's jvp reads the tangent at each window's argmax (`maxPoolGather`), its vjp sends the
 *   cotangent there (`maxPoolScatter`). Both take x as an input only to find the positions (a
 *   primitive input, so every trace sees it) and give x no derivative: the positions are
 *   piecewise constant in x. Each is linear in its second input, and the vjp of one is the other.
 * - avgPool is linear: its jvp is avgPool of the tangent, its vjp the adjoint spreading
 *   (`avgPoolTranspose`, each window's cotangent shared among its in-bounds elements), whose vjp
 *   is avgPool again.
 *
 * @since 0.4.0
 */
import * as kp from '../kernels/pool.js'
import { alloc } from '../tensor/dtype.js'
import { sizeOf } from '../tensor/shape.js'
import { type ConcreteTensor, type Tensor, fromData } from '../tensor/Tensor.js'
import { checkTensor } from '../tensor/checks.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { toFloat } from './prim.js'
import { type PoolOptions, type PoolParams, poolParams, pooledShape } from './poolOptions.js'

export type { PoolOptions, PoolPadding } from './poolOptions.js'

// --- geometry

/** The kernel geometry of pooling x of `shape` with `p`. */
function geometryOf(shape: readonly number[], p: PoolParams): kp.PoolGeometry {
  return kp.geometry(
    shape,
    pooledShape(shape, p).slice(1, -1),
    p.window,
    p.strides,
    p.pads.map((q) => q[0]),
  )
}

/** The flat input index of each window's first maximum, per output element. */
function argmaxOf(x: ConcreteTensor, p: PoolParams, name: string): Int32Array {
  const g = geometryOf(x.shape, p)
  const n = sizeOf(pooledShape(x.shape, p))
  const arg = new Int32Array(n)
  kp.maxPool(x._data, g, alloc(x.dtype, n, name), arg)
  return arg
}

// --- max

const maxPoolP: Primitive<PoolParams> = {
  name: 'maxPool',
  impl: ([x], p) => {
    const shape = Object.freeze(pooledShape(x.shape, p))
    const out = alloc(x.dtype, sizeOf(shape), 'maxPool', shape)
    kp.maxPool(x._data, geometryOf(x.shape, p), out, null)
    return fromData(out, shape, x.dtype)
  },
  jvp: ([t], [x], _o, p) => (t === null ? null : bind(maxPoolGatherP, [x, t], p)),
  vjp: (g, [x], _o, p) => [bind(maxPoolScatterP, [x, g], p)],
}

// maxPoolGather(x, t): t (shaped like x) read at the argmax of each window of x — the jvp of
// maxPool. Linear in t; its transpose is maxPoolScatter.
const maxPoolGatherP: Primitive<PoolParams> = {
  name: 'maxPoolGather',
  impl: ([x, t], p) => {
    const shape = Object.freeze(pooledShape(x.shape, p))
    const arg = argmaxOf(x, p, 'maxPool (jvp)')
    const out = alloc(t.dtype, arg.length, 'maxPool (jvp)', shape)
    kp.gatherAt(t._data, arg, out)
    return fromData(out, shape, t.dtype)
  },
  jvp: ([, dt], [x], _o, p) => (dt === null ? null : bind(maxPoolGatherP, [x, dt], p)),
  vjp: (g, [x], _o, p) => [null, bind(maxPoolScatterP, [x, g], p)],
}

// maxPoolScatter(x, g): zeros like x with each g added at the argmax of its window of x — the
// vjp of maxPool. Linear in g; its transpose is maxPoolGather.
const maxPoolScatterP: Primitive<PoolParams> = {
  name: 'maxPoolScatter',
  impl: ([x, g], p) => {
    const arg = argmaxOf(x, p, 'maxPool (vjp)')
    const out = alloc(g.dtype, x.size, 'maxPool (vjp)', x.shape)
    kp.scatterAt(g._data, arg, out)
    return fromData(out, x.shape, g.dtype)
  },
  jvp: ([, dg], [x], _o, p) => (dg === null ? null : bind(maxPoolScatterP, [x, dg], p)),
  vjp: (h, [x], _o, p) => [null, bind(maxPoolGatherP, [x, h], p)],
}

/**
 * Max pooling, channels-last: x is `[batch, ...spatial, channels]` with 1, 2 or 3 spatial axes
 * (rank 3, 4 or 5), `window` a positive integer or one per spatial axis, and
 * y[b, o…, c] = max over the window at o·strides − padLo of x[b, i…, c], over its in-bounds
 * positions only (padding is never the max, as if it were −∞). Output extent per axis:
 * ⌊(in + lo + hi − window) / stride⌋ + 1 ('SAME': ⌈in / stride⌉). Strides default to the window;
 * padding to 'VALID'.
 *
 * Gradient: each window sends its cotangent to its FIRST maximum in row-major window order
 * (ties are never split; overlapping windows that share a maximum add up). A NaN in a window
 * makes its max NaN (as `max`), and the gradient goes to the first NaN. Of −0 and +0 the max is
 * +0. int32 and bool inputs are pooled in float32.
 *
 * Errors: a ShapeError for a rank other than 3–5 or a window that does not fit the padded input
 * (an empty output); an ArgumentError for a bad window, strides or padding (explicit pads must be
 * in [0, window)).
 *
 * @example
 * import { grad, maxPool, sum, tensor, toFlatArray } from 'purediff'
 * // one 4×4 image, one channel, 2×2 windows: the max of each quadrant
 * const x = tensor([[[[1], [2], [5], [6]], [[3], [4], [7], [8]], [[9], [9], [0], [0]], [[9], [9], [0], [-1]]]])
 * const y = maxPool(x, 2)
 * if (y.shape.join() !== '1,2,2,1' || toFlatArray(y).join() !== '4,8,9,0') throw new Error()
 * // the gradient goes to each window's first maximum only: 4, 8, the first 9, the first 0
 * const g = toFlatArray(grad((u) => sum(maxPool(u, 2)))(x))
 * if (g.join() !== '0,0,0,0,0,1,0,1,1,0,1,0,0,0,0,0') throw new Error()
 * // 'SAME' keeps ⌈5 / 2⌉ = 3 outputs of a 1-D signal; the last window is [x₄] alone
 * const s = maxPool(tensor([[[1], [3], [2], [5], [4]]]), 2, { padding: 'SAME' })
 * if (toFlatArray(s).join() !== '3,5,4') throw new Error()
 * @category convolution
 * @since 0.4.0
 */
export function maxPool(x: Tensor, window: number | readonly number[], options: PoolOptions = {}): Tensor {
  const t = toFloat(checkTensor('maxPool', x))
  return bind(maxPoolP, [t], poolParams('maxPool', t.shape, window, options))
}

// --- average

const avgPoolP: Primitive<PoolParams> = {
  name: 'avgPool',
  impl: ([x], p) => {
    const shape = Object.freeze(pooledShape(x.shape, p))
    const out = alloc(x.dtype, sizeOf(shape), 'avgPool', shape)
    kp.avgPool(x._data, geometryOf(x.shape, p), out)
    return fromData(out, shape, x.dtype)
  },
  jvp: ([t], _x, _o, p) => (t === null ? null : bind(avgPoolP, [t], p)),
  vjp: (g, [x], _o, p) => [bind(avgPoolTransposeP, [g], { ...p, inShape: x.shape.slice(1, -1) })],
}

/** avgPool's params and the spatial extents of its input, which its transpose gives back. */
interface TransposeParams extends PoolParams {
  readonly inShape: readonly number[]
}

// avgPoolTranspose(g): the adjoint of avgPool, each window's g shared equally among its
// in-bounds input elements. Linear; its transpose is avgPool.
const avgPoolTransposeP: Primitive<TransposeParams> = {
  name: 'avgPoolTranspose',
  impl: ([g], p) => {
    const shape = Object.freeze([g.shape[0], ...p.inShape, g.shape[g.rank - 1]])
    const out = alloc(g.dtype, sizeOf(shape), 'avgPool (vjp)', shape)
    kp.avgPoolTranspose(g._data, geometryOf(shape, p), out)
    return fromData(out, shape, g.dtype)
  },
  jvp: ([t], _g, _o, p) => (t === null ? null : bind(avgPoolTransposeP, [t], p)),
  vjp: (h, _g, _o, { window, strides, pads }) => [bind(avgPoolP, [h], { window, strides, pads })],
}

/**
 * Average pooling, channels-last (layout, window, strides, padding and errors as `maxPool`):
 * y[b, o…, c] = (1 / nₒ) Σ x[b, i…, c] over the nₒ IN-BOUNDS positions of the window at o, so
 * with 'SAME' or explicit padding a border window averages only the elements it covers (TF's
 * convention; padding never counts as zeros). Sums accumulate in float64. Linear: its gradient
 * shares each window's cotangent equally among those nₒ elements. int32 and bool inputs are
 * averaged in float32.
 *
 * @example
 * import { avgPool, tensor, toFlatArray } from 'purediff'
 * // one 1-D signal of 5 samples, one channel: windows of 2, stride 2
 * const x = tensor([[[1], [3], [2], [6], [10]]], 'float64')
 * if (toFlatArray(avgPool(x, 2)).join() !== '2,4') throw new Error() // VALID drops x₄
 * // 'SAME': 3 windows, the last holds x₄ alone (padding is not averaged in)
 * if (toFlatArray(avgPool(x, 2, { padding: 'SAME' })).join() !== '2,4,10') throw new Error()
 * // overlapping windows of 3, stride 1, one padded element each side: [1,3], [1,3,2], …, [6,10]
 * const y = avgPool(x, 3, { strides: 1, padding: [[1, 1]] })
 * if (toFlatArray(y).join() !== '2,2,' + 11 / 3 + ',6,8') throw new Error()
 * @category convolution
 * @since 0.4.0
 */
export function avgPool(x: Tensor, window: number | readonly number[], options: PoolOptions = {}): Tensor {
  const t = toFloat(checkTensor('avgPool', x))
  return bind(avgPoolP, [t], poolParams('avgPool', t.shape, window, options))
}

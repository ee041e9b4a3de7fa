/**
 * Reductions (axis: a number, an array of numbers, or undefined for all axes; keepDims keeps
 * reduced axes as 1), softmax and log-softmax.
 *
 * Integers: sum keeps int32 (wrapping) and counts bool as int32; max and min keep int32 and bool
 * (max over bool is "any", min is "all"); argmax and argmin give int32; mean, logSumExp, softmax
 * and logSoftmax compute int32 and bool in float32.
 *
 * @since 0.1.0
 */
import * as kr from '../kernels/reduce.js'
import * as ki from '../kernels/integer.js'
import { alloc, isFloat } from '../tensor/dtype.js'
import { ShapeError, fmt } from '../tensor/errors.js'
import { normalizeAxes, normalizeAxis, reduceShape, sizeOf, stridesOf } from '../tensor/shape.js'
import { type Tensor, fromData } from '../tensor/Tensor.js'
import { checkTensor } from '../tensor/checks.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { add, cast, div, equal, mul, stopGradientTensor, sub, where } from './arithmetic.js'
import { toFloat } from './prim.js'
import { exp, log } from './unary.js'
import { broadcastTo, reshape } from './shape.js'

// --- model

/** Which axes to reduce: one, several, or all (undefined). @category model @since 0.1.0 */
export type Axis = number | readonly number[] | undefined

interface ReduceParams {
  readonly axes: readonly number[]
  readonly keepDims: boolean
}

/** Broadcasts an output cotangent back over the reduced axes. */
function expandBack(g: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return broadcastTo(reshape(g, reduceShape(x.shape, axes, true)), x.shape)
}

// --- sum

const sumP: Primitive<ReduceParams> = {
  name: 'sum',
  impl: ([x], { axes, keepDims }) => {
    const shape = Object.freeze(reduceShape(x.shape, axes, keepDims))
    const out = alloc(x.dtype, sizeOf(shape), 'sum', shape)
    if (x.dtype === 'int32') ki.sumI(x._data, x.shape, axes, out)
    else kr.sum(x._data, x.shape, axes, out)
    return fromData(out, shape, x.dtype)
  },
  jvp: ([t], _x, _o, { axes, keepDims }) => (t === null ? null : sum(t, axes, keepDims)),
  vjp: (g, [x], _o, { axes }) => [expandBack(g, x, axes)],
}

/**
 * Sum over `axis` (all axes by default). Accumulates in float64 even for float32 tensors; int32
 * sums wrap modulo 2³² (as NumPy's and JAX's int32), and bool is summed as int32 (a count).
 *
 * @example
 * import { sum, tensor, toFlatArray, item } from 'purediff'
 * const x = tensor([[1, 2], [3, 4]])
 * if (item(sum(x)) !== 10) throw new Error()
 * if (toFlatArray(sum(x, 0)).join() !== '4,6') throw new Error()
 * if (sum(x, 1, true).shape.join() !== '2,1') throw new Error()
 * @category reductions
 * @since 0.1.0
 */
export function sum(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  const x0 = checkTensor('sum', x)
  const t = x0.dtype === 'bool' ? cast(x0, 'int32') : x0
  const axes = normalizeAxes('sum', axis, t.rank)
  if (axes.length === 0) return t
  return bind(sumP, [t], { axes, keepDims })
}

/**
 * Mean over `axis` (all axes by default). int32 and bool are averaged in float32.
 *
 * @example
 * import { mean, tensor, item } from 'purediff'
 * if (item(mean(tensor([1, 2, 3, 6]))) !== 3) throw new Error()
 * @category reductions
 * @since 0.1.0
 */
export function mean(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  const t = toFloat(checkTensor('mean', x))
  const axes = normalizeAxes('mean', axis, t.rank)
  let n = 1
  for (const a of axes) n *= t.shape[a]
  if (n === 0) throw new ShapeError('mean', `cannot average over empty axes ${JSON.stringify(axes)} of shape ${fmt(t.shape)}`)
  return div(sum(t, axes, keepDims), n)
}

// --- max / min

interface ExtParams extends ReduceParams {
  readonly sign: 1 | -1
}

// The one-hot mask of the first extremum along `axes`, the same shape as x: a primitive, so the
// rules of max and min read x through `bind` like any op (a batching trace masks the batched
// value, a staging trace records it). Piecewise constant in x, hence `nonDifferentiable`.
// Its params are the reduction's own (keepDims unused), so a mask allocates no params.
const extMaskP: Primitive<ExtParams> = {
  name: 'extremumMask',
  impl: ([x], { axes, sign }) => {
    const m = sizeOf(reduceShape(x.shape, axes, true))
    const arg = new Int32Array(m)
    kr.extremum(x._data, x.shape, axes, alloc(x.dtype, m, sign === 1 ? 'max' : 'min'), arg, sign)
    const mask = alloc(x.dtype, x.size, sign === 1 ? 'max' : 'min', x.shape)
    for (let j = 0; j < m; j++) if (arg[j] >= 0) mask[arg[j]] = 1
    return fromData(mask, x.shape, x.dtype)
  },
  jvp: () => null,
  vjp: () => [null],
  nonDifferentiable: true,
}

const extremumMask = (x: Tensor, p: ExtParams): Tensor => bind(extMaskP, [x], p)

const extP: Primitive<ExtParams> = {
  name: 'max',
  impl: ([x], { axes, keepDims, sign }) => {
    const shape = Object.freeze(reduceShape(x.shape, axes, keepDims))
    const out = alloc(x.dtype, sizeOf(shape), sign === 1 ? 'max' : 'min', shape)
    if (isFloat(x.dtype)) kr.extremum(x._data, x.shape, axes, out, new Int32Array(out.length), sign)
    else {
      // int32 and bool go through float64 (exact), so the float kernel stays monomorphic.
      const o = new Float64Array(out.length)
      kr.extremum(Float64Array.from(x._data), x.shape, axes, o, new Int32Array(out.length), sign)
      out.set(o)
    }
    return fromData(out, shape, x.dtype)
  },
  // Ties go to the FIRST extremum (row-major order), so the derivative is never split.
  jvp: ([t], [x], _o, p) => (t === null ? null : sum(mul(t, extremumMask(x, p)), p.axes, p.keepDims)),
  vjp: (g, [x], _o, p) => [mul(expandBack(g, x, p.axes), extremumMask(x, p))],
}

function extremum(op: string, x: Tensor, axis: Axis, keepDims: boolean, sign: 1 | -1): Tensor {
  const t = checkTensor(op, x)
  const axes = normalizeAxes(op, axis, t.rank)
  for (const a of axes) if (t.shape[a] === 0) throw new ShapeError(op, `cannot reduce the empty axis ${a} of shape ${fmt(t.shape)}`)
  if (axes.length === 0) return t
  return bind(extP, [t], { axes, keepDims, sign })
}

/**
 * Maximum over `axis`. Subgradient convention: ties send the whole gradient to the FIRST
 * maximum in row-major order. A NaN input gives NaN.
 *
 * @example
 * import { max, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(max(tensor([[1, 5], [7, 2]]), 1)).join() !== '5,7') throw new Error()
 * @category reductions
 * @since 0.1.0
 */
export const max = (x: Tensor, axis?: Axis, keepDims = false): Tensor => extremum('max', x, axis, keepDims, 1)

/**
 * Minimum over `axis`; ties send the gradient to the FIRST minimum.
 *
 * @example
 * import { min, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(min(tensor([[1, 5], [7, 2]]), 0)).join() !== '1,2') throw new Error()
 * @category reductions
 * @since 0.1.0
 */
export const min = (x: Tensor, axis?: Axis, keepDims = false): Tensor => extremum('min', x, axis, keepDims, -1)

// argmax and argmin are primitives (not loops over the concrete values) so that every trace
// sees them: a batching trace takes them per batch element, a staging trace records them. An
// index is piecewise constant in x, and int32: a constant to differentiation.
const argP: Primitive<{ readonly axis: number; readonly sign: 1 | -1 }> = {
  name: 'argExtremum',
  impl: ([x], { axis, sign }) => {
    const shape = Object.freeze(reduceShape(x.shape, [axis], false))
    const m = sizeOf(shape)
    const arg = new Int32Array(m)
    const data = isFloat(x.dtype) ? x._data : Float64Array.from(x._data)
    kr.extremum(data, x.shape, [axis], new Float64Array(m), arg, sign)
    const stride = stridesOf(x.shape)[axis]
    const out = alloc('int32', m, sign === 1 ? 'argmax' : 'argmin', shape)
    for (let j = 0; j < m; j++) out[j] = Math.floor(arg[j] / stride) % x.shape[axis]
    return fromData(out, shape, 'int32')
  },
  jvp: () => null,
  vjp: () => [null],
  nonDifferentiable: true,
}

function argExtremum(op: string, x: Tensor, axis: number, sign: 1 | -1): Tensor {
  const t = checkTensor(op, x)
  const a = normalizeAxis(op, axis, t.rank)
  if (t.shape[a] === 0) throw new ShapeError(op, `cannot take ${op} over the empty axis ${a} of shape ${fmt(t.shape)}`)
  return bind(argP, [t], { axis: a, sign })
}

/**
 * Index of the first maximum along `axis`, as int32 (a NaN counts as the maximum; no gradient).
 *
 * @example
 * import { argmax, tensor, toFlatArray } from 'purediff'
 * const i = argmax(tensor([[1, 5, 5], [7, 2, 0]]), 1)
 * if (i.dtype !== 'int32' || toFlatArray(i).join() !== '1,0') throw new Error()
 * @category reductions
 * @since 0.1.0
 */
export function argmax(x: Tensor, axis: number): Tensor {
  return argExtremum('argmax', x, axis, 1)
}

/**
 * Index of the first minimum along `axis`, as int32 (a NaN counts as the minimum; no gradient).
 *
 * @example
 * import { argmin, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(argmin(tensor([[1, 0, 0], [7, 2, 9]]), 1)).join() !== '1,1') throw new Error()
 * @category reductions
 * @since 0.2.0
 */
export function argmin(x: Tensor, axis: number): Tensor {
  return argExtremum('argmin', x, axis, -1)
}

// --- log-sum-exp and softmax

/** The shift max(x) along `axes` (keepDims), held constant, with infinite maxima taken as 0. */
function shift(t: Tensor, axes: readonly number[]): Tensor {
  // The shift is a constant: the results do not depend on it, so no gradient flows through it.
  // stopGradient (a primitive) makes it one for autodiff while other traces still see it.
  const m0 = stopGradientTensor(max(t, axes, true))
  return where(equal(m0, -Infinity), 0, where(equal(m0, Infinity), 0, m0))
}
const shifted = (t: Tensor, axes: readonly number[]): Tensor => sub(t, shift(t, axes))

/**
 * log Σ exp(x) over `axis`, computed as m + log Σ exp(x − m) with m = max(x) so it never
 * overflows; its gradient is softmax(x). Rows that are all −Infinity give −Infinity.
 *
 * @example
 * import { logSumExp, tensor, item } from 'purediff'
 * if (item(logSumExp(tensor([1000, 1000], 'float64'))) !== 1000 + Math.log(2)) throw new Error()
 * @category reductions
 * @since 0.1.0
 */
export function logSumExp(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  const t = toFloat(checkTensor('logSumExp', x))
  const axes = normalizeAxes('logSumExp', axis, t.rank)
  const m = shift(t, axes)
  const r = add(log(sum(exp(sub(t, m)), axes, true)), m)
  return keepDims ? r : reshape(r, reduceShape(t.shape, axes, false))
}

/**
 * softmax(x)ᵢ = exp(xᵢ − m) / Σⱼ exp(xⱼ − m) along `axis` (default the last), m = max(x): stable
 * for large inputs and accurate in float32.
 *
 * @example
 * import { softmax, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(softmax(tensor([1000, 1000]))).join() !== '0.5,0.5') throw new Error()
 * @category reductions
 * @since 0.1.0
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  const t = toFloat(checkTensor('softmax', x))
  const axes = [normalizeAxis('softmax', axis, t.rank)]
  const e = exp(shifted(t, axes))
  return div(e, sum(e, axes, true))
}

/**
 * log softmax(x) = (x − m) − log Σ exp(x − m) along `axis` (default the last); finite for logits
 * like ±1000.
 *
 * @example
 * import { logSoftmax, tensor, toFlatArray } from 'purediff'
 * const l = toFlatArray(logSoftmax(tensor([0, -1000], 'float64')))
 * if (l[0] !== 0 || l[1] !== -1000) throw new Error()
 * @category reductions
 * @since 0.1.0
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const t = toFloat(checkTensor('logSoftmax', x))
  const axes = [normalizeAxis('logSoftmax', axis, t.rank)]
  const z = shifted(t, axes)
  return sub(z, log(sum(exp(z), axes, true)))
}

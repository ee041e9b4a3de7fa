/**
 * Shapes, strides, broadcasting and axes. All broadcasting logic of the library lives here and
 * nowhere else: ops call `broadcastShapes`, kernels receive the strides computed by
 * `broadcastStrides`, and the autodiff engine un-broadcasts cotangents with `reducedAxes`.
 *
 * @internal
 */
import { ArgumentError, ShapeError, fmt } from './errors.js'

// --- model

export type Shape = readonly number[]

// --- constructors

/** Validates and freezes a shape: non-negative integers. */
export function checkShape(op: string, shape: unknown): Shape {
  if (!Array.isArray(shape)) throw new ShapeError(op, `shape must be an array of non-negative integers, got ${String(shape)}`)
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(op, `shape ${JSON.stringify(shape)} must hold non-negative integers`)
    }
  }
  return Object.isFrozen(shape) ? (shape as Shape) : Object.freeze(shape.slice())
}

// --- operations

/** The number of elements; 0 when an axis is 0, even if others overflow to Infinity (never NaN). */
export function sizeOf(shape: Shape): number {
  let n = 1
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 0) return 0
    n *= shape[i]
  }
  return n
}

/** Row-major strides of a contiguous array. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length)
  let acc = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc
    acc *= shape[i]
  }
  return s
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** NumPy broadcasting of two shapes, or a ShapeError naming the op. */
export function broadcastShapes(op: string, a: Shape, b: Shape): Shape {
  if (shapesEqual(a, b)) return a
  // Fast paths that return an existing (frozen) shape: a scalar or all-ones side of no larger
  // rank, the common `mul(t, 0.9)` case. They avoid allocating and freezing a new array.
  if (a.length <= b.length && allOnes(a)) return b
  if (b.length <= a.length && allOnes(b)) return a
  const n = Math.max(a.length, b.length)
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]
    if (da === db || db === 1) out[i] = da
    else if (da === 1) out[i] = db
    else {
      throw new ShapeError(op, `shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast together (axis ${i - n} has ${da} vs ${db}); expected equal sizes or 1`)
    }
  }
  return Object.freeze(out)
}

function allOnes(s: Shape): boolean {
  for (let i = 0; i < s.length; i++) if (s[i] !== 1) return false
  return true
}

/**
 * Strides for reading an array of shape `inShape` as if it had the (broadcast) shape `outShape`:
 * broadcast axes get stride 0.
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const n = outShape.length
  const off = n - inShape.length
  const inStr = stridesOf(inShape)
  const s = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    s[i] = i < off || inShape[i - off] === 1 ? 0 : inStr[i - off]
  }
  return s
}

/**
 * The axes of `outShape` that must be summed to return a cotangent of shape `outShape` to the
 * shape `inShape` it was broadcast from (leading extra axes, and axes where `inShape` has 1).
 */
export function reducedAxes(inShape: Shape, outShape: Shape): number[] {
  const off = outShape.length - inShape.length
  const axes: number[] = []
  for (let i = 0; i < outShape.length; i++) {
    if (i < off || (inShape[i - off] === 1 && outShape[i] !== 1)) axes.push(i)
  }
  return axes
}

/** Normalises one axis (negative counts from the end), or throws naming the op. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(op, `axis ${axis} is out of range for a tensor of rank ${rank}; expected an integer in [${-rank}, ${rank - 1}]`)
  }
  return axis < 0 ? axis + rank : axis
}

/** Normalises `axis: number | number[] | undefined` (undefined = all) into sorted unique axes. */
export function normalizeAxes(op: string, axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i)
  const list = typeof axis === 'number' ? [axis] : axis
  if (!Array.isArray(list)) throw new ArgumentError(op, `axis must be a number, an array of numbers or undefined, got ${String(axis)}`)
  const out = list.map((a) => normalizeAxis(op, a, rank))
  const uniq = Array.from(new Set(out)).sort((x, y) => x - y)
  if (uniq.length !== out.length) throw new ShapeError(op, `axes ${JSON.stringify(list)} repeat an axis`)
  return uniq
}

/** The shape after reducing `axes`, keeping them as 1 or dropping them. */
export function reduceShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = []
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1)
    } else out.push(shape[i])
  }
  return out
}

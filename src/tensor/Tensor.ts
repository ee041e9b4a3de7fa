/**
 * The public tensor module: the `Tensor` type (defined in `model.ts`), its constructors and its
 * readers. A tensor's storage is never written after it is made; readers hand out copies so that
 * no caller can reach the storage.
 *
 * @since 0.1.0
 */
import { type DType, alloc, checkDType, storeAs } from './dtype.js'
import { ArgumentError, ShapeError, fmt } from './errors.js'
import { type Shape, checkShape, sizeOf } from './shape.js'
import { type NestedArray, nestedArray } from './format.js'
import { checkTensor, describe } from './checks.js'
import { type Tensor, dataOf, fromData } from './model.js'

export { Tensor, concrete, dataOf, fromData } from './model.js'
export type { ConcreteTensor } from './model.js'
export type { NestedArray } from './format.js'

// --- constructors

type Nested = number | boolean | readonly Nested[]

/**
 * Makes a tensor from a number, a boolean, or nested arrays of them (rectangular). The dtype is
 * `dtype` when given, else bool when the first element is a boolean and float32 otherwise
 * (`true` is 1 and `false` 0 in any dtype). An int32 tensor stores each number truncated toward
 * 0 (saturating, NaN → 0), a bool tensor stores `v ≠ 0`, as `cast`.
 *
 * @example
 * import { tensor, toArray, toFlatArray } from 'purediff'
 * const t = tensor([[1, 2, 3], [4, 5, 6]])
 * if (t.shape.join() !== '2,3' || t.dtype !== 'float32') throw new Error()
 * if (toFlatArray(tensor([2.7, -2.7], 'int32')).join() !== '2,-2') throw new Error()
 * if (toFlatArray(tensor([0, 3], 'bool')).join() !== '0,1') throw new Error()
 * const mask = tensor([[true, false]])
 * if (mask.dtype !== 'bool' || toFlatArray(mask).join() !== '1,0') throw new Error()
 * if ((toArray(t) as number[][])[1][2] !== 6) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function tensor(values: Nested, dtype?: DType): Tensor {
  const shape: number[] = []
  let probe: Nested = values
  while (Array.isArray(probe)) {
    shape.push(probe.length)
    probe = (probe as readonly Nested[])[0]
    if (probe === undefined) break
  }
  if (dtype === undefined) dtype = typeof probe === 'boolean' ? 'bool' : 'float32'
  checkDType('tensor', dtype)
  const out = alloc(dtype, sizeOf(shape), 'tensor', shape)
  const conv = storeAs(dtype)
  let k = 0
  const walk = (v: Nested, depth: number, path: string): void => {
    if (depth === shape.length) {
      const x = typeof v === 'boolean' ? +v : v
      if (typeof x !== 'number') throw new ShapeError('tensor', `element at ${path || 'the root'} is ${describe(v)}; expected a number or a boolean (ragged nesting?)`)
      out[k++] = conv === null ? x : conv(x)
      return
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError('tensor', `nested arrays are ragged at ${path || 'the root'}: expected an array of length ${shape[depth]}, got ${describe(v)}`)
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`)
  }
  walk(values, 0, '')
  return fromData(out, Object.freeze(shape), dtype)
}

/**
 * A rank-0 tensor.
 *
 * @example
 * import { scalar, item } from 'purediff'
 * if (item(scalar(2.5, 'float64')) !== 2.5) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function scalar(x: number, dtype: DType = 'float32'): Tensor {
  checkDType('scalar', dtype)
  if (typeof x !== 'number') throw new ArgumentError('scalar', `expected a number, got ${describe(x)}`)
  const d = alloc(dtype, 1, 'scalar')
  const conv = storeAs(dtype)
  d[0] = conv === null ? x : conv(x)
  return fromData(d, EMPTY, dtype)
}
const EMPTY: Shape = Object.freeze([])

/**
 * A tensor of the shape filled with `value`.
 *
 * @example
 * import { full, toFlatArray } from 'purediff'
 * if (toFlatArray(full([2, 2], 7)).join() !== '7,7,7,7') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function full(shape: readonly number[], value: number, dtype: DType = 'float32'): Tensor {
  return filled('full', shape, value, dtype)
}

/** `full` under the name of the constructor the user called, for its errors. */
function filled(op: string, shape: readonly number[], value: number, dtype: DType): Tensor {
  const s = checkShape(op, shape)
  checkDType(op, dtype)
  if (typeof value !== 'number') throw new ArgumentError(op, `value must be a number, got ${describe(value)}`)
  const d = alloc(dtype, sizeOf(s), op, s)
  const conv = storeAs(dtype)
  // alloc zero-fills: skip the fill only for +0 (a fill of −0 must keep its sign).
  if (!Object.is(value, 0)) d.fill(conv === null ? value : conv(value))
  return fromData(d, s, dtype)
}

/**
 * A tensor of zeros.
 *
 * @example
 * import { zeros, toFlatArray } from 'purediff'
 * if (toFlatArray(zeros([3])).join() !== '0,0,0') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return filled('zeros', shape, 0, dtype)
}

/**
 * A tensor of ones.
 *
 * @example
 * import { ones, toFlatArray } from 'purediff'
 * if (toFlatArray(ones([2])).join() !== '1,1') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function ones(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return filled('ones', shape, 1, dtype)
}

/**
 * A tensor from flat row-major values (copied) and a shape.
 *
 * @example
 * import { fromArray, toArray } from 'purediff'
 * const t = fromArray([1, 2, 3, 4, 5, 6], [3, 2])
 * if ((toArray(t) as number[][])[2][0] !== 5) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function fromArray(flat: ArrayLike<number>, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const s = checkShape('fromArray', shape)
  checkDType('fromArray', dtype)
  if (flat === null || typeof flat !== 'object' || typeof flat.length !== 'number') {
    throw new ArgumentError('fromArray', `expected an array-like of numbers, got ${describe(flat)}`)
  }
  const n = sizeOf(s)
  if (flat.length !== n) throw new ShapeError('fromArray', `${flat.length} values cannot fill shape ${fmt(s)}; expected ${n}`)
  const d = alloc(dtype, n, 'fromArray', s)
  const conv = storeAs(dtype)
  for (let i = 0; i < n; i++) {
    const v = flat[i]
    if (typeof v !== 'number') throw new ArgumentError('fromArray', `element ${i} is ${describe(v)}; expected a number`)
    d[i] = conv === null ? v : conv(v)
  }
  return fromData(d, s, dtype)
}

/**
 * `[0, 1, …, n-1]`.
 *
 * @example
 * import { arange, toFlatArray } from 'purediff'
 * if (toFlatArray(arange(4)).join() !== '0,1,2,3') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function arange(n: number, dtype: DType = 'float32'): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError('arange', `n must be a non-negative integer, got ${n}`)
  checkDType('arange', dtype)
  if (dtype === 'int32' && n > 2 ** 31) throw new ArgumentError('arange', `n = ${n} would need int32 values beyond 2^31 − 1; use a float dtype`)
  const d = alloc(dtype, n, 'arange', [n])
  // bool holds 0 then 1s (true for every i > 0)
  for (let i = 0; i < n; i++) d[i] = dtype === 'bool' ? +(i > 0) : i
  return fromData(d, Object.freeze([n]), dtype)
}

/**
 * The n×n identity matrix.
 *
 * @example
 * import { eye, toArray } from 'purediff'
 * if (JSON.stringify(toArray(eye(2))) !== '[[1,0],[0,1]]') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function eye(n: number, dtype: DType = 'float32'): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError('eye', `n must be a non-negative integer, got ${n}`)
  checkDType('eye', dtype)
  const d = alloc(dtype, n * n, 'eye', [n, n])
  for (let i = 0; i < n; i++) d[i * n + i] = 1
  return fromData(d, Object.freeze([n, n]), dtype)
}

// --- readers

/**
 * The values as nested JS arrays (a copy); a rank-0 tensor gives a number.
 *
 * @example
 * import { tensor, toArray } from 'purediff'
 * if (JSON.stringify(toArray(tensor([[1], [2]]))) !== '[[1],[2]]') throw new Error()
 * @category readers
 * @since 0.1.0
 */
export function toArray(t: Tensor): NestedArray {
  checkTensor('toArray', t, 't')
  return nestedArray(t.shape, dataOf(t))
}

/**
 * The values in row-major order as a plain array (a copy).
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(tensor([[1, 2], [3, 4]])).join() !== '1,2,3,4') throw new Error()
 * @category readers
 * @since 0.1.0
 */
export function toFlatArray(t: Tensor): number[] {
  checkTensor('toFlatArray', t, 't')
  return Array.from(dataOf(t))
}

/**
 * The single value of a size-1 tensor.
 *
 * @example
 * import { tensor, item } from 'purediff'
 * if (item(tensor([[3]])) !== 3) throw new Error()
 * @category readers
 * @since 0.1.0
 */
export function item(t: Tensor): number {
  checkTensor('item', t, 't')
  if (t.size !== 1) throw new ShapeError('item', `expected a tensor with exactly one element, got shape ${fmt(t.shape)} (${t.size} elements)`)
  return dataOf(t)[0]
}

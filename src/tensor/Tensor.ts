/**
 * The immutable tensor: constructors and readers. A tensor's storage is never written after it
 * is made, so views such as `reshape` share it freely and nothing copies defensively; readers
 * hand out copies so that no caller can reach the storage.
 *
 * @since 0.1.0
 */
import { type DType, type TypedArray, alloc, checkDType } from './dtype.js'
import { ArgumentError, ShapeError, fmt } from './errors.js'
import { type Shape, checkShape, sizeOf } from './shape.js'
import type { Node } from '../core/node.js'
import { formatTensor } from './format.js'

// --- model

/**
 * An immutable n-dimensional array of float32 or float64 numbers, row-major.
 * Inside a transform (`grad`, `vjp`, …) a tensor may be a traced value; it behaves the same.
 * There are no methods and no setters: every op returns a new tensor.
 *
 * @example
 * import { tensor } from 'purediff'
 * const t = tensor([[1, 2, 3], [4, 5, 6]], 'float64')
 * if (t.rank !== 2 || t.size !== 6 || t.dtype !== 'float64' || !Object.isFrozen(t.shape)) throw new Error()
 * @category model
 * @since 0.1.0
 */
export class Tensor {
  /** The extent of each axis; frozen. */
  readonly shape: readonly number[]
  readonly dtype: DType
  /** The number of elements, the product of `shape`. */
  readonly size: number
  /** The number of axes. */
  readonly rank: number
  /** @internal storage of a concrete tensor (trace 0); null for a traced value */
  readonly _data: TypedArray | null
  /** @internal 0 for a concrete tensor, else the id of the trace that boxed `_value` */
  readonly _trace: number
  /** @internal the value one trace level down */
  readonly _value: Tensor | null
  /** @internal how a traced value was computed (reverse traces); null for an input of its trace */
  readonly _node: Node | null
  /** @internal the tangent carried by a value of a forward (jvp) trace; null on reverse traces */
  readonly _tangent: Tensor | null
  /** @internal creation number of a traced value (0 if concrete): creation order is a topological order */
  readonly _id: number

  /** @internal use the constructors (`tensor`, `zeros`, …) instead */
  constructor(shape: Shape, dtype: DType, data: TypedArray | null, trace: number, value: Tensor | null, node: Node | null, tangent: Tensor | null, id: number) {
    this.shape = shape
    this.dtype = dtype
    this.size = data !== null ? data.length : value!.size
    this.rank = shape.length
    this._data = data
    this._trace = trace
    this._value = value
    this._node = node
    this._tangent = tangent
    this._id = id
    // Immutability is the product: no field of a tensor can be reassigned, even through a cast.
    Object.freeze(this)
  }

  /** A short description, e.g. `Tensor(float32 [2,3])`. */
  toString(): string {
    return `Tensor(${this.dtype} ${fmt(this.shape)})`
  }

  /** What Node's console shows: the description and the values (browsers ignore this symbol). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const body = this.size <= 1000 ? JSON.stringify(toArray(this)) : `${this.size} values`
    return `${this.toString()} ${body}${this._trace !== 0 ? ' (traced)' : ''}`
  }

  /**
   * fast-check's string form (counterexamples): the call that rebuilds the tensor, every number
   * exact, e.g. `tensor([[1, 2], [3, -0]], 'float64')`; a summary beyond 1000 elements.
   */
  [Symbol.for('fast-check/toStringMethod')](): string {
    return formatTensor(this.shape, this.dtype, dataOf(this))
  }
}

/** @internal a concrete tensor over `data` (which it now owns; nobody may write it again) */
export function fromData(data: TypedArray, shape: Shape, dtype: DType): Tensor {
  return new Tensor(shape, dtype, data, 0, null, null, null, 0)
}

/** @internal the concrete value under every trace level */
export function concrete(t: Tensor): Tensor {
  while (t._trace !== 0) t = t._value!
  return t
}

/** @internal the storage of the concrete value of `t` (never to be written) */
export function dataOf(t: Tensor): TypedArray {
  return concrete(t)._data!
}

/** @internal throws unless `x` is a Tensor */
export function checkTensor(op: string, x: unknown, arg = 'x'): Tensor {
  if (x instanceof Tensor) return x
  throw new ArgumentError(op, `argument '${arg}' must be a Tensor, got ${describe(x)}`)
}

/** @internal a short description of any value for error messages */
export function describe(x: unknown): string {
  if (x === null) return 'null'
  if (Array.isArray(x)) return `an array of length ${x.length}`
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`
  return `${typeof x} ${String(x)}`
}

// --- constructors

type Nested = number | readonly Nested[]

/**
 * Makes a tensor from a number or nested arrays of numbers (rectangular).
 *
 * @example
 * import { tensor, toArray } from 'purediff'
 * const t = tensor([[1, 2, 3], [4, 5, 6]])
 * if (t.shape.join() !== '2,3' || t.dtype !== 'float32') throw new Error()
 * if (toArray(t)[1][2] !== 6) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function tensor(values: Nested, dtype: DType = 'float32'): Tensor {
  checkDType('tensor', dtype)
  const shape: number[] = []
  let probe: Nested = values
  while (Array.isArray(probe)) {
    shape.push(probe.length)
    probe = (probe as readonly Nested[])[0]
    if (probe === undefined) break
  }
  const out = alloc(dtype, sizeOf(shape), 'tensor', shape)
  let k = 0
  const walk = (v: Nested, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new ShapeError('tensor', `element at ${path || 'the root'} is ${describe(v)}; expected a number (ragged nesting?)`)
      out[k++] = v
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
  d[0] = x
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
  if (value !== 0) d.fill(value)
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
 * if (toArray(t)[2][0] !== 5) throw new Error()
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
  for (let i = 0; i < n; i++) {
    const v = flat[i]
    if (typeof v !== 'number') throw new ArgumentError('fromArray', `element ${i} is ${describe(v)}; expected a number`)
    d[i] = v
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
  const d = alloc(dtype, n, 'arange', [n])
  for (let i = 0; i < n; i++) d[i] = i
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
export function toArray(t: Tensor): any {
  checkTensor('toArray', t, 't')
  const d = dataOf(t)
  const shape = t.shape
  if (shape.length === 0) return d[0]
  let k = 0
  const build = (depth: number): unknown[] => {
    const n = shape[depth]
    const out = new Array<unknown>(n)
    if (depth === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = d[k++]
    } else {
      for (let i = 0; i < n; i++) out[i] = build(depth + 1)
    }
    return out
  }
  return build(0)
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

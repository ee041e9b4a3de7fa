/**
 * The tensor model. `Tensor` is the public type; every value is one of two kinds, told apart by
 * type: a `ConcreteTensor` holds its numbers, and a tracer (a subclass defined by the engine, in
 * `src/engine/trace.ts`) is a value as a transform sees it while it runs. Primitives' `impl` and
 * the kernels receive `ConcreteTensor`s only, so they read storage without any assertion.
 *
 * Both kinds are frozen by their leaf constructor: immutability is the product, no field of a
 * tensor can be reassigned, even through a cast. A tensor's storage is never written after it is
 * made, so views such as `reshape` share it freely and nothing copies defensively.
 *
 * @since 0.1.0
 */
import type { DType, TypedArray } from './dtype.js'
import { fmt } from './errors.js'
import type { Shape } from './shape.js'
import { formatTensor, nestedArray } from './format.js'

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
export abstract class Tensor {
  /** The extent of each axis; frozen. */
  readonly shape: readonly number[]
  readonly dtype: DType
  /** The number of elements, the product of `shape`. */
  readonly size: number
  /** The number of axes. */
  readonly rank: number
  /** @internal 0 for a concrete tensor; for a tracer, the level of its trace (≥ 1) */
  readonly _level: number

  /** @internal use the constructors (`tensor`, `zeros`, …) instead */
  protected constructor(shape: Shape, dtype: DType, size: number, level: number) {
    this.shape = shape
    this.dtype = dtype
    this.size = size
    this.rank = shape.length
    this._level = level
  }

  /** @internal the concrete value under every trace level */
  abstract _concrete(): ConcreteTensor

  /** A short description, e.g. `Tensor(float32 [2,3])`. */
  toString(): string {
    return `Tensor(${this.dtype} ${fmt(this.shape)})`
  }

  /** What Node's console shows: the description and the values (browsers ignore this symbol). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const body = this.size <= 1000 ? JSON.stringify(nestedArray(this.shape, dataOf(this))) : `${this.size} values`
    return `${this.toString()} ${body}${this._level !== 0 ? ' (traced)' : ''}`
  }

  /**
   * fast-check's string form (counterexamples): the call that rebuilds the tensor, every number
   * exact, e.g. `tensor([[1, 2], [3, -0]], 'float64')`; a summary beyond 1000 elements.
   */
  [Symbol.for('fast-check/toStringMethod')](): string {
    return formatTensor(this.shape, this.dtype, dataOf(this))
  }
}

/** @internal a tensor that holds its numbers: what kernels and primitives' `impl` receive */
export class ConcreteTensor extends Tensor {
  /** @internal the storage, row-major; never written after construction */
  readonly _data: TypedArray

  constructor(data: TypedArray, shape: Shape, dtype: DType) {
    super(shape, dtype, data.length, 0)
    this._data = data
    Object.freeze(this)
  }

  _concrete(): ConcreteTensor {
    return this
  }
}

/** @internal a concrete tensor over `data` (which it now owns; nobody may write it again) */
export function fromData(data: TypedArray, shape: Shape, dtype: DType): ConcreteTensor {
  return new ConcreteTensor(data, shape, dtype)
}

/** @internal the concrete value under every trace level */
export function concrete(t: Tensor): ConcreteTensor {
  return t._concrete()
}

/** @internal the storage of the concrete value of `t` (never to be written) */
export function dataOf(t: Tensor): TypedArray {
  return t._concrete()._data
}

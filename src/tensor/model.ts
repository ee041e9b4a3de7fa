/**
 * The tensor model. `Tensor` is the public type; every value is one of two kinds, told apart by
 * type: a `ConcreteTensor` holds its numbers, and a tracer (`Tracer<A>` in
 * `src/engine/trace.ts`) is a value as a transform sees it while it runs. Primitives' `impl` and
 * the kernels receive `ConcreteTensor`s only, so they read storage without any assertion.
 *
 * why one runtime class for both kinds: every op reads `shape`, `dtype` and `size` many times,
 * and with one hidden class those reads stay monomorphic. A class per kind (a concrete subclass,
 * a reverse-tracer subclass, …) measured about 35% slower per op under grad's forward pass and
 * 12–19% on a whole grad of a 200-op chain. So the kinds are types over one class, made by two
 * factories only: `fromData` here, `newTracer` in the engine.
 *
 * Every tensor is frozen by its constructor: immutability is the product, no field of a tensor
 * can be reassigned, even through a cast. A tensor's storage is never written after it is made,
 * so views such as `reshape` share it freely and nothing copies defensively.
 *
 * @since 0.1.0
 */
import type { DType, TypedArray } from './dtype.js'
import { fmt } from './errors.js'
import type { Shape } from './shape.js'
import { formatTensor, nestedArray } from './format.js'

// --- model

/** What the tensor model knows of a trace: its level (the engine's `Trace` extends this). */
export interface TraceTag {
  readonly level: number
}

/**
 * An immutable n-dimensional array, row-major, of one dtype: float32 (the default), float64,
 * int32 or bool (stored as 0 and 1).
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
  /** @internal 0 for a concrete tensor; for a tracer, the level of its trace (≥ 1) */
  readonly _level: number
  /** @internal the storage of a concrete tensor, row-major, never written; null for a tracer */
  readonly _data: TypedArray | null
  /** @internal the trace a tracer belongs to; null for a concrete tensor */
  readonly _trace: TraceTag | null
  /** @internal a tracer's value one trace level down (what its trace kind says it is) */
  readonly _primal: Tensor | null
  /** @internal what a tracer's trace kind attaches to it (a node, a tangent, …) */
  readonly _aux: unknown
  /** @internal a tracer's creation number, for trace kinds that order their values */
  readonly _id: number

  /** @internal use the constructors (`tensor`, `zeros`, …); the engine uses `fromData` and `newTracer` */
  constructor(shape: Shape, dtype: DType, size: number, data: TypedArray | null, trace: TraceTag | null, primal: Tensor | null, aux: unknown, id: number) {
    this.shape = shape
    this.dtype = dtype
    this.size = size
    this.rank = shape.length
    this._level = trace === null ? 0 : trace.level
    this._data = data
    this._trace = trace
    this._primal = primal
    this._aux = aux
    this._id = id
    Object.freeze(this)
  }

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
export type ConcreteTensor = Tensor & { readonly _level: 0; readonly _data: TypedArray; readonly _trace: null }

/** @internal a concrete tensor over `data` (which it now owns; nobody may write it again) */
export function fromData(data: TypedArray, shape: Shape, dtype: DType): ConcreteTensor {
  return new Tensor(shape, dtype, data.length, data, null, null, null, 0) as ConcreteTensor
}

/**
 * @internal the concrete value under every trace level, following each tracer's primal. Right for
 * the autodiff kinds, whose primal is the value itself; a batching kind's primal is the batched
 * value and a staging kind has none (this throws). So no op and no transform calls it: what used
 * to (comparisons, `where`'s condition, max's mask, argmax, logSumExp's shift, stopGradient,
 * customVjp's result) is a primitive applied through `bind` (test/core/noBypass.test.ts runs
 * every op on a trace whose tracers hold no primal). Its callers read values out, on purpose
 * eager-only: `toArray`/`toFlatArray`/`item` and the console view, io's encoders, the optimizer
 * kernels' leaves, and training's batching, evaluation and divergence checks.
 */
export function concrete(t: Tensor): ConcreteTensor {
  let x = t
  while (x._data === null) {
    if (x._primal === null) {
      throw new Error(
        `purediff: ${x.toString()} is a traced value with no concrete value of its own (inside vmap, one example stands for the whole batch); read values outside the transform`,
      )
    }
    x = x._primal
  }
  return x as ConcreteTensor
}

/** @internal the storage of the concrete value of `t` (never to be written) */
export function dataOf(t: Tensor): TypedArray {
  return concrete(t)._data
}

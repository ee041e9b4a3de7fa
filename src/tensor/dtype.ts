/**
 * Dtypes: float32 (the default) and float64. Storage is a typed array in row-major order.
 *
 * @since 0.1.0
 */
import { DTypeError } from './errors.js'

// --- model

/** The element type of a tensor. Mixed inputs promote to `'float64'`. @category model @since 0.1.0 */
export type DType = 'float32' | 'float64'

/** Storage of a tensor. @internal */
export type TypedArray = Float32Array | Float64Array

// --- operations

/** Throws a DTypeError unless `dtype` is a supported dtype. @internal */
export function checkDType(op: string, dtype: unknown): DType {
  if (dtype === 'float32' || dtype === 'float64') return dtype
  throw new DTypeError(op, `dtype ${JSON.stringify(dtype)} is not supported; expected 'float32' or 'float64'`)
}

/** A zero-filled typed array of the dtype. @internal */
export function alloc(dtype: DType, n: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n)
}

/** The dtype of a binary result: float64 if either side is float64. @internal */
export function promote(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32'
}

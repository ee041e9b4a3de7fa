/**
 * Dtypes: float32 (the default), float64, int32 and bool. Storage is a typed array in row-major
 * order: Float32Array, Float64Array, Int32Array, and Uint8Array holding 0 or 1 for bool.
 * Promotion (NumPy/JAX): bool < int32 < float32 < float64.
 *
 * @since 0.1.0
 */
import { ArgumentError, DTypeError, type PurediffError } from './errors.js'

// --- model

/**
 * The element type of a tensor. Mixed inputs promote along bool < int32 < float32 < float64.
 * @category model
 * @since 0.1.0
 */
export type DType = 'float32' | 'float64' | 'int32' | 'bool'

/** The floating dtypes: the ones that carry gradients. @category model @since 0.2.0 */
export type FloatDType = 'float32' | 'float64'

/** Storage of a tensor. @internal */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array

/** Storage of a float tensor. @internal */
export type FloatArray = Float32Array | Float64Array

/** Whether a dtype is floating (carries gradients). @internal */
export const isFloat = (d: DType): d is FloatDType => d === 'float32' || d === 'float64'

// --- operations

/** Throws a DTypeError unless `dtype` is a supported dtype. @internal */
export function checkDType(op: string, dtype: unknown): DType {
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'int32' || dtype === 'bool') return dtype
  throw new DTypeError(op, `dtype ${JSON.stringify(dtype)} is not supported; expected 'float32', 'float64', 'int32' or 'bool'`)
}

/** Throws a DTypeError unless `dtype` is float32 or float64 (what `what` needs). @internal */
export function checkFloatDType(op: string, dtype: unknown, what = 'dtype'): FloatDType {
  if (dtype === 'float32' || dtype === 'float64') return dtype
  throw new DTypeError(op, `${what} ${JSON.stringify(dtype)} is not supported here; expected 'float32' or 'float64'`)
}

/**
 * The most elements one tensor may hold, per dtype: 2^32. Measured on Node 20 (V8 11.3, the
 * oldest supported runtime): `new Float32Array(2 ** 32)` is accepted and `new Float32Array(2 ** 32
 * + 1)` is refused ("Invalid typed array length") without allocating, for 4- and 8-byte elements
 * alike (its `v8::TypedArray::kMaxLength`). Node 22+ and recent browsers allow more bytes, but
 * one limit everywhere keeps a program's failures the same on every runtime it runs on.
 * @internal
 */
export const MAX_ELEMENTS: Readonly<Record<DType, number>> = Object.freeze({ float32: 2 ** 32, float64: 2 ** 32, int32: 2 ** 32, bool: 2 ** 32 })

/** Bytes per element of each dtype's storage. @internal */
export const BYTES: Readonly<Record<DType, number>> = Object.freeze({ float32: 4, float64: 8, int32: 4, bool: 1 })

/**
 * The element count of a shape as an exact decimal string (BigInt, so products beyond 2^53 print
 * exactly; very long ones are shortened to scientific form).
 */
function countText(shape: readonly number[]): string {
  if (shape.some((d) => d === 0)) return '0'
  if (!shape.every(Number.isInteger)) return String(shape.reduce((a, b) => a * b, 1)) // not a size: say what it is
  let n = 1n
  for (const d of shape) n *= BigInt(d)
  const s = n.toString()
  return s.length <= 21 ? s : `${s[0]}.${s.slice(1, 4)}e+${s.length - 1}`
}

const bytesText = (n: number, dtype: DType): string => {
  const b = n * BYTES[dtype]
  return b >= 2 ** 30 ? `${(b / 2 ** 30).toPrecision(3)} GiB` : b >= 2 ** 20 ? `${(b / 2 ** 20).toPrecision(3)} MiB` : `${b} bytes`
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(',')}]`

/**
 * The element count of `shape` (0 when an axis is 0, even if others are huge), or an
 * ArgumentError naming `op`, the shape and the count when a tensor of that shape and dtype
 * exceeds `MAX_ELEMENTS` — checked before anything is allocated. `what` names the tensor in the
 * message (e.g. 'the kernel w'). The shape must already hold non-negative integers. @internal
 */
export function checkSize(op: string, shape: readonly number[], dtype: DType, what = 'the result'): number {
  let n = 1
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 0) return 0
    n *= shape[i]
  }
  if (n > MAX_ELEMENTS[dtype]) throw tooLarge(op, shape, dtype, what)
  return n
}

function tooLarge(op: string, shape: readonly number[], dtype: DType, what: string): PurediffError {
  return new ArgumentError(op, `${what} would have shape ${shapeText(shape)}: ${countText(shape)} ${dtype} elements; a tensor holds at most ${MAX_ELEMENTS[dtype]} (2^32) elements`)
}

/**
 * The one allocation of tensor storage: a zero-filled typed array of `n` elements of the dtype.
 * `op` and `shape` name the request in errors. A size over `MAX_ELEMENTS` (or not a
 * non-negative integer) is an ArgumentError before anything is allocated; a size the host
 * refuses (RangeError: out of memory, or a runtime with a lower limit) becomes an ArgumentError
 * naming the op, the shape, the count and the bytes, never a bare RangeError. @internal
 */
export function alloc(dtype: DType, n: number, op = 'alloc', shape?: readonly number[]): TypedArray {
  const count = shape === undefined ? n : checkSize(op, shape, dtype)
  if (!(count <= MAX_ELEMENTS[dtype]) || !Number.isInteger(count) || count < 0) throw tooLarge(op, shape ?? [n], dtype, 'the result')
  try {
    return dtype === 'float32' ? new Float32Array(count) : dtype === 'float64' ? new Float64Array(count) : dtype === 'int32' ? new Int32Array(count) : new Uint8Array(count)
  } catch (e) {
    throw refused(op, shape ?? [count], count, dtype, e)
  }
}

/** The error for an allocation the runtime refused: an ArgumentError for a RangeError, else `e` itself. */
function refused(op: string, shape: readonly number[], n: number, dtype: DType, e: unknown): unknown {
  if (!(e instanceof RangeError)) return e
  return new ArgumentError(
    op,
    `could not allocate shape ${shapeText(shape)} (${n} ${dtype} elements, ${bytesText(n, dtype)}): the runtime refused (${e.message}); use smaller tensors or free memory`,
  )
}

const RANK: Readonly<Record<DType, number>> = { bool: 0, int32: 1, float32: 2, float64: 3 }
const BY_RANK: readonly DType[] = ['bool', 'int32', 'float32', 'float64']

/** The dtype of a binary result: the larger of the two along bool < int32 < float32 < float64. @internal */
export function promote(a: DType, b: DType): DType {
  return a === b ? a : BY_RANK[Math.max(RANK[a], RANK[b])]
}

/** The float dtype an op that computes in floating point gives for `d`: ints and bool become float32. @internal */
export const floatOf = (d: DType): FloatDType => (d === 'float64' ? 'float64' : 'float32')

/** The dtype arithmetic (add, mul, sum, …) gives for `d`: bool counts as int32 (0/1). @internal */
export const arithmeticOf = (d: DType): DType => (d === 'bool' ? 'int32' : d)

/**
 * How a JS number is stored in an int32 or bool tensor (null for the floats, which store it as
 * is, rounding float32): int32 truncates toward 0, saturating, NaN → 0, as `cast` does; bool is
 * `v ≠ 0`. Constructors use it, so `tensor([2], 'bool')` holds true, never a 2. @internal
 */
export function storeAs(dtype: DType): ((v: number) => number) | null {
  if (dtype === 'int32') return toInt32
  if (dtype === 'bool') return toBool
  return null
}
const toInt32 = (v: number): number => (v >= 2147483647 ? 2147483647 : v <= -2147483648 ? -2147483648 : Number.isNaN(v) ? 0 : Math.trunc(v))
const toBool = (v: number): number => (v !== 0 ? 1 : 0)

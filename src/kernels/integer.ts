/**
 * Kernels for int32 and bool storage, and the dtype conversions. int32 arithmetic wraps modulo
 * 2³² as in C, NumPy and JAX: sums are exact in float64 before the store truncates them, and
 * products use `Math.imul` (a float64 product of two int32 values can exceed 2⁵³ and round).
 * These loops are separate from the float ones on purpose: each sees one kind of typed array, so
 * the hot float loops stay monomorphic.
 *
 * @internal
 */
import { ArgumentError } from '../tensor/errors.js'
import type { TypedArray } from '../tensor/dtype.js'
import type { BinaryRun, UnaryKernel } from './elementwise.js'

// --- int32 unary

export const negI: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = -x[i] | 0
}
/** |−2³¹| does not fit: it wraps to −2³¹, as NumPy's int32 abs. */
export const absI: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = Math.abs(x[i]) | 0
}
export const signI: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    o[i] = v > 0 ? 1 : v < 0 ? -1 : 0
  }
}
export const squareI: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = Math.imul(x[i], x[i])
}
export const reluI: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = Math.max(x[i], 0)
}

// --- int32 binary (wrapping)

export const addI: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = (a[ai] + b[bi]) | 0
}
export const subI: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = (a[ai] - b[bi]) | 0
}
export const mulI: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.imul(a[ai], b[bi])
}
export const maximumI: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.max(a[ai], b[bi])
}
export const minimumI: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.min(a[ai], b[bi])
}

function divisionByZero(op: string): ArgumentError {
  return new ArgumentError(op, 'integer division by zero (an int32 divisor is 0); cast to a float dtype to get IEEE ±Infinity or NaN')
}

/**
 * ⌊a / b⌋ for int32: the float64 quotient of two int32 values is within 2⁻²²/|b| of the exact
 * one, closer than the 1/|b| that separates a non-integer quotient from the next integer, so its
 * floor is exact. −2³¹ // −1 wraps to −2³¹. A zero divisor is an ArgumentError.
 */
export const floorDivI =
  (op: string): BinaryRun =>
  (a, ai, as, b, bi, bs, o, oi, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) {
      const y = b[bi]
      if (y === 0) throw divisionByZero(op)
      o[oi + i] = Math.floor(a[ai] / y) | 0
    }
  }
/** a − b·⌊a / b⌋ for int32: the remainder takes the divisor's sign (Python, NumPy). */
export const modI =
  (op: string): BinaryRun =>
  (a, ai, as, b, bi, bs, o, oi, n) => {
    for (let i = 0; i < n; i++, ai += as, bi += bs) {
      const y = b[bi]
      if (y === 0) throw divisionByZero(op)
      let r = a[ai] % y
      if (r !== 0 && r < 0 !== y < 0) r += y
      o[oi + i] = r
    }
  }

// --- float floorDiv and mod (NumPy's divmod: consistent, so a = b·floorDiv(a, b) + mod(a, b) up to rounding)

/** The floor-mod of floats: fmod, then moved to the divisor's sign; a zero keeps the divisor's sign. */
function fmodFloor(x: number, y: number): number {
  let r = x % y
  if (r === 0) return y < 0 ? -0 : 0
  if (r < 0 !== y < 0) r += y
  return r
}
/**
 * ⌊a / b⌋ of floats computed as NumPy does, from the exact remainder (fmod) rather than by
 * flooring a rounded quotient: floorDiv(1, 0.1) is 9 (0.1 is slightly above 1/10), where
 * ⌊1 / 0.1⌋ would give 10. A zero divisor gives a / b (±Infinity or NaN).
 */
function floorDivFloat(x: number, y: number): number {
  if (y === 0) return x / y
  const m = x % y
  let d = (x - m) / y
  if (m !== 0 && m < 0 !== y < 0) d -= 1
  if (d === 0) return Object.is(x / y, -0) || x / y < 0 ? -0 : 0
  let q = Math.floor(d)
  if (d - q > 0.5) q += 1
  return q
}
export const floorDivRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = floorDivFloat(a[ai], b[bi])
}
export const modRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = fmodFloor(a[ai], b[bi])
}

// --- comparisons and logic: any dtype in, bool (0/1 bytes) out

export const notEqualRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] !== b[bi] ? 1 : 0
}
export const lessEqualRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] <= b[bi] ? 1 : 0
}
// Truth is "not zero" (NaN is true, as in NumPy and C): `x !== 0` says exactly that.
export const andRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] !== 0 && b[bi] !== 0 ? 1 : 0
}
export const orRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] !== 0 || b[bi] !== 0 ? 1 : 0
}
export const xorRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = (a[ai] !== 0) !== (b[bi] !== 0) ? 1 : 0
}
export const notKernel: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = x[i] === 0 ? 1 : 0
}

// --- conversions

/**
 * float → int32: truncation toward 0, saturating at the int32 range, NaN → 0 (as Rust's `as`,
 * XLA and TF; C leaves it undefined). A plain store would wrap modulo 2³² instead.
 */
export function floatToInt(x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    o[i] = v >= 2147483647 ? 2147483647 : v <= -2147483648 ? -2147483648 : Number.isNaN(v) ? 0 : Math.trunc(v)
  }
}
/** any → bool: 1 where not zero (NaN included), else 0. */
export function toBool(x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < x.length; i++) o[i] = x[i] !== 0 ? 1 : 0
}

// --- int32 reductions and products (wrapping, exact)

/** Sums int32 `x` over `axes` into `out` modulo 2³² (the float kernel's float64 sum is inexact past 2⁵³). */
export function sumI(x: TypedArray, shape: readonly number[], axes: readonly number[], out: TypedArray): void {
  const rank = shape.length
  const os = new Array<number>(rank)
  let acc = 1
  for (let d = rank - 1; d >= 0; d--) {
    if (axes.includes(d)) os[d] = 0
    else {
      os[d] = acc
      acc *= shape[d]
    }
  }
  const idx = new Array<number>(rank).fill(0)
  let oi = 0
  for (let i = 0; i < x.length; i++) {
    out[oi] = (out[oi] + x[i]) | 0
    for (let d = rank - 1; d >= 0; d--) {
      oi += os[d]
      if (++idx[d] < shape[d]) break
      oi -= os[d] * shape[d]
      idx[d] = 0
    }
  }
}

/** Running int32 sums along an axis (`outer` × `n` × `inner` layout), wrapping. */
export function cumsumI(src: TypedArray, outer: number, n: number, inner: number, reverse: boolean, out: TypedArray): void {
  const row = n * inner
  const step = reverse ? -inner : inner
  for (let o = 0; o < outer; o++) {
    let p = o * row + (reverse ? row - inner : 0)
    for (let j = 0; j < inner; j++) out[p + j] = src[p + j]
    for (let k = 1; k < n; k++) {
      const q = p + step
      for (let j = 0; j < inner; j++) out[q + j] = (out[p + j] + src[q + j]) | 0
      p = q
    }
  }
}

/** C = op(A)·op(B) for int32 (m×k by k×n), wrapping; the contract of the float matmul kernel. */
export function matmulI(a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, co: number, m: number, n: number, k: number, ta: boolean, tb: boolean): void {
  // Strides of op(A)[i][p] and op(B)[p][j] in the row-major storage.
  const ai = ta ? 1 : k
  const ap = ta ? m : 1
  const bp = tb ? 1 : n
  const bj = tb ? k : 1
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let p = 0; p < k; p++) s = (s + Math.imul(a[ao + i * ai + p * ap], b[bo + p * bp + j * bj])) | 0
      c[co + i * n + j] = s
    }
  }
}

/**
 * Neighbouring floats, for keeping `uniform`'s results inside `[min, max)` in the dtype.
 *
 * @internal
 */
import type { DType } from '../tensor/dtype.js'

/** The smallest value of the dtype that is >= x (x finite). */
export function smallestAtLeast(x: number, dtype: DType): number {
  if (dtype === 'float64') return x
  const f = Math.fround(x)
  return f >= x ? f : step32(f, 1)
}

/** The largest value of the dtype that is < x (x finite). */
export function largestBelow(x: number, dtype: DType): number {
  if (dtype === 'float64') return step64(x, -1)
  const f = Math.fround(x)
  return f < x ? f : step32(f, -1)
}

/** The next float32 after f towards +∞ (dir 1) or -∞ (dir -1); f may be ±∞. */
function step32(f: number, dir: 1 | -1): number {
  if (f === 0) return dir * 2 ** -149
  const a = Float32Array.of(f)
  const bits = new Uint32Array(a.buffer)
  // For a float of either sign, adding 1 to the bit pattern moves it one step away from zero.
  bits[0] += f > 0 === dir > 0 ? 1 : -1
  return a[0]
}

/** The next float64 after x towards +∞ (dir 1) or -∞ (dir -1). */
function step64(x: number, dir: 1 | -1): number {
  if (x === 0) return dir * Number.MIN_VALUE
  const a = Float64Array.of(x)
  const bits = new BigUint64Array(a.buffer)
  bits[0] += x > 0 === dir > 0 ? 1n : -1n
  return a[0]
}

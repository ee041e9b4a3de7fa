/**
 * Threefry-2x32 counter hashing in WebAssembly SIMD (wasm/assembly/rng.ts), bit-identical to
 * `hashCounters` in src/random/threefry.ts.
 *
 * @internal
 */
import type { DType, TypedArray } from '../../tensor/dtype.js'
import { BASE, after, roundUp, wasm } from './runtime.js'

/** The hashes of counters start … start + n − 1 under (k0, k1), or null when unavailable. */
export function wasmHashCounters(k0: number, k1: number, start: number, n: number): [Uint32Array, Uint32Array] | null {
  const words = roundUp(n, 16)
  const y0 = BASE, y1 = after(y0, 4 * words), end = after(y1, 4 * words)
  const w = wasm(end - BASE)
  if (w === null) return null
  w.fn.hashCounters(k0 >>> 0, k1 >>> 0, start, n, y0, y1)
  return [w.u32.slice(y0 >> 2, (y0 >> 2) + n), w.u32.slice(y1 >> 2, (y1 >> 2) + n)]
}

/**
 * A Bernoulli(p) mask of n values (1 with probability p) from the hashes of counters 0 … n − 1,
 * bitwise as `random.bernoulli` computes it, or null when unavailable.
 */
export function wasmBernoulli(k0: number, k1: number, n: number, p: number, dtype: DType): TypedArray | null {
  const words = roundUp(n, 16), es = dtype === 'float64' ? 8 : 4
  const y0 = BASE, y1 = after(y0, 4 * words), out = after(y1, 4 * words), end = after(out, es * words)
  const w = wasm(end - BASE)
  if (w === null) return null
  w.fn.hashCounters(k0 >>> 0, k1 >>> 0, 0, n, y0, y1)
  if (dtype === 'float64') {
    w.fn.bernoulliMask64(y0, y1, n, p, out)
    return w.f64.slice(out >> 3, (out >> 3) + n)
  }
  w.fn.bernoulliMask32(y0, y1, n, p, out)
  return w.f32.slice(out >> 2, (out >> 2) + n)
}

/**
 * Threefry-2x32 counter hashing in WebAssembly SIMD (wasm/assembly/rng.ts), bit-identical to
 * `hashCounters` in src/random/threefry.ts. Long draws run in chunks that fit one memory; the
 * counters continue across chunks (chunk i starts at counter start + i·L, passed as a float64,
 * exact below 2⁵³, so past 2³² the high word carries as in TypeScript).
 *
 * @internal
 */
import type { DType, TypedArray } from '../../tensor/dtype.js'
import { BASE, chunkPlan } from './layout.js'
import { chunkBudget, wasm } from './runtime.js'

/** The kernel writes whole blocks of 16 counters (4 vectors of 4), so regions hold multiples of 16. */
const BLOCK = 16

/**
 * The hashes of counters start … start + n − 1 under (k0, k1), for start + n ≤ 2⁵³, or null
 * (nothing computed) when no memory is available.
 */
export function wasmHashCounters(k0: number, k1: number, start: number, n: number): [Uint32Array, Uint32Array] | null {
  if (n === 0) return [new Uint32Array(0), new Uint32Array(0)]
  const plan = chunkPlan(n, [4, 4], chunkBudget(), BLOCK)
  if (plan === null) return null
  const {
    chunk,
    regions: {
      at: [y0, y1],
      end,
    },
  } = plan
  const w = wasm(end - BASE)
  if (w === null) return null
  const out0 = new Uint32Array(n),
    out1 = new Uint32Array(n)
  const i0 = y0 / 4,
    i1 = y1 / 4 // exact: regions start on 64-byte boundaries
  for (let lo = 0; lo < n; lo += chunk) {
    const len = Math.min(chunk, n - lo)
    w.fn.hashCounters(k0 >>> 0, k1 >>> 0, start + lo, len, y0, y1)
    out0.set(w.u32.subarray(i0, i0 + len), lo)
    out1.set(w.u32.subarray(i1, i1 + len), lo)
  }
  return [out0, out1]
}

/**
 * A Bernoulli(p) mask of n values (1 with probability p) from the hashes of counters 0 … n − 1,
 * bitwise as `random.bernoulli` computes it, or null (nothing computed) when no memory is available.
 */
export function wasmBernoulli(k0: number, k1: number, n: number, p: number, dtype: DType): TypedArray | null {
  const es = dtype === 'float64' ? 8 : 4
  if (n === 0) return dtype === 'float64' ? new Float64Array(0) : new Float32Array(0)
  const plan = chunkPlan(n, [4, 4, es], chunkBudget(), BLOCK)
  if (plan === null) return null
  const {
    chunk,
    regions: {
      at: [y0, y1, at],
      end,
    },
  } = plan
  const w = wasm(end - BASE)
  if (w === null) return null
  const out = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n)
  const mem = dtype === 'float64' ? w.f64 : w.f32
  const o = at / es
  for (let lo = 0; lo < n; lo += chunk) {
    const len = Math.min(chunk, n - lo)
    w.fn.hashCounters(k0 >>> 0, k1 >>> 0, lo, len, y0, y1)
    if (dtype === 'float64') w.fn.bernoulliMask64(y0, y1, len, p, at)
    else w.fn.bernoulliMask32(y0, y1, len, p, at)
    out.set(mem.subarray(o, o + len), lo)
  }
  return out
}

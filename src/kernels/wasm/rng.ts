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

/**
 * The hashes of counters start … start + n − 1 under each of the R = keys.length / 2 keys (key r
 * is words 2r, 2r + 1), row-major: element r·n + i is counter start + i under key r. Rows run in
 * chunks that fit the memory; null (nothing computed) when not even 64 rows fit (the caller
 * hashes row by row then).
 */
export function wasmHashRows(keys: Uint32Array, start: number, n: number): [Uint32Array, Uint32Array] | null {
  const rows = keys.length / 2
  if (rows === 0 || n === 0) return [new Uint32Array(0), new Uint32Array(0)]
  const ns = Math.ceil(n / BLOCK) * BLOCK
  const plan = chunkPlan(rows, [8, 4 * ns, 4 * ns], chunkBudget(), 1)
  if (plan === null) return null
  const {
    chunk,
    regions: {
      at: [k, y0, y1],
      end,
    },
  } = plan
  const w = wasm(end - BASE)
  if (w === null) return null
  const out0 = new Uint32Array(rows * n),
    out1 = new Uint32Array(rows * n)
  const ik = k / 4,
    i0 = y0 / 4,
    i1 = y1 / 4 // exact: regions start on 64-byte boundaries
  for (let lo = 0; lo < rows; lo += chunk) {
    const len = Math.min(chunk, rows - lo)
    w.u32.set(keys.subarray(2 * lo, 2 * (lo + len)), ik)
    w.fn.hashRows(k, len, start, n, y0, y1)
    for (let r = 0; r < len; r++) {
      out0.set(w.u32.subarray(i0 + r * ns, i0 + r * ns + n), (lo + r) * n)
      out1.set(w.u32.subarray(i1 + r * ns, i1 + r * ns + n), (lo + r) * n)
    }
  }
  return [out0, out1]
}

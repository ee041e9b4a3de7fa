/**
 * The samplers' loops, for R keys at once: `keys` holds R keys as words (key r is words 2r and
 * 2r + 1) and each function returns R rows of draws, row r being exactly what key r alone gives.
 * One key (a `Key`) is R = 1; a batch of keys (vmap over a key tensor) is one call with every
 * row, hashed by one kernel (`hashKeyRows`), never a loop over examples calling a sampler.
 *
 * @internal
 */
import { type DType, type TypedArray, alloc } from '../tensor/dtype.js'
import { KERNELS, useWasm } from '../kernels/dispatch.js'
import { wasmBernoulli } from '../kernels/wasm/rng.js'
import { boundedInt, hashCounters, hashKeyRows, threefry2x32, wordStream } from './threefry.js'

/**
 * Samplers hash their counters in blocks of at most this many (8 MiB of scratch words), so a draw
 * never holds more scratch than that and never asks for more counters than one typed array can
 * hold (float64 normals use two counters per element). The bits do not depend on the block size.
 */
const BLOCK = 2 ** 20

const TWO_32 = 4294967296
const TWO_M23 = 2 ** -23
const TWO_M24 = 2 ** -24
const TWO_M53 = 2 ** -53

// --- hashing in blocks

/**
 * Calls `visit(y0, y1, at)` with the hashes of counters 0 … count − 1 under every key, in blocks
 * of at most BLOCK words that never split a row's even pairs: word j of a block is counter
 * `(at + j) mod count` of key `⌊(at + j) / count⌋`. Short rows are hashed many keys per block.
 */
function forEachBlock(keys: Uint32Array, count: number, visit: (y0: Uint32Array, y1: Uint32Array, at: number) => void): void {
  const rows = keys.length >>> 1
  if (rows === 1 || count >= BLOCK / 2) {
    for (let r = 0; r < rows; r++) {
      for (let start = 0; start < count; start += BLOCK) {
        const [y0, y1] = hashCounters(keys[2 * r], keys[2 * r + 1], start, Math.min(BLOCK, count - start))
        visit(y0, y1, r * count + start)
      }
    }
    return
  }
  const per = Math.max(1, Math.floor(BLOCK / Math.max(1, count)))
  for (let r0 = 0; r0 < rows; r0 += per) {
    const r1 = Math.min(rows, r0 + per)
    const [y0, y1] = hashKeyRows(keys.subarray(2 * r0, 2 * r1), 0, count)
    visit(y0, y1, r0 * count)
  }
}

// --- samplers

/**
 * Uniform rows in [min, max), kept inside [lo, hi] (the dtype's values nearest the interval):
 * float32 takes 23 bits of `y0 ^ y1`, float64 53 bits from both words (see `random.uniform`).
 */
export function uniformRows(keys: Uint32Array, n: number, min: number, max: number, lo: number, hi: number, dtype: DType, op: string, shape: readonly number[]): TypedArray {
  const out = alloc(dtype, (keys.length >>> 1) * n, op, shape)
  const range = max - min
  const wide = dtype === 'float64'
  forEachBlock(keys, n, (y0, y1, at) => {
    for (let j = 0, i = at; j < y0.length; j++, i++) {
      const u = wide ? ((y0[j] >>> 5) * 67108864 + (y1[j] >>> 6)) * TWO_M53 : ((y0[j] ^ y1[j]) >>> 9) * TWO_M23
      out[i] = min + u * range
      const r = out[i] // read back: rounding to float32 happens on the store
      if (r > hi) out[i] = hi
      else if (r < lo) out[i] = lo
    }
  })
  return out
}

/**
 * Normal rows by Box–Muller (see `random.normal`): float32 takes 24 bits each for u1 ∈ (0, 1]
 * and u2 ∈ [0, 1) from one hash per element; float64 53 bits each from counters 2i and 2i + 1.
 */
export function normalRows(keys: Uint32Array, n: number, mean: number, std: number, dtype: DType, op: string, shape: readonly number[]): TypedArray {
  const out = alloc(dtype, (keys.length >>> 1) * n, op, shape)
  const TWO_PI = 2 * Math.PI
  if (dtype === 'float64') {
    // Rows hold 2n counters and blocks are even, so a pair never straddles two blocks.
    forEachBlock(keys, 2 * n, (y0, y1, at) => {
      for (let a = 0, i = at / 2; a < y0.length; a += 2, i++) {
        const u1 = ((y0[a] >>> 5) * 67108864 + (y1[a] >>> 6) + 1) * TWO_M53
        const u2 = ((y0[a + 1] >>> 5) * 67108864 + (y1[a + 1] >>> 6)) * TWO_M53
        out[i] = mean + std * (Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * u2))
      }
    })
  } else {
    forEachBlock(keys, n, (y0, y1, at) => {
      for (let j = 0, i = at; j < y0.length; j++, i++) {
        const u1 = ((y0[j] >>> 8) + 1) * TWO_M24
        const u2 = (y1[j] >>> 8) * TWO_M24
        out[i] = mean + std * (Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * u2))
      }
    })
  }
  return out
}

/** Bernoulli(p) rows: 1 where the element's 53-bit uniform is < p (see `random.bernoulli`). */
export function bernoulliRows(keys: Uint32Array, n: number, p: number, dtype: DType, op: string, shape: readonly number[]): TypedArray {
  // One key: the WebAssembly kernel hashes and compares in one call, bitwise as the loop below.
  if (keys.length === 2 && useWasm(KERNELS.bernoulli, n)) {
    const fast = wasmBernoulli(keys[0], keys[1], n, p, dtype)
    if (fast !== null) return fast
  }
  const out = alloc(dtype, (keys.length >>> 1) * n, op, shape)
  forEachBlock(keys, n, (y0, y1, at) => {
    for (let j = 0, i = at; j < y0.length; j++, i++) {
      const u = ((y0[j] >>> 5) * 67108864 + (y1[j] >>> 6)) * TWO_M53
      out[i] = u < p ? 1 : 0
    }
  })
  return out
}

/**
 * Uniform int32 rows in [min, max) by rejection (see `random.randint`): element i takes the
 * first word below `limit` among its counters a·2^32 + i, a = 0, 1, … (y0 before y1).
 */
export function randintRows(keys: Uint32Array, n: number, min: number, max: number, op: string, shape: readonly number[]): Int32Array {
  const out = alloc('int32', (keys.length >>> 1) * n, op, shape) as Int32Array
  const r = max - min
  const limit = TWO_32 - (TWO_32 % r)
  forEachBlock(keys, n, (y0, y1, at) => {
    for (let j = 0, i = at; j < y0.length; j++, i++) {
      let w: number
      if (y0[j] < limit) w = y0[j]
      else if (y1[j] < limit) w = y1[j]
      else {
        const row = Math.floor(i / n)
        w = retry(keys[2 * row], keys[2 * row + 1], i - row * n, limit)
      }
      out[i] = min + (w % r)
    }
  })
  return out
}

/** The first accepted word of element i's later attempts: counters a·2^32 + i for a = 1, 2, …. */
function retry(k0: number, k1: number, i: number, limit: number): number {
  for (let a = 1; ; a++) {
    const [y0, y1] = hashCounters(k0, k1, a * TWO_32 + i, 1)
    if (y0[0] < limit) return y0[0]
    if (y1[0] < limit) return y1[0]
  }
}

/**
 * Permutation rows of 0 … n − 1: Fisher–Yates per key, each swap index an unbiased integer drawn
 * by rejection from the key's stream of words (see `random.permutation`). The shuffle of a row
 * is sequential by nature; rows are independent.
 */
export function permutationRows(keys: Uint32Array, n: number): Int32Array {
  const rows = keys.length >>> 1
  const out = new Int32Array(rows * n)
  for (let r = 0; r < rows; r++) {
    const o = r * n
    for (let i = 0; i < n; i++) out[o + i] = i
    const stream = wordStream(keys[2 * r], keys[2 * r + 1], n)
    for (let i = n - 1; i > 0; i--) {
      const j = boundedInt(stream, i + 1)
      const t = out[o + i]
      out[o + i] = out[o + j]
      out[o + j] = t
    }
  }
  return out
}

// --- keys from keys

/**
 * n keys per key, as JAX's classic split: counters 0 … 2n − 1 hashed in the pairs (i, n + i),
 * outputs laid out `[y0 of every pair…, y1 of every pair…]`, key i being words 2i and 2i + 1 of
 * that list. Row r of the result is the 2n words of key r's n keys.
 */
export function splitRows(keys: Uint32Array, n: number): Uint32Array {
  const rows = keys.length >>> 1
  const out = new Uint32Array(rows * 2 * n)
  const y0 = new Uint32Array(n)
  const y1 = new Uint32Array(n)
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) {
      y0[i] = i
      y1[i] = n + i
    }
    threefry2x32(keys[2 * r], keys[2 * r + 1], y0, y1, y0, y1)
    const o = r * 2 * n
    out.set(y0, o)
    out.set(y1, o + n)
  }
  return out
}

/** `jax.random.fold_in` per key: the hash of the counter (0, m) under each key, as two words per row. */
export function foldInRows(keys: Uint32Array, m: number): Uint32Array {
  const [y0, y1] = hashKeyRows(keys, m, 1)
  const out = new Uint32Array(keys.length)
  for (let r = 0; r < y0.length; r++) {
    out[2 * r] = y0[r]
    out[2 * r + 1] = y1[r]
  }
  return out
}

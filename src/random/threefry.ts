/**
 * Threefry-2x32 with 20 rounds, the counter-based hash behind JAX's default PRNG (Salmon et al.,
 * "Parallel Random Numbers: As Easy as 1, 2, 3", SC 2011; Random123). It maps a key of two
 * uint32 words and a counter of two uint32 words to two uint32 words. Everything here is plain
 * 32-bit integer arithmetic on typed arrays, so the same key and counter give the same bits on
 * every platform and engine.
 *
 * @internal
 */

import { KERNELS, useWasm } from '../kernels/dispatch.js'
import { wasmHashCounters, wasmHashRows } from '../kernels/wasm/rng.js'

// --- model

/** The key schedule's parity constant: ks2 = k0 ^ k1 ^ 0x1BD11BDA (Threefish's C240 for 32 bits). */
const PARITY = 0x1bd11bda

// --- operations

/**
 * Hashes the counters `(x0[i], x1[i])` under the key `(k0, k1)` and writes the two output words
 * to `(y0[i], y1[i])`, for every `i < x0.length`. `y0`/`y1` may be `x0`/`x1` (in place).
 *
 * Rounds: `x0 += x1; x1 = rotl(x1, r); x1 ^= x0` with r cycling 13,15,26,6 then 17,29,16,24;
 * after every 4 rounds a subkey is injected: `x0 += ks[(g+1) % 3]; x1 += ks[(g+2) % 3] + g + 1`.
 */
export function threefry2x32(k0: number, k1: number, x0: Uint32Array, x1: Uint32Array, y0: Uint32Array, y1: Uint32Array): void {
  const ks0 = k0 >>> 0
  const ks1 = k1 >>> 0
  const ks2 = (ks0 ^ ks1 ^ PARITY) >>> 0
  const n = x0.length
  for (let i = 0; i < n; i++) {
    // Additions are exact in doubles (both sides < 2^32), so `>>> 0` is the reduction mod 2^32.
    let a = (x0[i] + ks0) >>> 0
    let b = (x1[i] + ks1) >>> 0
    // Five groups of four rounds; the rotation set alternates between groups. Unrolled within a
    // group because this loop is the whole cost of every random op.
    for (let g = 0; g < 5; g++) {
      if ((g & 1) === 0) {
        a = (a + b) >>> 0
        b = ((b << 13) | (b >>> 19)) ^ a
        a = (a + b) >>> 0
        b = ((b << 15) | (b >>> 17)) ^ a
        a = (a + b) >>> 0
        b = ((b << 26) | (b >>> 6)) ^ a
        a = (a + b) >>> 0
        b = ((b << 6) | (b >>> 26)) ^ a
      } else {
        a = (a + b) >>> 0
        b = ((b << 17) | (b >>> 15)) ^ a
        a = (a + b) >>> 0
        b = ((b << 29) | (b >>> 3)) ^ a
        a = (a + b) >>> 0
        b = ((b << 16) | (b >>> 16)) ^ a
        a = (a + b) >>> 0
        b = ((b << 24) | (b >>> 8)) ^ a
      }
      b >>>= 0
      // Inject subkey g + 1: the schedule rotates through (ks0, ks1, ks2) and adds the group number.
      const r = g % 3
      a = (a + (r === 0 ? ks1 : r === 1 ? ks2 : ks0)) >>> 0
      b = (b + (r === 0 ? ks2 : r === 1 ? ks0 : ks1) + g + 1) >>> 0
    }
    y0[i] = a
    y1[i] = b
  }
}

/**
 * The hashes of the counters `start, start + 1, …, start + n - 1` under `key`, each counter c
 * split into the words `(⌊c / 2^32⌋, c mod 2^32)` as JAX's `iota_2x32_shape` does. Element i of
 * the result depends only on the key and `start + i`: this is what makes every sampler
 * counter-based (a prefix of a longer draw is the shorter draw).
 */
export function hashCounters(k0: number, k1: number, start: number, n: number): [Uint32Array, Uint32Array] {
  if (useWasm(KERNELS.hashCounters, n)) {
    const hashed = wasmHashCounters(k0, k1, start, n)
    if (hashed !== null) return hashed
  }
  const y0 = new Uint32Array(n)
  const y1 = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    const c = start + i
    y0[i] = Math.floor(c / 4294967296)
    y1[i] = c >>> 0
  }
  threefry2x32(k0, k1, y0, y1, y0, y1)
  return [y0, y1]
}

/**
 * Per-row keys (a batch of keys, as vmap of a sampler gives): the hashes of counters
 * `start … start + n - 1` under each key r of `keys` (words `2r`, `2r + 1`), row-major, so
 * element `r·n + i` is exactly `hashCounters(keys[2r], keys[2r + 1], start + i)`. One kernel call
 * hashes every row (WebAssembly from `KERNELS.hashRows` counters on); one key is `hashCounters`.
 */
export function hashKeyRows(keys: Uint32Array, start: number, n: number): [Uint32Array, Uint32Array] {
  const rows = keys.length >>> 1
  if (rows === 1) return hashCounters(keys[0], keys[1], start, n)
  if (useWasm(KERNELS.hashRows, rows * n)) {
    const hashed = wasmHashRows(keys, start, n)
    if (hashed !== null) return hashed
  }
  const y0 = new Uint32Array(rows * n)
  const y1 = new Uint32Array(rows * n)
  for (let i = 0; i < n; i++) {
    const c = start + i
    y0[i] = Math.floor(c / 4294967296)
    y1[i] = c >>> 0
  }
  for (let r = 1; r < rows; r++) {
    y0.copyWithin(r * n, 0, n)
    y1.copyWithin(r * n, 0, n)
  }
  for (let r = 0; r < rows; r++) {
    const a = y0.subarray(r * n, (r + 1) * n)
    const b = y1.subarray(r * n, (r + 1) * n)
    threefry2x32(keys[2 * r], keys[2 * r + 1], a, b, a, b)
  }
  return [y0, y1]
}

/**
 * A sequential stream of uint32 words for algorithms that consume a data-dependent number of
 * draws (rejection sampling): word 2c is the first and word 2c+1 the second output of counter c.
 * It is refilled in blocks, which never changes the words, only how many are computed at once.
 */
export interface WordStream {
  readonly k0: number
  readonly k1: number
  /** the counter of the first entry of the current block */
  base: number
  /** the next word to hand out, as an index into the current block's 2·length words */
  pos: number
  y0: Uint32Array
  y1: Uint32Array
}

/** A fresh stream at counter 0, computing `block` counters at a time. */
export function wordStream(k0: number, k1: number, block: number): WordStream {
  const size = Math.max(1, Math.min(block, 1 << 16))
  const [y0, y1] = hashCounters(k0, k1, 0, size)
  return { k0, k1, base: 0, pos: 0, y0, y1 }
}

/** The next word of the stream (mutates only the stream, which its owner never shares). */
export function nextWord(s: WordStream): number {
  const len = s.y0.length
  if (s.pos === 2 * len) {
    s.base += len
    const [y0, y1] = hashCounters(s.k0, s.k1, s.base, len)
    s.y0 = y0
    s.y1 = y1
    s.pos = 0
  }
  const p = s.pos++
  return (p & 1) === 0 ? s.y0[p >>> 1] : s.y1[p >>> 1]
}

/**
 * An unbiased integer in `[0, bound)` for `1 <= bound <= 2^32`, by rejection: words at or above
 * the largest multiple of `bound` that fits in 2^32 are redrawn, so every residue has exactly
 * ⌊2^32 / bound⌋ preimages (plain `w % bound` would favour small residues).
 */
export function boundedInt(s: WordStream, bound: number): number {
  const limit = 4294967296 - (4294967296 % bound)
  let w = nextWord(s)
  while (w >= limit) w = nextWord(s)
  return w % bound
}

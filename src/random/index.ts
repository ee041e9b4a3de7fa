/**
 * Counter-based, splittable randomness as in JAX: a `Key` is two uint32 words, every random
 * function takes one explicitly, and nothing is ever stateful. The bits come from Threefry-2x32
 * (20 rounds), so the same key gives the same bits on every platform.
 *
 * Bit conventions (each one tested against published JAX or Random123 output):
 * - `key(seed)` is `jax.random.PRNGKey(seed)`: `[⌊seed / 2^32⌋, seed mod 2^32]`.
 * - `split` is JAX's classic (non-partitionable) split and `foldIn` is `jax.random.fold_in`.
 * - Element i of a sampled tensor (row-major) hashes the counter `(⌊i / 2^32⌋, i mod 2^32)` to
 *   two words `(y0, y1)`, so it depends only on the key and i (the partitionable scheme of JAX):
 *   a prefix of a longer draw is the shorter draw, whatever the shape.
 *
 * @since 0.1.0
 */
import { type DType, alloc, checkFloatDType, checkSize } from '../tensor/dtype.js'
import { ArgumentError } from '../tensor/errors.js'
import { type Tensor, fromData } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { checkShape } from '../tensor/shape.js'
import { boundedInt, hashCounters, threefry2x32, wordStream } from './threefry.js'
import { KERNELS, useWasm } from '../kernels/dispatch.js'
import { largestBelow, smallestAtLeast } from './float.js'
import { wasmBernoulli } from '../kernels/wasm/rng.js'
import { KIND, checkKey, isUint32 } from './keyCheck.js'

export { isKey } from './keyCheck.js'
export { randint, type RandintOptions } from './randint.js'

/**
 * Samplers hash their counters in blocks of this many (8 MiB of scratch words), so a draw never
 * holds more scratch than that and never asks for more counters than one typed array can hold
 * (float64 normals use two counters per element). The bits do not depend on the block size.
 */
const BLOCK = 2 ** 20

// --- model

/**
 * An immutable PRNG key: two uint32 words, frozen (the tuple too). Build one with `key`, `split`,
 * `foldIn` or `wrapKey`; using a key never changes it, so the same key always gives the same bits.
 *
 * @example
 * import { random } from 'purediff'
 * const k = random.key(7)
 * if (k.kind !== 'purediff.Key' || !Object.isFrozen(k) || !Object.isFrozen(k.bits)) throw new Error()
 * @category random
 * @since 0.1.0
 */
export interface Key {
  readonly kind: 'purediff.Key'
  readonly bits: readonly [number, number]
}

/**
 * Options of `uniform`: the interval `[min, max)` (defaults 0 and 1) and the dtype (float32).
 *
 * @example
 * import { random } from 'purediff'
 * const opts: random.UniformOptions = { min: -1, max: 1, dtype: 'float64' }
 * if (random.uniform(random.key(0), [2], opts).dtype !== 'float64') throw new Error()
 * @category random
 * @since 0.1.0
 */
export interface UniformOptions {
  readonly min?: number
  readonly max?: number
  readonly dtype?: DType
}

/**
 * Options of `normal`: the mean (default 0), the standard deviation `std >= 0` (default 1) and
 * the dtype (float32).
 *
 * @example
 * import { random } from 'purediff'
 * const opts: random.NormalOptions = { mean: 10, std: 0 }
 * if (random.normal(random.key(0), [1], opts).dtype !== 'float32') throw new Error()
 * @category random
 * @since 0.1.0
 */
export interface NormalOptions {
  readonly mean?: number
  readonly std?: number
  readonly dtype?: DType
}

const TWO_32 = 4294967296
const TWO_M23 = 2 ** -23
const TWO_M24 = 2 ** -24
const TWO_M53 = 2 ** -53

function makeKey(k0: number, k1: number): Key {
  const bits: [number, number] = [k0 >>> 0, k1 >>> 0]
  return Object.freeze({ kind: KIND, bits: Object.freeze(bits) })
}

// --- constructors

/**
 * A key from a seed, as `jax.random.PRNGKey(seed)`: `bits = [⌊seed / 2^32⌋, seed mod 2^32]`.
 * The seed must be a non-negative safe integer.
 *
 * @example
 * import { random } from 'purediff'
 * if (random.keyData(random.key(42)).join() !== '0,42') throw new Error()
 * if (random.keyData(random.key(2 ** 32 + 7)).join() !== '1,7') throw new Error()
 * @category random
 * @since 0.1.0
 */
export function key(seed: number): Key {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new ArgumentError('random.key', `seed must be a non-negative safe integer, got ${describe(seed)}`)
  }
  return makeKey(Math.floor(seed / TWO_32), seed % TWO_32)
}

/**
 * A key from its two uint32 words, the inverse of `keyData` (for keys read back from JSON or a
 * checkpoint). Throws an ArgumentError unless both words are integers in `[0, 2^32)`.
 *
 * @example
 * import { random } from 'purediff'
 * const k = random.foldIn(random.key(1), 5)
 * const back = random.wrapKey(JSON.parse(JSON.stringify(random.keyData(k))))
 * if (random.keyData(back).join() !== random.keyData(k).join()) throw new Error()
 * @category random
 * @since 0.1.0
 */
export function wrapKey(bits: readonly [number, number]): Key {
  if (!Array.isArray(bits) || bits.length !== 2 || !isUint32(bits[0]) || !isUint32(bits[1])) {
    throw new ArgumentError('random.wrapKey', `expected two integers in [0, 2^32), got ${Array.isArray(bits) ? `[${bits.map(String).join(', ')}]` : describe(bits)}`)
  }
  return makeKey(bits[0], bits[1])
}

// --- operations

/**
 * The two uint32 words of a key, as a fresh mutable array (changing it does not touch the key).
 *
 * @example
 * import { random } from 'purediff'
 * const k = random.key(3)
 * const data = random.keyData(k)
 * data[1] = 99
 * if (random.keyData(k)[1] !== 3) throw new Error()
 * @category random
 * @since 0.1.0
 */
export function keyData(key: Key): [number, number] {
  const k = checkKey('random.keyData', key)
  return [k.bits[0], k.bits[1]]
}

/**
 * `n` new keys (default 2), as JAX's classic `split`: the counters `0 … 2n-1` are hashed in the
 * pairs `(i, n + i)`, the outputs laid out as `[y0 of every pair…, y1 of every pair…]`, and key
 * i is words `2i` and `2i + 1` of that list. Use each key once; split again for more.
 *
 * @example
 * import { random } from 'purediff'
 * const [a, b] = random.split(random.key(0))
 * // jax.random.split(jax.random.PRNGKey(0)) gives [[4146024105, 967050713], [2718843009, 1272950319]]
 * if (random.keyData(a).join() !== '4146024105,967050713') throw new Error()
 * if (random.keyData(b).join() !== '2718843009,1272950319') throw new Error()
 * @category random
 * @since 0.1.0
 */
export function split(key: Key, n = 2): Key[] {
  const k = checkKey('random.split', key)
  if (!Number.isSafeInteger(n) || n < 1 || n >= 2 ** 31) {
    throw new ArgumentError('random.split', `n must be a positive integer below 2^31, got ${describe(n)}`)
  }
  const y0 = new Uint32Array(n)
  const y1 = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    y0[i] = i
    y1[i] = n + i
  }
  threefry2x32(k.bits[0], k.bits[1], y0, y1, y0, y1)
  const word = (j: number): number => (j < n ? y0[j] : y1[j - n])
  const out = new Array<Key>(n)
  for (let i = 0; i < n; i++) out[i] = makeKey(word(2 * i), word(2 * i + 1))
  return out
}

/**
 * A new key from a key and an integer `0 <= n < 2^32`, as `jax.random.fold_in`: the hash of the
 * counter `(0, n)`. Distinct `n` give independent keys, e.g. one per step or per example.
 *
 * @example
 * import { random } from 'purediff'
 * const k = random.key(0)
 * if (random.keyData(random.foldIn(k, 1)).join() === random.keyData(random.foldIn(k, 2)).join()) throw new Error()
 * @category random
 * @since 0.1.0
 */
export function foldIn(key: Key, n: number): Key {
  const k = checkKey('random.foldIn', key)
  if (!isUint32(n)) throw new ArgumentError('random.foldIn', `n must be an integer in [0, 2^32), got ${describe(n)}`)
  const [y0, y1] = hashCounters(k.bits[0], k.bits[1], n, 1)
  return makeKey(y0[0], y1[0])
}

/**
 * Uniform values in `[min, max)` (defaults `[0, 1)`), float32 by default. float32 takes 23 bits
 * of `y0 ^ y1` per element, `u = (w >>> 9) · 2^-23`, exactly as `jax.random.uniform` does;
 * float64 takes 53 bits from both words, `u = ((y0 >>> 5) · 2^26 + (y1 >>> 6)) · 2^-53`. The
 * value `min + u · (max - min)` is then kept inside `[min, max)` in the dtype even where
 * rounding would reach `max`. Throws a ShapeError for a bad shape, an ArgumentError unless
 * `min < max` are finite, a DTypeError for an unknown dtype.
 *
 * @example
 * import { random, toFlatArray } from 'purediff'
 * const xs = toFlatArray(random.uniform(random.key(1), [1000], { min: -2, max: 2 }))
 * if (xs.some((x) => x < -2 || x >= 2)) throw new Error()
 * // jax.random.uniform(jax.random.key(0)) prints 0.947667
 * if (Math.abs(toFlatArray(random.uniform(random.key(0), []))[0] - 0.947667) > 1e-6) throw new Error()
 * @category random
 * @since 0.1.0
 */
export function uniform(key: Key, shape: readonly number[], options: UniformOptions = {}): Tensor {
  const op = 'random.uniform'
  const k = checkKey(op, key)
  const s = checkShape(op, shape)
  const { min = 0, max = 1, dtype = 'float32' } = checkOptions(op, options)
  checkFloatDType(op, dtype)
  if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) {
    throw new ArgumentError(op, `expected finite min < max, got min ${String(min)} and max ${String(max)}`)
  }
  const range = max - min
  if (!Number.isFinite(range)) throw new ArgumentError(op, `max - min must be finite, got min ${min} and max ${max}`)
  // The dtype's values closest to the interval from inside: results are clamped to [lo, hi].
  const lo = smallestAtLeast(min, dtype)
  const hi = largestBelow(max, dtype)
  if (!(lo <= hi)) throw new ArgumentError(op, `no ${dtype} value lies in [min, max) = [${min}, ${max})`)
  const n = checkSize(op, s, dtype)
  const out = alloc(dtype, n, op, s)
  const wide = dtype === 'float64'
  for (let start = 0; start < n; start += BLOCK) {
    const [y0, y1] = hashCounters(k.bits[0], k.bits[1], start, Math.min(BLOCK, n - start))
    for (let j = 0, i = start; j < y0.length; j++, i++) {
      const u = wide ? ((y0[j] >>> 5) * 67108864 + (y1[j] >>> 6)) * TWO_M53 : ((y0[j] ^ y1[j]) >>> 9) * TWO_M23
      out[i] = min + u * range
      const r = out[i] // read back: rounding to float32 happens on the store
      if (r > hi) out[i] = hi
      else if (r < lo) out[i] = lo
    }
  }
  return fromData(out, s, dtype)
}

/**
 * Normal values with the given `mean` (default 0) and `std >= 0` (default 1), float32 by default,
 * by Box–Muller: `z = sqrt(-2 ln u1) · cos(2π u2)` with `u1` in `(0, 1]` (so never `ln 0`) and
 * `u2` in `[0, 1)`. float32 takes 24 bits for each of `u1, u2` from one hash per element (|z| ≤ 5.8);
 * float64 takes 53 bits for each from two hashes, counters `2i` and `2i + 1` (|z| ≤ 8.6).
 *
 * @example
 * import { random, toFlatArray } from 'purediff'
 * const xs = toFlatArray(random.normal(random.key(0), [10000], { mean: 3, std: 2 }))
 * const m = xs.reduce((a, b) => a + b, 0) / xs.length
 * // the standard error of the mean is 2 / sqrt(10000) = 0.02; allow 5 of them
 * if (Math.abs(m - 3) > 0.1) throw new Error()
 * @category random
 * @since 0.1.0
 */
export function normal(key: Key, shape: readonly number[], options: NormalOptions = {}): Tensor {
  const op = 'random.normal'
  const k = checkKey(op, key)
  const s = checkShape(op, shape)
  const { mean = 0, std = 1, dtype = 'float32' } = checkOptions(op, options)
  checkFloatDType(op, dtype)
  if (typeof mean !== 'number' || !Number.isFinite(mean)) throw new ArgumentError(op, `mean must be a finite number, got ${describe(mean)}`)
  if (typeof std !== 'number' || !Number.isFinite(std) || !(std >= 0)) {
    throw new ArgumentError(op, `std must be a finite number >= 0, got ${describe(std)}`)
  }
  const n = checkSize(op, s, dtype)
  const out = alloc(dtype, n, op, s)
  const TWO_PI = 2 * Math.PI
  if (dtype === 'float64') {
    // Element i uses counters 2i and 2i + 1: a block of BLOCK / 2 elements hashes BLOCK counters.
    for (let start = 0; start < n; start += BLOCK / 2) {
      const [y0, y1] = hashCounters(k.bits[0], k.bits[1], 2 * start, 2 * Math.min(BLOCK / 2, n - start))
      for (let a = 0, i = start; a < y0.length; a += 2, i++) {
        const u1 = ((y0[a] >>> 5) * 67108864 + (y1[a] >>> 6) + 1) * TWO_M53
        const u2 = ((y0[a + 1] >>> 5) * 67108864 + (y1[a + 1] >>> 6)) * TWO_M53
        out[i] = mean + std * (Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * u2))
      }
    }
  } else {
    for (let start = 0; start < n; start += BLOCK) {
      const [y0, y1] = hashCounters(k.bits[0], k.bits[1], start, Math.min(BLOCK, n - start))
      for (let j = 0, i = start; j < y0.length; j++, i++) {
        const u1 = ((y0[j] >>> 8) + 1) * TWO_M24
        const u2 = (y1[j] >>> 8) * TWO_M24
        out[i] = mean + std * (Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * u2))
      }
    }
  }
  return fromData(out, s, dtype)
}

/**
 * 1 with probability `p`, else 0, float32 by default: element i is 1 when its 53-bit uniform
 * `u` (as in float64 `uniform`) is `< p`. So `p = 0` gives all zeros and `p = 1` all ones,
 * exactly. Throws an ArgumentError unless `0 <= p <= 1`.
 *
 * @example
 * import { random, toFlatArray } from 'purediff'
 * const k = random.key(0)
 * if (toFlatArray(random.bernoulli(k, 0, [50])).some((x) => x !== 0)) throw new Error()
 * if (toFlatArray(random.bernoulli(k, 1, [50])).some((x) => x !== 1)) throw new Error()
 * const m = toFlatArray(random.bernoulli(k, 0.5, [2, 50]))
 * if (m.length !== 100 || m.some((x) => x !== 0 && x !== 1)) throw new Error()
 * @category random
 * @since 0.1.0
 */
export function bernoulli(key: Key, p: number, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const op = 'random.bernoulli'
  const k = checkKey(op, key)
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ArgumentError(op, `p must be a probability in [0, 1], got ${describe(p)}`)
  const s = checkShape(op, shape)
  checkFloatDType(op, dtype)
  const n = checkSize(op, s, dtype)
  // The WebAssembly kernel hashes and compares in one call, bitwise the same as the loop below.
  const fast = useWasm(KERNELS.bernoulli, n) ? wasmBernoulli(k.bits[0], k.bits[1], n, p, dtype) : null
  if (fast !== null) return fromData(fast, s, dtype)
  const out = alloc(dtype, n, op, s)
  for (let start = 0; start < n; start += BLOCK) {
    const [y0, y1] = hashCounters(k.bits[0], k.bits[1], start, Math.min(BLOCK, n - start))
    for (let j = 0, i = start; j < y0.length; j++, i++) {
      const u = ((y0[j] >>> 5) * 67108864 + (y1[j] >>> 6)) * TWO_M53
      out[i] = u < p ? 1 : 0
    }
  }
  return fromData(out, s, dtype)
}

/**
 * A uniformly random permutation of `0 … n-1`: Fisher–Yates, where each swap index is an unbiased
 * integer drawn by rejection from the key's stream of words (counter c gives words 2c, 2c+1).
 * Every one of the n! orders is equally likely. `n` must be a non-negative integer below 2^32.
 *
 * @example
 * import { random } from 'purediff'
 * const p = random.permutation(random.key(0), 10)
 * if (p.slice().sort((a, b) => a - b).join() !== '0,1,2,3,4,5,6,7,8,9') throw new Error()
 * @category random
 * @since 0.1.0
 */
export function permutation(key: Key, n: number): number[] {
  const op = 'random.permutation'
  const k = checkKey(op, key)
  if (!isUint32(n)) throw new ArgumentError(op, `n must be a non-negative integer below 2^32, got ${describe(n)}`)
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) out[i] = i
  const stream = wordStream(k.bits[0], k.bits[1], n)
  for (let i = n - 1; i > 0; i--) {
    const j = boundedInt(stream, i + 1)
    const t = out[i]
    out[i] = out[j]
    out[j] = t
  }
  return out
}

// --- helpers

function checkOptions<T extends object>(op: string, options: T): T {
  if (options === null || typeof options !== 'object') throw new ArgumentError(op, `options must be an object, got ${describe(options)}`)
  return options
}

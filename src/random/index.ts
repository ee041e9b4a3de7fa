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
 * Every function takes a `Key` or a key tensor (`keyTensor`: the same two words as an int32
 * tensor [2]) and gives the same bits for both. Key tensors are what `vmap` can batch: map over
 * `keyTensor(split(key, B))` and each example draws with its own key, row b equal to what key b
 * gives alone. A `Key` (or a key tensor passed with in-axis null) inside vmap is one key for the
 * whole batch: every example gets the same draw.
 *
 * @since 0.1.0
 */
import { type DType, checkFloatDType, checkSize } from '../tensor/dtype.js'
import { ArgumentError } from '../tensor/errors.js'
import { type Tensor, Tensor as TensorClass, toFlatArray } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { checkShape } from '../tensor/shape.js'
import { reshape, slice } from '../ops/shape.js'
import { largestBelow, smallestAtLeast } from './float.js'
import { KIND, isUint32 } from './keyCheck.js'
import { type KeyLike, applyKey, checkKeyLike } from './keyTensor.js'
import { bernoulliP, draw, foldInP, normalP, permutationP, splitP, uniformP } from './prims.js'
import { foldInRows, permutationRows, splitRows } from './rows.js'

export { isKey } from './keyCheck.js'
export { type KeyLike, isKeyTensor, keyTensor } from './keyTensor.js'
export { randint, type RandintOptions } from './randint.js'

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
 * Of a key tensor too (its int32 values read back as uint32); not of a traced one inside `vmap`.
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
export function keyData(key: KeyLike): [number, number] {
  const k = checkKeyLike('random.keyData', key)
  if (k instanceof TensorClass) {
    const [a, b] = toFlatArray(k)
    return [a >>> 0, b >>> 0]
  }
  return [k[0], k[1]]
}

/**
 * `n` new keys (default 2), as JAX's classic `split`: the counters `0 … 2n-1` are hashed in the
 * pairs `(i, n + i)`, the outputs laid out as `[y0 of every pair…, y1 of every pair…]`, and key
 * i is words `2i` and `2i + 1` of that list. Use each key once; split again for more. A key
 * tensor gives n key tensors (inside `vmap`, n batches of keys).
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
export function split<K extends KeyLike>(key: K, n = 2): K[] {
  const k = checkKeyLike('random.split', key)
  if (!Number.isSafeInteger(n) || n < 1 || n >= 2 ** 31) {
    throw new ArgumentError('random.split', `n must be a positive integer below 2^31, got ${describe(n)}`)
  }
  if (k instanceof TensorClass) {
    const all = applyKey(splitP, k, { n })
    return Array.from({ length: n }, (_, i) => reshape(slice(all, [i, 0], [1, 2]), [2]) as K)
  }
  const words = splitRows(k, n)
  const out = new Array<Key>(n)
  for (let i = 0; i < n; i++) out[i] = makeKey(words[2 * i], words[2 * i + 1])
  return out as K[]
}

/**
 * A new key from a key and an integer `0 <= n < 2^32`, as `jax.random.fold_in`: the hash of the
 * counter `(0, n)`. Distinct `n` give independent keys, e.g. one per step or per example. A key
 * tensor gives a key tensor.
 *
 * @example
 * import { random } from 'purediff'
 * const k = random.key(0)
 * if (random.keyData(random.foldIn(k, 1)).join() === random.keyData(random.foldIn(k, 2)).join()) throw new Error()
 * @category random
 * @since 0.1.0
 */
export function foldIn<K extends KeyLike>(key: K, n: number): K {
  const k = checkKeyLike('random.foldIn', key)
  if (!isUint32(n)) throw new ArgumentError('random.foldIn', `n must be an integer in [0, 2^32), got ${describe(n)}`)
  if (k instanceof TensorClass) return applyKey(foldInP, k, { m: n }) as K
  const w = foldInRows(k, n)
  return makeKey(w[0], w[1]) as K
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
export function uniform(key: KeyLike, shape: readonly number[], options: UniformOptions = {}): Tensor {
  const op = 'random.uniform'
  const k = checkKeyLike(op, key)
  const s = checkShape(op, shape)
  const { min = 0, max = 1, dtype = 'float32' } = checkOptions(op, options)
  checkFloatDType(op, dtype)
  if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) {
    throw new ArgumentError(op, `expected finite min < max, got min ${String(min)} and max ${String(max)}`)
  }
  if (!Number.isFinite(max - min)) throw new ArgumentError(op, `max - min must be finite, got min ${min} and max ${max}`)
  // The dtype's values closest to the interval from inside: results are clamped to [lo, hi].
  const lo = smallestAtLeast(min, dtype)
  const hi = largestBelow(max, dtype)
  if (!(lo <= hi)) throw new ArgumentError(op, `no ${dtype} value lies in [min, max) = [${min}, ${max})`)
  checkSize(op, s, dtype)
  return applyKey(uniformP, k, { ...draw(s), min, max, lo, hi, dtype })
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
export function normal(key: KeyLike, shape: readonly number[], options: NormalOptions = {}): Tensor {
  const op = 'random.normal'
  const k = checkKeyLike(op, key)
  const s = checkShape(op, shape)
  const { mean = 0, std = 1, dtype = 'float32' } = checkOptions(op, options)
  checkFloatDType(op, dtype)
  if (typeof mean !== 'number' || !Number.isFinite(mean)) throw new ArgumentError(op, `mean must be a finite number, got ${describe(mean)}`)
  if (typeof std !== 'number' || !Number.isFinite(std) || !(std >= 0)) {
    throw new ArgumentError(op, `std must be a finite number >= 0, got ${describe(std)}`)
  }
  checkSize(op, s, dtype)
  return applyKey(normalP, k, { ...draw(s), mean, std, dtype })
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
export function bernoulli(key: KeyLike, p: number, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const op = 'random.bernoulli'
  const k = checkKeyLike(op, key)
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ArgumentError(op, `p must be a probability in [0, 1], got ${describe(p)}`)
  const s = checkShape(op, shape)
  checkFloatDType(op, dtype)
  checkSize(op, s, dtype)
  return applyKey(bernoulliP, k, { ...draw(s), p, dtype })
}

/**
 * A uniformly random permutation of `0 … n-1`: Fisher–Yates, where each swap index is an unbiased
 * integer drawn by rejection from the key's stream of words (counter c gives words 2c, 2c+1).
 * Every one of the n! orders is equally likely. `n` must be a non-negative integer below 2^31.
 * A `Key` gives a JavaScript array; a key tensor the same order as an int32 tensor [n] (so
 * `vmap` over a batch of keys gives one permutation per key).
 *
 * @example
 * import { random, toFlatArray } from 'purediff'
 * const p = random.permutation(random.key(0), 10)
 * if (p.slice().sort((a, b) => a - b).join() !== '0,1,2,3,4,5,6,7,8,9') throw new Error()
 * if (toFlatArray(random.permutation(random.keyTensor(random.key(0)), 10)).join() !== p.join()) throw new Error()
 * @category random
 * @since 0.1.0
 */
export function permutation<K extends KeyLike>(key: K, n: number): K extends Tensor ? Tensor : number[] {
  const op = 'random.permutation'
  const k = checkKeyLike(op, key)
  if (!isUint32(n) || n >= 2 ** 31) throw new ArgumentError(op, `n must be a non-negative integer below 2^31, got ${describe(n)}`)
  type Out = K extends Tensor ? Tensor : number[]
  if (k instanceof TensorClass) return applyKey(permutationP, k, { n }) as Out
  return Array.from(permutationRows(k, n)) as Out
}

// --- helpers

function checkOptions<T extends object>(op: string, options: T): T {
  if (options === null || typeof options !== 'object') throw new ArgumentError(op, `options must be an object, got ${describe(options)}`)
  return options
}

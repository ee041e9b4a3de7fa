/**
 * Uniform random integers: `randint(key, shape, { min, max })`, int32 on `[min, max)`, unbiased
 * by rejection from the counter-based Threefry words (see index.ts for the bit conventions).
 *
 * @since 0.2.0
 */
import { alloc, checkSize } from '../tensor/dtype.js'
import { ArgumentError } from '../tensor/errors.js'
import { type Tensor, fromData } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { checkShape } from '../tensor/shape.js'
import type { Key } from './index.js'
import { checkKey } from './keyCheck.js'
import { hashCounters } from './threefry.js'

// --- model

/**
 * Options of `randint`: the integers `min` (default 0) and `max` bounding the half-open interval
 * `[min, max)`, with `-2^31 <= min < max <= 2^31` (so `max - min <= 2^32` and every value fits
 * int32).
 *
 * @example
 * import { random } from 'purediff'
 * const opts: random.RandintOptions = { min: -3, max: 3 }
 * if (random.randint(random.key(0), [2], opts).dtype !== 'int32') throw new Error()
 * @category random
 * @since 0.2.0
 */
export interface RandintOptions {
  readonly min?: number
  readonly max: number
}

const TWO_32 = 4294967296
/** Samplers hash their first-attempt counters in blocks of this many (as index.ts does). */
const BLOCK = 2 ** 20

// --- operations

/**
 * Uniform int32 integers in `[min, max)`. Unbiased by rejection: with `r = max - min` and
 * `limit = 2^32 - (2^32 mod r)` (the largest multiple of r that fits in 32 bits), element i
 * reads the words of the counters `a·2^32 + i` for attempts a = 0, 1, 2, … (each counter's
 * `y0`, then its `y1`), takes the first word `w < limit`, and gives `min + (w mod r)`; every
 * residue then has exactly `⌊2^32 / r⌋` preimages. Attempt 0 is the counter i every sampler
 * uses, so a prefix of a longer draw is the shorter draw, and a word is rejected with
 * probability `(2^32 mod r) / 2^32 < 1/2` (0 when r is a power of 2). Hashing runs in
 * WebAssembly or TypeScript, with the same bits. Throws an ArgumentError unless min and max are
 * integers with `-2^31 <= min < max <= 2^31`, a ShapeError for a bad shape.
 *
 * @example
 * import { random, toFlatArray } from 'purediff'
 * const xs = toFlatArray(random.randint(random.key(0), [1000], { min: -2, max: 3 }))
 * if (xs.some((x) => !Number.isInteger(x) || x < -2 || x >= 3)) throw new Error()
 * // all five values occur among 1000 draws (each is missed with probability 0.8^1000)
 * if (new Set(xs).size !== 5) throw new Error()
 * @category random
 * @since 0.2.0
 */
export function randint(key: Key, shape: readonly number[], options: RandintOptions): Tensor {
  const op = 'random.randint'
  checkKey(op, key)
  const s = checkShape(op, shape)
  if (options === null || typeof options !== 'object') throw new ArgumentError(op, `options must be an object { min?, max }, got ${describe(options)}`)
  const { min = 0, max } = options
  for (const [name, v] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -(2 ** 31) || v > 2 ** 31) {
      throw new ArgumentError(op, `${name} must be an integer in [-2^31, 2^31], got ${describe(v)}`)
    }
  }
  if (!(min < max)) throw new ArgumentError(op, `expected min < max, got min ${min} and max ${max}`)
  const r = max - min
  const limit = TWO_32 - (TWO_32 % r)
  const n = checkSize(op, s, 'int32')
  const out = alloc('int32', n, op, s) as Int32Array
  const [k0, k1] = key.bits
  for (let start = 0; start < n; start += BLOCK) {
    const [y0, y1] = hashCounters(k0, k1, start, Math.min(BLOCK, n - start))
    for (let j = 0, i = start; j < y0.length; j++, i++) {
      const w = y0[j] < limit ? y0[j] : y1[j] < limit ? y1[j] : retry(k0, k1, i, limit)
      out[i] = min + (w % r)
    }
  }
  return fromData(out, s, 'int32')
}

/** The first accepted word of element i's later attempts: counters a·2^32 + i for a = 1, 2, …. */
function retry(k0: number, k1: number, i: number, limit: number): number {
  for (let a = 1; ; a++) {
    const [y0, y1] = hashCounters(k0, k1, a * TWO_32 + i, 1)
    if (y0[0] < limit) return y0[0]
    if (y1[0] < limit) return y1[0]
  }
}

/**
 * Uniform random integers: `randint(key, shape, { min, max })`, int32 on `[min, max)`, unbiased
 * by rejection from the counter-based Threefry words (see index.ts for the bit conventions).
 *
 * @since 0.2.0
 */
import { checkSize } from '../tensor/dtype.js'
import { ArgumentError } from '../tensor/errors.js'
import type { Tensor } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { checkShape } from '../tensor/shape.js'
import { type KeyLike, applyKey, checkKeyLike } from './keyTensor.js'
import { draw, randintP } from './prims.js'

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
export function randint(key: KeyLike, shape: readonly number[], options: RandintOptions): Tensor {
  const op = 'random.randint'
  const k = checkKeyLike(op, key)
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
  checkSize(op, s, 'int32')
  return applyKey(randintP, k, { ...draw(s), min, max })
}

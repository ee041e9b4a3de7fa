/**
 * Recognising keys: the guard every random function applies to its `key` argument.
 *
 * @since 0.1.0
 */
import { describe } from '../tensor/checks.js'
import { ArgumentError } from '../tensor/errors.js'
import type { Key } from './index.js'

/** The `kind` tag of a key. @internal */
export const KIND = 'purediff.Key'

/** Whether x is an integer in [0, 2^32). @internal */
export const isUint32 = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < 4294967296

// --- operations

/**
 * True when `x` is a key: an object of kind `'purediff.Key'` holding two uint32 words.
 *
 * @example
 * import { random } from 'purediff'
 * if (!random.isKey(random.key(0)) || random.isKey([0, 0]) || random.isKey(null)) throw new Error()
 * @category random
 * @since 0.1.0
 */
export function isKey(x: unknown): x is Key {
  if (typeof x !== 'object' || x === null || !('kind' in x) || !('bits' in x)) return false
  const bits = x.bits
  return x.kind === KIND && Array.isArray(bits) && bits.length === 2 && isUint32(bits[0]) && isUint32(bits[1])
}

/** `k` as a key, or an ArgumentError naming `op`. @internal */
export function checkKey(op: string, k: unknown): Key {
  if (isKey(k)) return k
  throw new ArgumentError(op, `argument 'key' must be a random key (from random.key, split, foldIn or wrapKey), got ${describe(k)}`)
}

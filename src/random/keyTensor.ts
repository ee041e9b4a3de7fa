/**
 * Keys as tensors, so that randomness goes through `vmap`: a key tensor is an int32 tensor of
 * shape [2] holding a key's two uint32 words (bit for bit, two's complement), and a batch of keys
 * is an int32 tensor [B, 2] (`keyTensor(split(key, B))`). Every random function takes either a
 * `Key` or a key tensor and gives the same bits for both; on a key tensor it runs as a
 * primitive, so inside `vmap` a batch of keys gives a batch of independent draws (row b of the
 * result is what key b alone gives), computed by one kernel over every key.
 *
 * Each primitive takes keys of shape [...lead, 2] and puts `lead` in front of its result: the
 * public functions pass one key ([2]); batching rules pass the batch of keys with the batch axis
 * first. Their outputs are constants to differentiation (keys are int32).
 *
 * @since 0.3.0
 */
import type { DType, TypedArray } from '../tensor/dtype.js'
import { ArgumentError, DTypeError, ShapeError } from '../tensor/errors.js'
import { type ConcreteTensor, type Tensor, Tensor as TensorClass, fromData } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import type { Key } from './index.js'
import { isKey } from './keyCheck.js'

// --- model

/**
 * A key argument: a `Key` object, or a key tensor (int32, shape [2]; inside `vmap`, one example
 * of a batch of keys). See `keyTensor`.
 *
 * @example
 * import { random } from 'purediff'
 * const ks: random.KeyLike[] = [random.key(0), random.keyTensor(random.key(0))]
 * if (ks.length !== 2) throw new Error()
 * @category random
 * @since 0.3.0
 */
export type KeyLike = Key | Tensor

// --- recognising key tensors

/**
 * True when `x` is a key tensor: an int32 tensor of shape [2] (a concrete one, or a traced one,
 * such as one example of a batch of keys inside `vmap`).
 *
 * @example
 * import { random, tensor } from 'purediff'
 * if (!random.isKeyTensor(random.keyTensor(random.key(1)))) throw new Error()
 * if (random.isKeyTensor(tensor([1, 2])) || random.isKeyTensor(random.key(1))) throw new Error()
 * @category random
 * @since 0.3.0
 */
export function isKeyTensor(x: unknown): x is Tensor {
  return x instanceof TensorClass && x.dtype === 'int32' && x.rank === 1 && x.shape[0] === 2
}

/**
 * `k` as the words of one `Key` (a Uint32Array of 2) or as a key tensor; anything else is an
 * error naming `op` (a tensor of the wrong dtype or shape says what a key tensor is).
 *
 * @internal
 */
export function checkKeyLike(op: string, k: unknown): Uint32Array | Tensor {
  if (isKey(k)) return Uint32Array.of(k.bits[0], k.bits[1])
  if (k instanceof TensorClass) {
    if (k.dtype !== 'int32') throw new DTypeError(op, `a key tensor must be int32 (the key's two words), got ${k.dtype}; make one with random.keyTensor`)
    if (k.rank !== 1 || k.shape[0] !== 2) {
      throw new ShapeError(op, `a key tensor has shape [2] (one key), got [${k.shape.join(', ')}]; for a batch of keys [B, 2], map over it with vmap`)
    }
    return k
  }
  throw new ArgumentError(op, `argument 'key' must be a random key (from random.key, split, foldIn or wrapKey) or a key tensor (random.keyTensor), got ${describe(k)}`)
}

// --- primitives

/** The words of keys of shape [...lead, 2], as a view (never written). */
function words(k: ConcreteTensor): Uint32Array {
  const d = k._data
  return new Uint32Array(d.buffer, d.byteOffset, d.length)
}

/**
 * A primitive of keys [...lead, 2]: `run(words, params)` computes every key's row at once and
 * `shape(params)`/`dtype(params)` describe one key's result, which the rows follow.
 *
 * @internal
 */
export function keyPrimitive<P>(
  name: string,
  shape: (p: P) => readonly number[],
  dtype: (p: P) => DType,
  run: (keys: Uint32Array, p: P, outShape: readonly number[]) => TypedArray,
): Primitive<P> {
  return {
    name,
    impl: ([k], p) => {
      const outShape = Object.freeze([...k.shape.slice(0, -1), ...shape(p)])
      return fromData(run(words(k), p, outShape), outShape, dtype(p))
    },
    jvp: () => null,
    vjp: () => [null],
    nonDifferentiable: true,
  }
}

/** Applies a key primitive to one key (words) or a key tensor: a Tensor either way. @internal */
export function applyKey<P>(prim: Primitive<P>, k: Uint32Array | Tensor, params: P): Tensor {
  if (k instanceof TensorClass) return bind(prim, [k], params)
  return prim.impl([fromData(new Int32Array(k.buffer, k.byteOffset, 2), [2], 'int32') as ConcreteTensor], params)
}

// --- constructors

/**
 * Keys as an int32 key tensor: one `Key` gives shape [2], an array of n keys gives [n, 2] (row i
 * is key i). The words are stored bit for bit (a word ≥ 2^31 reads as a negative int32);
 * `keyData` gives them back as uint32. Pass a batch of keys to `vmap` with in-axis 0 and each
 * example gets its own key: `random.uniform(k, shape)` inside gives independent draws per
 * example, each equal to what that key gives outside vmap.
 *
 * @example
 * import { random, toFlatArray, vmap } from 'purediff'
 * const keys = random.split(random.key(0), 3)
 * const draws = vmap((k: ReturnType<typeof random.keyTensor>) => random.uniform(k, [2]))(random.keyTensor(keys))
 * // row i is what key i gives alone
 * const rows = toFlatArray(draws)
 * keys.forEach((k, i) => {
 *   if (toFlatArray(random.uniform(k, [2])).join() !== rows.slice(2 * i, 2 * i + 2).join()) throw new Error()
 * })
 * @category random
 * @since 0.3.0
 */
export function keyTensor(keys: Key | readonly Key[]): Tensor {
  const op = 'random.keyTensor'
  if (isKey(keys)) return fromData(Int32Array.of(keys.bits[0] | 0, keys.bits[1] | 0), [2], 'int32')
  if (!Array.isArray(keys)) throw new ArgumentError(op, `expected a key or an array of keys, got ${describe(keys)}`)
  const out = new Int32Array(2 * keys.length)
  keys.forEach((k, i) => {
    if (!isKey(k)) throw new ArgumentError(op, `element ${i} must be a random key, got ${describe(k)}`)
    out[2 * i] = k.bits[0] | 0
    out[2 * i + 1] = k.bits[1] | 0
  })
  return fromData(out, [keys.length, 2], 'int32')
}

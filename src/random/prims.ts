/**
 * The random primitives: each sampler, `permutation`, `split` and `foldIn` as a primitive of keys
 * [...lead, 2] (see keyTensor.ts), computed for every key by the row loops of rows.ts. Their
 * names are listed for the batching rules (src/core/batch/random.ts).
 *
 * @internal
 */
import type { DType } from '../tensor/dtype.js'
import { keyPrimitive } from './keyTensor.js'
import { bernoulliRows, foldInRows, normalRows, permutationRows, randintRows, splitRows, uniformRows } from './rows.js'

// --- model

/** Parameters every sampler has: one key's result shape and element count. */
interface Draw {
  readonly shape: readonly number[]
  readonly size: number
}

const flat = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)
const asInt = (u: Uint32Array): Int32Array => new Int32Array(u.buffer, u.byteOffset, u.length)

// --- primitives

export const uniformP = keyPrimitive<Draw & { readonly min: number; readonly max: number; readonly lo: number; readonly hi: number; readonly dtype: DType }>(
  'randomUniform',
  (p) => p.shape,
  (p) => p.dtype,
  (keys, p, outShape) => uniformRows(keys, p.size, p.min, p.max, p.lo, p.hi, p.dtype, 'random.uniform', outShape),
)

export const normalP = keyPrimitive<Draw & { readonly mean: number; readonly std: number; readonly dtype: DType }>(
  'randomNormal',
  (p) => p.shape,
  (p) => p.dtype,
  (keys, p, outShape) => normalRows(keys, p.size, p.mean, p.std, p.dtype, 'random.normal', outShape),
)

export const bernoulliP = keyPrimitive<Draw & { readonly p: number; readonly dtype: DType }>(
  'randomBernoulli',
  (p) => p.shape,
  (p) => p.dtype,
  (keys, p, outShape) => bernoulliRows(keys, p.size, p.p, p.dtype, 'random.bernoulli', outShape),
)

export const randintP = keyPrimitive<Draw & { readonly min: number; readonly max: number }>(
  'randomInt',
  (p) => p.shape,
  () => 'int32',
  (keys, p, outShape) => randintRows(keys, p.size, p.min, p.max, 'random.randint', outShape),
)

export const permutationP = keyPrimitive<{ readonly n: number }>(
  'randomPermutation',
  (p) => [p.n],
  () => 'int32',
  (keys, p) => permutationRows(keys, p.n),
)

export const splitP = keyPrimitive<{ readonly n: number }>(
  'randomSplit',
  (p) => [p.n, 2],
  () => 'int32',
  (keys, p) => asInt(splitRows(keys, p.n)),
)

export const foldInP = keyPrimitive<{ readonly m: number }>(
  'randomFoldIn',
  () => [2],
  () => 'int32',
  (keys, p) => asInt(foldInRows(keys, p.m)),
)

/** One key's draw parameters for `shape`. */
export const draw = (shape: readonly number[]): Draw => ({ shape, size: flat(shape) })

/** The names of every key primitive (for the batching rules). */
export const KEY_PRIMITIVES: readonly string[] = Object.freeze([uniformP, normalP, bernoulliP, randintP, permutationP, splitP, foldInP].map((p) => p.name))

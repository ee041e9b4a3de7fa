/**
 * Argument checks shared by the layers: each throws a PurediffError naming the layer (e.g.
 * `dense(64)`) and what it expected, before anything is traced.
 *
 * @internal
 */
import { type Key, type Tensor, ArgumentError, PurediffError, ShapeError, random } from '../index.js'
import { Tensor as TensorClass } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { fmt } from '../tensor/errors.js'

export { describe, fmt }

/** Throws unless `key` is a random key. */
export function checkKey(op: string, key: unknown): Key {
  if (random.isKey(key)) return key
  throw new ArgumentError(op, `init needs a random key (from random.key, split or foldIn), got ${describe(key)}`)
}

/** A copy of the per-example input shape (no batch axis), checked: non-negative integers. */
export function checkInputShape(op: string, shape: unknown, minRank = 0): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(
      op,
      `inputShape must be an array of non-negative integers (one example, without the batch axis), got ${Array.isArray(shape) ? JSON.stringify(shape) : describe(shape)}`,
    )
  }
  if (shape.length < minRank) {
    throw new ShapeError(op, `inputShape must have rank ≥ ${minRank} (one example, without the batch axis), got ${fmt(shape as number[])}`)
  }
  return (shape as number[]).slice()
}

/** Throws unless `x` is a tensor of rank ≥ `minRank` (the batch axis is axis 0). */
export function checkInput(op: string, x: unknown, minRank = 1): Tensor {
  if (!(x instanceof TensorClass)) throw new ArgumentError(op, `argument 'x' must be a Tensor, got ${describe(x)}`)
  if (x.rank < minRank) {
    throw new ShapeError(op, `x must have rank ≥ ${minRank} (the batch on axis 0${minRank > 1 ? ', features on the last axis' : ''}), got shape ${fmt(x.shape)}`)
  }
  return x
}

/** Throws unless `v` is a positive integer. */
export function checkPositiveInt(op: string, name: string, v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v
  throw new ArgumentError(op, `${name} must be a positive integer, got ${describe(v)}`)
}

/** Throws unless `v` is a finite number. */
export function checkFinite(op: string, name: string, v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  throw new ArgumentError(op, `${name} must be a finite number, got ${describe(v)}`)
}

/** Throws unless `t` is a tensor (a parameter leaf). */
export function checkParam(op: string, name: string, t: unknown): Tensor {
  if (t instanceof TensorClass) return t
  throw new ArgumentError(op, `params.${name} must be a Tensor, got ${describe(t)}; pass the params that init returned`)
}

/** Throws unless `options` is an object (or undefined, read as {}). */
export function checkOptions<T extends object>(op: string, options: T | undefined): T {
  if (options === undefined) return {} as T
  if (options === null || typeof options !== 'object') throw new ArgumentError(op, `options must be an object, got ${describe(options)}`)
  return options
}

/** The same error class, with `prefix` before the message (to say which sublayer failed). */
export function rethrowWithin(e: unknown, op: string, prefix: string): never {
  if (e instanceof PurediffError) {
    const Cls = e.constructor as new (op: string, message: string) => PurediffError
    throw new Cls(op, `${prefix}: ${e.message}`)
  }
  throw e
}

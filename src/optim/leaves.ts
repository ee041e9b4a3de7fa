/**
 * Pytree plumbing shared by the optimizer transforms: flatten the updates once, check that
 * state and params mirror them (same structure, same shapes), read and write step counts, and
 * build result leaves from freshly allocated typed arrays. Updates are never differentiated,
 * so transforms read concrete storage directly (`dataOf`) and never write it.
 *
 * @internal
 */
import { type DType, type TypedArray, alloc } from '../tensor/dtype.js'
import { ArgumentError, ShapeError, fmt } from '../tensor/errors.js'
import { Tensor, dataOf, fromData } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { type Structure, flatten, leafPaths, sameStructure, unflatten } from '../tree/index.js'

// --- model

/** The leaves of a pytree and its structure. */
export interface Flat {
  readonly leaves: readonly Tensor[]
  readonly structure: Structure
}

// --- flatten and check

/** Flattens `t` (the updates, or params), naming `what` in errors. */
export function flat(op: string, what: string, t: unknown): Flat {
  try {
    return flatten(op, t)
  } catch (e) {
    throw new ArgumentError(op, `${what}: ${e instanceof Error ? e.message.replace(/^[^:]*: /, '') : String(e)}`)
  }
}

/**
 * The leaves of `t`, which must mirror `like`: the same structure and the same shape at every
 * leaf (dtypes may differ: a float64 accumulator for float32 updates is allowed).
 */
export function leavesLike(op: string, what: string, t: unknown, like: Flat): readonly Tensor[] {
  const f = flat(op, what, t)
  if (!sameStructure(f.structure, like.structure)) {
    throw new ArgumentError(
      op,
      `${what} has a different pytree structure from the updates: leaves [${leafPaths(f.structure).join(', ')}], expected [${leafPaths(like.structure).join(', ')}]`,
    )
  }
  for (let i = 0; i < f.leaves.length; i++) {
    const a = f.leaves[i].shape,
      b = like.leaves[i].shape
    if (a.length !== b.length || a.some((d, j) => d !== b[j])) {
      throw new ShapeError(op, `${what} at ${leafPaths(like.structure)[i]} has shape ${fmt(a)}; expected ${fmt(b)} (the shape of the updates)`)
    }
  }
  return f.leaves
}

/** The params, required by transforms that read them (weight decay, L1). */
export function requireParams(op: string, params: unknown, like: Flat): readonly Tensor[] {
  if (params === undefined) throw new ArgumentError(op, 'needs the params: call update(grads, state, params)')
  return leavesLike(op, 'params', params, like)
}

/** Rebuilds a pytree of the structure of `like` from new leaves. */
export function build<T>(like: Flat, leaves: readonly Tensor[]): T {
  return unflatten<T>(like.structure, leaves)
}

/** A new tensor of the shape of `like` over `data` (which it now owns). */
export function leafFrom(like: Tensor, data: TypedArray, dtype: DType = like.dtype): Tensor {
  return fromData(data, like.shape, dtype)
}

/** A zero-filled array of the dtype and size of `t`. */
export function allocLike(t: Tensor): TypedArray {
  return alloc(t.dtype, t.size, 'optimizer update', t.shape)
}

/** Storage of a leaf, for reading only. */
export const read = (t: Tensor): TypedArray => dataOf(t)

/** A pytree of the structure of `params` whose leaves are `value` (params' shapes and dtypes). */
export function fullLike<T>(op: string, params: unknown, value: number): T {
  const f = flat(op, 'params', params)
  return build<T>(
    f,
    f.leaves.map((l) => {
      const d = allocLike(l)
      if (value !== 0) d.fill(value)
      return leafFrom(l, d)
    }),
  )
}

// --- step counts

/**
 * A step count as a float64 scalar tensor: float64 holds every integer up to 2⁵³ exactly, so
 * counts never round (a float32 count would stop at 2²⁴ ≈ 16.7M steps).
 */
export function countTensor(n: number): Tensor {
  const d = new Float64Array(1)
  d[0] = n
  return fromData(d, NO_AXES, 'float64')
}
const NO_AXES: readonly number[] = Object.freeze([])

/** Reads a count from state: a size-1 tensor holding a non-negative integer. */
export function readCount(op: string, what: string, t: unknown): number {
  if (!(t instanceof Tensor) || t.size !== 1)
    throw new ArgumentError(op, `${what} must be a scalar tensor (a step count), got ${t instanceof Tensor ? `shape ${fmt(t.shape)}` : describe(t)}`)
  const n = dataOf(t)[0]
  if (!(Number.isInteger(n) && n >= 0)) throw new ArgumentError(op, `${what} must hold a non-negative integer, got ${n}`)
  return n
}

/** A state object's field, or an error naming it. */
export function field(op: string, state: unknown, name: string): unknown {
  if (state === null || typeof state !== 'object' || !(name in state)) {
    throw new ArgumentError(op, `the state must be an object with a '${name}' field (made by init), got ${describe(state)}`)
  }
  return (state as Record<string, unknown>)[name]
}

// --- hyperparameter checks

/** Throws unless `x` is a finite number ≥ min (or > min when `strict`). */
export function checkNumber(op: string, name: string, x: unknown, min: number, strict = false): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < min || (strict && x === min)) {
    throw new ArgumentError(op, `${name} must be a finite number ${strict ? '>' : '≥'} ${min}, got ${typeof x === 'number' ? x : describe(x)}`)
  }
  return x
}

/** Throws unless `x` is in [0, 1). */
export function checkDecay(op: string, name: string, x: unknown): number {
  if (typeof x !== 'number' || !(x >= 0 && x < 1)) throw new ArgumentError(op, `${name} must be a number in [0, 1), got ${typeof x === 'number' ? x : describe(x)}`)
  return x
}

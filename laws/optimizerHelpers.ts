/**
 * The optimizer laws' comparisons and their lossless JSON of a state (helpers of optimizer.ts).
 *
 * @internal
 */
import { Tensor, fromArray, tree } from '../src/index.js'
import type { DType } from '../src/index.js'
import { type LawResult, snapshot } from './immutability.js'

// --- helpers: comparisons

export const pass = (detail: string): LawResult => ({ ok: true, detail })
export const fail = (detail: string): LawResult => ({ ok: false, detail })

export function guard(f: () => LawResult): LawResult {
  try {
    return f()
  } catch (e) {
    return fail(`threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
  }
}

/** null when `a` and `b` are the same pytree bit for bit, else the first difference. */
export function identical(a: unknown, b: unknown, what: string): string | null {
  const sa = snapshot(a),
    sb = snapshot(b)
  if (sa.paths.join('|') !== sb.paths.join('|')) return `${what}: the structures differ ([${sa.paths.join(', ')}] vs [${sb.paths.join(', ')}])`
  for (let i = 0; i < sa.leaves.length; i++) {
    const x = sa.leaves[i],
      y = sb.leaves[i],
      path = sa.paths[i]
    if (x.dtype !== y.dtype || x.shape.join() !== y.shape.join()) return `${what}: at ${path}, ${x.dtype} [${x.shape}] vs ${y.dtype} [${y.shape}]`
    for (let j = 0; j < x.values.length; j++) {
      if (!Object.is(x.values[j], y.values[j])) return `${what}: at ${path} index ${j}, ${show(x.values[j])} vs ${show(y.values[j])}`
    }
  }
  return null
}

/** Why `state` does not mirror `params`, or null: leaves must be scalars or inside a mirror. */
export function mirrorError(state: unknown, params: unknown): string | null {
  const walk = (x: unknown, path: string): string | null => {
    if (tree.structureEquals(x, params)) return null
    if (x instanceof Tensor)
      return x.rank === 0 ? null : `the state leaf at ${path || '<root>'} (shape [${x.shape}]) is neither a scalar count nor inside a tree that mirrors the params`
    const kids = Array.isArray(x)
      ? x.map((v, i) => [`${path}[${i}]`, v] as const)
      : x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype
        ? Object.entries(x).map(([k, v]) => [`${path}.${k}`, v] as const)
        : null
    if (kids !== null) return kids.reduce<string | null>((r, [p, v]) => r ?? walk(v, p), null)
    return `the state at ${path || '<root>'} is not a pytree of tensors (got ${typeof x})`
  }
  return walk(state, '')
}

export const show = (x: number): string => (Object.is(x, -0) ? '-0' : String(x))

// --- helpers: JSON (lossless; the io module's checkpoint codec is the public way)

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/** A tensor becomes `{ "$tensor": { dtype, shape, data } }`; NaN, ±Infinity and −0 become strings. */
export function encodeTree(x: unknown): Json {
  if (x instanceof Tensor) {
    const { values } = snapshot(x).leaves[0]
    const data = Array.from(values, (v): number | string => (Number.isFinite(v) && !Object.is(v, -0) ? v : show(v)))
    return { $tensor: { dtype: x.dtype, shape: [...x.shape], data } }
  }
  if (Array.isArray(x)) return x.map(encodeTree)
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, encodeTree(v)]))
  throw new Error(`cannot encode ${typeof x} as part of an optimizer state`)
}

export function decodeTree(j: Json): unknown {
  if (Array.isArray(j)) return j.map(decodeTree)
  if (j !== null && typeof j === 'object') {
    const t = j.$tensor
    if (t !== undefined && Object.keys(j).length === 1) {
      const { dtype, shape, data } = t as { dtype: DType; shape: number[]; data: (number | string)[] }
      return fromArray(
        data.map((v) => (typeof v === 'number' ? v : v === '-0' ? -0 : Number(v))),
        shape,
        dtype,
      )
    }
    return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, decodeTree(v)]))
  }
  throw new Error(`cannot decode ${JSON.stringify(j)} as part of an optimizer state`)
}

/**
 * Does a tree read from a checkpoint fit what the model (or the optimizer) expects? The first
 * difference, by path: a missing or extra field, another array length, another leaf kind, or a
 * tensor of another shape or dtype — so `eval` and `train --resume` can refuse params that do
 * not fit the model with a message naming the parameter and both shapes, instead of computing
 * numbers from them.
 *
 * @internal
 */
import { Tensor } from '../tensor/Tensor.js'

const kind = (x: unknown): string =>
  x instanceof Tensor ? 'a tensor' : Array.isArray(x) ? 'an array' : x === null ? 'null' : typeof x === 'object' ? 'an object' : `a ${typeof x}`

const shapeOf = (t: Tensor): string => `[${t.shape.join(',')}] (${t.dtype})`

/**
 * The first place where `actual` differs in structure, shape or dtype from `expected` (depth
 * first, in `expected`'s order), as `at <path>: …` with `expectedName`/`actualName` naming the
 * two sides; undefined when they agree. Leaf values are not compared (numbers, strings, tensor
 * contents), only what makes a tree usable in place of the other.
 */
export function firstMismatch(expected: unknown, actual: unknown, expectedName: string, actualName: string): string | undefined {
  const walk = (e: unknown, a: unknown, path: string): string | undefined => {
    const at = path === '' ? '<root>' : path
    if (e instanceof Tensor) {
      if (!(a instanceof Tensor)) return `at ${at}: ${expectedName} has a tensor of shape ${shapeOf(e)}, ${actualName} has ${kind(a)}`
      if (e.dtype !== a.dtype || e.shape.length !== a.shape.length || e.shape.some((d, i) => d !== a.shape[i])) {
        return `at ${at}: ${expectedName} has shape ${shapeOf(e)} but ${actualName} has shape ${shapeOf(a)}`
      }
      return undefined
    }
    if (Array.isArray(e)) {
      if (!Array.isArray(a)) return `at ${at}: ${expectedName} has an array, ${actualName} has ${kind(a)}`
      if (a.length !== e.length) return `at ${at}: ${expectedName} has ${e.length} entries, ${actualName} has ${a.length}`
      for (let i = 0; i < e.length; i++) {
        const r = walk(e[i], a[i], `${path}[${i}]`)
        if (r !== undefined) return r
      }
      return undefined
    }
    if (e !== null && typeof e === 'object') {
      if (a === null || typeof a !== 'object' || Array.isArray(a) || a instanceof Tensor) return `at ${at}: ${expectedName} has an object, ${actualName} has ${kind(a)}`
      const ek = Object.keys(e),
        ak = Object.keys(a)
      const missing = ek.find((k) => !Object.hasOwn(a, k))
      if (missing !== undefined) return `at ${at}: ${actualName} has no field '${missing}' (${expectedName} has ${ek.join(', ')})`
      const extra = ak.find((k) => !Object.hasOwn(e, k))
      if (extra !== undefined)
        return `at ${at}: ${actualName} has a field '${extra}' that ${expectedName} has not (${expectedName} has ${ek.length === 0 ? 'none' : ek.join(', ')})`
      if (ek.some((k, i) => ak[i] !== k)) return `at ${at}: the fields are in another order (${expectedName}: ${ek.join(', ')}; ${actualName}: ${ak.join(', ')})`
      for (const k of ek) {
        const r = walk((e as Record<string, unknown>)[k], (a as Record<string, unknown>)[k], `${path}.${k}`)
        if (r !== undefined) return r
      }
      return undefined
    }
    return kind(e) === kind(a) ? undefined : `at ${at}: ${expectedName} has ${kind(e)}, ${actualName} has ${kind(a)}`
  }
  return walk(expected, actual, '')
}

/**
 * Pytrees: plain objects and arrays nested to any depth whose leaves are Tensors. Transforms
 * differentiate whole pytrees and return gradients of exactly the same structure.
 *
 * @since 0.1.0
 */
import { ArgumentError } from '../tensor/errors.js'
import { Tensor } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { zeros } from '../tensor/Tensor.js'

// --- model

/** A pytree of tensors. @category model @since 0.1.0 */
export type Tree = Tensor | readonly Tree[] | { readonly [k: string]: Tree }

/** The shape of a pytree without its leaves. @internal */
export type Structure =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'array'; readonly items: readonly Structure[] }
  | { readonly kind: 'object'; readonly keys: readonly string[]; readonly items: readonly Structure[] }

const LEAF: Structure = { kind: 'leaf' }

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false
  const p = Object.getPrototypeOf(x)
  return p === Object.prototype || p === null
}

// --- flatten / unflatten (internal)

/**
 * How deeply containers may nest in a pytree: 1,000 levels, the limit checkpoints have too (so
 * every tree the transforms accept can be saved). Real trees nest a handful of levels; walking
 * is iterative, and the consumers that recurse over a structure stay far inside the stack.
 * @internal
 */
export const MAX_TREE_DEPTH = 1000

/** A container being walked: its keys (null for an array), the structures of its items so far. */
interface Frame {
  readonly x: Record<string | number, unknown>
  readonly keys: string[] | null
  /** the number of items */
  readonly n: number
  readonly items: Structure[]
  /** where `x` sits in its parent: an index (arrays) or a key (objects); '' for the root */
  readonly at: number | string
  next: number
}

/** `.a[0].w` from the keys of a path; its middle elided past 24 keys (deep paths stay readable). */
function pathOf(keys: readonly (number | string)[]): string {
  const part = (k: number | string) => (typeof k === 'number' ? `[${k}]` : `.${k}`)
  if (keys.length <= 24) return keys.map(part).join('')
  return `${keys.slice(0, 8).map(part).join('')}…(${keys.length - 16} more keys)…${keys.slice(-8).map(part).join('')}`
}

/**
 * Leaves in depth-first order and the structure, or an ArgumentError naming the bad path: a
 * leaf that is not a tensor, a cycle (a container that is its own ancestor; a container shared
 * by two branches is fine), or nesting deeper than MAX_TREE_DEPTH. Iterative: no input can
 * overflow the stack. @internal
 */
export function flatten(op: string, t: unknown): { leaves: Tensor[]; structure: Structure } {
  const leaves: Tensor[] = []
  const stack: Frame[] = []
  const path = (child: number | string | null): string => {
    const keys = stack.slice(1).map((f) => f.at)
    if (child !== null && stack.length > 0) keys.push(child)
    return pathOf(keys) || 'the root'
  }
  // The structure of a leaf, or null after pushing a frame for a container.
  const open = (x: unknown, at: number | string): Structure | null => {
    if (x instanceof Tensor) {
      leaves.push(x)
      return LEAF
    }
    const array = Array.isArray(x)
    if (!array && !isPlainObject(x)) {
      throw new ArgumentError(op, `pytree leaf at ${path(at)} is ${describe(x)}; expected a Tensor, a plain object or an array`)
    }
    // Ancestors by a scan of the stack: real trees have a few levels, where a scan is cheaper
    // than keeping a Set (measured: a Set made flatten + unflatten of an MLP's params ~30% slower).
    let i = stack.length - 1
    while (i >= 0 && stack[i].x !== x) i--
    if (i >= 0) {
      throw new ArgumentError(op, `the pytree is cyclic: the value at ${path(at)} is its own ancestor at ${pathOf(stack.slice(1, i + 1).map((f) => f.at)) || 'the root'}`)
    }
    if (stack.length >= MAX_TREE_DEPTH) {
      throw new ArgumentError(op, `the pytree is nested deeper than ${MAX_TREE_DEPTH} levels at ${path(at)}`)
    }
    const keys = array ? null : Object.keys(x)
    // an array or a plain object (checked above), read by index or key
    stack.push({ x: x as Frame['x'], keys, n: keys === null ? (x as unknown[]).length : keys.length, items: [], at, next: 0 })
    return null
  }
  const top = open(t, '')
  if (top !== null) return { leaves, structure: top }
  for (;;) {
    const f = stack[stack.length - 1]
    if (f.next < f.n) {
      const at = f.keys === null ? f.next : f.keys[f.next]
      f.next++
      const s = open(f.x[at], at)
      if (s !== null) f.items.push(s)
      continue
    }
    stack.pop()
    const done: Structure = f.keys === null ? { kind: 'array', items: f.items } : { kind: 'object', keys: f.keys, items: f.items }
    if (stack.length === 0) return { leaves, structure: done }
    stack[stack.length - 1].items.push(done)
  }
}

/**
 * Rebuilds a pytree of `structure` from leaves in depth-first order. Keys become own data
 * properties even when one is `"__proto__"` (a plain assignment would set the prototype and
 * drop the key), so structures round-trip exactly. @internal
 */
export function unflatten<T = Tree>(structure: Structure, leaves: readonly unknown[]): T {
  let k = 0
  const build = (s: Structure): unknown => {
    if (s.kind === 'leaf') return leaves[k++]
    if (s.kind === 'array') {
      const a = new Array<unknown>(s.items.length)
      for (let i = 0; i < a.length; i++) a[i] = build(s.items[i])
      return a
    }
    const o: Record<string, unknown> = {}
    for (let i = 0; i < s.keys.length; i++) {
      const key = s.keys[i]
      const v = build(s.items[i])
      if (key === '__proto__') Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true })
      else o[key] = v
    }
    return o
  }
  return build(structure) as T
}

/** Paths of the leaves (`.a[0].w`), in leaf order. @internal */
export function leafPaths(structure: Structure): string[] {
  const out: string[] = []
  const walk = (s: Structure, path: string): void => {
    if (s.kind === 'leaf') out.push(path || '<root>')
    else if (s.kind === 'array') for (const [i, it] of s.items.entries()) walk(it, `${path}[${i}]`)
    else for (const [i, it] of s.items.entries()) walk(it, `${path}.${s.keys[i]}`)
  }
  walk(structure, '')
  return out
}

/** True when two structures are identical (same keys in the same order, same lengths). @internal */
export function sameStructure(a: Structure, b: Structure): boolean {
  if (a.kind !== b.kind) return false
  if (a.kind === 'leaf') return true
  const bi = b as typeof a
  if (a.items.length !== bi.items.length) return false
  if (a.kind === 'object') {
    const bk = (b as { keys: readonly string[] }).keys
    for (let i = 0; i < a.keys.length; i++) if (a.keys[i] !== bk[i]) return false
  }
  for (let i = 0; i < a.items.length; i++) if (!sameStructure(a.items[i], bi.items[i])) return false
  return true
}

// --- operations

/**
 * Applies `f` leafwise to one or more pytrees of the same structure.
 *
 * @example
 * import { tree, tensor, mul, toFlatArray } from 'purediff'
 * const p = { w: tensor([1, 2]), b: [tensor(3)] }
 * const doubled = tree.map((x) => mul(x, 2), p)
 * if (toFlatArray(doubled.w).join() !== '2,4' || toFlatArray(doubled.b[0]).join() !== '6') throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function map<T>(f: (...leaves: Tensor[]) => Tensor, first: T, ...rest: unknown[]): T {
  const a = flatten('tree.map', first)
  const others = rest.map((r, i) => {
    const o = flatten('tree.map', r)
    if (!sameStructure(a.structure, o.structure)) {
      throw new ArgumentError('tree.map', `tree ${i + 2} has a different structure from tree 1; expected identical keys, lengths and nesting`)
    }
    return o.leaves
  })
  const out = a.leaves.map((leaf, i) => f(leaf, ...others.map((o) => o[i])))
  return unflatten<T>(a.structure, out)
}

/**
 * The leaves of a pytree, depth first: arrays in index order, objects in key insertion order.
 *
 * @example
 * import { tree, scalar, item } from 'purediff'
 * const ls = tree.leaves({ a: scalar(1), b: [scalar(2), scalar(3)] })
 * if (ls.map(item).join() !== '1,2,3') throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function leaves(t: unknown): Tensor[] {
  return flatten('tree.leaves', t).leaves
}

/**
 * Folds the leaves, in `leaves` order.
 *
 * @example
 * import { tree, scalar } from 'purediff'
 * const n = tree.reduce((acc, x) => acc + x.size, 0, { a: scalar(1), b: [scalar(2)] })
 * if (n !== 2) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function reduce<A>(f: (acc: A, leaf: Tensor) => A, initial: A, t: unknown): A {
  return leaves(t).reduce(f, initial)
}

/**
 * A pytree of the same structure with zero leaves of the same shapes and dtypes.
 *
 * @example
 * import { tree, ones, toFlatArray } from 'purediff'
 * const z = tree.zerosLike({ w: ones([2], 'float64') })
 * if (z.w.dtype !== 'float64' || toFlatArray(z.w).join() !== '0,0') throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function zerosLike<T>(t: T): T {
  const { leaves: ls, structure } = flatten('tree.zerosLike', t)
  return unflatten<T>(
    structure,
    ls.map((l) => zeros(l.shape, l.dtype)),
  )
}

/**
 * True when two pytrees have the same structure (keys, order, lengths) and leaves of the same
 * shapes and dtypes. Never throws: a non-pytree gives false.
 *
 * @example
 * import { tree, zeros } from 'purediff'
 * if (!tree.structureEquals({ a: zeros([2]) }, { a: zeros([2]) })) throw new Error()
 * if (tree.structureEquals({ a: zeros([2]) }, { a: zeros([3]) })) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function structureEquals(a: unknown, b: unknown): boolean {
  let fa: ReturnType<typeof flatten>
  let fb: ReturnType<typeof flatten>
  try {
    fa = flatten('tree.structureEquals', a)
    fb = flatten('tree.structureEquals', b)
  } catch {
    return false
  }
  if (!sameStructure(fa.structure, fb.structure)) return false
  for (let i = 0; i < fa.leaves.length; i++) {
    const x = fa.leaves[i],
      y = fb.leaves[i]
    if (x.dtype !== y.dtype || x.rank !== y.rank || x.shape.some((d, j) => d !== y.shape[j])) return false
  }
  return true
}

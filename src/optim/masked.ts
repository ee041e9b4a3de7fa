/**
 * `masked(transform, mask)`: a transform applied to some leaves of the params only (as Optax's
 * `masked`), so that weight decay or L1 can skip the biases. The other updates pass through
 * unchanged, and the inner transform keeps state for the masked leaves alone.
 *
 * @since 0.1.0
 */
import { ArgumentError } from '../tensor/errors.js'
import type { Tensor } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import type { Structure } from '../tree/index.js'
import type { GradientTransformation } from './GradientTransformation.js'
import { build, flat, leavesLike } from './leaves.js'

// --- model

/**
 * Which leaves a `masked` transform touches: a pytree of booleans with the structure of the
 * params, where a boolean may also stand for a whole subtree (`[{ w: true, b: false }, false]`,
 * or `true` for everything).
 *
 * @category model
 * @since 0.1.0
 */
export type Mask = boolean | readonly Mask[] | { readonly [key: string]: Mask }

/**
 * The state of `masked(transform, mask)`: the inner transform's state for the masked leaves,
 * which it sees as an array in the order of the params' leaves.
 *
 * @category model
 * @since 0.1.0
 */
export interface MaskedState<S> {
  readonly inner: S
}

// --- constructors

/**
 * `transform` applied only to the leaves where `mask` is true: the updates of the other leaves
 * pass through unchanged (the same tensors). `mask` is a `Mask` (booleans in the structure of
 * the params, a boolean standing for a whole subtree) or a function of the params giving one
 * (called with `init`'s params, and with `update`'s params — or the updates when no params are
 * given). The inner transform sees the masked leaves of updates, params and state as an array,
 * in the order of the params' leaves, so its state holds those leaves only. A mask that does not
 * fit the tree is an ArgumentError naming the path. Typical use: decay the kernels, not the
 * biases — `masked(addDecayedWeights(λ), (p) => p.map((layer) => ({ w: true, b: false })))`.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { addDecayedWeights, applyUpdates, chain, masked, sgd } from 'purediff/optim'
 * const params = { w: tensor([2], 'float64'), b: tensor([2], 'float64') }
 * const opt = chain(masked(addDecayedWeights(0.5), { w: true, b: false }), sgd(0.1))
 * const zero = { w: tensor([0], 'float64'), b: tensor([0], 'float64') }
 * const [u] = opt.update(zero, opt.init(params), params)
 * const next = applyUpdates(params, u)
 * // the kernel decays, (1 − 0.1·0.5)·2; the bias does not
 * if (toFlatArray(next.w)[0] !== 1.9 || toFlatArray(next.b)[0] !== 2) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function masked<S>(transform: GradientTransformation<S>, mask: Mask | ((params: unknown) => Mask)): GradientTransformation<MaskedState<S>> {
  const op = 'masked'
  const t = transform as Partial<GradientTransformation<S>> | null
  if (t === null || typeof t !== 'object' || typeof t.init !== 'function' || typeof t.update !== 'function') {
    throw new ArgumentError(op, `transform must be a GradientTransformation { init, update }, got ${describe(transform)}`)
  }
  if (typeof mask !== 'function') checkMaskValues(op, mask, '')
  const selection = (structure: Structure, tree: unknown): boolean[] => {
    const m = typeof mask === 'function' ? mask(tree) : mask
    const out: boolean[] = []
    select(op, structure, m, '', out)
    return out
  }
  return {
    init: (params) => {
      const f = flat(op, 'params', params)
      const sel = selection(f.structure, params)
      return { inner: transform.init(f.leaves.filter((_, i) => sel[i])) }
    },
    update: (updates, state, params) => {
      const g = flat(op, 'updates', updates)
      const sel = selection(g.structure, params ?? updates)
      const pick = (xs: readonly Tensor[]) => xs.filter((_, i) => sel[i])
      if (state === null || typeof state !== 'object' || !('inner' in state)) throw new ArgumentError(op, `the state must be { inner } (made by init), got ${describe(state)}`)
      const w = params === undefined ? undefined : pick(leavesLike(op, 'params', params, g))
      const [inner, innerState] = transform.update(pick(g.leaves), state.inner, w)
      const leaves = g.leaves.slice()
      let j = 0
      for (let i = 0; i < leaves.length; i++) if (sel[i]) leaves[i] = inner[j++]
      return [build(g, leaves), { inner: innerState }]
    },
  }
}

// --- internal

/** Appends, for every leaf of `s` (in flatten order), whether `m` selects it; throws naming the path where `m` does not fit. */
function select(op: string, s: Structure, m: unknown, path: string, out: boolean[]): void {
  if (typeof m === 'boolean') {
    const n = countLeaves(s)
    for (let i = 0; i < n; i++) out.push(m)
    return
  }
  const at = path || '<root>'
  if (s.kind === 'leaf') throw new ArgumentError(op, `the mask at ${at} must be a boolean (the params have a tensor there), got ${describe(m)}`)
  if (s.kind === 'array') {
    if (!Array.isArray(m) || m.length !== s.items.length) {
      throw new ArgumentError(
        op,
        `the mask at ${at} must be a boolean or an array of ${s.items.length} entries (as the params), got ${Array.isArray(m) ? `${m.length} entries` : describe(m)}`,
      )
    }
    for (let i = 0; i < s.items.length; i++) select(op, s.items[i], m[i], `${path}[${i}]`, out)
    return
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m))
    throw new ArgumentError(op, `the mask at ${at} must be a boolean or an object with the fields ${s.keys.map((k) => `'${k}'`).join(', ')} (as the params), got ${describe(m)}`)
  const r = m as Record<string, unknown>
  for (const k of Object.keys(r)) if (!s.keys.includes(k)) throw new ArgumentError(op, `the mask at ${at} has a field '${k}' that the params do not have`)
  s.items.forEach((item, i) => {
    const k = s.keys[i]
    if (!Object.hasOwn(r, k)) throw new ArgumentError(op, `the mask at ${at} has no field '${k}' (the params have one at ${path}.${k})`)
    select(op, item, r[k], `${path}.${k}`, out)
  })
}

function countLeaves(s: Structure): number {
  if (s.kind === 'leaf') return 1
  let n = 0
  for (const item of s.items) n += countLeaves(item)
  return n
}

/** A mask given as data must hold booleans only (checked at construction, before any params are seen). */
function checkMaskValues(op: string, m: unknown, path: string): void {
  if (typeof m === 'boolean') return
  if (Array.isArray(m)) for (let i = 0; i < m.length; i++) checkMaskValues(op, m[i], `${path}[${i}]`)
  else if (m !== null && typeof m === 'object') for (const [k, x] of Object.entries(m)) checkMaskValues(op, x, `${path}.${k}`)
  else throw new ArgumentError(op, `the mask must be booleans in the structure of the params (or a function of the params giving them); at ${path || '<root>'} got ${describe(m)}`)
}

/**
 * The model of purediff/optim, as in Optax: a `GradientTransformation` is an `{ init, update }`
 * pair of pure functions. `init(params)` makes the state; `update(grads, state, params?)`
 * returns `[updates, newState]` and changes nothing it was given; `applyUpdates(params,
 * updates)` adds the updates to the params. Updates are already signed: a plain gradient step
 * is `updates = −η·g`. `chain` composes transforms left to right, each one a pass over the
 * leaves. Every state is a pytree whose leaves are tensors, so a checkpoint carries it whole:
 * accumulators have the params' shapes and dtypes, step counts are float64 scalar tensors
 * (exact up to 2⁵³ steps; a float32 count would stop counting at 2²⁴ ≈ 16.7M).
 *
 * @since 0.1.0
 */
import type { Tensor } from '../tensor/Tensor.js'
import { ArgumentError } from '../tensor/errors.js'
import { describe } from '../tensor/checks.js'
import { type Flat, allocLike, build, flat, leafFrom, leavesLike, read } from './leaves.js'
import { checkFusion, fusePair } from './fusion.js'
import * as k from './kernels.js'

// --- model

/**
 * An optimizer or a part of one: `init(params)` makes the state, `update(grads, state,
 * params?)` returns `[updates, newState]`. Both are pure: the same inputs give bit-identical
 * outputs, and no input is changed. Updates have the structure, shapes and dtypes of the
 * grads. `params` is needed only by transforms that read the weights (`addDecayedWeights`,
 * `addL1`, `adamw`); passing it always is harmless.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { type GradientTransformation, applyUpdates, sgd } from 'purediff/optim'
 * const opt: GradientTransformation<unknown> = sgd(0.5)
 * const params = { w: tensor([1, 2], 'float64') }
 * const [updates] = opt.update({ w: tensor([2, -2], 'float64') }, opt.init(params), params)
 * if (toFlatArray(applyUpdates(params, updates).w).join() !== '0,3') throw new Error()
 * @category model
 * @since 0.1.0
 */
export interface GradientTransformation<S> {
  /** The initial state for params of this structure. */
  init(params: unknown): S
  /** `[updates, newState]` for these grads; `params` only for transforms that read the weights. */
  update<U>(updates: U, state: S, params?: unknown): [U, S]
  /** What the transform is, for `chain`'s fused passes (see `TransformFusion`); absent: never fused. */
  readonly fusion?: TransformFusion<S>
}

/**
 * What a transform is, as far as `chain` is concerned: a descriptor carried on the transform
 * object, so it survives a spread copy (`{ ...t }`) and a wrapper can pass it on.
 * `chain(…, a, b, …)` runs `a` and `b` as ONE pass over memory when `a.fusion` is
 * `{ kind: 'scaling', scaledUpdate }` and `b.fusion` is `{ kind: 'learningRate', lr }`; then
 * `a.update` and `b.update` are not called. The contract a descriptor states:
 * - `{ kind: 'learningRate', lr }`: the transform is `scaleByLearningRate(lr)`, state included
 *   (a `{ count }` for a schedule);
 * - `{ kind: 'scaling', scaledUpdate }`: `scaledUpdate(u, s, params, f)` returns the state of
 *   `update(u, s, params)` and its updates multiplied by f, rounded as `update` then a scaling
 *   pass would round them (bit-identical).
 * `scaleByAdam`, `scaleByRss`, `scaleByRms` and `trace` are `scaling`, and so is a `chain`
 * whose last member is; `scaleByLearningRate` and `sgd` are `learningRate`. A transform without
 * a descriptor is never fused, which is always correct: `applyIfFinite` and `multiSteps` change
 * what is computed and carry none. A wrapper that changes the updates (or does something in
 * `update` that must happen, such as logging) must not pass the descriptor on:
 * `{ ...t, update: other }` keeps the old one, so write `{ ...t, update: other, fusion:
 * undefined }`. A descriptor that does not hold is not detected: `chain` trusts it.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { chain, scaleByAdam, scaleByLearningRate } from 'purediff/optim'
 * const part = { ...scaleByAdam() } // a copy is still Adam's scaling: fused with the rate
 * if (part.fusion?.kind !== 'scaling' || scaleByLearningRate(0.1).fusion?.kind !== 'learningRate') throw new Error()
 * const apart = { ...scaleByAdam(), fusion: undefined } // never fused: two passes, same bits
 * const g = [tensor([0.5, -2])]
 * const [u1] = chain(part, scaleByLearningRate(0.1)).update(g, chain(part, scaleByLearningRate(0.1)).init(g))
 * const [u2] = chain(apart, scaleByLearningRate(0.1)).update(g, chain(apart, scaleByLearningRate(0.1)).init(g))
 * if (toFlatArray(u1[0]).join() !== toFlatArray(u2[0]).join()) throw new Error()
 * @category model
 * @since 0.1.0
 */
export type TransformFusion<S> =
  | { readonly kind: 'learningRate'; readonly lr: LearningRate }
  | { readonly kind: 'scaling'; scaledUpdate<U>(updates: U, state: S, params: unknown, factor: number): [U, S] }

/** The state type of a transform. @category model @since 0.1.0 */
export type StateOf<T> = T extends GradientTransformation<infer S> ? S : never

/** The state of a transform without state: an empty object (a pytree with no leaves). @category model @since 0.1.0 */
export type EmptyState = { readonly [k: string]: never }

/** The state of `chain(a, b, …)`: the members' states, in order. @category model @since 0.1.0 */
export type ChainState<Ts extends readonly GradientTransformation<unknown>[]> = { readonly [K in keyof Ts]: StateOf<Ts[K]> }

/** A learning-rate schedule: the rate for the 0-based count of updates done so far. @category model @since 0.1.0 */
export type Schedule = (step: number) => number

/** A learning rate: a number, or a schedule of the 0-based step. @category model @since 0.1.0 */
export type LearningRate = number | Schedule

// --- constructors

/**
 * The transform that passes updates through unchanged, with an empty state.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { identity } from 'purediff/optim'
 * const id = identity()
 * const [u] = id.update([tensor([1, -1])], id.init([tensor([0, 0])]))
 * if (toFlatArray(u[0]).join() !== '1,-1') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function identity(): GradientTransformation<EmptyState> {
  return {
    init: () => EMPTY,
    update: (updates, state) => {
      flat('identity', 'updates', updates)
      return [updates, state]
    },
  }
}
const EMPTY: EmptyState = Object.freeze({})

/**
 * A stateless transform from a function of the updates (and params, when given). `f` must be
 * pure and return a pytree of the updates' structure.
 *
 * @example
 * import { mul, tensor, toFlatArray } from 'purediff'
 * import { stateless } from 'purediff/optim'
 * import type { Tensor } from 'purediff'
 * const double = stateless((u: { x: Tensor }) => ({ x: mul(u.x, 2) }), 'double')
 * const [u] = double.update({ x: tensor([1, 2]) }, double.init({}))
 * if (toFlatArray(u.x).join() !== '2,4') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function stateless<U>(f: (updates: U, params?: unknown) => unknown, name = 'stateless'): GradientTransformation<EmptyState> {
  if (typeof f !== 'function') throw new ArgumentError(name, `expected a function of the updates, got ${describe(f)}`)
  return {
    init: () => EMPTY,
    // why the casts: the transform's type says U → U, the function's says U → unknown
    update: (updates, state, params) => [f(updates as unknown as U, params) as typeof updates, state],
  }
}

// --- operations

/**
 * `params + updates`, leaf by leaf, in the params' dtype (float64 params stay float64).
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { applyUpdates } from 'purediff/optim'
 * const p = applyUpdates({ w: tensor([1, 2], 'float64') }, { w: tensor([0.5, -1], 'float64') })
 * if (p.w.dtype !== 'float64' || toFlatArray(p.w).join() !== '1.5,1') throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function applyUpdates<P>(params: P, updates: unknown): P {
  const p: Flat = flat('applyUpdates', 'params', params)
  const u = leavesLike('applyUpdates', 'updates', updates, p)
  return build<P>(
    p,
    p.leaves.map((w: Tensor, i) => {
      const out = allocLike(w)
      k.add(read(w), read(u[i]), out)
      return leafFrom(w, out)
    }),
  )
}

// --- combinators

/**
 * Composes transforms left to right: the updates of one are the input of the next, and the
 * state is the tuple of the members' states. `params` is passed to every member. A scaling
 * part (`scaleByAdam`, `scaleByRss`, `scaleByRms`, `trace`, a chain ending in one, or a copy of
 * any of them) directly followed by `scaleByLearningRate` (or `sgd`) runs as one pass over
 * memory, with bit-identical results; this follows the members' `fusion` descriptors (see
 * `TransformFusion`), and the chain itself is `scaling` when its last member is.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { chain, clipByGlobalNorm, sgd, applyUpdates } from 'purediff/optim'
 * // clip the gradient to norm 1, then a gradient step of 0.5
 * const opt = chain(clipByGlobalNorm(1), sgd(0.5))
 * const params = [tensor([0, 0], 'float64')]
 * const [u, state] = opt.update([tensor([3, 4], 'float64')], opt.init(params), params)
 * if (toFlatArray(applyUpdates(params, u)[0]).join() !== '-0.3,-0.4' || state.length !== 2) throw new Error()
 * @category combinators
 * @since 0.1.0
 */
export function chain<const Ts extends readonly GradientTransformation<unknown>[]>(...ts: Ts): GradientTransformation<ChainState<Ts>> {
  ts.forEach((t, i) => {
    if (t === null || typeof t !== 'object' || typeof t.init !== 'function' || typeof t.update !== 'function') {
      throw new ArgumentError('chain', `argument ${i} must be a GradientTransformation { init, update }, got ${describe(t)}`)
    }
  })
  // why: speed; a scaling part followed by the learning rate runs as one pass, decided here
  // from the members' descriptors, once (see fusion.ts)
  const kinds = ts.map((t, i) => checkFusion('chain', i, t))
  const fused = kinds.map((f, i) => fusePair(f, kinds[i + 1]))
  const n = ts.length
  const last = kinds[n - 1]
  // The members in order; with a factor, the last (a scaling part) applies it in its own pass.
  const run = (updates: unknown, state: unknown, params: unknown, factor: number | null): [unknown, unknown[]] => {
    const states = state as readonly unknown[]
    if (!Array.isArray(states) || states.length !== n) {
      throw new ArgumentError('chain', `the state must be an array of ${n} member states (made by init), got ${describe(state)}`)
    }
    let u: unknown = updates
    const next: unknown[] = []
    for (let i = 0; i < n; i++) {
      const f = fused[i]
      if (f !== null) {
        const [v, sa, sb] = f(u, states[i], states[i + 1], params)
        u = v
        next.push(sa, sb)
        i++
      } else {
        const [v, s] = factor !== null && i === n - 1 && last?.kind === 'scaling' ? last.scaledUpdate(u, states[i], params, factor) : ts[i].update(u, states[i], params)
        u = v
        next.push(s)
      }
    }
    return [u, next]
  }
  // why the casts: a mapped tuple type cannot be built by Array.map; the members are in order
  const c: GradientTransformation<ChainState<Ts>> = {
    init: (params) => ts.map((t) => t.init(params)) as unknown as ChainState<Ts>,
    update: (updates, state, params) => run(updates, state, params, null) as unknown as [typeof updates, ChainState<Ts>],
  }
  if (last?.kind !== 'scaling') return c
  return { ...c, fusion: { kind: 'scaling', scaledUpdate: (updates, state, params, factor) => run(updates, state, params, factor) as unknown as [typeof updates, ChainState<Ts>] } }
}

/**
 * The stateless parts (and the learning rate): `scaleByLearningRate` turns directions into
 * signed steps −η·u (η a number or a schedule of the step), `addDecayedWeights` and `addL1`
 * add the gradients of the lecture's L2 and L1 penalties, and `clipByGlobalNorm` rescales
 * the whole gradient when its norm is too large.
 *
 * @since 0.1.0
 */
import type { Tensor } from '../tensor/Tensor.js'
import type { TypedArray } from '../tensor/dtype.js'
import { ArgumentError } from '../tensor/errors.js'
import { describe } from '../tensor/checks.js'
import type { EmptyState, GradientTransformation, LearningRate } from './GradientTransformation.js'
import { allocLike, build, checkNumber, countTensor, field, flat, leafFrom, read, readCount, requireParams } from './leaves.js'
import * as k from './kernels.js'
import { normOf, sumOfSquares } from '../kernels/norm.js'

// --- model

/** The state of `scaleByLearningRate` with a schedule: the count of updates done so far. @category model @since 0.1.0 */
export interface ScaleByScheduleState {
  readonly count: Tensor
}

/** The state of `scaleByLearningRate`: empty for a number, a count for a schedule. @category model @since 0.1.0 */
export type ScaleByLearningRateState = EmptyState | ScaleByScheduleState

// --- constructors

/**
 * Multiplies the updates by −η: u ← −η·u, where η = lr is a number or a schedule called with
 * the 0-based count of updates done so far (then the state holds that count). This is the
 * last link of every optimizer chain; `sgd(lr)` is exactly this transform.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { scaleByLearningRate } from 'purediff/optim'
 * const t = scaleByLearningRate((step) => 1 / (step + 1))
 * const g = [tensor([1], 'float64')]
 * const [u0, s1] = t.update(g, t.init(g))
 * const [u1] = t.update(g, s1)
 * if (toFlatArray(u0[0])[0] !== -1 || toFlatArray(u1[0])[0] !== -0.5) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function scaleByLearningRate(lr: LearningRate): GradientTransformation<ScaleByLearningRateState> {
  const op = 'scaleByLearningRate'
  if (typeof lr === 'number') {
    checkNumber(op, 'the learning rate', lr, 0)
    const empty: EmptyState = Object.freeze({})
    // `chain` fuses this rate into a scaling part before it (see TransformFusion)
    return { init: () => empty, update: (updates, state) => [scaleTree(op, updates, -lr), state], fusion: { kind: 'learningRate', lr } }
  }
  if (typeof lr !== 'function') throw new ArgumentError(op, `the learning rate must be a number or a schedule (step) => number, got ${describe(lr)}`)
  return {
    init: () => ({ count: countTensor(0) }),
    update: (updates, state) => {
      const n = readCount(op, 'state.count', field(op, state, 'count'))
      return [scaleTree(op, updates, -lr(n)), { count: countTensor(n + 1) }]
    },
    fusion: { kind: 'learningRate', lr },
  }
}

/**
 * Adds λ·w to the updates: u ← u + λ·w (the gradient of λ/2·‖w‖², the lecture's L2). Chained
 * before `sgd(η)` this is weight decay, w ← (1 − ηλ)·w − η·g; chained between `scaleByAdam`
 * and the learning rate it is AdamW's decoupled decay. Needs `params`. Every leaf is decayed
 * (the lecture decays weights only, not biases: wrap it in `masked`, e.g.
 * `masked(addDecayedWeights(λ), { w: true, b: false })`).
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { addDecayedWeights, applyUpdates, chain, sgd } from 'purediff/optim'
 * const opt = chain(addDecayedWeights(0.5), sgd(0.1))
 * const w = { w: tensor([2], 'float64') }
 * const [u] = opt.update({ w: tensor([0], 'float64') }, opt.init(w), w)
 * if (toFlatArray(applyUpdates(w, u).w)[0] !== 1.9) throw new Error() // (1 − 0.1·0.5)·2
 * @category constructors
 * @since 0.1.0
 */
export function addDecayedWeights(lambda: number): GradientTransformation<EmptyState> {
  return penalty('addDecayedWeights', lambda, k.addScaled)
}

/**
 * The options of `addL1`: `truncate` (default false) makes it the truncated gradient, where a
 * weight the L1 pull would carry across zero stops at exactly zero (see `addL1`).
 *
 * @category model
 * @since 0.1.0
 */
export interface AddL1Options {
  readonly truncate?: boolean
}

/**
 * Adds λ·sign(w) to the updates: u ← u + λ·sign(w), sign(0) = 0 (the gradient of λ‖w‖₁, the
 * lecture's L1). Chained before `sgd(η)`: w ← w − η·g − ηλ·sign(w), a fixed pull toward 0 that
 * makes weights sparse. Needs `params`.
 *
 * With `{ truncate: true }` it is the truncated gradient (Langford, Li and Zhang 2009, with
 * θ = ∞): the pull may bring a weight to zero but never across it. It must then come LAST in
 * the chain, after the learning rate, where the incoming updates are the steps themselves and
 * λ is the shrink of |w| per step in the params' units (ηλ₁ for a penalty λ₁‖w‖₁ under
 * `sgd(η)`): with v = w + u (where the step would land), u ← u − λ·sign(v) when |v| > λ, and
 * u ← −w when |v| ≤ λ, so that `applyUpdates` lands on w + (−w) = 0 exactly (IEEE addition of
 * a number and its negation is exactly +0). So `chain(sgd(η), addL1(ηλ₁, { truncate: true }))`
 * is w ← sign(v)·max(|v| − ηλ₁, 0) with v = w − η·g: weights whose gradient cannot hold them
 * away from zero become exact zeros, and a zero weight moves again only when |η·g| > ηλ₁. A
 * NaN anywhere stays NaN.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { addL1, applyUpdates, chain, sgd } from 'purediff/optim'
 * const opt = chain(addL1(1), sgd(0.25))
 * const w = { w: tensor([2, -2, 0], 'float64') }
 * const [u] = opt.update({ w: tensor([0, 0, 0], 'float64') }, opt.init(w), w)
 * if (toFlatArray(applyUpdates(w, u).w).join() !== '1.75,-1.75,0') throw new Error()
 * // truncated, last in the chain: shrink |w| by 0.5 per step, never across 0
 * const t = chain(sgd(0.25), addL1(0.5, { truncate: true }))
 * const p = { w: tensor([2, 0.3, -0.1, 0.1], 'float64') }
 * const [v] = t.update({ w: tensor([0, 0, 0, 2], 'float64') }, t.init(p), p)
 * // 2 → 1.5; 0.3 and −0.1 stop at 0; 0.1 − 0.25·2 = −0.4 (the gradient crosses), shrunk to 0
 * if (toFlatArray(applyUpdates(p, v).w).join() !== '1.5,0,0,0') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function addL1(lambda: number, options: AddL1Options = {}): GradientTransformation<EmptyState> {
  if (options === null || typeof options !== 'object') throw new ArgumentError('addL1', `options must be { truncate?: boolean }, got ${describe(options)}`)
  const { truncate = false } = options
  if (typeof truncate !== 'boolean') throw new ArgumentError('addL1', `options.truncate must be a boolean, got ${describe(truncate)}`)
  return penalty('addL1', lambda, truncate ? truncateL1 : k.addSign)
}

/**
 * Rescales the whole gradient when its global norm ‖g‖ = √(Σ over all leaves of Σ g²) exceeds
 * `max`: u = g·max/‖g‖, so the norm after is max and every direction is kept; below max (or
 * at it) the gradient passes unchanged. As Optax `clip_by_global_norm` and PyTorch
 * `clip_grad_norm_` (which adds 1e-6 to the norm). The norm is computed in float64 with
 * scaling (LAPACK `dnrm2`: the elements are divided by max |g| before squaring when the plain
 * sum of squares would overflow or underflow), so a finite gradient of any magnitude is
 * clipped, never zeroed: g = 1e200, whose g² is Infinity, gives u = max·g/‖g‖ (computed then
 * as max·(g/‖g‖) from the scaled sum, so it stays right even when ‖g‖ itself exceeds the
 * largest double). A NaN anywhere gives NaN updates everywhere (never hidden); an infinite
 * element (no NaN) makes ‖g‖ = Infinity: its update is NaN, the finite elements' 0.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { clipByGlobalNorm } from 'purediff/optim'
 * const t = clipByGlobalNorm(1)
 * const g = { a: tensor([3], 'float64'), b: tensor([4], 'float64') } // norm 5
 * const [u] = t.update(g, t.init(g))
 * if (toFlatArray(u.a)[0] !== 0.6 || toFlatArray(u.b)[0] !== 0.8) throw new Error()
 * // g² overflows here, yet the norm is 5e200 and the update is clipped, not zeroed
 * const [big] = t.update({ a: tensor([3e200], 'float64'), b: tensor([4e200], 'float64') }, t.init(g))
 * if (Math.abs(toFlatArray(big.a)[0] - 0.6) > 1e-15 || Math.abs(toFlatArray(big.b)[0] - 0.8) > 1e-15) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function clipByGlobalNorm(max: number): GradientTransformation<EmptyState> {
  const op = 'clipByGlobalNorm'
  checkNumber(op, 'max', max, 0, true)
  const empty: EmptyState = Object.freeze({})
  return {
    init: () => empty,
    update: (updates, state) => {
      const g = flat(op, 'updates', updates)
      const ss = sumOfSquares(g.leaves.map(read))
      const norm = normOf(ss)
      if (norm <= max) return [updates, state]
      return [
        build(
          g,
          g.leaves.map((gl) => {
            const out = allocLike(gl)
            // x·max/‖g‖ rounded once where x·max cannot overflow (≤ ‖g‖², finite when unscaled) nor
            // underflow for any x that matters (‖g‖·max ≥ 2⁻⁹⁶⁹); else max·(x/‖g‖), x/‖g‖ in [−1, 1]
            if (ss.scale === 1 && norm * max >= 2 ** -969) k.rescale(read(gl), out, max, norm)
            else k.rescaleToNorm(read(gl), out, 1 / ss.scale, Math.sqrt(ss.ssq), max)
            return leafFrom(gl, out)
          }),
        ),
        state,
      ]
    },
  }
}

// --- helpers

function penalty(op: string, lambda: number, kernel: typeof k.addScaled): GradientTransformation<EmptyState> {
  checkNumber(op, 'lambda', lambda, 0)
  const empty: EmptyState = Object.freeze({})
  return {
    init: () => empty,
    update: (updates, state, params) => {
      const g = flat(op, 'updates', updates)
      const w = requireParams(op, params, g)
      return [
        build(
          g,
          g.leaves.map((gl, i) => {
            const out = allocLike(gl)
            kernel(read(gl), read(w[i]), out, lambda)
            return leafFrom(gl, out)
          }),
        ),
        state,
      ]
    },
  }
}

/** The truncated-gradient update: with v = w + u, u − λ·sign(v) where |v| > λ, else −w (w + (−w) is exactly 0). */
function truncateL1(u: TypedArray, w: TypedArray, out: TypedArray, lambda: number): void {
  for (let i = 0; i < u.length; i++) {
    const v = w[i] + u[i]
    out[i] = v > lambda ? u[i] - lambda : v < -lambda ? u[i] + lambda : Number.isNaN(v) ? v : -w[i]
  }
}

function scaleTree<U>(op: string, updates: U, a: number): U {
  const g = flat(op, 'updates', updates)
  return build(
    g,
    g.leaves.map((gl: Tensor) => {
      const out = allocLike(gl)
      k.scale(read(gl), out, a)
      return leafFrom(gl, out)
    }),
  )
}

/**
 * Wrappers around a whole optimizer: `applyIfFinite` skips updates that hold NaN or ±Infinity
 * (and counts them), `multiSteps` accumulates gradients over k calls and takes one step with
 * their mean. Both keep the inner optimizer's state inside their own, so a checkpoint of the
 * outer state carries everything.
 *
 * @since 0.1.0
 */
import type { Tensor } from '../tensor/Tensor.js'
import { ArgumentError } from '../tensor/errors.js'
import { describe } from '../tensor/checks.js'
import type { Tree } from '../tree/index.js'
import type { GradientTransformation } from './GradientTransformation.js'
import { type Flat, allocLike, build, countTensor, field, flat, fullLike, leafFrom, leavesLike, read, readCount } from './leaves.js'
import * as k from './kernels.js'

// --- model

/**
 * The state of `applyIfFinite`: `notFiniteCount` (consecutive skipped updates),
 * `totalNotFinite` (all skipped updates), `lastFinite` (1 if the last update was finite,
 * else 0) and the inner optimizer's state.
 *
 * @category model
 * @since 0.1.0
 */
export interface ApplyIfFiniteState<S> {
  readonly notFiniteCount: Tensor
  readonly totalNotFinite: Tensor
  readonly lastFinite: Tensor
  readonly inner: S
}

/** Options of `applyIfFinite`; default maxConsecutiveErrors = Infinity (always skip). @category model @since 0.1.0 */
export interface ApplyIfFiniteOptions {
  /** After more than this many non-finite updates in a row, apply them anyway (Optax's behaviour). */
  readonly maxConsecutiveErrors?: number
}

/**
 * The state of `multiSteps`: `miniStep` (calls since the last real step, 0 … k−1),
 * `gradientStep` (real steps taken), `accGrads` (the SUM of the gradients of this round) and
 * the inner optimizer's state.
 *
 * @category model
 * @since 0.1.0
 */
export interface MultiStepsState<S> {
  readonly miniStep: Tensor
  readonly gradientStep: Tensor
  readonly accGrads: Tree
  readonly inner: S
}

// --- combinators

/**
 * Runs `inner` only on finite updates: when the gradients, or the updates `inner` computes
 * from them, hold a NaN or ±Infinity, the update is all zeros (the params stay put), the inner
 * state is kept as it was, and the skip is counted. After more than `maxConsecutiveErrors`
 * skips in a row the update is applied anyway (default Infinity: never). As Optax
 * `apply_if_finite`, which checks only the inner updates.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { applyIfFinite, sgd } from 'purediff/optim'
 * const opt = applyIfFinite(sgd(0.1))
 * const p = [tensor([1, 2])]
 * const [u, s] = opt.update([tensor([NaN, 1])], opt.init(p), p)
 * if (toFlatArray(u[0]).join() !== '0,0' || toFlatArray(s.totalNotFinite)[0] !== 1) throw new Error()
 * @category combinators
 * @since 0.1.0
 */
export function applyIfFinite<S>(inner: GradientTransformation<S>, opts: ApplyIfFiniteOptions = {}): GradientTransformation<ApplyIfFiniteState<S>> {
  const op = 'applyIfFinite'
  checkInner(op, inner)
  const max = opts.maxConsecutiveErrors ?? Infinity
  if (!(max >= 0)) throw new ArgumentError(op, `maxConsecutiveErrors must be a number ≥ 0, got ${String(max)}`)
  // No `fusion`, even when `inner` has one: a learning rate fused into the inner pass would be
  // applied before the finiteness check (u finite, −η·u overflowing would be skipped), so the
  // wrapper drops the descriptor on purpose (see TransformFusion).
  return {
    init: (params) => ({ notFiniteCount: countTensor(0), totalNotFinite: countTensor(0), lastFinite: countTensor(1), inner: inner.init(params) }),
    update: (updates, state, params) => {
      const g = flat(op, 'updates', updates)
      const innerState = field(op, state, 'inner') as S
      const run = readCount(op, 'state.notFiniteCount', field(op, state, 'notFiniteCount'))
      const total = readCount(op, 'state.totalNotFinite', field(op, state, 'totalNotFinite'))
      let result: [typeof updates, S] | null = null
      if (finite(g)) {
        result = inner.update(updates, innerState, params)
        if (finite(flat(op, 'the inner updates', result[0]))) {
          return [result[0], { notFiniteCount: countTensor(0), totalNotFinite: countTensor(total), lastFinite: countTensor(1), inner: result[1] }]
        }
      }
      const counts = { notFiniteCount: countTensor(run + 1), totalNotFinite: countTensor(total + 1), lastFinite: countTensor(0) }
      if (run + 1 > max) {
        const [u, s] = result ?? inner.update(updates, innerState, params)
        return [u, { ...counts, inner: s }]
      }
      return [zerosOf(g), { ...counts, inner: innerState }]
    },
  }
}

/**
 * Gradient accumulation: the first k − 1 calls of every k add the gradient to a sum and return
 * zero updates; the k-th call runs `inner` once on the mean (Σ g)/k and returns its updates.
 * So `multiSteps(opt, k)` over k micro-batches equals one `opt` step on their mean gradient
 * (exactly, for float64: the sum is kept, not a running mean). k = 1 is `inner` itself. As
 * Optax `MultiSteps`, which keeps a running mean instead of the sum.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { multiSteps, sgd } from 'purediff/optim'
 * const opt = multiSteps(sgd(1), 2)
 * const p = [tensor([0], 'float64')]
 * const [u1, s1] = opt.update([tensor([1], 'float64')], opt.init(p), p)
 * const [u2] = opt.update([tensor([3], 'float64')], s1, p)
 * if (toFlatArray(u1[0])[0] !== 0 || toFlatArray(u2[0])[0] !== -2) throw new Error()
 * @category combinators
 * @since 0.1.0
 */
export function multiSteps<S>(inner: GradientTransformation<S>, k: number): GradientTransformation<MultiStepsState<S>> {
  const op = 'multiSteps'
  checkInner(op, inner)
  if (!(Number.isInteger(k) && k >= 1)) throw new ArgumentError(op, `k must be a positive integer, got ${describe(k)}`)
  // No `fusion`: on k − 1 of k calls the updates are zeros, not a scaling of anything, and the
  // state is not `inner`'s, so the wrapper drops the descriptor on purpose (see TransformFusion).
  return {
    init: (params) => ({ miniStep: countTensor(0), gradientStep: countTensor(0), accGrads: fullLike<Tree>(op, params, 0), inner: inner.init(params) }),
    update: (updates, state, params) => {
      const g = flat(op, 'updates', updates)
      const acc = leavesLike(op, 'state.accGrads', field(op, state, 'accGrads'), g)
      const mini = readCount(op, 'state.miniStep', field(op, state, 'miniStep'))
      const steps = readCount(op, 'state.gradientStep', field(op, state, 'gradientStep'))
      const innerState = field(op, state, 'inner') as S
      if (mini + 1 < k) {
        const sum = acc.map((a, i) => {
          const out = allocLike(a)
          accumulate(a, g.leaves[i], out, 1)
          return leafFrom(a, out)
        })
        return [zerosOf(g), { miniStep: countTensor(mini + 1), gradientStep: countTensor(steps), accGrads: build(g, sum), inner: innerState }]
      }
      const mean = build<typeof updates>(
        g,
        g.leaves.map((gl, i) => {
          const out = allocLike(gl)
          accumulate(acc[i], gl, out, k)
          return leafFrom(gl, out)
        }),
      )
      const [u, s] = inner.update(mean, innerState, params)
      return [
        u,
        {
          miniStep: countTensor(0),
          gradientStep: countTensor(steps + 1),
          accGrads: build(
            g,
            acc.map((a) => leafFrom(a, allocLike(a))),
          ),
          inner: s,
        },
      ]
    },
  }
}

// --- helpers

function accumulate(acc: Tensor, g: Tensor, out: ReturnType<typeof allocLike>, div: number): void {
  k.accumulate(read(acc), read(g), out, div)
}

function finite(g: Flat): boolean {
  for (const l of g.leaves) if (!k.allFinite(read(l))) return false
  return true
}

function zerosOf<U>(g: Flat): U {
  return build(
    g,
    g.leaves.map((l) => leafFrom(l, allocLike(l))),
  )
}

function checkInner(op: string, inner: unknown): void {
  const t = inner as { init?: unknown; update?: unknown } | null
  if (t === null || typeof t !== 'object' || typeof t.init !== 'function' || typeof t.update !== 'function') {
    throw new ArgumentError(op, `inner must be a GradientTransformation { init, update }, got ${describe(inner)}`)
  }
}

/**
 * Per-example gradient clipping, the core of DP-SGD (Abadi et al. 2016; Optax's
 * `per_example_global_norm_clip`): every example's gradient is clipped to a global norm, then
 * the clipped gradients are averaged, so no single example can move the params by more than
 * max/B. Its input is per-example gradients with a leading batch axis on every leaf, as
 * `vmap(grad(loss), { inAxes: [null, 0, 0] })(params, x, y)` gives.
 *
 * @since 0.3.0
 */
import { type Tensor, abs, add, div, equal, max, maximum, mean, minimum, mul, reshape, sqrt, square, sum, where } from '../index.js'
import { ArgumentError, ShapeError } from '../tensor/errors.js'
import { describe } from '../tensor/checks.js'
import { flatten, unflatten } from '../tree/index.js'
import type { EmptyState, GradientTransformation } from './GradientTransformation.js'

// --- operations

/** x/m where m ≠ 0, else 0 (an all-zero example has m = 0). */
const divNoNan = (x: Tensor, m: Tensor): Tensor => where(equal(m, 0), 0, div(x, m))

/** Axes 1… of a leaf: the ones of one example. */
const exampleAxes = (t: Tensor): number[] => Array.from({ length: t.rank - 1 }, (_, i) => i + 1)

/** `t` of shape [B] reshaped to broadcast against a leaf of rank r: [B, 1, …, 1]. */
const perRow = (t: Tensor, rank: number): Tensor => reshape(t, [t.shape[0], ...new Array<number>(rank - 1).fill(1)])

/**
 * The global norm of each example's gradient, ‖gᵦ‖ = √(Σ over leaves of Σ gᵦ²), shape [B],
 * computed with scaling: the elements are divided by their largest magnitude mᵦ first, so the
 * norm is finite for any finite gradient (g = 1e200, whose g² overflows, has norm 1e200·√n,
 * never Infinity or 0).
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { perExampleGlobalNorms } from 'purediff/optim'
 * // two examples: (3, 4) and (0, 0) across two leaves
 * const n = perExampleGlobalNorms({ a: tensor([[3], [0]], 'float64'), b: tensor([[4], [0]], 'float64') })
 * if (toFlatArray(n).join() !== '5,0') throw new Error()
 * @category operations
 * @since 0.3.0
 */
export function perExampleGlobalNorms(grads: unknown): Tensor {
  const op = 'perExampleGlobalNorms'
  const { leaves } = flatten(op, grads)
  if (leaves.length === 0) throw new ArgumentError(op, 'expected at least one gradient leaf')
  const b = leaves[0].rank === 0 ? -1 : leaves[0].shape[0]
  leaves.forEach((l, i) => {
    if (l.rank === 0 || l.shape[0] !== b) {
      throw new ShapeError(
        op,
        `leaf ${i} has shape [${l.shape.join(',')}]; expected a leading batch axis of ${b < 0 ? 'at least one example' : `size ${b}`} on every leaf (per-example gradients, e.g. from vmap(grad(loss)))`,
      )
    }
  })
  const m = leaves.map((l) => (l.rank === 1 ? abs(l) : max(abs(l), exampleAxes(l)))).reduce((x, y) => maximum(x, y))
  // gᵦ/mᵦ is in [−1, 1]: its squares neither overflow nor all underflow; 0/0 (an all-zero example) is 0.
  const ss = leaves.map((l) => (l.rank === 1 ? square(divNoNan(l, m)) : sum(square(divNoNan(l, perRow(m, l.rank))), exampleAxes(l)))).reduce((x, y) => add(x, y))
  return mul(m, sqrt(ss))
}

/**
 * Per-example clipping, then the mean (DP-SGD's clipping step): each example's gradient gᵦ
 * (every leaf's row b) is scaled by min(1, max/‖gᵦ‖), then the rows are averaged, so the
 * update has the params' shapes and each example contributes a norm of at most max/B. Put it
 * first in a `chain`; its input is per-example gradients with a leading batch axis on every
 * leaf (e.g. `vmap(grad(loss), { inAxes: [null, 0, 0] })(params, x, y)`).
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { perExampleClip } from 'purediff/optim'
 * const t = perExampleClip(1)
 * // example 0 has norm 5 (clipped to 1: (0.6, 0.8)), example 1 norm 0.5 (kept)
 * const g = { w: tensor([[3, 4], [0.3, 0.4]], 'float64') }
 * const [u] = t.update(g, t.init(g))
 * if (toFlatArray(u.w).map((v) => v.toFixed(12)).join() !== '0.450000000000,0.600000000000') throw new Error()
 * @category constructors
 * @since 0.3.0
 */
export function perExampleClip(maxNorm: number): GradientTransformation<EmptyState> {
  const op = 'perExampleClip'
  if (typeof maxNorm !== 'number' || !(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new ArgumentError(op, `maxNorm must be a positive finite number, got ${describe(maxNorm)}`)
  const empty: EmptyState = Object.freeze({})
  return {
    init: () => empty,
    update: (updates, state) => {
      const { leaves, structure } = flatten(op, updates)
      const norms = perExampleGlobalNorms(updates)
      // min(1, max/‖gᵦ‖); an all-zero example (norm 0) keeps scale 1.
      const scale = minimum(div(maxNorm, maximum(norms, Number.MIN_VALUE)), 1)
      const out = leaves.map((l) => mean(mul(l, perRow(scale, l.rank)), 0))
      return [unflatten(structure, out), state]
    },
  }
}

/**
 * Per-layer gradient norms, for the vanishing-gradient picture (docs/guide/vanishing-gradient.md): in a deep
 * sigmoid network the first layers' norms are orders of magnitude below the last layers'.
 *
 * @since 0.1.0
 */
import { ArgumentError, toFlatArray } from '../index.js'
import { perExampleGlobalNorms } from '../optim/index.js'
import { flatten } from '../tree/index.js'
import { dataOf } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { norm } from '../kernels/norm.js'

// --- operations

/**
 * One L2 norm per entry of the grads of a `sequential` model (an array, one entry per layer):
 * `‖g_i‖ = √(Σ over every leaf of entry i of Σ g²)`, accumulated in float64 from the stored
 * values with scaling (LAPACK `dnrm2`), so no finite gradient overflows to Infinity or
 * underflows to 0 (a layer of 1e200s has norm 1e200·√n, one of 1e-200s 1e-200·√n); 0 for a
 * layer without params (activations, dropout). Plain numbers, not differentiable. Throws an
 * ArgumentError unless `grads` is an array of pytrees of tensors.
 *
 * @example
 * import { grad, random, sum, tensor } from 'purediff'
 * import { dense, relu, sequential } from 'purediff/nn'
 * import { gradientNorms } from 'purediff/train'
 * const model = sequential(dense(3), relu(), dense(1))
 * const { params } = model.init(random.key(0), [2])
 * const g = grad((p: typeof params) => sum(model.apply(p, tensor([[1, 2]]))))(params)
 * const norms = gradientNorms(g)
 * if (norms.length !== 3 || norms[1] !== 0 || !(norms[2] > 0)) throw new Error()
 * if (gradientNorms([{ w: tensor([3, 4]) }])[0] !== 5) throw new Error()
 * // squared, these overflow to Infinity; the norm is still 5e200, to rounding
 * if (Math.abs(gradientNorms([{ w: tensor([3e200, 4e200], 'float64') }])[0] / 5e200 - 1) > 1e-15) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function gradientNorms(grads: readonly unknown[]): number[] {
  if (!Array.isArray(grads)) throw new ArgumentError('gradientNorms', `expected the grads of a sequential model (an array, one entry per layer), got ${describe(grads)}`)
  return grads.map((entry) => norm(flatten('gradientNorms', entry).leaves.map(dataOf)))
}

/**
 * The spread of per-example gradient norms, per layer of a `sequential` model.
 *
 * @category model
 * @since 0.3.0
 */
export interface NormSpread {
  /** Each example's gradient norm for the layer, in batch order. */
  readonly norms: readonly number[]
  /** The layer's number of params (entries of one example's gradient); 0 for a layer without params. */
  readonly params: number
  readonly min: number
  readonly median: number
  readonly max: number
  readonly mean: number
}

/**
 * Per-layer spread of per-example gradient norms: `perExampleGrads` are the grads of a
 * `sequential` model with a leading batch axis on every leaf, as
 * `vmap(grad(loss), { inAxes: [null, 0, 0] })(params, x, y)` gives; for each layer, the norm of
 * each example's gradient (scaled, as `gradientNorms`), and their min, median, max and mean, with
 * the layer's number of params (so that a layer whose norms are all 0 because it has no params is
 * told apart from one whose gradient is 0: `diagnose` reads that, see its `gradientSpread`). A
 * wide spread — a few examples with norms far above the median — is what per-example clipping
 * (`perExampleClip` in purediff/optim) bounds. A layer without params has every norm 0.
 *
 * @example
 * import { tensor } from 'purediff'
 * import { gradientNormSpread } from 'purediff/train'
 * // one layer, three examples with gradient norms 5, 0 and 1
 * const [s] = gradientNormSpread([{ w: tensor([[3, 4], [0, 0], [0, 1]], 'float64') }])
 * if (s.norms.join() !== '5,0,1' || s.median !== 1 || s.max !== 5 || s.mean !== 2 || s.params !== 2) throw new Error()
 * @category operations
 * @since 0.3.0
 */
export function gradientNormSpread(perExampleGrads: readonly unknown[]): NormSpread[] {
  const op = 'gradientNormSpread'
  if (!Array.isArray(perExampleGrads))
    throw new ArgumentError(op, `expected per-example grads of a sequential model (an array, one entry per layer), got ${describe(perExampleGrads)}`)
  const size = perExampleGrads.map((e) => flatten(op, e).leaves).find((ls) => ls.length > 0)?.[0]?.shape[0]
  if (size === undefined) throw new ArgumentError(op, 'no layer has params: there is no batch axis to read')
  return perExampleGrads.map((entry) => {
    const leaves = flatten(op, entry).leaves
    const norms = leaves.length === 0 ? new Array<number>(size).fill(0) : toFlatArray(perExampleGlobalNorms(entry))
    // every leaf has the batch axis first (perExampleGlobalNorms checked it): one example is the rest
    const params = leaves.reduce((n, l) => n + l.shape.slice(1).reduce((a, b) => a * b, 1), 0)
    const sorted = [...norms].sort((a, b) => a - b)
    const mid = sorted.length >> 1
    const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    return { norms, params, min: sorted[0], median, max: sorted[sorted.length - 1], mean: norms.reduce((a, b) => a + b, 0) / norms.length }
  })
}

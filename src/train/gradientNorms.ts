/**
 * Per-layer gradient norms, for the vanishing-gradient picture (docs/guide/vanishing-gradient.md): in a deep
 * sigmoid network the first layers' norms are orders of magnitude below the last layers'.
 *
 * @since 0.1.0
 */
import { ArgumentError } from '../index.js'
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

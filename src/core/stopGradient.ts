/**
 * stopGradient: the value, seen as a constant by every autodiff transform. It is a primitive
 * (`stopGradient`, an identity marked `nonDifferentiable`, in `src/ops/arithmetic.ts`) applied
 * through `bind`, not a read of the value under the traces: a batching trace keeps the batched
 * value and a staging trace records it.
 *
 * @since 0.1.0
 */
import { Tensor } from '../tensor/Tensor.js'
import { stopGradientTensor } from '../ops/arithmetic.js'
import { flatten, unflatten } from '../tree/index.js'

/**
 * Returns `x` as a constant: no gradient flows through it, at any nesting level of transforms.
 * Accepts a tensor or a pytree of tensors.
 *
 * @example
 * import { grad, stopGradient, mul, item, scalar } from 'purediff'
 * // d/dx [x · stop(x)] = stop(x) = 3, not 2x = 6
 * const g = grad((x) => mul(x, stopGradient(x)))(scalar(3))
 * if (item(g) !== 3) throw new Error()
 * @category autodiff
 * @since 0.1.0
 */
export function stopGradient<T>(x: T): T {
  if (x instanceof Tensor) return stopGradientTensor(x) as T
  const { leaves, structure } = flatten('stopGradient', x)
  return unflatten<T>(
    structure,
    leaves.map((l) => stopGradientTensor(l)),
  )
}

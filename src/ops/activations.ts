/**
 * The ReLU family and friends, as composites of primitives: their gradients come for free and
 * stay correct at every order.
 *
 * @since 0.1.0
 */
import { ArgumentError } from '../tensor/errors.js'
import { Tensor, describe } from '../tensor/Tensor.js'
import { expm1 } from './unary.js'
import { greater, maximum, minimum, mul, where } from './arithmetic.js'
import type { TensorLike } from './prim.js'

function check(op: string, x: unknown): Tensor {
  if (x instanceof Tensor) return x
  throw new ArgumentError(op, `argument 'x' must be a Tensor, got ${describe(x)}`)
}

/**
 * Leaky ReLU: x for x > 0, α·x otherwise (α = 0.01 by default). Derivative at 0 is α.
 *
 * @example
 * import { leakyRelu, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(leakyRelu(tensor([-100, 3], 'float64'))).join() !== '-1,3') throw new Error()
 * @category activations
 * @since 0.1.0
 */
export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  const t = check('leakyRelu', x)
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new ArgumentError('leakyRelu', `alpha must be a finite number, got ${String(alpha)}`)
  return where(greater(t, 0), t, mul(t, alpha))
}

/**
 * Parametric ReLU: x for x > 0, α·x otherwise, with α a tensor (learned; it broadcasts against
 * x, e.g. one slope per unit). ∂/∂α = x where x ≤ 0, summed over the broadcast axes.
 *
 * @example
 * import { prelu, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(prelu(tensor([-2, 3]), tensor([0.5, 0.5]))).join() !== '-1,3') throw new Error()
 * @category activations
 * @since 0.1.0
 */
export function prelu(x: Tensor, alpha: TensorLike): Tensor {
  const t = check('prelu', x)
  return where(greater(t, 0), t, mul(alpha, t))
}

/**
 * ELU: x for x > 0, α(eˣ − 1) otherwise (α = 1). The negative branch uses expm1 of min(x, 0),
 * so large positive x never evaluates exp(x) — no Infinity, no NaN in the gradient.
 *
 * @example
 * import { elu, tensor, toFlatArray } from 'purediff'
 * const y = toFlatArray(elu(tensor([2, 0], 'float64')))
 * if (y[0] !== 2 || y[1] !== 0) throw new Error()
 * @category activations
 * @since 0.1.0
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  const t = check('elu', x)
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new ArgumentError('elu', `alpha must be a finite number, got ${String(alpha)}`)
  return where(greater(t, 0), t, mul(expm1(minimum(t, 0)), alpha))
}

/**
 * Clamps to [lo, hi]. The gradient passes where lo ≤ x ≤ hi (ties count as inside) and is 0
 * outside.
 *
 * @example
 * import { clip, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(clip(tensor([-5, 0.5, 5]), 0, 1)).join() !== '0,0.5,1') throw new Error()
 * @category math
 * @since 0.1.0
 */
export function clip(x: Tensor, lo: TensorLike, hi: TensorLike): Tensor {
  const t = check('clip', x)
  if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) throw new ArgumentError('clip', `lo ${lo} is greater than hi ${hi}`)
  return minimum(maximum(t, lo), hi)
}

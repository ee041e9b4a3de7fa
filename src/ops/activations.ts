/**
 * The ReLU family and friends. `leakyRelu`, `prelu` and `elu` are fused primitives (one kernel
 * forward, one fused derivative kernel backward), each tested equal to its composite
 * `where(greater(x, 0), x, …)` form in test/ops/fused.test.ts; `clip` is a composite.
 *
 * @since 0.1.0
 */
import * as k from '../kernels/elementwise.js'
import { type DType, type TypedArray, alloc, promote } from '../tensor/dtype.js'
import { ArgumentError } from '../tensor/errors.js'
import { broadcastShapes } from '../tensor/shape.js'
import { type ConcreteTensor, type Tensor, fromData } from '../tensor/Tensor.js'
import { checkTensor } from '../tensor/checks.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { exp, softplus } from './unary.js'
import { greater, maximum, minimum, mul, neg, plus, sub, where } from './arithmetic.js'
import { type TensorLike, binaryPrim, lift, liftFloat, toFloat } from './prim.js'

// --- fused primitives
// why: speed. The composite `where(greater(x, 0), x, mul(x, α))` runs three kernels forward and
// four or more backward, each allocating a full-size tensor; an activation applied to every unit
// of every layer is worth one loop each way (measured on 10⁶ float32 values, forward + backward:
// about 2× faster for leakyRelu and prelu, 3× for elu). The rules stay written with ops (the
// derivative kernels are primitives too), so derivatives of every order still work.

/** α as the tensor's dtype would hold it: a lifted float32 scalar rounds α, so the kernels do too. */
const inDType = (alpha: number, dtype: DType): number => (dtype === 'float32' ? Math.fround(alpha) : alpha)

/** A fused `(g, x) ↦ g·f′(x)` kernel as a primitive of two same-shaped inputs. */
function derivativeImpl(kernel: (g: TypedArray, x: TypedArray, o: TypedArray, alpha: number) => void) {
  return ([g, x]: readonly ConcreteTensor[], alpha: number): ConcreteTensor => {
    const dtype = promote(g.dtype, x.dtype)
    const out = alloc(dtype, x.size, 'backward of an activation', x.shape)
    kernel(g._data, x._data, out, inDType(alpha, dtype))
    return fromData(out, x.shape, dtype)
  }
}

// g·(x > 0 ? 1 : α): linear in g, and piecewise constant in x (its x-derivative is 0 a.e.).
const leakyReluGradP: Primitive<number> = {
  name: 'leakyReluGrad',
  impl: derivativeImpl(k.leakyReluGrad),
  jvp: ([tg], [, x], _o, alpha) => (tg === null ? null : bind(leakyReluGradP, [tg, x], alpha)),
  vjp: (h, [, x], _o, alpha, needs) => [needs[0] ? bind(leakyReluGradP, [h, x], alpha) : null, null],
}

/**
 * An activation with a slope parameter α: one kernel forward; its derivative applied to a
 * vector is the fused `gradP(v, x)`, used by both rules (the Jacobian is diagonal).
 */
function alphaActivation(name: string, kernel: (x: TypedArray, o: TypedArray, alpha: number) => void, gradP: Primitive<number>): Primitive<number> {
  return {
    name,
    impl: ([x], alpha) => {
      const out = alloc(x.dtype, x.size, name, x.shape)
      kernel(x._data, out, inDType(alpha, x.dtype))
      return fromData(out, x.shape, x.dtype)
    },
    jvp: ([t], [x], _o, alpha) => (t === null ? null : bind(gradP, [t, x], alpha)),
    vjp: (g, [x], _o, alpha) => [bind(gradP, [g, x], alpha)],
  }
}

const leakyReluP = alphaActivation('leakyRelu', k.leakyRelu, leakyReluGradP)

/** elu″(x) = x > 0 ? 0 : α·eˣ (exp of min(x, 0), so a large x never overflows). */
const eluCurvature = (x: Tensor, alpha: number): Tensor => where(greater(x, 0), 0, mul(exp(minimum(x, 0)), alpha))

// g·(x > 0 ? 1 : α·eˣ): linear in g; its x-derivative is g·elu″(x).
const eluGradP: Primitive<number> = {
  name: 'eluGrad',
  impl: derivativeImpl(k.eluGrad),
  jvp: ([tg, tx], [g, x], _o, alpha) => plus(tg === null ? null : bind(eluGradP, [tg, x], alpha), tx === null ? null : mul(tx, mul(g, eluCurvature(x, alpha)))),
  vjp: (h, [g, x], _o, alpha, needs) => [needs[0] ? bind(eluGradP, [h, x], alpha) : null, needs[1] ? mul(h, mul(g, eluCurvature(x, alpha))) : null],
}

const eluP = alphaActivation('elu', k.elu, eluGradP)

// ∂prelu/∂x = x > 0 ? 1 : α, one broadcasting kernel; its own derivative is 0 in x and
// [x ≤ 0] in α. prelu's backward is this slope times g (α broadcasts, so a single fused
// g·slope kernel would need three broadcast inputs), and min(x, 0)·g for α.
const preluSlopeP = binaryPrim(
  'preluSlope',
  k.preluSlopeRun,
  (_tx, ta, x) => (ta === null ? null : mul(ta, sub(1, greater(x, 0)))),
  (g, x, _a, _o, needs) => [null, needs[1] ? mul(g, sub(1, greater(x, 0))) : null],
)

// ∂prelu/∂α = x where x ≤ 0, else 0: min(x, 0).
const preluP = binaryPrim(
  'prelu',
  k.preluRun,
  (tx, ta, x, a) => plus(tx === null ? null : mul(tx, bind(preluSlopeP, [x, a], undefined)), ta === null ? null : mul(ta, minimum(x, 0))),
  (g, x, a, _o, needs) => [needs[0] ? mul(g, bind(preluSlopeP, [x, a], undefined)) : null, needs[1] ? mul(g, minimum(x, 0)) : null],
)

// --- operations

/**
 * Leaky ReLU: x for x > 0, α·x otherwise (α = 0.01 by default). Derivative 1 for x > 0, α
 * otherwise (so α at 0).
 *
 * @example
 * import { leakyRelu, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(leakyRelu(tensor([-100, 3], 'float64'))).join() !== '-1,3') throw new Error()
 * @category activations
 * @since 0.1.0
 */
export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  const t = toFloat(checkTensor('leakyRelu', x))
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new ArgumentError('leakyRelu', `alpha must be a finite number, got ${String(alpha)}`)
  return bind(leakyReluP, [t], alpha)
}

/**
 * Parametric ReLU: x for x > 0, α·x otherwise, with α a tensor (learned; it broadcasts against
 * x, e.g. one slope per unit). ∂/∂x = 1 for x > 0, α otherwise (α at 0); ∂/∂α = x where x ≤ 0,
 * summed over the broadcast axes.
 *
 * @example
 * import { prelu, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(prelu(tensor([-2, 3]), tensor([0.5, 0.5]))).join() !== '-1,3') throw new Error()
 * @category activations
 * @since 0.1.0
 */
export function prelu(x: Tensor, alpha: TensorLike): Tensor {
  const t = toFloat(checkTensor('prelu', x))
  const a = lift('prelu', alpha, t.dtype, 'alpha')
  // Validate shapes before tracing so the error names prelu even deep in a transform.
  broadcastShapes('prelu', t.shape, a.shape)
  return bind(preluP, [t, a], undefined)
}

/**
 * ELU: x for x > 0, α(eˣ − 1) otherwise (α = 1); derivative 1 for x > 0, α·eˣ otherwise (α at
 * 0). The kernel evaluates expm1 only on the negative branch, so large positive x never
 * evaluates exp(x) — no Infinity, no NaN in the gradient.
 *
 * @example
 * import { elu, tensor, toFlatArray } from 'purediff'
 * const y = toFlatArray(elu(tensor([2, 0], 'float64')))
 * if (y[0] !== 2 || y[1] !== 0) throw new Error()
 * @category activations
 * @since 0.1.0
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  const t = toFloat(checkTensor('elu', x))
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new ArgumentError('elu', `alpha must be a finite number, got ${String(alpha)}`)
  return bind(eluP, [t], alpha)
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
  const t = checkTensor('clip', x)
  if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) throw new ArgumentError('clip', `lo ${lo} is greater than hi ${hi}`)
  return minimum(maximum(t, lo), hi)
}

/**
 * log σ(x) = −softplus(−x) = −log(1 + e⁻ˣ), the log-probability of a logit, finite for every
 * finite x: about x for x ≪ 0 (log σ(−1e4) = −1e4, where the naive `log(sigmoid(x))` gives
 * log 0 = −Infinity and a NaN gradient) and about −e⁻ˣ → −0 for x ≫ 0. A composite of
 * softplus, whose kernel is max(x, 0) + log1p(e^(−|x|)), so every step is stable. Derivative
 * σ(−x) = 1 − σ(x), in [0, 1] and never NaN; second derivative −σ(x)·σ(−x).
 *
 * @example
 * import { grad, logSigmoid, sum, tensor, toFlatArray } from 'purediff'
 * const x = tensor([-1e4, 0, 1e4], 'float64')
 * const y = toFlatArray(logSigmoid(x))
 * // −1e4 exactly, then log ½ = −ln 2, then −e^(−1e4), which rounds to −0
 * if (y[0] !== -1e4 || y[1] !== -Math.LN2 || !Object.is(y[2], -0)) throw new Error()
 * // σ(−x): 1, ½, 0
 * if (toFlatArray(grad((t: typeof x) => sum(logSigmoid(t)))(x)).join() !== '1,0.5,0') throw new Error()
 * @category activations
 * @since 0.1.0
 */
export function logSigmoid(x: TensorLike): Tensor {
  return neg(softplus(neg(liftFloat('logSigmoid', x))))
}

/**
 * Elementwise unary math. Each rule reuses the forward output where it can (exp, tanh,
 * sigmoid, sqrt) and is written with ops, so it can itself be differentiated.
 *
 * Integers: abs, sign, square and relu keep int32 (with exact, wrapping int32 loops) and take
 * bool as int32; every other op here computes int32 and bool inputs in float32, as NumPy does.
 *
 * @since 0.1.0
 */
import * as k from '../kernels/elementwise.js'
import * as ki from '../kernels/integer.js'
import { alloc, promote, type TypedArray } from '../tensor/dtype.js'
import { type ConcreteTensor, type Tensor, fromData } from '../tensor/Tensor.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import type { TensorLike } from './prim.js'
import { add, div, mul, neg, plus, sub } from './arithmetic.js'
import { unaryOp, unaryPrim } from './prim.js'

// --- fused backward primitives
// why: speed. The activations' backward passes run once per unit per step; written as ops,
// sigmoid's g·y·(1 − y) costs three kernels and three full-size allocations, fused it is one.
// Each is a primitive of (g, z) — z the activation's input or output — linear in g, with its own
// rules in ops, so derivatives of every order keep working.

/** Runs a fused `(g, z) ↦ out` kernel on two same-shaped tensors. */
function fusedImpl(kernel: (g: TypedArray, z: TypedArray, o: TypedArray) => void) {
  return ([g, z]: readonly ConcreteTensor[]): ConcreteTensor => {
    const dtype = promote(g.dtype, z.dtype)
    const out = alloc(dtype, z.size, 'backward of an activation', z.shape)
    kernel(g._data, z._data, out)
    return fromData(out, z.shape, dtype)
  }
}

/**
 * A fused backward `d(g, z)`, linear in g, with `dz(g, z)` its derivative in z times g's
 * coefficient (null where it is 0 almost everywhere).
 */
function fusedGrad(name: string, kernel: (g: TypedArray, z: TypedArray, o: TypedArray) => void, dz: ((g: Tensor, z: Tensor) => Tensor) | null): Primitive<undefined> {
  const p: Primitive<undefined> = {
    name,
    impl: fusedImpl(kernel),
    jvp: ([tg, tz], [g, z]) => plus(tg === null ? null : bind(p, [tg, z], undefined), tz === null || dz === null ? null : mul(tz, dz(g, z))),
    vjp: (h, [g, z], _o, _p, needs) => [needs[0] ? bind(p, [h, z], undefined) : null, needs[1] && dz !== null ? mul(h, dz(g, z)) : null],
  }
  return p
}

// relu′ is piecewise constant: no derivative in x.
const reluGradP = fusedGrad('reluGrad', k.reluGrad, null)
// d/dy [g·y(1 − y)] = g·(1 − 2y)
const sigmoidGradP = fusedGrad('sigmoidGrad', k.sigmoidGrad, (g, y) => mul(g, sub(1, mul(y, 2))))
// d/dy [g·(1 − y²)] = −2·g·y
const tanhGradP = fusedGrad('tanhGrad', k.tanhGrad, (g, y) => mul(g, mul(y, -2)))
// d/dx [g·σ(x)] = g·σ(x)(1 − σ(x))
const softplusGradP = fusedGrad('softplusGrad', k.softplusGrad, (g, x) => {
  const s = sigmoid(x)
  return mul(g, mul(s, sub(1, s)))
})

/** An elementwise op; a plain number is taken as a float32 scalar. */
type Unary = (x: TensorLike) => Tensor

/**
 * |x|. Subgradient convention: |x|′(0) = 0 (the gradient is sign(x)).
 *
 * @example
 * import { abs, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(abs(tensor([-2, 3]))).join() !== '2,3') throw new Error()
 * @category math
 * @since 0.1.0
 */
export const abs: Unary = unaryOp(
  unaryPrim('abs', k.abs, (g, x) => mul(g, sign(x)), ki.absI),
  true,
)

/**
 * sign(x) ∈ {−1, 0, 1} (sign(0) = 0). Its gradient is 0.
 *
 * @example
 * import { sign, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(sign(tensor([-2, 0, 3]))).join() !== '-1,0,1') throw new Error()
 * @category math
 * @since 0.1.0
 */
export const sign: Unary = unaryOp(
  unaryPrim('sign', k.sign, () => null, ki.signI),
  true,
)

/**
 * eˣ; d eˣ = eˣ·dx reuses the output.
 *
 * @example
 * import { exp, scalar, item } from 'purediff'
 * if (item(exp(scalar(0))) !== 1) throw new Error()
 * @category math
 * @since 0.1.0
 */
export const exp: Unary = unaryOp(unaryPrim('exp', k.exp, (g, _x, y) => mul(g, y)))

/**
 * eˣ − 1, accurate for small x; derivative eˣ = out + 1.
 *
 * @example
 * import { expm1, scalar, item } from 'purediff'
 * if (item(expm1(scalar(1e-10, 'float64'))) !== 1.00000000005e-10) throw new Error()
 * @category math
 * @since 0.1.0
 */
export const expm1: Unary = unaryOp(unaryPrim('expm1', k.expm1, (g, _x, y) => mul(g, add(y, 1))))

/**
 * Natural logarithm; domain x > 0 (log 0 = −Infinity, negative → NaN as in IEEE). d ln x = dx/x.
 *
 * @example
 * import { log, scalar, item } from 'purediff'
 * if (item(log(scalar(1))) !== 0) throw new Error()
 * @category math
 * @since 0.1.0
 */
export const log: Unary = unaryOp(unaryPrim('log', k.log, (g, x) => div(g, x)))

/**
 * ln(1 + x), accurate for small x; domain x > −1. Derivative 1/(1 + x).
 *
 * @example
 * import { log1p, scalar, item } from 'purediff'
 * if (item(log1p(scalar(0))) !== 0) throw new Error()
 * @category math
 * @since 0.1.0
 */
export const log1p: Unary = unaryOp(unaryPrim('log1p', k.log1p, (g, x) => div(g, add(x, 1))))

/**
 * √x; domain x ≥ 0. Derivative 1/(2√x) reuses the output.
 *
 * @example
 * import { sqrt, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(sqrt(tensor([4, 9]))).join() !== '2,3') throw new Error()
 * @category math
 * @since 0.1.0
 */
export const sqrt: Unary = unaryOp(unaryPrim('sqrt', k.sqrt, (g, _x, y) => div(g, mul(y, 2))))

/**
 * x²; derivative 2x.
 *
 * @example
 * import { square, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(square(tensor([-3]))).join() !== '9') throw new Error()
 * @category math
 * @since 0.1.0
 */
export const square: Unary = unaryOp(
  unaryPrim('square', k.square, (g, x) => mul(g, mul(x, 2)), ki.squareI),
  true,
)

/**
 * sin x; derivative cos x.
 *
 * @example
 * import { sin, scalar, item } from 'purediff'
 * if (item(sin(scalar(0))) !== 0) throw new Error()
 * if (item(sin(0)) !== 0) throw new Error() // plain numbers are accepted
 * @category math
 * @since 0.1.0
 */
export const sin: Unary = unaryOp(unaryPrim('sin', k.sin, (g, x) => mul(g, cos(x))))

/**
 * cos x; derivative −sin x.
 *
 * @example
 * import { cos, scalar, item } from 'purediff'
 * if (item(cos(scalar(0))) !== 1) throw new Error()
 * @category math
 * @since 0.1.0
 */
export const cos: Unary = unaryOp(unaryPrim('cos', k.cos, (g, x) => neg(mul(g, sin(x)))))

/**
 * tanh x; derivative 1 − tanh² x reuses the output.
 *
 * @example
 * import { tanh, scalar, item } from 'purediff'
 * if (item(tanh(scalar(0))) !== 0) throw new Error()
 * @category activations
 * @since 0.1.0
 */
export const tanh: Unary = unaryOp(unaryPrim('tanh', k.tanh, (g, _x, y) => bind(tanhGradP, [g, y], undefined)))

/**
 * σ(x) = 1/(1 + e⁻ˣ), computed stably for large |x|; derivative σ(1 − σ) ≤ 1/4 (the reason
 * deep sigmoid networks suffer vanishing gradients).
 *
 * @example
 * import { sigmoid, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(sigmoid(tensor([0, -1000, 1000]))).join() !== '0.5,0,1') throw new Error()
 * @category activations
 * @since 0.1.0
 */
export const sigmoid: Unary = unaryOp(unaryPrim('sigmoid', k.sigmoid, (g, _x, y) => bind(sigmoidGradP, [g, y], undefined)))

/**
 * max(x, 0). Subgradient convention: relu′(0) = 0. (Written as `maximum(x, 0)` the tie rule
 * would give 1 at 0; this primitive makes the convention explicit.)
 *
 * @example
 * import { relu, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(relu(tensor([-1, 0, 2]))).join() !== '0,0,2') throw new Error()
 * @category activations
 * @since 0.1.0
 */
export const relu: Unary = unaryOp(
  unaryPrim('relu', k.relu, (g, x) => bind(reluGradP, [g, x], undefined), ki.reluI),
  true,
)

/**
 * softplus(x) = log(1 + eˣ), computed as max(x, 0) + log1p(e^(−|x|)): exact for large |x|.
 * Its derivative is σ(x) (a primitive, so the derivative at 0 is exactly 1/2).
 *
 * @example
 * import { softplus, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(softplus(tensor([1000, -1000], 'float64'))).join() !== '1000,0') throw new Error()
 * @category activations
 * @since 0.1.0
 */
export const softplus: Unary = unaryOp(unaryPrim('softplus', k.softplus, (g, x) => bind(softplusGradP, [g, x], undefined)))

/** @internal g·[x > 0] as the differentiable primitive relu's rules use (x may be relu's output). */
export function reluGrad(g: Tensor, x: Tensor): Tensor {
  return bind(reluGradP, [g, x], undefined)
}

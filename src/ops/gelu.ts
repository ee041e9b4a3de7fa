/**
 * The error function and the smooth activations built on it: `erf`, `gelu` (exact and
 * tanh-approximate), `silu`, and `rsqrt`. Each is one kernel forward (src/kernels/special.ts);
 * erf, gelu and silu also get one fused derivative kernel backward, like sigmoid, tanh and
 * softplus (src/ops/unary.ts), whose own derivative is written with ops, so every order works.
 *
 * @since 0.2.0
 */
import * as k from '../kernels/special.js'
import type { UnaryKernel } from '../kernels/elementwise.js'
import { type TypedArray, alloc, promote } from '../tensor/dtype.js'
import { ArgumentError } from '../tensor/errors.js'
import { describe } from '../tensor/checks.js'
import { type ConcreteTensor, type Tensor, fromData } from '../tensor/Tensor.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { add, div, mul, neg, plus, sub } from './arithmetic.js'
import { exp, sigmoid, square } from './unary.js'
import { clip } from './activations.js'
import { type TensorLike, liftFloat, unaryOp, unaryPrim } from './prim.js'

// --- fused derivative primitives
// why: speed, as for sigmoid/tanh/softplus: g·f′(x) written with ops is 4–8 kernels and as many
// full-size allocations per backward pass of an activation; fused it is one loop.

type GradKernel = (g: TypedArray, x: TypedArray, o: TypedArray) => void

/**
 * The primitive (g, x) ↦ g·f′(x) of one kernel: linear in g; `f2(g, x)` is g·f″(x), written
 * with ops (its own derivatives come from theirs).
 */
function derivativePrim(name: string, kernel: GradKernel, f2: (g: Tensor, x: Tensor) => Tensor): Primitive<undefined> {
  const p: Primitive<undefined> = {
    name,
    impl: ([g, x]: readonly ConcreteTensor[]) => {
      const dtype = promote(g.dtype, x.dtype)
      const out = alloc(dtype, x.size, `backward of ${name}`, x.shape)
      kernel(g._data, x._data, out)
      return fromData(out, x.shape, dtype)
    },
    jvp: ([tg, tx], [g, x]) => plus(tg === null ? null : bind(p, [tg, x], undefined), tx === null ? null : mul(tx, f2(g, x))),
    vjp: (h, [g, x], _o, _p, needs) => [needs[0] ? bind(p, [h, x], undefined) : null, needs[1] ? mul(h, f2(g, x)) : null],
  }
  return p
}

/** An elementwise primitive whose derivative is the fused `gradP`. */
function fusedUnary(name: string, kernel: UnaryKernel, gradP: Primitive<undefined>): Primitive<undefined> {
  return unaryPrim(name, kernel, (v, x) => bind(gradP, [v, x], undefined))
}

const SQRT_2PI = Math.sqrt(2 * Math.PI)

// The second derivatives below are evaluated at x clipped to ±L, where every one of them has
// underflowed to 0 (e^(−x²/2) at 40, σ(2u)σ(−2u) at 100, σ(x)σ(−x) at 800): beyond L the
// value is unchanged, and ±∞ or a huge x never meets a 0 in a product (∞·0 = NaN).

// erf″(x) = −2x·erf′(x): g·erf″ = erfGrad(g, x)·(−2x)
const erfGradP: Primitive<undefined> = derivativePrim('erfGrad', k.erfGrad, (g, x) => mul(bind(erfGradP, [g, clip(x, -40, 40)], undefined), mul(clip(x, -40, 40), -2)))

// gelu″(x) = φ(x)(2 − x²) = 2φ − x·(xφ), φ the normal density (no x² for a huge x)
const geluGradP = derivativePrim('geluGrad', k.geluGrad, (g, x) => {
  const c = clip(x, -40, 40)
  const phi = div(exp(mul(square(c), -0.5)), SQRT_2PI)
  return mul(g, sub(mul(phi, 2), mul(c, mul(c, phi))))
})

// With s = 2u = 2√(2/π)(x + 0.044715x³), f = x·σ(s), f′ = σ(s) + x·σ(s)σ(−s)·s′,
// f″ = σ(s)σ(−s)·(2s′ + x·s′²·(σ(−s) − σ(s)) + x·s″), s′ = 2√(2/π)(1 + 0.134145x²), s″ = 2√(2/π)·0.26829x.
const C2 = 2 * Math.sqrt(2 / Math.PI)
const geluTanhGradP = derivativePrim('geluTanhGrad', k.geluTanhGrad, (g, x) => {
  const c = clip(x, -100, 100)
  const c2 = square(c)
  const s = mul(mul(c, add(mul(c2, 0.044715), 1)), C2)
  const p = sigmoid(s)
  const q = sigmoid(neg(s))
  const s1 = mul(add(mul(c2, 3 * 0.044715), 1), C2)
  const s2 = mul(c, 6 * 0.044715 * C2)
  const inner = add(add(mul(s1, 2), mul(mul(c, square(s1)), sub(q, p))), mul(c, s2))
  return mul(g, mul(mul(p, q), inner))
})

// silu″(x) = σσ̄·(2 + x(σ̄ − σ)), σ = σ(x), σ̄ = σ(−x)
const siluGradP = derivativePrim('siluGrad', k.siluGrad, (g, x) => {
  const c = clip(x, -800, 800)
  const p = sigmoid(c)
  const q = sigmoid(neg(c))
  return mul(g, mul(mul(p, q), add(mul(c, sub(q, p)), 2)))
})

const erfP = fusedUnary('erf', k.erf, erfGradP)
const geluP = fusedUnary('gelu', k.gelu, geluGradP)
const geluTanhP = fusedUnary('geluTanh', k.geluTanh, geluTanhGradP)
const siluP = fusedUnary('silu', k.silu, siluGradP)

// --- operations

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, odd, with erf(±∞) = ±1; accurate to float64
 * rounding (relative error below 1e−14 over the whole line, tiny |x| and the tails included;
 * the method is in src/kernels/special.ts). Derivative 2/√π·e^(−x²).
 *
 * @example
 * import { erf, grad, sum, tensor, toFlatArray } from 'purediff'
 * const x = tensor([0, 1, -Infinity], 'float64')
 * const y = toFlatArray(erf(x))
 * // erf(1) = 0.8427007929497149 (to 16 digits)
 * if (y[0] !== 0 || Math.abs(y[1] - 0.8427007929497149) > 2e-16 || y[2] !== -1) throw new Error()
 * // erf′(0) = 2/√π
 * if (Math.abs(toFlatArray(grad((t: typeof x) => sum(erf(t)))(x))[0] - 2 / Math.sqrt(Math.PI)) > 1e-15) throw new Error()
 * @category math
 * @since 0.2.0
 */
export const erf: (x: TensorLike) => Tensor = unaryOp(erfP)

/**
 * Options of `gelu`: `approximate` (false): use the tanh approximation
 * ½x(1 + tanh(√(2/π)(x + 0.044715x³))) instead of the exact x·Φ(x).
 *
 * @category activations
 * @since 0.2.0
 */
export interface GeluOptions {
  readonly approximate?: boolean
}

/**
 * GELU, the Gaussian error linear unit: x·Φ(x) = x·(1 + erf(x/√2))/2 with Φ the standard
 * normal CDF; derivative Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π). With `{ approximate: true }`,
 * ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³) (computed as x·σ(2u), equal since 1 + tanh u =
 * 2σ(2u)). Both are stable in the tails: gelu(x) = x for large x, and for x ≪ 0 a tiny
 * negative value through erfc (never 1 + erf cancelling), −0 once it underflows and at −∞.
 *
 * @example
 * import { gelu, tensor, toFlatArray } from 'purediff'
 * const x = tensor([0, 1e300, -1e300, 1], 'float64')
 * const y = toFlatArray(gelu(x))
 * // Φ(1) = 0.8413447460685429
 * if (y[0] !== 0 || y[1] !== 1e300 || !Object.is(y[2], -0) || Math.abs(y[3] - 0.8413447460685429) > 2e-16) throw new Error()
 * const a = toFlatArray(gelu(tensor([1], 'float64'), { approximate: true }))[0]
 * if (Math.abs(a - 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715))) > 1e-15) throw new Error()
 * @category activations
 * @since 0.2.0
 */
export function gelu(x: TensorLike, options?: GeluOptions): Tensor {
  const t = liftFloat('gelu', x)
  if (options !== undefined && (options === null || typeof options !== 'object'))
    throw new ArgumentError('gelu', `options must be an object { approximate? }, got ${describe(options)}`)
  const approximate = options?.approximate ?? false
  if (typeof approximate !== 'boolean') throw new ArgumentError('gelu', `options.approximate must be a boolean, got ${describe(approximate)}`)
  return bind(approximate ? geluTanhP : geluP, [t], undefined)
}

/**
 * SiLU (swish): x·σ(x), σ the logistic sigmoid, computed stably for both signs (x for large
 * x, −0 for x ≪ 0 and at −∞); derivative σ(x)(1 + x·σ(−x)).
 *
 * @example
 * import { silu, tensor, toFlatArray } from 'purediff'
 * const y = toFlatArray(silu(tensor([0, 1000, -1000, 2], 'float64')))
 * if (y[0] !== 0 || y[1] !== 1000 || !Object.is(y[2], -0) || Math.abs(y[3] - 2 / (1 + Math.exp(-2))) > 4e-16) throw new Error()
 * @category activations
 * @since 0.2.0
 */
export const silu: (x: TensorLike) => Tensor = unaryOp(siluP)

/**
 * 1/√x; domain x > 0 (as sqrt: rsqrt(+0) = +∞, rsqrt(−0) = −∞ as IEEE 754's rSqrt,
 * negative → NaN, rsqrt(+∞) = 0). Derivative −½x^(−3/2), computed as −½·rsqrt(x)/x.
 *
 * @example
 * import { rsqrt, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(rsqrt(tensor([4, 0.25, 0]))).join() !== '0.5,2,Infinity') throw new Error()
 * @category math
 * @since 0.2.0
 */
export const rsqrt: (x: TensorLike) => Tensor = unaryOp(unaryPrim('rsqrt', k.rsqrt, (g, x, y) => div(mul(g, y), mul(x, -2))))

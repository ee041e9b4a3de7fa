/**
 * Arithmetic: broadcasting binary ops (numbers accepted on either side), negation, comparisons,
 * `where` and `cast`. Each primitive's vector-Jacobian rule sits beside it.
 *
 * @since 0.1.0
 */
import * as k from '../kernels/elementwise.js'
import { type DType, alloc, checkDType, promote } from '../tensor/dtype.js'
import { broadcastShapes, type Shape } from '../tensor/shape.js'
import { type Tensor, fromData } from '../tensor/Tensor.js'
import { checkTensor } from '../tensor/checks.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { type TensorLike, binaryImpl, binaryOp, binaryPrim, liftPair, lift, unaryOp, unaryPrim } from './prim.js'
import { log } from './unary.js'

// --- primitives

/** @internal t1 + t2 where either may be absent (null): how rules add partial tangents. */
export const plus = (t1: Tensor | null, t2: Tensor | null): Tensor | null => (t1 === null ? t2 : t2 === null ? t1 : add(t1, t2))
const times = (t: Tensor | null, k: Tensor): Tensor | null => (t === null ? null : mul(t, k))

const addP = binaryPrim('add', k.addRun, plus, (g, _a, _b, _o, n) => [n[0] ? g : null, n[1] ? g : null])
const subP = binaryPrim(
  'sub',
  k.subRun,
  (ta, tb) => (tb === null ? ta : ta === null ? neg(tb) : sub(ta, tb)),
  (g, _a, _b, _o, n) => [n[0] ? g : null, n[1] ? neg(g) : null],
)
const mulP = binaryPrim(
  'mul',
  k.mulRun,
  (ta, tb, a, b) => plus(times(ta, b), times(tb, a)),
  (g, a, b, _o, n) => [n[0] ? mul(g, b) : null, n[1] ? mul(g, a) : null],
)
// d(a/b) = da/b − db·a/b² = da/b − db·out/b
const divP = binaryPrim(
  'div',
  k.divRun,
  (ta, tb, _a, b, out) => plus(ta === null ? null : div(ta, b), tb === null ? null : neg(div(mul(tb, out), b))),
  (g, _a, b, out, n) => [n[0] ? div(g, b) : null, n[1] ? neg(div(mul(g, out), b)) : null],
)
// d(aᵇ)/da = b·aᵇ⁻¹; d(aᵇ)/db = aᵇ·ln a, taken as 0 at a = 0 (the limit along b > 0), NaN for a < 0.
const powDa = (a: Tensor, b: Tensor) => mul(b, pow(a, sub(b, 1)))
const powDb = (a: Tensor, out: Tensor) => mul(out, log(where(equal(a, 0), 1, a)))
const powP = binaryPrim(
  'pow',
  k.powRun,
  (ta, tb, a, b, out) => plus(ta === null ? null : mul(ta, powDa(a, b)), tb === null ? null : mul(tb, powDb(a, out))),
  (g, a, b, out, n) => [n[0] ? mul(g, powDa(a, b)) : null, n[1] ? mul(g, powDb(a, out)) : null],
)
// Exactly one side gets the derivative, by one mask shared by jvp and vjp: 1 where the first
// argument is chosen. `wins` is a ≥ b for maximum and a ≤ b for minimum, so a tie a == b
// (−0 == +0 included, whichever sign the value takes) goes to the first argument; a NaN
// takes it from a number (a NaN result came from it), the first NaN when both are. This is how
// the max/min reductions route it (first extremum, NaN first), so maximum(a, b) and
// max(stack([a, b]), 0) have the same gradient.
const firstMask = (a: Tensor, wins: Tensor) => where(equal(a, a), wins, 1)
const selectJvp = (m: Tensor, ta: Tensor | null, tb: Tensor | null) => plus(times(ta, m), times(tb, sub(1, m)))
const maximumP = binaryPrim(
  'maximum',
  k.maximumRun,
  (ta, tb, a, b) => selectJvp(firstMask(a, greaterEqual(a, b)), ta, tb),
  (g, a, b, _o, n) => {
    const m = firstMask(a, greaterEqual(a, b))
    return [n[0] ? mul(g, m) : null, n[1] ? mul(g, sub(1, m)) : null]
  },
)
const minimumP = binaryPrim(
  'minimum',
  k.minimumRun,
  (ta, tb, a, b) => selectJvp(firstMask(a, greaterEqual(b, a)), ta, tb),
  (g, a, b, _o, n) => {
    const m = firstMask(a, greaterEqual(b, a))
    return [n[0] ? mul(g, m) : null, n[1] ? mul(g, sub(1, m)) : null]
  },
)
const negP = unaryPrim('neg', k.neg, (g) => neg(g))

// --- operations

/**
 * Elementwise a + b with NumPy broadcasting; either side may be a number.
 *
 * @example
 * import { add, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(add(tensor([[1], [2]]), tensor([10, 20]))).join() !== '11,21,12,22') throw new Error()
 * if (toFlatArray(add(1, tensor([1, 2]))).join() !== '2,3') throw new Error()
 * @category arithmetic
 * @since 0.1.0
 */
export const add: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(addP)

/**
 * Elementwise a − b with broadcasting.
 *
 * @example
 * import { sub, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(sub(tensor([5, 7]), 2)).join() !== '3,5') throw new Error()
 * @category arithmetic
 * @since 0.1.0
 */
export const sub: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(subP)

/**
 * Elementwise a · b with broadcasting.
 *
 * @example
 * import { mul, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(mul(tensor([1, 2]), tensor([[3], [4]]))).join() !== '3,6,4,8') throw new Error()
 * @category arithmetic
 * @since 0.1.0
 */
export const mul: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(mulP)

/**
 * Elementwise a / b with broadcasting (IEEE: x/0 = ±Infinity).
 *
 * @example
 * import { div, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(div(tensor([1, 3]), 2)).join() !== '0.5,1.5') throw new Error()
 * @category arithmetic
 * @since 0.1.0
 */
export const div: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(divP)

/**
 * Elementwise aᵇ. Gradients: ∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·ln a (0 at a = 0; NaN for a < 0, where
 * it is undefined).
 *
 * @example
 * import { pow, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(pow(tensor([2, 3]), 2)).join() !== '4,9') throw new Error()
 * @category arithmetic
 * @since 0.1.0
 */
export const pow: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(powP)

/**
 * Elementwise maximum with broadcasting, IEEE 754-2019 `maximum`: NaN if either is NaN, and
 * +0 is larger than −0, so maximum(−0, +0) = maximum(+0, −0) = +0 (as `Math.max`).
 *
 * Gradient (jvp and vjp alike): the whole cotangent goes to ONE input per element — the first
 * argument where a ≥ b, the second where a < b. So a tie a == b goes to the first argument,
 * a ±0 tie included (maximum(−0, +0) sends it to the −0, though the value is +0). Where a is
 * NaN it goes to a, else where b is NaN to b. The max reduction routes it the same way.
 *
 * @example
 * import { grad, item, maximum, scalar, tensor, toFlatArray, type Tensor } from 'purediff'
 * if (toFlatArray(maximum(tensor([1, 5]), 3)).join() !== '3,5') throw new Error()
 * if (!Object.is(item(maximum(scalar(-0), scalar(0))), 0)) throw new Error()
 * // a tie, −0 against +0: the value is +0 and the first argument gets the whole gradient
 * const [ga, gb] = grad((p: Tensor[]) => maximum(p[0], p[1]))([scalar(-0), scalar(0)])
 * if (item(ga) !== 1 || item(gb) !== 0) throw new Error()
 * @category arithmetic
 * @since 0.1.0
 */
export const maximum: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(maximumP)

/**
 * Elementwise minimum with broadcasting, IEEE 754-2019 `minimum`: NaN if either is NaN, and
 * −0 is smaller than +0, so minimum(+0, −0) = minimum(−0, +0) = −0 (as `Math.min`).
 *
 * Gradient (jvp and vjp alike): the whole cotangent goes to ONE input per element — the first
 * argument where a ≤ b, the second where a > b; a tie a == b (±0 included) goes to the first
 * argument. Where a is NaN it goes to a, else where b is NaN to b; as the min reduction does.
 *
 * @example
 * import { grad, item, minimum, scalar, tensor, toFlatArray, type Tensor } from 'purediff'
 * if (toFlatArray(minimum(tensor([1, 5]), 3)).join() !== '1,3') throw new Error()
 * if (!Object.is(item(minimum(scalar(0), scalar(-0))), -0)) throw new Error()
 * const [ga, gb] = grad((p: Tensor[]) => minimum(p[0], p[1]))([scalar(0), scalar(-0)])
 * if (item(ga) !== 1 || item(gb) !== 0) throw new Error()
 * @category arithmetic
 * @since 0.1.0
 */
export const minimum: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(minimumP)

/**
 * Elementwise −x.
 *
 * @example
 * import { neg, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(neg(tensor([1, -2]))).join() !== '-1,2') throw new Error()
 * @category arithmetic
 * @since 0.1.0
 */
export const neg: (x: TensorLike) => Tensor = unaryOp(negP)

// --- comparisons (no gradient: they are piecewise constant)

// Each comparison is a primitive applied through `bind`, so every trace sees it: a batching
// trace must compare the batched values and a staging trace must record the comparison (neither
// has a value to read through). Its derivative is zero wherever it exists, so it is marked
// `nonDifferentiable`: the autodiff traces give back the constant one level down.
function comparePrim(name: string, run: k.BinaryRun): Primitive<undefined> {
  return {
    name,
    impl: ([a, b]) => binaryImpl(name, run, a, b),
    jvp: () => null,
    vjp: () => [null, null],
    nonDifferentiable: true,
  }
}

/**
 * 1 where a == b, else 0 (dtype of the promoted inputs). No gradient.
 *
 * @example
 * import { equal, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(equal(tensor([1, 2]), 2)).join() !== '0,1') throw new Error()
 * @category comparisons
 * @since 0.1.0
 */
export const equal: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(comparePrim('equal', k.equalRun))

/**
 * 1 where a > b, else 0. No gradient.
 *
 * @example
 * import { greater, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(greater(tensor([1, 3]), 2)).join() !== '0,1') throw new Error()
 * @category comparisons
 * @since 0.1.0
 */
export const greater: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(comparePrim('greater', k.greaterRun))

/**
 * 1 where a < b, else 0. No gradient.
 *
 * @example
 * import { less, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(less(tensor([1, 3]), 2)).join() !== '1,0') throw new Error()
 * @category comparisons
 * @since 0.1.0
 */
export const less: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(comparePrim('less', k.lessRun))

/**
 * 1 where a ≥ b, else 0. No gradient.
 *
 * @example
 * import { greaterEqual, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(greaterEqual(tensor([1, 2]), 2)).join() !== '0,1') throw new Error()
 * @category comparisons
 * @since 0.1.0
 */
export const greaterEqual: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(comparePrim('greaterEqual', k.greaterEqualRun))

// --- stopGradient

// The identity, as a primitive so that every trace sees it (a batching trace keeps the batched
// value, a staging trace records it). Tensors are immutable, so it returns its input: no copy.
// Marked `nonDifferentiable`: the autodiff traces give back the value one level down, a constant.
const stopGradientP: Primitive<undefined> = {
  name: 'stopGradient',
  impl: ([x]) => x,
  jvp: () => null,
  vjp: () => [null],
  nonDifferentiable: true,
}

/**
 * @internal `x` as a constant to every autodiff trace (the tensor case of `stopGradient`). A
 * concrete tensor is returned as it is, which is what `bind` would do at level 0.
 */
export function stopGradientTensor(x: Tensor): Tensor {
  return x._level === 0 ? x : bind(stopGradientP, [x], undefined)
}

// --- where

const whereP: Primitive<undefined> = {
  name: 'where',
  impl: ([c, a, b]) => {
    const shape: Shape = broadcastShapes('where', broadcastShapes('where', c.shape, a.shape), b.shape)
    const dtype = promote(a.dtype, b.dtype)
    let n = 1
    for (const d of shape) n *= d
    const out = alloc(dtype, n, 'where', shape)
    k.where(c._data, c.shape, a._data, a.shape, b._data, b.shape, shape, out)
    return fromData(out, shape, dtype)
  },
  jvp: ([, ta, tb], [c]) => (ta === null && tb === null ? null : where(c, ta ?? 0, tb ?? 0)),
  // The unselected branch gets exactly 0 (not 0·g), so an Infinity there cannot leak a NaN.
  vjp: (g, [c], _o, _p, n) => [null, n[1] ? where(c, g, 0) : null, n[2] ? where(c, 0, g) : null],
}

/**
 * Elementwise `cond ? a : b` (cond is nonzero), broadcasting all three. No gradient flows to
 * `cond`; each branch gets the gradient where it was selected and exactly 0 elsewhere.
 *
 * @example
 * import { where, greater, tensor, toFlatArray } from 'purediff'
 * const x = tensor([-1, 2])
 * if (toFlatArray(where(greater(x, 0), x, 0)).join() !== '0,2') throw new Error()
 * @category arithmetic
 * @since 0.1.0
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', cond, 'cond')
  const [x, y] = liftPair('where', a, b)
  broadcastShapes('where', broadcastShapes('where', cond.shape, x.shape), y.shape)
  // The condition is an input like the others (a batching or staging trace must see it), passed
  // through stopGradient: a constant to autodiff, as its null cotangent and unused tangent say.
  return bind(whereP, [stopGradientTensor(cond), x, y], undefined)
}

// --- cast

const castP: Primitive<DType> = {
  name: 'cast',
  impl: ([x], dtype) => {
    const out = alloc(dtype, x.size, 'cast', x.shape)
    out.set(x._data)
    return fromData(out, x.shape, dtype)
  },
  jvp: ([t], _x, _o, dtype) => (t === null ? null : cast(t, dtype)),
  // The engine casts the cotangent back to the input's dtype.
  vjp: (g) => [g],
}

/**
 * Converts to another dtype (float64 → float32 rounds). Differentiable: the gradient is cast
 * back to the input's dtype. Casting to the same dtype returns the input itself.
 *
 * @example
 * import { cast, tensor } from 'purediff'
 * if (cast(tensor([1.5]), 'float64').dtype !== 'float64') throw new Error()
 * @category arithmetic
 * @since 0.1.0
 */
export function cast(t: Tensor, dtype: DType): Tensor {
  const x = lift('cast', t, 'float32', 't')
  checkDType('cast', dtype)
  if (x.dtype === dtype) return x
  return bind(castP, [x], dtype)
}

/**
 * Arithmetic: broadcasting binary ops (numbers accepted on either side), negation, comparisons,
 * `where` and `cast`. Each primitive's vector-Jacobian rule sits beside it.
 *
 * @since 0.1.0
 */
import * as k from '../kernels/elementwise.js'
import * as ki from '../kernels/integer.js'
import { type DType, alloc, isFloat, promote } from '../tensor/dtype.js'
import { broadcastShapes, type Shape } from '../tensor/shape.js'
import { type ConcreteTensor, type Tensor, fromData } from '../tensor/Tensor.js'
import { checkTensor } from '../tensor/checks.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { type TensorLike, binaryOp, binaryPrim, castImpl, liftPair, unaryOp, unaryPrim } from './prim.js'

export { cast } from './prim.js'
import { equal, greaterEqual } from './logic.js'
import { log } from './unary.js'

export { equal, notEqual, greater, greaterEqual, less, lessEqual, logicalAnd, logicalOr, logicalXor, logicalNot } from './logic.js'

// --- primitives

/** @internal t1 + t2 where either may be absent (null): how rules add partial tangents. */
export const plus = (t1: Tensor | null, t2: Tensor | null): Tensor | null => (t1 === null ? t2 : t2 === null ? t1 : add(t1, t2))
const times = (t: Tensor | null, k: Tensor): Tensor | null => (t === null ? null : mul(t, k))

const addP = binaryPrim('add', k.addRun, plus, (g, _a, _b, _o, n) => [n[0] ? g : null, n[1] ? g : null], 'arithmetic', ki.addI)
const subP = binaryPrim(
  'sub',
  k.subRun,
  (ta, tb) => (tb === null ? ta : ta === null ? neg(tb) : sub(ta, tb)),
  (g, _a, _b, _o, n) => [n[0] ? g : null, n[1] ? neg(g) : null],
  'arithmetic',
  ki.subI,
)
const mulP = binaryPrim(
  'mul',
  k.mulRun,
  (ta, tb, a, b) => plus(times(ta, b), times(tb, a)),
  (g, a, b, _o, n) => [n[0] ? mul(g, b) : null, n[1] ? mul(g, a) : null],
  'arithmetic',
  ki.mulI,
)
// d(a/b) = da/b − db·a/b² = da/b − db·out/b
const divP = binaryPrim(
  'div',
  k.divRun,
  (ta, tb, _a, b, out) => plus(ta === null ? null : div(ta, b), tb === null ? null : neg(div(mul(tb, out), b))),
  (g, _a, b, out, n) => [n[0] ? div(g, b) : null, n[1] ? neg(div(mul(g, out), b)) : null],
  'float',
)
// d(aᵇ)/da = b·aᵇ⁻¹; d(aᵇ)/db = aᵇ·ln a, taken as 0 at a = 0 (the limit along b > 0), NaN for a < 0.
const powDa = (a: Tensor, b: Tensor) => mul(b, pow(a, sub(b, 1)))
const powDb = (a: Tensor, out: Tensor) => mul(out, log(where(equal(a, 0), 1, a)))
const powP = binaryPrim(
  'pow',
  k.powRun,
  (ta, tb, a, b, out) => plus(ta === null ? null : mul(ta, powDa(a, b)), tb === null ? null : mul(tb, powDb(a, out))),
  (g, a, b, out, n) => [n[0] ? mul(g, powDa(a, b)) : null, n[1] ? mul(g, powDb(a, out)) : null],
  'float',
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
  'same',
  ki.maximumI,
)
const minimumP = binaryPrim(
  'minimum',
  k.minimumRun,
  (ta, tb, a, b) => selectJvp(firstMask(a, greaterEqual(b, a)), ta, tb),
  (g, a, b, _o, n) => {
    const m = firstMask(a, greaterEqual(b, a))
    return [n[0] ? mul(g, m) : null, n[1] ? mul(g, sub(1, m)) : null]
  },
  'same',
  ki.minimumI,
)
const negP = unaryPrim('neg', k.neg, (g) => neg(g), ki.negI)
// floorDiv is piecewise constant: no derivative (the autodiff traces take it as a constant).
const floorDivP: Primitive<undefined> = {
  ...binaryPrim(
    'floorDiv',
    ki.floorDivRun,
    () => null,
    () => [null, null],
    'arithmetic',
    ki.floorDivI('floorDiv'),
  ),
  nonDifferentiable: true,
}
// mod(a, b) = a − b·⌊a/b⌋: ∂/∂a = 1, ∂/∂b = −⌊a/b⌋ (where ⌊a/b⌋ is locally constant).
const modP = binaryPrim(
  'mod',
  ki.modRun,
  (ta, tb, a, b) => plus(ta, tb === null ? null : neg(mul(tb, floorDiv(a, b)))),
  (g, a, b, _o, n) => [n[0] ? g : null, n[1] ? neg(mul(g, floorDiv(a, b))) : null],
  'arithmetic',
  ki.modI('mod'),
)

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
export const neg: (x: TensorLike) => Tensor = unaryOp(negP, true)

/**
 * ⌊a / b⌋ elementwise with broadcasting (Python's `//`, NumPy's `floor_divide`): rounds toward
 * −∞, so floorDiv(−7, 2) = −4. int32 (and bool) operands give int32, wrapping as int32 does
 * (−2³¹ // −1 = −2³¹); an int32 division by zero is an ArgumentError. Floats follow NumPy:
 * computed from the exact remainder, so floorDiv(1, 0.1) = 9, and x // 0 = x / 0. No gradient
 * (piecewise constant).
 *
 * @example
 * import { floorDiv, tensor, toFlatArray } from 'purediff'
 * const q = floorDiv(tensor([7, -7, 6], 'int32'), 2)
 * if (q.dtype !== 'int32' || toFlatArray(q).join() !== '3,-4,3') throw new Error()
 * @category arithmetic
 * @since 0.2.0
 */
export const floorDiv: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(floorDivP)

/**
 * a − b·⌊a / b⌋ elementwise (Python's `%`, NumPy's `mod`): the result has the sign of the
 * divisor, so mod(−7, 2) = 1 and mod(7, −2) = −1. int32 stays int32 (a zero divisor is an
 * ArgumentError); floats use the exact remainder. Gradient: ∂/∂a = 1, ∂/∂b = −⌊a / b⌋.
 *
 * @example
 * import { mod, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(mod(tensor([7, -7, 7], 'int32'), tensor([2, 2, -2], 'int32'))).join() !== '1,1,-1') throw new Error()
 * if (toFlatArray(mod(tensor([-0.5]), 2)).join() !== '1.5') throw new Error()
 * @category arithmetic
 * @since 0.2.0
 */
export const mod: (a: TensorLike, b: TensorLike) => Tensor = binaryOp(modP)

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

/** A branch's storage as the result's dtype when that is a wider kind (int or bool into float, bool into int). */
function widen(x: ConcreteTensor, dtype: DType) {
  if (x.dtype === dtype || (isFloat(x.dtype) && isFloat(dtype))) return x._data
  return castImpl(x, dtype)._data
}

const whereP: Primitive<undefined> = {
  name: 'where',
  impl: ([c, a, b]) => {
    const shape: Shape = broadcastShapes('where', broadcastShapes('where', c.shape, a.shape), b.shape)
    const dtype = promote(a.dtype, b.dtype)
    let n = 1
    for (const d of shape) n *= d
    const out = alloc(dtype, n, 'where', shape)
    k.where(c._data, c.shape, widen(a, dtype), a.shape, widen(b, dtype), b.shape, shape, out)
    return fromData(out, shape, dtype)
  },
  jvp: ([, ta, tb], [c]) => (ta === null && tb === null ? null : where(c, ta ?? 0, tb ?? 0)),
  // The unselected branch gets exactly 0 (not 0·g), so an Infinity there cannot leak a NaN.
  vjp: (g, [c], _o, _p, n) => [null, n[1] ? where(c, g, 0) : null, n[2] ? where(c, 0, g) : null],
}

/**
 * Elementwise `cond ? a : b` (cond is nonzero, of any dtype; usually a bool from a comparison),
 * broadcasting all three; the result has the promoted dtype of a and b. No gradient flows to
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

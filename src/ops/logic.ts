/**
 * Comparisons and logical ops: any dtypes in (broadcasting, numbers on either side), `bool`
 * out. Comparisons compare the exact values of their operands (an int32 against a float32 is
 * not rounded first); truth is "not zero" for the logical ops (NaN is true, as in NumPy).
 * None has a gradient: each is piecewise constant.
 *
 * @since 0.1.0
 */
import * as k from '../kernels/elementwise.js'
import * as ki from '../kernels/integer.js'
import { alloc } from '../tensor/dtype.js'
import { type Tensor, fromData } from '../tensor/Tensor.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { type TensorLike, binaryImpl, binaryOp, lift } from './prim.js'

// --- primitives

// Each is a primitive applied through `bind`, so every trace sees it: a batching trace must
// compare the batched values and a staging trace must record the comparison (neither has a
// value to read through). Its derivative is zero wherever it exists, so it is marked
// `nonDifferentiable`: the autodiff traces give back the constant one level down.
function boolPrim(name: string, run: k.BinaryRun): Primitive<undefined> {
  return {
    name,
    impl: ([a, b]) => binaryImpl(name, run, a, b, 'bool'),
    jvp: () => null,
    vjp: () => [null, null],
    nonDifferentiable: true,
  }
}

type Binary = (a: TensorLike, b: TensorLike) => Tensor

// --- comparisons

/**
 * `a == b` elementwise, as bool (NaN equals nothing, −0 equals +0). No gradient.
 *
 * @example
 * import { equal, tensor, toFlatArray } from 'purediff'
 * const e = equal(tensor([1, 2]), 2)
 * if (e.dtype !== 'bool' || toFlatArray(e).join() !== '0,1') throw new Error()
 * @category comparisons
 * @since 0.1.0
 */
export const equal: Binary = binaryOp(boolPrim('equal', k.equalRun))

/**
 * `a != b` elementwise, as bool (true where either is NaN). No gradient.
 *
 * @example
 * import { notEqual, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(notEqual(tensor([1, 2, NaN]), 2)).join() !== '1,0,1') throw new Error()
 * @category comparisons
 * @since 0.2.0
 */
export const notEqual: Binary = binaryOp(boolPrim('notEqual', ki.notEqualRun))

/**
 * `a > b` elementwise, as bool. No gradient.
 *
 * @example
 * import { greater, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(greater(tensor([1, 3]), 2)).join() !== '0,1') throw new Error()
 * @category comparisons
 * @since 0.1.0
 */
export const greater: Binary = binaryOp(boolPrim('greater', k.greaterRun))

/**
 * `a ≥ b` elementwise, as bool. No gradient.
 *
 * @example
 * import { greaterEqual, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(greaterEqual(tensor([1, 2]), 2)).join() !== '0,1') throw new Error()
 * @category comparisons
 * @since 0.1.0
 */
export const greaterEqual: Binary = binaryOp(boolPrim('greaterEqual', k.greaterEqualRun))

/**
 * `a < b` elementwise, as bool. No gradient.
 *
 * @example
 * import { less, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(less(tensor([1, 3]), 2)).join() !== '1,0') throw new Error()
 * @category comparisons
 * @since 0.1.0
 */
export const less: Binary = binaryOp(boolPrim('less', k.lessRun))

/**
 * `a ≤ b` elementwise, as bool. No gradient.
 *
 * @example
 * import { lessEqual, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(lessEqual(tensor([1, 2, 3]), 2)).join() !== '1,1,0') throw new Error()
 * @category comparisons
 * @since 0.2.0
 */
export const lessEqual: Binary = binaryOp(boolPrim('lessEqual', ki.lessEqualRun))

// --- logic

/**
 * `a ∧ b` elementwise on truth values (not zero is true), as bool.
 *
 * @example
 * import { logicalAnd, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(logicalAnd(tensor([0, 1, 2], 'int32'), tensor([1, 1, 0], 'bool'))).join() !== '0,1,0') throw new Error()
 * @category logic
 * @since 0.2.0
 */
export const logicalAnd: Binary = binaryOp(boolPrim('logicalAnd', ki.andRun))

/**
 * `a ∨ b` elementwise on truth values, as bool.
 *
 * @example
 * import { logicalOr, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(logicalOr(tensor([0, 0, 3]), tensor([0, 1, 0]))).join() !== '0,1,1') throw new Error()
 * @category logic
 * @since 0.2.0
 */
export const logicalOr: Binary = binaryOp(boolPrim('logicalOr', ki.orRun))

/**
 * `a ⊕ b` (exclusive or) elementwise on truth values, as bool.
 *
 * @example
 * import { logicalXor, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(logicalXor(tensor([0, 1, 1]), tensor([1, 1, 0]))).join() !== '1,0,1') throw new Error()
 * @category logic
 * @since 0.2.0
 */
export const logicalXor: Binary = binaryOp(boolPrim('logicalXor', ki.xorRun))

const logicalNotP: Primitive<undefined> = {
  name: 'logicalNot',
  impl: ([x]) => {
    const out = alloc('bool', x.size, 'logicalNot', x.shape)
    ki.notKernel(x._data, out)
    return fromData(out, x.shape, 'bool')
  },
  jvp: () => null,
  vjp: () => [null],
  nonDifferentiable: true,
}

/**
 * `¬x` elementwise: true where x is zero, as bool.
 *
 * @example
 * import { logicalNot, tensor, toFlatArray } from 'purediff'
 * if (toFlatArray(logicalNot(tensor([0, 2, NaN]))).join() !== '1,0,0') throw new Error()
 * @category logic
 * @since 0.2.0
 */
export function logicalNot(x: TensorLike): Tensor {
  return bind(logicalNotP, [lift('logicalNot', x, 'bool', 'x')], undefined)
}

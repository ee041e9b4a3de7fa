/**
 * Builders shared by the op files: lifting plain numbers to tensors, and the two common kinds of
 * primitive (unary elementwise, binary broadcasting). Validation happens in the public wrapper,
 * before anything is traced, so errors always name the public op.
 *
 * @internal
 */
import { type DType, alloc, promote } from '../tensor/dtype.js'
import { ArgumentError } from '../tensor/errors.js'
import { type Shape, broadcastShapes } from '../tensor/shape.js'
import { type ConcreteTensor, Tensor, fromData, scalar } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { type BinaryRun, type UnaryKernel, binary } from '../kernels/elementwise.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'

// --- model

/** A tensor, or a plain number that takes the dtype of the other operand (float32 alone). */
export type TensorLike = Tensor | number

// --- lifting

// Lifted constants are immutable, so the same scalar can serve every op that lifts the same
// number: rules like tanh's `sub(1, y²)` and user code like `mul(t, 0.9)` stop allocating.
const lifted32 = new Map<number, Tensor>()
const lifted64 = new Map<number, Tensor>()
const MAX_LIFTED = 512

/** Checks a tensor argument or lifts a number to a scalar of `dtype`. */
export function lift(op: string, x: unknown, dtype: DType, arg: string): Tensor {
  if (x instanceof Tensor) return x
  if (typeof x === 'number') {
    const cache = dtype === 'float64' ? lifted64 : lifted32
    let t = Object.is(x, -0) ? undefined : cache.get(x) // get(−0) would find the +0 entry
    if (t === undefined) {
      if (cache.size >= MAX_LIFTED) cache.clear()
      t = scalar(x, dtype)
      // Map keys treat −0 as +0: keep −0 out of the cache so its sign survives.
      if (!Object.is(x, -0)) cache.set(x, t)
    }
    return t
  }
  throw new ArgumentError(op, `argument '${arg}' must be a Tensor or a number, got ${describe(x)}`)
}

/** Lifts a pair where either side may be a number; a number takes the other side's dtype. */
export function liftPair(op: string, a: unknown, b: unknown): [Tensor, Tensor] {
  const da: DType = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : 'float32'
  return [lift(op, a, da, 'a'), lift(op, b, da, 'b')]
}

// --- primitive builders

/**
 * The derivative of an elementwise op applied to a vector: v ↦ f′(x) ⊙ v (null for 0). Its
 * Jacobian is diagonal, hence symmetric, so the same map is both the jvp and the vjp rule.
 */
export type UnaryDerivative = (v: Tensor, x: Tensor, y: Tensor) => Tensor | null

/** An elementwise unary primitive: output has the input's shape and dtype. */
export function unaryPrim(name: string, kernel: UnaryKernel, derivative: UnaryDerivative): Primitive<undefined> {
  return {
    name,
    impl: ([x]) => {
      const out = alloc(x.dtype, x.size, name)
      kernel(x._data, out)
      return fromData(out, x.shape, x.dtype)
    },
    jvp: ([t], [x], y) => (t === null ? null : derivative(t, x, y)),
    vjp: (g, [x], y) => [derivative(g, x, y)],
  }
}

/** The public wrapper of a unary primitive; a plain number becomes a float32 scalar. */
export function unaryOp(prim: Primitive<undefined>): (x: TensorLike) => Tensor {
  const name = prim.name
  return (x) => bind(prim, [lift(name, x, 'float32', 'x')], undefined)
}

export type BinaryVjp = (g: Tensor, a: Tensor, b: Tensor, out: Tensor, needs: readonly unknown[]) => readonly (Tensor | null)[]
/** Tangent of the output from the tangents of a and b (either may be null: no tangent). */
export type BinaryJvp = (ta: Tensor | null, tb: Tensor | null, a: Tensor, b: Tensor, out: Tensor) => Tensor | null

/**
 * A broadcasting binary primitive: output dtype is the promotion of the inputs'. The engine
 * broadcasts and casts the jvp result to the output, and un-broadcasts the vjp results.
 */
export function binaryPrim(name: string, run: BinaryRun, jvp: BinaryJvp, vjp: BinaryVjp): Primitive<undefined> {
  return {
    name,
    impl: ([a, b]) => binaryImpl(name, run, a, b),
    jvp: ([ta, tb], [a, b], out) => jvp(ta, tb, a, b, out),
    vjp: (g, [a, b], out, _p, needs) => vjp(g, a, b, out, needs),
  }
}

/** Runs a binary kernel on concrete tensors (also used by ops without gradient). */
export function binaryImpl(name: string, run: BinaryRun, a: ConcreteTensor, b: ConcreteTensor): ConcreteTensor {
  const shape: Shape = broadcastShapes(name, a.shape, b.shape)
  const dtype = promote(a.dtype, b.dtype)
  let n = 1
  for (let i = 0; i < shape.length; i++) n *= shape[i]
  const out = alloc(dtype, n, name, shape)
  binary(run, a._data, a.shape, b._data, b.shape, shape, out)
  return fromData(out, shape, dtype)
}

/** The public wrapper of a binary primitive: numbers accepted on either side. */
export function binaryOp(prim: Primitive<undefined>): (a: TensorLike, b: TensorLike) => Tensor {
  const name = prim.name
  return (a, b) => {
    const [x, y] = liftPair(name, a, b)
    // Validate shapes before tracing so the error names this op even deep in a transform.
    broadcastShapes(name, x.shape, y.shape)
    return bind(prim, [x, y], undefined)
  }
}

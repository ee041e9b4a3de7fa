/**
 * Builders shared by the op files: lifting plain numbers to tensors, and the two common kinds of
 * primitive (unary elementwise, binary broadcasting). Validation happens in the public wrapper,
 * before anything is traced, so errors always name the public op.
 *
 * @internal
 */
import { type DType, type TypedArray, alloc, arithmeticOf, checkDType, floatOf, isFloat, promote } from '../tensor/dtype.js'
import * as ki from '../kernels/integer.js'
import { ArgumentError } from '../tensor/errors.js'
import { type Shape, broadcastShapes } from '../tensor/shape.js'
import { type ConcreteTensor, Tensor, fromData, scalar } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { type BinaryRun, type UnaryKernel, binary } from '../kernels/elementwise.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'

// --- model

/**
 * A tensor, or a plain number: a "weak" scalar that takes the dtype of the other operand when it
 * fits (see `weakDType`); float32 alone.
 */
export type TensorLike = Tensor | number

// --- lifting

// Lifted constants are immutable, so the same scalar can serve every op that lifts the same
// number: rules like tanh's `sub(1, y²)` and user code like `mul(t, 0.9)` stop allocating.
const liftedBy: Readonly<Record<DType, Map<number, Tensor>>> = { float32: new Map(), float64: new Map(), int32: new Map(), bool: new Map() }
const MAX_LIFTED = 512

/**
 * The dtype a plain number takes beside a tensor of dtype `d` (NumPy/JAX weak scalars): a float
 * tensor's own dtype; beside int32 or bool, int32 when the number is an integer in int32's
 * range, else float32 (so `add(int32Tensor, 0.5)` is float32 and `mul(int32Tensor, 2)` int32).
 */
export function weakDType(x: number, d: DType): DType {
  if (isFloat(d)) return d
  return Number.isInteger(x) && x >= -2147483648 && x <= 2147483647 ? 'int32' : 'float32'
}

/** Checks a tensor argument or lifts a number to a scalar of `dtype`. */
export function lift(op: string, x: unknown, dtype: DType, arg: string): Tensor {
  if (x instanceof Tensor) return x
  if (typeof x === 'number') {
    const cache = liftedBy[dtype]
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

/** Lifts a pair where either side may be a number; a number is weak (see `weakDType`). */
export function liftPair(op: string, a: unknown, b: unknown): [Tensor, Tensor] {
  if (a instanceof Tensor) return [a, b instanceof Tensor ? b : lift(op, b, typeof b === 'number' ? weakDType(b, a.dtype) : 'float32', 'b')]
  if (b instanceof Tensor) return [lift(op, a, typeof a === 'number' ? weakDType(a, b.dtype) : 'float32', 'a'), b]
  return [lift(op, a, 'float32', 'a'), lift(op, b, 'float32', 'b')]
}

/**
 * `x` as a float tensor: int32 and bool become float32 (NumPy's rule for transcendental ops);
 * float tensors are returned as they are. The conversion is a `cast`, so it is traced like any op.
 */
export function toFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : cast(x, 'float32')
}

/** Checks a tensor argument (or lifts a number to float32) and makes it float (see `toFloat`). */
export function liftFloat(op: string, x: unknown, arg = 'x'): Tensor {
  return toFloat(lift(op, x, 'float32', arg))
}

// --- primitive builders

/**
 * The derivative of an elementwise op applied to a vector: v ↦ f′(x) ⊙ v (null for 0). Its
 * Jacobian is diagonal, hence symmetric, so the same map is both the jvp and the vjp rule.
 */
export type UnaryDerivative = (v: Tensor, x: Tensor, y: Tensor) => Tensor | null

/**
 * An elementwise unary primitive: output has the input's shape and dtype. `intKernel` is its
 * int32 loop, for the few ops that keep integers (neg, abs, sign, square, relu); the public
 * wrapper makes every other op's input float first. Separate loops keep the float ones
 * monomorphic in their array types.
 */
export function unaryPrim(name: string, kernel: UnaryKernel, derivative: UnaryDerivative, intKernel?: UnaryKernel): Primitive<undefined> {
  return {
    name,
    impl: ([x]) => {
      const out = alloc(x.dtype, x.size, name)
      if (x.dtype === 'int32' && intKernel !== undefined) intKernel(x._data, out)
      else kernel(x._data, out)
      return fromData(out, x.shape, x.dtype)
    },
    jvp: ([t], [x], y) => (t === null ? null : derivative(t, x, y)),
    vjp: (g, [x], y) => [derivative(g, x, y)],
  }
}

/**
 * The public wrapper of a unary primitive; a plain number becomes a float32 scalar. A float-only
 * op (the default) computes int32 and bool inputs in float32; an op with an int kernel keeps
 * int32, and takes bool as int32 (0/1).
 */
export function unaryOp(prim: Primitive<undefined>, keepsInt = false): (x: TensorLike) => Tensor {
  const name = prim.name
  if (!keepsInt) return (x) => bind(prim, [liftFloat(name, x)], undefined)
  return (x) => {
    const t = lift(name, x, 'float32', 'x')
    return bind(prim, [t.dtype === 'bool' ? cast(t, 'int32') : t], undefined)
  }
}

export type BinaryVjp = (g: Tensor, a: Tensor, b: Tensor, out: Tensor, needs: readonly unknown[]) => readonly (Tensor | null)[]
/** Tangent of the output from the tangents of a and b (either may be null: no tangent). */
export type BinaryJvp = (ta: Tensor | null, tb: Tensor | null, a: Tensor, b: Tensor, out: Tensor) => Tensor | null

/**
 * What dtype a binary op gives for its (promoted) input dtype: 'arithmetic' keeps int32 and
 * counts bool as int32 (add, sub, mul, floorDiv, mod); 'float' computes in floating point (div,
 * pow); 'same' keeps every dtype, bool included (maximum, minimum); 'bool' is a comparison or a
 * logical op.
 */
export type ResultKind = 'arithmetic' | 'float' | 'same' | 'bool'

/** The result dtype of a binary op of `kind` on dtypes a and b. */
export function resultDType(kind: ResultKind, a: DType, b: DType): DType {
  const p = promote(a, b)
  return kind === 'arithmetic' ? arithmeticOf(p) : kind === 'float' ? floatOf(p) : kind === 'same' ? p : 'bool'
}

/**
 * A broadcasting binary primitive: output dtype by `kind` (see `ResultKind`). `intRun` is its
 * int32 loop (wrapping arithmetic); without one, int32 results are computed by `run` too. The
 * engine broadcasts and casts the jvp result to the output, and un-broadcasts the vjp results.
 */
export function binaryPrim(name: string, run: BinaryRun, jvp: BinaryJvp, vjp: BinaryVjp, kind: ResultKind = 'arithmetic', intRun: BinaryRun = run): Primitive<undefined> {
  return {
    name,
    impl: ([a, b]) => binaryImpl(name, run, a, b, kind, intRun),
    jvp: ([ta, tb], [a, b], out) => jvp(ta, tb, a, b, out),
    vjp: (g, [a, b], out, _p, needs) => vjp(g, a, b, out, needs),
  }
}

/**
 * Runs a binary kernel on concrete tensors (also used by ops without gradient). Operands are
 * brought to the dtype the kernel computes in first — an int32 or bool operand of a float result
 * becomes that float, a bool operand of an int32 result int32 — so that each loop sees one kind
 * of array per side (comparisons and logical ops read any dtype and compare exact values).
 */
export function binaryImpl(name: string, run: BinaryRun, a: ConcreteTensor, b: ConcreteTensor, kind: ResultKind = 'same', intRun: BinaryRun = run): ConcreteTensor {
  const shape: Shape = broadcastShapes(name, a.shape, b.shape)
  // The common case first: one float dtype on both sides, no conversion to decide.
  const same = a.dtype === b.dtype && (a.dtype === 'float32' || a.dtype === 'float64')
  const dtype = same && kind !== 'bool' ? a.dtype : resultDType(kind, a.dtype, b.dtype)
  let n = 1
  for (let i = 0; i < shape.length; i++) n *= shape[i]
  const out = alloc(dtype, n, name, shape)
  if (same || kind === 'bool') binary(run, a._data, a.shape, b._data, b.shape, shape, out)
  else binary(dtype === 'int32' ? intRun : run, operand(a._data, a.dtype, dtype), a.shape, operand(b._data, b.dtype, dtype), b.shape, shape, out)
  return fromData(out, shape, dtype)
}

/** Storage of `dtype` read as `to` for a kernel: the same array unless an int or bool must widen. */
function operand(data: TypedArray, dtype: DType, to: DType): TypedArray {
  if (dtype === to || (isFloat(dtype) && isFloat(to))) return data
  const out = alloc(to, data.length, 'cast')
  out.set(data)
  return out
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

// --- cast

/** @internal the conversion itself: floats round to float32, truncate (saturating, NaN → 0) to int32, test ≠ 0 for bool. */
export function castImpl(x: ConcreteTensor, dtype: DType): ConcreteTensor {
  const out = alloc(dtype, x.size, 'cast', x.shape)
  if (dtype === 'bool') ki.toBool(x._data, out)
  else if (dtype === 'int32' && isFloat(x.dtype)) ki.floatToInt(x._data, out)
  else out.set(x._data)
  return fromData(out, x.shape, dtype)
}

const castP: Primitive<DType> = {
  name: 'cast',
  impl: ([x], dtype) => castImpl(x, dtype),
  jvp: ([t], _x, _o, dtype) => (t === null ? null : cast(t, dtype)),
  // The engine casts the cotangent back to the input's dtype.
  vjp: (g) => [g],
}

/**
 * Converts to another dtype: float64 → float32 rounds to nearest; int32 → float32 rounds beyond
 * 2²⁴; float → int32 truncates toward 0, saturating at −2³¹ and 2³¹ − 1, with NaN → 0 (as
 * XLA and Rust; a plain store would wrap); anything → bool is `x ≠ 0` (NaN is true); bool → any
 * is 0 or 1. Between floats it is differentiable (the gradient is cast back to the input's
 * dtype); a cast to int32 or bool is a constant to differentiation. Casting to the same dtype
 * returns the input itself.
 *
 * @example
 * import { cast, tensor, toFlatArray } from 'purediff'
 * if (cast(tensor([1.5]), 'float64').dtype !== 'float64') throw new Error()
 * if (toFlatArray(cast(tensor([-2.7, 2.7, NaN, 1e10]), 'int32')).join() !== '-2,2,0,2147483647') throw new Error()
 * if (toFlatArray(cast(tensor([0, -0.5, NaN]), 'bool')).join() !== '0,1,1') throw new Error()
 * @category arithmetic
 * @since 0.1.0
 */
export function cast(t: Tensor, dtype: DType): Tensor {
  const x = lift('cast', t, 'float32', 't')
  checkDType('cast', dtype)
  if (x.dtype === dtype) return x
  return bind(castP, [x], dtype)
}

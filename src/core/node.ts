/**
 * The records the engine keeps: a primitive (an op's forward kernel call and its vector-Jacobian
 * rule, side by side) and the node that remembers one application of it on a trace.
 *
 * @internal
 */
import type { Tensor } from '../tensor/Tensor.js'

// --- model

/**
 * A primitive operation. `impl` runs on concrete tensors only; `jvp` and `vjp` are written with
 * public, differentiable ops so that derivatives of derivatives work, and never name a dtype.
 * `vjp` may return cotangents in the broadcast (output) shape: the engine sums them back to each
 * input's shape and dtype in one place (`fitCotangent`), so rules never see broadcasting.
 */
export interface Primitive<P> {
  readonly name: string
  readonly impl: (inputs: readonly Tensor[], params: P) => Tensor
  /**
   * Forward rule: the tangent of the output given a tangent per input (null where the input
   * carries none), or null for a zero tangent. Like `vjp`, written with ops.
   */
  readonly jvp: (tangents: readonly (Tensor | null)[], inputs: readonly Tensor[], out: Tensor, params: P) => Tensor | null
  /** Cotangent per input, or null where the input gets no gradient; `needs[i]` is truthy when input i wants one. */
  readonly vjp: (g: Tensor, inputs: readonly Tensor[], out: Tensor, params: P, needs: readonly unknown[]) => readonly (Tensor | null)[]
}

/** One application of a primitive on a trace. */
export interface Node {
  readonly prim: Primitive<any>
  readonly params: unknown
  /** The inputs one level below this trace (what `vjp` receives). */
  readonly inputs: readonly Tensor[]
  /** The inputs as they were given: a box of this trace, or null for an input constant here. */
  readonly parents: readonly (Tensor | null)[]
  /** The output one level below this trace. */
  readonly out: Tensor
}

/**
 * A primitive: one operation the engine knows, with its forward computation on concrete tensors
 * and its two differentiation rules side by side. Ops are built from primitives and `bind`
 * (see `trace.ts`); a trace kind that needs a different rule per primitive (batching, staging)
 * keeps its own table keyed by `name`, so a new trace kind never edits an op.
 *
 * @internal
 */
import type { ConcreteTensor, Tensor } from '../tensor/model.js'

/**
 * A primitive operation with parameters of type P. `impl` runs on concrete tensors only (the
 * engine guarantees it: every input is concrete at level 0). `jvp` and `vjp` are written with
 * public, differentiable ops so that derivatives of derivatives work, and never name a dtype.
 * `vjp` may return cotangents in the broadcast (output) shape: reverse mode sums them back to
 * each input's shape and dtype in one place, so rules never see broadcasting; likewise forward
 * mode broadcasts and casts a `jvp` result to its output.
 */
export interface Primitive<P> {
  /** Unique among primitives: trace kinds with rule tables key them by it. */
  readonly name: string
  readonly impl: (inputs: readonly ConcreteTensor[], params: P) => ConcreteTensor
  /**
   * Forward rule: the tangent of the output given a tangent per input (null where the input
   * carries none), or null for a zero tangent.
   */
  readonly jvp: (tangents: readonly (Tensor | null)[], inputs: readonly Tensor[], out: Tensor, params: P) => Tensor | null
  /** Cotangent per input, or null where the input gets no gradient; `needs[i]` is truthy when input i wants one. */
  readonly vjp: (g: Tensor, inputs: readonly Tensor[], out: Tensor, params: P, needs: readonly unknown[]) => readonly (Tensor | null)[]
  /**
   * True for a primitive whose output is a constant to differentiation: piecewise constant
   * (comparisons, argmax, a max's mask) or made one (stopGradient). Its rules give null, and the
   * autodiff traces do not even call them: they return the value one level down as a constant
   * (no node, no tangent), exactly as if the op had run outside the trace. Other trace kinds
   * (batching, staging) process it like any primitive.
   */
  readonly nonDifferentiable?: true
}

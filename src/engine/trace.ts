/**
 * The engine: nested traces after HIPS autograd and JAX's autodidax, knowing no trace kind.
 *
 * A transform (grad, jvp, and later vmap or jit) opens a trace: an object implementing `Trace`,
 * with a level larger than that of every trace opened before it. It wraps its inputs in tracers
 * (tensors that point at the trace and carry its payload, see `Tracer`) and runs the user's
 * function. Every op calls `bind(prim, inputs, params)`, which finds the highest level among the
 * inputs: level 0 means all inputs are concrete, so it runs `prim.impl`; otherwise it hands the
 * primitive to that trace's `process`. A trace unwraps its own tracers only, calls `bind` again
 * on the values one level down (which may be tracers of outer traces), and wraps the result.
 * Because each trace sees only its own tracers, perturbation confusion cannot happen, and because
 * rules are written with ops, an inner trace's work is itself seen by the outer traces: grad of
 * grad just works.
 *
 * Adding a trace kind is one module above `ops` (see `src/core/reverse.ts` and
 * `src/core/forward.ts`): a `Trace` class, what its tracers carry (`Tracer<A, V>`), and its
 * rule per primitive (read from the `Primitive`, or from a table keyed by `prim.name` in that
 * module). Nothing here changes, and no op does.
 *
 * @internal
 */
import type { DType } from '../tensor/dtype.js'
import type { Shape } from '../tensor/shape.js'
import { type ConcreteTensor, type TraceTag, Tensor } from '../tensor/model.js'
import type { Primitive } from './primitive.js'

// --- model

/**
 * One open transform: how primitives applied to its tracers are computed. There is no `lift`:
 * `bind` hands values from lower levels to `process` as they are (lifting each constant into a
 * tracer would allocate per op); a trace kind treats them as constants (zero tangent, no node,
 * unbatched, a literal) in its own way. How a transform wraps its inputs is the kind's own API
 * (a tangent for jvp, nothing for vjp, an axis for a batch), so it is not part of this interface.
 */
export interface Trace extends TraceTag {
  /** Larger than the level of every trace opened before this one (see `newLevel`); never 0. */
  readonly level: number
  /**
   * Applies `prim` to `inputs`, of which at least one is a tracer of this trace and none belongs
   * to a higher level; the others are values from lower levels, constants to this trace. Returns
   * the result as this trace sees it (usually a tracer of this trace).
   */
  process<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor
}

/**
 * A value as a trace sees it: a tensor whose `_trace` is that trace, with the trace kind's
 * payload `A` in `_aux` and, in `_primal`, its value one level down (type V: a Tensor for the
 * autodiff kinds; a batching kind keeps the batched value there, a staging kind null). Made by
 * `newTracer` only; a trace recognises its own with `isTracerOf`.
 */
export type Tracer<A, V extends Tensor | null = Tensor> = Tensor & { readonly _trace: Trace; readonly _primal: V; readonly _aux: A }

/** What a tracer looks like to the ops: its shape, dtype and size (a tensor is one). */
export interface Aval {
  readonly shape: Shape
  readonly dtype: DType
  readonly size: number
}

/**
 * A tracer of `trace` that looks like `aval` (often `primal` itself: autodiff does not change
 * shapes; a batching kind hides its batch axis), over `primal`, with the kind's payload `aux` and
 * creation number `id` (0 when the kind does not order its values).
 */
export function newTracer<A, V extends Tensor | null = Tensor>(trace: Trace, aval: Aval, primal: V, aux: A, id: number): Tracer<A, V> {
  return new Tensor(aval.shape, aval.dtype, aval.size, null, trace, primal, aux, id) as Tracer<A, V>
}

/**
 * Whether `x` is a tracer of `trace`. Levels are unique to a trace, so one comparison decides;
 * `A` and `V` are the payload and primal that trace gives every tracer it makes (only it knows).
 */
export function isTracerOf<A, V extends Tensor | null = Tensor>(trace: Trace, x: Tensor): x is Tracer<A, V> {
  return x._level === trace.level
}

let lastLevel = 0

/** A fresh trace level, larger than every level handed out before. */
export function newLevel(): number {
  return ++lastLevel
}

// --- operations

/**
 * Applies a primitive to tensors: on concrete inputs, its `impl`; else the `process` of the
 * highest-level trace among the inputs. The number of inputs is small (1–3), so a plain loop.
 */
export function bind<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
  let level = 0
  let top: TraceTag | null = null
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i]
    if (x._level > level) {
      level = x._level
      top = x._trace
    }
  }
  // Level 0 is exactly the concrete tensors; every trace a tracer holds is a `Trace`.
  if (top === null) return prim.impl(inputs as readonly ConcreteTensor[], params)
  return (top as Trace).process(prim, inputs, params)
}

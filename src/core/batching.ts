/**
 * Batching as a trace kind (`vmap`): a `BatchTrace`'s tracers look like ONE example (their
 * shape has no batch axis) and carry the whole batch in their payload: the batched value one
 * level down and the axis of it that is the batch. Every primitive applied to them runs its
 * batching rule, which computes the batched result with ops on the batched values (moving the
 * batch axis where the kernel wants it, shifting axis parameters, broadcasting an unbatched
 * operand) — never a loop over examples. Rules are written with ops, so vmap nests with itself
 * and with the autodiff traces in any order.
 *
 * A batch tracer has no primal: `concrete` (toArray, item, …) refuses it instead of reading the
 * whole batch as if it were one example.
 *
 * @internal
 */
import { ShapeError } from '../tensor/errors.js'
import type { Shape } from '../tensor/shape.js'
import type { Tensor } from '../tensor/model.js'
import type { Primitive } from '../engine/primitive.js'
import { type Trace, type Tracer, isTracerOf, newLevel, newTracer } from '../engine/trace.js'
import { BATCH_RULES } from './batch/rules.js'

// --- model

/** What a batch tracer carries: the batched value (one level down) and its batch axis. */
export interface Batched {
  readonly value: Tensor
  readonly dim: number
}

type BatchTracer = Tracer<Batched, null>

/** A batching (vmap) trace over a batch of `size` examples. */
export class BatchTrace implements Trace {
  readonly level = newLevel()
  constructor(readonly size: number) {}

  /** Wraps `value`, batched along `dim`, as a tracer that looks like one example. */
  input(value: Tensor, dim: number): Tensor {
    return wrap(this, value, dim)
  }

  /** The batched value and batch axis of `x` (null when x is not batched on this trace). */
  unwrap(x: Tensor): Batched | null {
    return isTracerOf<Batched, null>(this, x) ? x._aux : null
  }

  process<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
    const n = inputs.length
    const vals = new Array<Tensor>(n)
    const dims = new Array<number | null>(n)
    for (let i = 0; i < n; i++) {
      const x = inputs[i]
      if (isTracerOf<Batched, null>(this, x)) {
        vals[i] = x._aux.value
        dims[i] = x._aux.dim
      } else {
        vals[i] = x
        dims[i] = null
      }
    }
    const rule = BATCH_RULES[prim.name]
    if (rule === undefined) throw new Error(`purediff: vmap has no batching rule for the primitive '${prim.name}'`)
    const [out, dim] = rule(prim, vals, dims, params, this.size)
    return dim === null ? out : wrap(this, out, dim)
  }
}

/** A tracer of `trace` for `value` batched along `dim`: it looks like one example. */
function wrap(trace: BatchTrace, value: Tensor, dim: number): BatchTracer {
  if (value.shape[dim] !== trace.size) {
    // A rule's bug, never the user's: say which axis it claimed.
    throw new ShapeError('vmap', `a batching rule returned shape [${value.shape.join(',')}] with batch axis ${dim}; expected size ${trace.size} there`)
  }
  const shape: Shape = Object.freeze(value.shape.filter((_, d) => d !== dim))
  let size = 1
  for (const d of shape) size *= d
  return newTracer<Batched, null>(trace, { shape, dtype: value.dtype, size }, null, { value, dim }, 0)
}

/**
 * Forward mode as a trace kind: a `ForwardTrace`'s tracers carry a tangent beside their primal,
 * and every primitive applied to them computes its output's tangent by its own `jvp` rule,
 * independently of the reverse rules. Rules are written with ops, so forward mode nests with
 * every other transform.
 *
 * @internal
 */
import { isFloat } from '../tensor/dtype.js'
import { shapesEqual } from '../tensor/shape.js'
import type { Tensor } from '../tensor/model.js'
import { zeros } from '../tensor/Tensor.js'
import type { Primitive } from '../engine/primitive.js'
import { type Trace, bind, isTracerOf, newLevel, newTracer } from '../engine/trace.js'
import { cast } from '../ops/arithmetic.js'
import { broadcastTo } from '../ops/shape.js'

// --- model

/**
 * What a forward trace's tracers carry beside their primal (the value one level down): the
 * tangent, of the primal's shape and dtype.
 */
type Tangent = Tensor

/** A forward-mode (jvp) trace: carries a tangent beside every value computed from its inputs. */
export class ForwardTrace implements Trace {
  readonly level = newLevel()

  /** Wraps `value` as an input of this trace carrying `tangent` (fitted to it: broadcast, cast). */
  input(value: Tensor, tangent: Tensor): Tensor {
    return newTracer<Tangent>(this, value, value, fitTangent(tangent, value), 0)
  }

  /** The value of `x` one level down (x itself when it is not a tracer of this trace). */
  primalOf(x: Tensor): Tensor {
    return isTracerOf<Tangent>(this, x) ? x._primal : x
  }

  /** The tangent `x` carries on this trace: zeros when it is not a tracer of this trace. */
  tangentOf(x: Tensor): Tensor {
    return isTracerOf<Tangent>(this, x) ? x._aux : zeros(x.shape, x.dtype)
  }

  process<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
    const n = inputs.length
    const vals = new Array<Tensor>(n)
    if (prim.nonDifferentiable === true) {
      // A constant here: it carries no tangent, not even a zero one (a zero tangent would still
      // enter rules, e.g. 0·∞ = NaN, where a constant contributes nothing).
      for (let i = 0; i < n; i++) vals[i] = this.primalOf(inputs[i])
      return bind(prim, vals, params)
    }
    const tangents = new Array<Tensor | null>(n)
    for (let i = 0; i < n; i++) {
      const x = inputs[i]
      if (isTracerOf<Tangent>(this, x)) {
        vals[i] = x._primal
        tangents[i] = x._aux
      } else {
        vals[i] = x
        tangents[i] = null
      }
    }
    const out = bind(prim, vals, params)
    // An int32 or bool result carries no tangent: a constant here, as in reverse mode.
    if (!isFloat(out.dtype)) return out
    return newTracer<Tangent>(this, out, out, fitTangent(prim.jvp(tangents, vals, out, params), out), 0)
  }
}

/** Broadcasts and casts a tangent rule's result to its output; null means a zero tangent. */
function fitTangent(tangent: Tensor | null, out: Tensor): Tensor {
  if (tangent === null) return zeros(out.shape, out.dtype)
  const t = shapesEqual(tangent.shape, out.shape) ? tangent : broadcastTo(tangent, out.shape)
  return t.dtype === out.dtype ? t : cast(t, out.dtype)
}

/**
 * Layer fusion for `sequential`: a layer that can apply itself with a ReLU fused in (dense:
 * relu(x·W + b) as one kernel) registers that variant here, and `relu()` layers are marked, so
 * `sequential(…, dense(n), relu(), …)` runs the pair as one node. The results are bitwise the
 * same as running them one after the other; only time and memory change.
 *
 * @internal
 */
import type { Tensor } from '../tensor/Tensor.js'

type FusedApply = (params: any, x: Tensor) => Tensor

const withRelu = new WeakMap<object, FusedApply>()
const reluLayers = new WeakSet<object>()

/** Registers `apply` as `layer` followed by a ReLU; returns `layer`. */
export function withReluFusion<L extends object>(layer: L, apply: FusedApply): L {
  withRelu.set(layer, apply)
  return layer
}

/** Marks `layer` as a plain ReLU (no params, no context); returns it. */
export function markRelu<L extends object>(layer: L): L {
  reluLayers.add(layer)
  return layer
}

/** The fused apply of `a` then `b`, when they fuse. */
export function fusedPair(a: object, b: object | undefined): FusedApply | undefined {
  return b !== undefined && reluLayers.has(b) ? withRelu.get(a) : undefined
}

/**
 * Layer fusion for `sequential`, read from the layers' descriptors (`Layer.fusion`, see
 * `LayerFusion` in Layer.ts): an `affine` layer (dense, conv1d, conv2d) followed by a `relu` layer runs as
 * relu(x·W + b) in one kernel. The results are bitwise those of applying the two layers one
 * after the other; only time and memory change. Because the descriptor is a field of the layer
 * and not a registry keyed by the object, a spread copy or a wrapper that passes it on stays
 * fused, and a layer without one is plainly unfused.
 *
 * @internal
 */
import type { Tensor } from '../tensor/Tensor.js'
import { ArgumentError } from '../tensor/errors.js'
import { describe } from './checks.js'
import type { LayerFusion } from './Layer.js'

/** A layer's apply with the following ReLU run inside it. */
export type FusedApply<P> = (params: P, x: Tensor) => Tensor

/** A layer as far as fusion is concerned: only its descriptor. */
interface Described<P> {
  readonly fusion?: LayerFusion<P>
}

/**
 * The descriptor of argument `i` of `op`, checked: undefined or one of the known kinds. A
 * malformed one is an error rather than a silent "not fused".
 */
export function checkLayerFusion<P>(op: string, i: number, layer: Described<P>): LayerFusion<P> | undefined {
  const f = layer.fusion
  if (f === undefined) return undefined
  if (f !== null && typeof f === 'object') {
    if (f.kind === 'relu') return f
    if (f.kind === 'affine' && typeof f.applyRelu === 'function') return f
  }
  throw new ArgumentError(op, `argument ${i} has fusion ${describe(f)}; expected undefined, { kind: 'relu' } or { kind: 'affine', applyRelu(params, x) }`)
}

/** The fused apply of `a` then `b` (`b` the next layer, if any), or undefined when they do not fuse. */
export function fusedPair<P>(a: LayerFusion<P> | undefined, b: LayerFusion<never> | undefined): FusedApply<P> | undefined {
  if (a?.kind !== 'affine' || b?.kind !== 'relu') return undefined
  // bound once here, so the step itself calls a plain function
  return (params, x) => a.applyRelu(params, x)
}

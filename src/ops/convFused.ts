/**
 * `convBias`: relu?(conv(x, W) + b) as one primitive, the convolution layer's forward with its
 * bias and ReLU in the kernel's epilogue (as `affine` is dense's). It computes exactly what
 * `relu(add(conv(x, W), b))` computes, the same roundings, so it is an implementation detail of
 * `conv1d`/`conv2d` and `sequential`: two fewer passes over the output, two fewer nodes.
 *
 * @internal
 */
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import type { Tensor } from '../tensor/Tensor.js'
import { add, plus } from './arithmetic.js'
import { convP, convValue, inputCotangent, kernelCotangent } from './conv.js'
import type { ConvParams } from './convOptions.js'
import { broadcastTo } from './shape.js'
import { reluGrad } from './unary.js'

/** The convolution's params and whether a ReLU follows. */
export interface ConvBiasParams {
  readonly conv: ConvParams
  readonly relu: boolean
}

// Inputs [x, w, b]: x and w as for conv, b one value per output channel, all of one dtype.
/** @internal The fused primitive (exported for its batching rule). */
export const convBiasP: Primitive<ConvBiasParams> = {
  name: 'convBias',
  impl: ([x, w, b], p) => convValue(x, w, p.conv, b, p.relu),
  // dz = conv(dx, W) + conv(x, dW) + db; through ReLU, dy = [y > 0]·dz (y > 0 exactly where z > 0).
  jvp: ([dx, dw, db], [x, w], y, p) => {
    let dz = plus(dx === null ? null : bind(convP, [dx, w], p.conv), dw === null ? null : bind(convP, [x, dw], p.conv))
    if (db !== null && db !== undefined) dz = dz === null ? broadcastTo(db, y.shape) : add(dz, db)
    return dz === null ? null : p.relu ? reluGrad(dz, y) : dz
  },
  // With gz = [y > 0]·g (or g): dx and dW are conv's cotangents of gz, db = gz (the engine sums
  // the broadcast cotangent back to b's shape, exactly as for add).
  vjp: (g, [x, w], y, p, needs) => {
    const gz = p.relu ? reluGrad(g, y) : g
    return [needs[0] ? inputCotangent(gz, x, w, p.conv) : null, needs[1] ? kernelCotangent(gz, x, w, p.conv) : null, needs[2] ? gz : null]
  },
}

/**
 * relu?(conv(x, W) + b) for params `p` already resolved (`resolveConv`), x, W and b of one float
 * dtype: bitwise the same as `relu(add(conv(x, W, opts), b))`, in one kernel call and one node.
 *
 * @internal
 */
export function convBias(x: Tensor, w: Tensor, b: Tensor, p: ConvParams, relu: boolean): Tensor {
  return bind(convBiasP, [x, w, b], { conv: p, relu })
}

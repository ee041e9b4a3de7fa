/**
 * Maxout, the learnable activation of the lecture: a linear map to units·pieces values, then the
 * maximum of each group of `pieces` consecutive values. For one input only the winning piece of
 * each group matters, so the network is a thin linear one and the gradient reaches only the
 * winner's weights; ReLU is the special case of two pieces with the second one fixed at 0.
 *
 * @since 0.1.0
 */
import { ShapeError, max, reshape } from '../index.js'
import { type DenseOptions, type DenseParams, linearApply, linearInit, linearOptions } from './dense.js'
import type { Layer } from './Layer.js'
import { checkOptions, checkPositiveInt } from './checks.js'

// --- model

/**
 * Options of `maxout`: `units` and `pieces` (positive integers, required), then the options of
 * the linear map as for `dense`: `kernelInit` (glorotUniform: He-initialised deep Maxout stacks
 * diverge), `biasInit` (zeros), `useBias` (true), `dtype` ('float32').
 *
 * @category model
 * @since 0.1.0
 */
export interface MaxoutOptions extends DenseOptions {
  readonly units: number
  readonly pieces: number
}

// --- constructors

/**
 * Maxout layer: z = x·W + b with W of shape `[inputs, units·pieces]`, then
 * aⱼ = max(z[j·pieces], …, z[j·pieces + pieces − 1]) for each unit j. Params `{ w, b }` as for
 * `dense`. The max runs on a `[…, units, pieces]` view of z (a reshape shares storage, so no
 * per-group copies); ties send the gradient to the first maximum. With pieces = 2 and the
 * second piece's weights and bias zero it is exactly ReLU of the first piece.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { maxout } from 'purediff/nn'
 * const layer = maxout({ units: 1, pieces: 2 })
 * const { params, outputShape } = layer.init(random.key(0), [2])
 * if (params.w.shape.join() !== '2,2' || outputShape.join() !== '1') throw new Error()
 * // piece 0: z₀ = x₀ + x₁; piece 1 is all zeros: a = max(z₀, 0) = relu(z₀)
 * const p = { w: tensor([[1, 0], [1, 0]]), b: tensor([0, 0]) }
 * if (toFlatArray(layer.apply(p, tensor([[1, 2], [-1, -2]]))).join() !== '3,0') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function maxout(opts: MaxoutOptions): Layer<DenseParams> {
  const o = checkOptions('maxout', opts)
  const units = checkPositiveInt('maxout', 'units', o.units)
  const pieces = checkPositiveInt('maxout', 'pieces', o.pieces)
  const name = `maxout(${units}×${pieces})`
  const lo = linearOptions(name, o)
  return {
    name,
    init: (key, inputShape) => {
      const { params, lead } = linearInit(name, lo, key, inputShape, units * pieces)
      return { params, outputShape: [...lead, units] }
    },
    apply: (params, x) => {
      const z = linearApply(name, params, x)
      const width = z.shape[z.rank - 1]
      if (width !== units * pieces) {
        throw new ShapeError(name, `params.w has ${width} columns; expected units·pieces = ${units}·${pieces} = ${units * pieces} (the kernel is [inputs, units·pieces])`)
      }
      return max(reshape(z, [...z.shape.slice(0, -1), units, pieces]), -1)
    },
  }
}

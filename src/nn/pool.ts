/**
 * Pooling layers, channels-last, without parameters: `maxPool2d` and `avgPool2d` pool each
 * example `[height, width, channels]` over windows (the ops `maxPool` and `avgPool`), and
 * `globalAvgPool` averages each channel over all spatial axes (`[...spatial, channels]` →
 * `[channels]`), the usual bridge from a CNN's last feature maps to its classifier.
 *
 * @since 0.4.0
 */
import { type PoolOptions, ShapeError, type Tensor, avgPool, maxPool, mean } from '../index.js'
import { poolParams, poolSpec, pooledShape } from '../ops/poolOptions.js'
import type { EmptyParams, Layer } from './Layer.js'
import { checkInput, checkInputShape, checkKey, checkOptions, fmt } from './checks.js'

// --- constructors

function pool2d(kind: 'maxPool2d' | 'avgPool2d', op: typeof maxPool, window: number | readonly number[], options: PoolOptions | undefined): Layer<EmptyParams> {
  const o = checkOptions(kind, options)
  // Checked now, so a bad window, stride or padding fails where the model is written.
  const spec = poolSpec(kind, 2, window, o, ' (height, width)')
  const name = `${kind}(${typeof window === 'number' ? window : JSON.stringify(window)})`
  const opts: PoolOptions = { strides: spec.strides, padding: spec.padding }
  return {
    name,
    init: (key, inputShape) => {
      checkKey(name, key)
      const s = checkInputShape(name, inputShape)
      if (s.length !== 3) throw new ShapeError(name, `inputShape must be [height, width, channels] (one example, without the batch axis), got ${fmt(s)}`)
      const p = poolParams(name, [1, ...s], spec.window, opts, `inputShape ${fmt(s)} (one example)`)
      return { params: {}, outputShape: pooledShape([1, ...s], p).slice(1) }
    },
    apply: (_params, x) => {
      const t = checkInput(name, x, 4)
      if (t.rank !== 4) throw new ShapeError(name, `x must be [batch, height, width, channels], got shape ${fmt(t.shape)}`)
      return op(t, spec.window, opts)
    },
  }
}

/**
 * 2-D max pooling layer: each example `[height, width, channels]` becomes
 * `[outHeight, outWidth, channels]` with y[o, c] the max of x over the window at o (see the op
 * `maxPool`: strides default to the window, padding to 'VALID'; the gradient goes to each
 * window's first maximum). `window` and `strides` take a number or `[height, width]`. No
 * parameters. Bad options throw when the layer is made; a window that does not fit the input,
 * in `init`.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { maxPool2d } from 'purediff/nn'
 * const layer = maxPool2d(2)
 * const { params, outputShape } = layer.init(random.key(0), [4, 4, 3])
 * if (outputShape.join() !== '2,2,3') throw new Error()
 * // one 2×2 example, one channel: a single window
 * if (toFlatArray(layer.apply(params, tensor([[[[1], [4]], [[3], [2]]]]))).join() !== '4') throw new Error()
 * if (maxPool2d([3, 2], { strides: 1, padding: 'SAME' }).init(random.key(0), [5, 5, 1]).outputShape.join() !== '5,5,1') throw new Error()
 * @category constructors
 * @since 0.4.0
 */
export function maxPool2d(window: number | readonly number[], options?: PoolOptions): Layer<EmptyParams> {
  return pool2d('maxPool2d', maxPool, window, options)
}

/**
 * 2-D average pooling layer: as `maxPool2d`, with y[o, c] the mean of x over the in-bounds
 * elements of the window at o (the op `avgPool`: with 'SAME' or explicit padding, a border
 * window averages only what it covers, as TF). No parameters.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { avgPool2d } from 'purediff/nn'
 * const layer = avgPool2d([1, 2])
 * const { params, outputShape } = layer.init(random.key(0), [1, 4, 1])
 * if (outputShape.join() !== '1,2,1') throw new Error()
 * if (toFlatArray(layer.apply(params, tensor([[[[1], [3], [5], [9]]]]))).join() !== '2,7') throw new Error()
 * @category constructors
 * @since 0.4.0
 */
export function avgPool2d(window: number | readonly number[], options?: PoolOptions): Layer<EmptyParams> {
  return pool2d('avgPool2d', avgPool, window, options)
}

/**
 * Global average pooling layer: each example `[...spatial, channels]` (one or more spatial
 * axes) becomes `[channels]`, the mean of each channel over every spatial position:
 * y[c] = (1 / (H·W·…)) Σ x[…, c]. No parameters. int32 and bool inputs are averaged in float32.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { globalAvgPool } from 'purediff/nn'
 * const layer = globalAvgPool()
 * const { params, outputShape } = layer.init(random.key(0), [2, 2, 2])
 * if (outputShape.join() !== '2') throw new Error()
 * // channel 0 holds 1, 2, 3, 4 and channel 1 holds 10, 20, 30, 40
 * const x = tensor([[[[1, 10], [2, 20]], [[3, 30], [4, 40]]]])
 * if (toFlatArray(layer.apply(params, x)).join() !== '2.5,25') throw new Error()
 * @category constructors
 * @since 0.4.0
 */
export function globalAvgPool(): Layer<EmptyParams> {
  const name = 'globalAvgPool'
  return {
    name,
    init: (key, inputShape) => {
      checkKey(name, key)
      const s = checkInputShape(name, inputShape)
      if (s.length < 2 || s.slice(0, -1).some((d) => d === 0)) {
        throw new ShapeError(
          name,
          `inputShape must be [...spatial, channels] with at least one spatial axis, none of length 0 (one example, without the batch axis), got ${fmt(s)}`,
        )
      }
      return { params: {}, outputShape: [s[s.length - 1]] }
    },
    apply: (_params, x): Tensor => {
      const t = checkInput(name, x, 3)
      return mean(
        t,
        Array.from({ length: t.rank - 2 }, (_, i) => i + 1),
      )
    },
  }
}

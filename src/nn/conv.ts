/**
 * Convolution layers: `conv1d` and `conv2d`, y = conv(x, W) + b over channels-last examples
 * `[...spatial, inC]`, with the kernel stored HWIO `[...kernelSize, inC/groups, filters]` (as
 * TF.js and Flax). Written as `dense` is: options checked at construction, shapes at init. The
 * bias, and a ReLU that follows in `sequential`, run in the convolution's epilogue (the fused
 * primitive of ops/convFused.ts), bit for bit the values of conv, add and relu one by one.
 *
 * @since 0.3.0
 */
import { type ConvOptions, type DType, type Tensor, ArgumentError, ShapeError, add, conv, random, relu as reluOp } from '../index.js'
import { convBias } from '../ops/convFused.js'
import { resolveConv } from '../ops/convOptions.js'
import { checkFloatDType, checkSize, isFloat } from '../tensor/dtype.js'
import { type Initializer, glorotUniform, zeros } from './init.js'
import type { Layer } from './Layer.js'
import { checkInput, checkInputShape, checkKey, checkOptions, checkParam, checkPositiveInt, describe, fmt, rethrowWithin } from './checks.js'

// --- model

/**
 * Options of `conv1d` and `conv2d`: `strides`, `dilation` (a number or one per spatial axis,
 * default 1), `padding` ('VALID' by default, 'SAME', or `[lo, hi]` per axis), `groups` (default
 * 1; depthwise when it equals the input channels), `useBias` (true), `kernelInit`
 * (`init.glorotUniform`, fans from the window as Keras), `biasInit` (`init.zeros`), `dtype`
 * ('float32').
 *
 * @example
 * import { random } from 'purediff'
 * import { type ConvLayerOptions, conv2d, init } from 'purediff/nn'
 * const opts: ConvLayerOptions = { strides: 2, padding: 'SAME', kernelInit: init.heNormal }
 * if (conv2d(8, 3, opts).init(random.key(0), [28, 28, 1]).outputShape.join() !== '14,14,8') throw new Error()
 * @category model
 * @since 0.3.0
 */
export interface ConvLayerOptions {
  readonly strides?: number | readonly number[]
  readonly padding?: ConvOptions['padding']
  readonly dilation?: number | readonly number[]
  readonly groups?: number
  readonly useBias?: boolean
  readonly kernelInit?: Initializer
  readonly biasInit?: Initializer
  readonly dtype?: DType
}

/**
 * The parameters of a convolution layer: the kernel `w` of shape `[...kernelSize, inC/groups,
 * filters]` and the bias `b` of shape `[filters]` (absent with `useBias: false`).
 *
 * @category model
 * @since 0.3.0
 */
export interface ConvParams {
  readonly w: Tensor
  readonly b?: Tensor
}

// --- the layer

/** The window as one length per spatial axis, checked. */
function windowOf(op: string, kernelSize: unknown, r: number): number[] {
  const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0
  if (ok(kernelSize)) return new Array<number>(r).fill(kernelSize as number)
  if (Array.isArray(kernelSize) && kernelSize.length === r && kernelSize.every(ok)) return kernelSize.slice()
  throw new ArgumentError(op, `kernelSize must be a positive integer or ${r} of them, got ${Array.isArray(kernelSize) ? `[${kernelSize.join(',')}]` : describe(kernelSize)}`)
}

function convLayer(r: 1 | 2, filters: number, kernelSize: number | readonly number[], opts: ConvLayerOptions | undefined): Layer<ConvParams> {
  const kind = r === 1 ? 'conv1d' : 'conv2d'
  const f = checkPositiveInt(kind, 'filters', filters)
  const name = `${kind}(${f})`
  const win = windowOf(name, kernelSize, r)
  const o = checkOptions(name, opts)
  const { kernelInit = glorotUniform, biasInit = zeros, useBias = true, dtype = 'float32', groups = 1 } = o
  if (typeof kernelInit !== 'function') throw new ArgumentError(name, `kernelInit must be an initialiser (key, shape, dtype) => Tensor, got ${describe(kernelInit)}`)
  if (typeof biasInit !== 'function') throw new ArgumentError(name, `biasInit must be an initialiser (key, shape, dtype) => Tensor, got ${describe(biasInit)}`)
  if (typeof useBias !== 'boolean') throw new ArgumentError(name, `useBias must be a boolean, got ${describe(useBias)}`)
  checkPositiveInt(name, 'groups', groups)
  if (f % groups !== 0) throw new ArgumentError(name, `filters ${f} must be a multiple of groups = ${groups}`)
  checkFloatDType(name, dtype)
  const copts: ConvOptions = { strides: o.strides, padding: o.padding, dilation: o.dilation, groups }
  /** The checked conv of one example's shape: its output shape, errors named by the layer. */
  const outputOf = (inputShape: readonly number[]): number[] => {
    try {
      return resolveConv([1, ...inputShape], [...win, inputShape[r] / groups, f], copts).shape.slice(1)
    } catch (e) {
      return rethrowWithin(e, name, `for one example of shape ${fmt(inputShape)}`)
    }
  }
  return {
    name,
    init: (key, inputShape) => {
      const k = checkKey(name, key)
      const s = checkInputShape(name, inputShape, r + 1)
      if (s.length !== r + 1) throw new ShapeError(name, `inputShape must be one example [${r === 1 ? 'width' : 'height, width'}, channels] (rank ${r + 1}), got ${fmt(s)}`)
      if (s[r] % groups !== 0) throw new ShapeError(name, `the input's ${s[r]} channels (inputShape ${fmt(s)}) are not a multiple of groups = ${groups}`)
      const outputShape = outputOf(s)
      const wshape = [...win, s[r] / groups, f]
      checkSize(name, wshape, dtype, 'the kernel w')
      const [kw, kb] = random.split(k)
      const w = made(name, 'kernelInit', kernelInit(kw, wshape, dtype), wshape, dtype)
      if (!useBias) return { params: { w }, outputShape }
      return { params: { w, b: made(name, 'biasInit', biasInit(kb, [f], dtype), [f], dtype) }, outputShape }
    },
    apply: (params, x) => apply(params, x, false),
    // `sequential` runs conv followed by relu as one fused kernel (see LayerFusion)
    fusion: { kind: 'affine', applyRelu: (params, x) => apply(params, x, true) },
  }

  /** relu?(conv(x, W) + b): one fused call when x, W and b share a float dtype, else op by op (the same values). */
  function apply(params: ConvParams, x: unknown, relu: boolean): Tensor {
    if (params === null || typeof params !== 'object') throw new ArgumentError(name, `params must be { w, b } as init returns, got ${describe(params)}`)
    const w = checkParam(name, 'w', params.w)
    const b = params.b === undefined ? undefined : checkParam(name, 'b', params.b)
    if (w.rank !== r + 2) throw new ShapeError(name, `params.w must be a kernel of shape [...kernelSize, inChannels/groups, filters] (rank ${r + 2}), got ${fmt(w.shape)}`)
    if (b !== undefined && (b.rank !== 1 || b.shape[0] !== w.shape[r + 1])) {
      throw new ShapeError(name, `params.b must have shape [${w.shape[r + 1]}] to match the kernel ${fmt(w.shape)}, got ${fmt(b.shape)}`)
    }
    const t = checkInput(name, x, r + 2)
    if (t.rank !== r + 2) throw new ShapeError(name, `x must be a batch [batch, ${r === 1 ? 'width' : 'height, width'}, channels] (rank ${r + 2}), got ${fmt(t.shape)}`)
    let y: Tensor
    try {
      if (b !== undefined && isFloat(t.dtype) && t.dtype === w.dtype && b.dtype === t.dtype) return convBias(t, w, b, resolveConv(t.shape, w.shape, copts).params, relu)
      y = conv(t, w, copts)
    } catch (e) {
      return rethrowWithin(e, name, `x ${fmt(t.shape)}, params.w ${fmt(w.shape)}`)
    }
    if (b !== undefined) y = add(y, b)
    return relu ? reluOp(y) : y
  }
}

function made(op: string, which: string, t: unknown, shape: readonly number[], dtype: DType): Tensor {
  const p = checkParam(op, which === 'kernelInit' ? 'w' : 'b', t)
  if (p.shape.length !== shape.length || p.shape.some((d, i) => d !== shape[i]) || p.dtype !== dtype) {
    throw new ShapeError(op, `${which} returned a ${p.dtype} tensor of shape ${fmt(p.shape)}; expected ${dtype} ${fmt(shape)}`)
  }
  return p
}

// --- constructors

/**
 * 1-D convolution layer over examples `[width, inC]`: y = conv(x, W, opts) + b with W of shape
 * `[kernelSize, inC/groups, filters]` and b of shape `[filters]`; outputs `[width', filters]`
 * (width' as `conv` computes it). Defaults as `ConvLayerOptions` says.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { conv1d } from 'purediff/nn'
 * const layer = conv1d(1, 2)
 * const { outputShape } = layer.init(random.key(0), [4, 1])
 * if (outputShape.join() !== '3,1') throw new Error()
 * // W = [1, 1] (window sums) and b = 0.5 over [1, 2, 3, 4]: [3.5, 5.5, 7.5]
 * const y = layer.apply({ w: tensor([[[1]], [[1]]]), b: tensor([0.5]) }, tensor([[[1], [2], [3], [4]]]))
 * if (toFlatArray(y).join() !== '3.5,5.5,7.5') throw new Error()
 * @category constructors
 * @since 0.3.0
 */
export function conv1d(filters: number, kernelSize: number | readonly number[], opts?: ConvLayerOptions): Layer<ConvParams> {
  return convLayer(1, filters, kernelSize, opts)
}

/**
 * 2-D convolution layer over examples `[height, width, inC]`: y = conv(x, W, opts) + b with W
 * of shape `[kh, kw, inC/groups, filters]` (HWIO) and b of shape `[filters]`; outputs
 * `[height', width', filters]`. `kernelSize` is a number or `[kh, kw]`. Defaults as
 * `ConvLayerOptions` says (Glorot uniform kernel with fans from the window, zero bias).
 *
 * @example
 * import { random, zeros } from 'purediff'
 * import { conv2d } from 'purediff/nn'
 * const layer = conv2d(32, 5)
 * const { params, outputShape } = layer.init(random.key(0), [28, 28, 1])
 * if (params.w.shape.join() !== '5,5,1,32' || outputShape.join() !== '24,24,32') throw new Error()
 * if (layer.apply(params, zeros([2, 28, 28, 1])).shape.join() !== '2,24,24,32') throw new Error()
 * @category constructors
 * @since 0.3.0
 */
export function conv2d(filters: number, kernelSize: number | readonly number[], opts?: ConvLayerOptions): Layer<ConvParams> {
  return convLayer(2, filters, kernelSize, opts)
}

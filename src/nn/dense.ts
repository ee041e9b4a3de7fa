/**
 * The fully connected layer: y = x·W + b, one matmul plus a broadcast add, with the kernel
 * stored as `[inputs, units]` (as JAX and TF.js do). The linear map here is shared with
 * `maxout`.
 *
 * @since 0.1.0
 */
import { type DType, type Tensor, ArgumentError, ShapeError, add, matmul, random, relu as reluOp, reshape } from '../index.js'
import { affine } from '../ops/fused.js'
import { checkFloatDType, checkSize } from '../tensor/dtype.js'
import { type Initializer, glorotUniform, zeros } from './init.js'
import type { Layer } from './Layer.js'
import { checkInput, checkInputShape, checkKey, checkOptions, checkParam, checkPositiveInt, describe, fmt } from './checks.js'

// --- model

/**
 * Options of `dense` (and of `maxout`'s linear map). Defaults: `kernelInit` `init.glorotUniform`,
 * `biasInit` `init.zeros`, `useBias` true, `dtype` 'float32' (the dtype of the parameters; use
 * 'float64' for gradient checks).
 *
 * @example
 * import { random } from 'purediff'
 * import { type DenseOptions, dense, init } from 'purediff/nn'
 * const opts: DenseOptions = { kernelInit: init.heNormal, useBias: false, dtype: 'float64' }
 * const { params } = dense(2, opts).init(random.key(0), [3])
 * if ('b' in params || params.w.dtype !== 'float64') throw new Error()
 * @category model
 * @since 0.1.0
 */
export interface DenseOptions {
  readonly kernelInit?: Initializer
  readonly biasInit?: Initializer
  readonly useBias?: boolean
  readonly dtype?: DType
}

/**
 * The parameters of `dense` and `maxout`: the kernel `w` of shape `[inputs, units]` and the
 * bias `b` of shape `[units]` (absent with `useBias: false`).
 *
 * @category model
 * @since 0.1.0
 */
export interface DenseParams {
  readonly w: Tensor
  readonly b?: Tensor
}

// --- the linear map (shared with maxout)

/** @internal Checked options with their defaults. */
export function linearOptions(op: string, opts: DenseOptions | undefined): Required<DenseOptions> {
  const o = checkOptions(op, opts)
  const { kernelInit = glorotUniform, biasInit = zeros, useBias = true, dtype = 'float32' } = o
  if (typeof kernelInit !== 'function') throw new ArgumentError(op, `kernelInit must be an initialiser (key, shape, dtype) => Tensor, got ${describe(kernelInit)}`)
  if (typeof biasInit !== 'function') throw new ArgumentError(op, `biasInit must be an initialiser (key, shape, dtype) => Tensor, got ${describe(biasInit)}`)
  if (typeof useBias !== 'boolean') throw new ArgumentError(op, `useBias must be a boolean, got ${describe(useBias)}`)
  checkFloatDType(op, dtype)
  return { kernelInit, biasInit, useBias, dtype }
}

/** @internal Parameters of a linear map from the last axis of `inputShape` to `width` outputs. */
export function linearInit(op: string, o: Required<DenseOptions>, key: unknown, inputShape: unknown, width: number): { params: DenseParams; lead: number[] } {
  const k = checkKey(op, key)
  const s = checkInputShape(op, inputShape, 1)
  const inputs = s[s.length - 1]
  // Checked from the shapes before any initialiser runs: dense(1e9) fails here, not at 9 GB.
  checkSize(op, [inputs, width], o.dtype, 'the kernel w')
  const [kw, kb] = random.split(k)
  const w = made(op, 'kernelInit', o.kernelInit(kw, [inputs, width], o.dtype), [inputs, width], o.dtype)
  if (!o.useBias) return { params: { w }, lead: s.slice(0, -1) }
  const b = made(op, 'biasInit', o.biasInit(kb, [width], o.dtype), [width], o.dtype)
  return { params: { w, b }, lead: s.slice(0, -1) }
}

/** @internal x·W (+ b) over the last axis of x, checked: names the layer and both widths. */
export function linearApply(op: string, params: DenseParams, x: unknown, relu = false): Tensor {
  if (params === null || typeof params !== 'object') throw new ArgumentError(op, `params must be { w, b } as init returns, got ${describe(params)}`)
  const w = checkParam(op, 'w', params.w)
  const b = params.b === undefined ? undefined : checkParam(op, 'b', params.b)
  if (w.rank !== 2) throw new ShapeError(op, `params.w must be a kernel of shape [inputs, units], got ${fmt(w.shape)}`)
  if (b !== undefined && (b.rank !== 1 || b.shape[0] !== w.shape[1])) {
    throw new ShapeError(op, `params.b must have shape [${w.shape[1]}] to match the kernel ${fmt(w.shape)}, got ${fmt(b.shape)}`)
  }
  const t = checkInput(op, x, 2)
  const width = t.shape[t.rank - 1]
  if (width !== w.shape[0]) {
    throw new ShapeError(
      op,
      `input width ${width} does not match the kernel's ${w.shape[0]}: x has shape ${fmt(t.shape)}, the kernel ${fmt(w.shape)} is [inputs, units]; expected x of shape [batch, …, ${w.shape[0]}]`,
    )
  }
  // One product: leading axes are folded into the rows (a reshape shares storage). With one
  // dtype throughout, product, bias and ReLU are one fused kernel (bitwise the same values).
  const rows = t.rank === 2 ? t : reshape(t, [-1, width])
  let y: Tensor
  if (w.dtype === t.dtype && (b === undefined || b.dtype === t.dtype)) y = affine(rows, w, b, relu)
  else {
    y = matmul(rows, w)
    if (b !== undefined) y = add(y, b)
    if (relu) y = reluOp(y)
  }
  return t.rank === 2 ? y : reshape(y, [...t.shape.slice(0, -1), w.shape[1]])
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
 * Fully connected layer: y = x·W + b, W of shape `[inputs, units]`, b of shape `[units]`,
 * applied to the last axis of x (`[batch, …, inputs]` → `[batch, …, units]`). Defaults:
 * glorotUniform kernel, zero bias, `useBias` true, float32 parameters (`{ dtype: 'float64' }`
 * for float64). A wrong input width is a ShapeError naming the layer (`dense(64)`) and both
 * widths.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { dense } from 'purediff/nn'
 * const layer = dense(2)
 * const { params, outputShape } = layer.init(random.key(0), [3])
 * if (params.w.shape.join() !== '3,2' || params.b?.shape.join() !== '2' || outputShape.join() !== '2') throw new Error()
 * // with W = [[1, 0], [0, 1], [1, 1]] and b = [0.5, -0.5]: [1, 2, 3]·W + b = [4.5, 4.5]
 * const y = layer.apply({ w: tensor([[1, 0], [0, 1], [1, 1]]), b: tensor([0.5, -0.5]) }, tensor([[1, 2, 3]]))
 * if (toFlatArray(y).join() !== '4.5,4.5') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function dense(units: number, opts?: DenseOptions): Layer<DenseParams> {
  const u = checkPositiveInt('dense', 'units', units)
  const name = `dense(${u})`
  const o = linearOptions(name, opts)
  return {
    name,
    init: (key, inputShape) => {
      const { params, lead } = linearInit(name, o, key, inputShape, u)
      return { params, outputShape: [...lead, u] }
    },
    apply: (params, x) => linearApply(name, params, x),
    // `sequential` runs dense followed by relu as one fused kernel (see LayerFusion)
    fusion: { kind: 'affine', applyRelu: (params, x) => linearApply(name, params, x, true) },
  }
}

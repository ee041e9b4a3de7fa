/**
 * General dilated convolution, channels-last with HWIO kernels: one primitive `conv` whose
 * params carry every option (explicit padding, strides, kernel and input dilation, groups). Its
 * impl is im2col + the packed GEMM (src/kernels/conv.ts). Both cotangents are again `conv`s
 * (as JAX's transpose rules of conv_general_dilated), so derivatives of every order work.
 *
 * Dtypes: float32 and float64 (a float32 operand beside a float64 one is cast up); int32 and
 * bool operands are refused with a DTypeError (a convolution of integers has no use here that a
 * cast cannot serve).
 *
 * @since 0.3.0
 */
import * as kc from '../kernels/conv.js'
import { type FloatArray, alloc, isFloat, promote } from '../tensor/dtype.js'
import { DTypeError, fmt } from '../tensor/errors.js'
import { sizeOf } from '../tensor/shape.js'
import { type Tensor, fromData } from '../tensor/Tensor.js'
import { checkTensor } from '../tensor/checks.js'
import type { Primitive } from '../engine/primitive.js'
import type { ConcreteTensor } from '../tensor/model.js'
import { bind } from '../engine/trace.js'
import { cast, plus } from './arithmetic.js'
import { flip } from './movement.js'
import { reshape, transpose } from './shape.js'
import { type ConvOptions, type ConvParams, dilated, outLength, resolveConv } from './convOptions.js'

export type { ConvOptions } from './convOptions.js'

/** Spatial lengths padded to 3 axes in front (the kernel works on 3; its last axis is the widest run of memory). */
const three = (v: readonly number[], fill: number): number[] => [...new Array<number>(3 - v.length).fill(fill), ...v]

/**
 * conv(x, w) (+ bias per output channel) (then ReLU) as a new tensor: the impl of `conv` and of
 * the fused `convBias` (./convFused.ts), which share the kernel and its epilogue.
 *
 * @internal
 */
export function convValue(x: ConcreteTensor, w: ConcreteTensor, p: ConvParams, bias: ConcreteTensor | null, relu: boolean): ConcreteTensor {
  {
    const r = x.rank - 2
    const o = Array.from({ length: r }, (_, a) => outLength(x.shape[a + 1], w.shape[a], p, a))
    const shape = Object.freeze([x.shape[0], ...o, w.shape[r + 1]])
    const out = alloc(x.dtype, sizeOf(shape), 'conv', shape) as FloatArray
    kc.conv(
      x._data as FloatArray,
      w._data as FloatArray,
      out,
      {
        batch: x.shape[0],
        n: three(x.shape.slice(1, r + 1), 1),
        inC: x.shape[r + 1],
        k: three(w.shape.slice(0, r), 1),
        outC: w.shape[r + 1],
        o: three(o, 1),
        strides: three(p.strides, 1),
        dilation: three(p.dilation, 1),
        lhsDilation: three(p.lhsDilation, 1),
        lo: three(p.lo, 0),
        groups: p.groups,
      },
      undefined,
      undefined,
      bias === null ? null : (bias._data as FloatArray),
      relu,
    )
    return fromData(out, shape, x.dtype) as ConcreteTensor
  }
}

/** @internal The convolution primitive (exported for the fused `convBias` and its batching rule). */
export const convP: Primitive<ConvParams> = {
  name: 'conv',
  impl: ([x, w], p) => convValue(x, w, p, null, false),
  // Bilinear: d conv(x, w) = conv(dx, w) + conv(x, dw).
  jvp: ([dx, dw], [x, w], _o, p) => plus(dx === null ? null : bind(convP, [dx, w], p), dw === null ? null : bind(convP, [x, dw], p)),
  vjp: (g, [x, w], _o, p, needs) => [needs[0] ? inputCotangent(g, x, w, p) : null, needs[1] ? kernelCotangent(g, x, w, p) : null],
}

/**
 * dx = conv(g, w̃) where w̃ is w flipped along the window with its channel axes swapped per group.
 * Per axis, y[o] = Σ_t x̃[o·s + t·d − lo]·w[t] gives x̃[p] = Σ_t ğ[p + lo − t·d]·w[t], with ğ the
 * cotangent dilated by s (ğ[o·s] = g[o], Gd = (O − 1)·s + 1 positions). Flipping t ↦ K − 1 − t:
 * x̃[p] = Σ_t ğ[p + t·d − (k' − 1 − lo)]·w[K − 1 − t], a conv of g with lhsDilation s, kernel
 * dilation d and low padding k' − 1 − lo. x itself sits at the multiples of ld in x̃, so the
 * stride is ld; the n outputs need (n − 1)·ld = Gd + lo' + hi' − k', i.e. hi' = n' + lo − Gd.
 * Either padding may be negative (an explicit padding wider than the dilated window): the
 * kernel crops then.
 *
 * @internal (also the fused convBias's, ./convFused.ts)
 */
export function inputCotangent(g: Tensor, x: Tensor, w: Tensor, p: ConvParams): Tensor {
  const r = x.rank - 2
  const G = p.groups
  const win = w.shape.slice(0, r)
  const cg = w.shape[r],
    og = w.shape[r + 1] / G
  // [..win, cg, G·og] → [..win, og, G·cg]: output channel q·cg + c reads input channel q·og + j.
  const sp = Array.from({ length: r }, (_, a) => a)
  const wt = reshape(transpose(reshape(w, [...win, cg, G, og]), [...sp, r + 2, r + 1, r]), [...win, og, G * cg])
  const lo: number[] = [],
    hi: number[] = []
  for (let a = 0; a < r; a++) {
    const kd = dilated(win[a], p.dilation[a])
    const gd = dilated(g.shape[a + 1], p.strides[a])
    lo.push(kd - 1 - p.lo[a])
    hi.push(dilated(x.shape[a + 1], p.lhsDilation[a]) + p.lo[a] - gd)
  }
  const q: ConvParams = { strides: p.lhsDilation, dilation: p.dilation, lhsDilation: p.strides, lo, hi, groups: G }
  return bind(convP, [g, flip(wt, sp)], q)
}

/**
 * dw = conv(x̂, ĝ) with batch and channel roles exchanged. Per axis,
 * dw[t] = Σ_{b,o} x̃[t·d + o·s − lo]·g[o]: a conv whose output runs over window entries t with
 * stride d, whose "kernel" is g with dilation s, over x̃ (lhsDilation ld, low padding lo). The k
 * outputs need (k − 1)·d = n' + lo + hi' − Gd, i.e. hi' = k' − 1 + Gd − n' − lo. Channels: x̂
 * has x's channels as its batch and group q's batch·channels as its channels (x̂[c, …, q·B + b]
 * = x[b, …, q·cg + c]); ĝ is g with its batch axis as input channels, so each group multiplies
 * its own channels.
 *
 * @internal (also the fused convBias's, ./convFused.ts)
 */
export function kernelCotangent(g: Tensor, x: Tensor, w: Tensor, p: ConvParams): Tensor {
  const r = x.rank - 2
  const G = p.groups
  const B = x.shape[0]
  const sx = x.shape.slice(1, r + 1)
  const cg = w.shape[r]
  const sp = Array.from({ length: r }, (_, a) => a + 1)
  // x [B, ..n, G·cg] → [B, ..n, G, cg] → [cg, ..n, G, B] → [cg, ..n, G·B]
  const xh = reshape(transpose(reshape(x, [B, ...sx, G, cg]), [r + 2, ...sp, r + 1, 0]), [cg, ...sx, G * B])
  // g [B, ..o, outC] → [..o, B, outC]
  const gh = transpose(g, [...sp, 0, r + 1])
  const hi: number[] = []
  for (let a = 0; a < r; a++) {
    hi.push(dilated(w.shape[a], p.dilation[a]) - 1 + dilated(g.shape[a + 1], p.strides[a]) - dilated(sx[a], p.lhsDilation[a]) - p.lo[a])
  }
  const q: ConvParams = { strides: p.dilation, dilation: p.strides, lhsDilation: p.lhsDilation, lo: p.lo, hi, groups: G }
  // [cg, ..k, outC] → [..k, cg, outC]
  return transpose(bind(convP, [xh, gh], q), [...sp, 0, r + 1])
}

/**
 * General convolution (cross-correlation, as in every deep-learning library), channels-last:
 * x is `[batch, ...spatial, inC]` with 1, 2 or 3 spatial axes, the kernel is
 * `[...window, inC/groups, outC]` (HWIO). Per spatial axis with stride s, kernel dilation d,
 * input dilation ld and padding [lo, hi]:
 *
 *   y[b, o, q·og + j] = Σ_{t, c} x̃[b, o·s + t·d − lo, q·cg + c] · w[t, c, q·og + j],
 *
 * where x̃ is x with ld − 1 zeros between neighbours (`lhsDilation`, a transposed convolution),
 * cg = inC/groups and og = outC/groups; the output has ⌊(n' + lo + hi − k') / s⌋ + 1 positions
 * per axis (n' = (n − 1)·ld + 1, k' = (k − 1)·d + 1). 'SAME' pads as TF (total
 * max((⌈n'/s⌉ − 1)·s + k' − n', 0), the extra on the high side); 'VALID' pads nothing.
 * float32/float64 only (mixed → float64; int32/bool is a DTypeError). Its vjp is two `conv`s.
 *
 * @example
 * import { conv, tensor, toArray } from 'purediff'
 * // a 1-D moving difference x[i+1] − x[i] on one channel: kernel [2, 1, 1] = [-1, 1]
 * const y = conv(tensor([[[1], [4], [9], [16]]]), tensor([[[-1]], [[1]]]))
 * if (JSON.stringify(toArray(y)) !== '[[[3],[5],[7]]]') throw new Error()
 * @category linear algebra
 * @since 0.3.0
 */
export function conv(x: Tensor, kernel: Tensor, opts: ConvOptions = {}): Tensor {
  checkTensor('conv', x, 'x')
  checkTensor('conv', kernel, 'kernel')
  if (!isFloat(x.dtype) || !isFloat(kernel.dtype)) {
    throw new DTypeError('conv', `x (${x.dtype} ${fmt(x.shape)}) and kernel (${kernel.dtype} ${fmt(kernel.shape)}) must be float32 or float64; cast integers first`)
  }
  const { params } = resolveConv(x.shape, kernel.shape, opts)
  const dt = promote(x.dtype, kernel.dtype)
  return bind(convP, [cast(x, dt), cast(kernel, dt)], params)
}

/**
 * Elementwise kernels: typed arrays in, typed arrays out; no Tensor, no autodiff. Each op has
 * its own plain loop (no per-element closure). Binary kernels work on "runs": the broadcasting
 * driver resolves strides once per op and calls the op's run function once per contiguous
 * inner row, so a per-element function call never happens.
 *
 * @internal
 */
import type { TypedArray } from '../tensor/dtype.js'
import { broadcastStrides, shapesEqual, type Shape } from '../tensor/shape.js'

// --- unary

export type UnaryKernel = (x: TypedArray, out: TypedArray) => void

export const neg: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = -x[i]
}
export const abs: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = Math.abs(x[i])
}
/** sign(0) = 0, sign(NaN) = NaN. */
export const sign: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    o[i] = v > 0 ? 1 : v < 0 ? -1 : v
  }
}
export const exp: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = Math.exp(x[i])
}
export const expm1: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = Math.expm1(x[i])
}
export const log: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = Math.log(x[i])
}
export const log1p: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = Math.log1p(x[i])
}
export const sqrt: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = Math.sqrt(x[i])
}
export const square: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    o[i] = v * v
  }
}
export const sin: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = Math.sin(x[i])
}
export const cos: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = Math.cos(x[i])
}
export const tanh: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = Math.tanh(x[i])
}
/** Stable for both signs: never evaluates exp of a large positive number. */
export const sigmoid: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    if (v >= 0) o[i] = 1 / (1 + Math.exp(-v))
    else {
      const e = Math.exp(v)
      o[i] = e / (1 + e)
    }
  }
}
/** log(1 + eˣ) without overflow: max(x, 0) + log1p(e^(−|x|)) (NaN gives NaN through both terms). */
export const softplus: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    o[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)))
  }
}
/** relu(NaN) = NaN: `v > 0 ? v : 0` would hide a NaN, so test for it. */
export const relu: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    o[i] = v > 0 ? v : Number.isNaN(v) ? v : 0
  }
}
/** 1 where x > 0, else 0: relu's derivative with relu'(0) = 0. */
export const step: UnaryKernel = (x, o) => {
  for (let i = 0; i < x.length; i++) o[i] = x[i] > 0 ? 1 : 0
}
export const copy: UnaryKernel = (x, o) => {
  o.set(x)
}

// --- the ReLU family, fused (a parameter α, one loop forward and one loop backward)

/** leakyRelu: x > 0 ? x : α·x (NaN stays NaN). */
export function leakyRelu(x: TypedArray, o: TypedArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    o[i] = v > 0 ? v : alpha * v
  }
}
/** leakyRelu's vjp/jvp: g·(x > 0 ? 1 : α), so the derivative at 0 is α. */
/** g·[x > 0]: relu's backward in one pass. */
export function reluGrad(g: TypedArray, x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < o.length; i++) o[i] = x[i] > 0 ? g[i] : 0
}
/** g·y·(1 − y) from sigmoid's output y. */
export function sigmoidGrad(g: TypedArray, y: TypedArray, o: TypedArray): void {
  for (let i = 0; i < o.length; i++) {
    const v = y[i]
    o[i] = g[i] * v * (1 - v)
  }
}
/** g·(1 − y²) from tanh's output y. */
export function tanhGrad(g: TypedArray, y: TypedArray, o: TypedArray): void {
  for (let i = 0; i < o.length; i++) {
    const v = y[i]
    o[i] = g[i] * (1 - v * v)
  }
}
/** g·σ(x): softplus's backward, σ computed stably for both signs. */
export function softplusGrad(g: TypedArray, x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < o.length; i++) {
    const v = x[i]
    let s: number
    if (v >= 0) s = 1 / (1 + Math.exp(-v))
    else {
      const e = Math.exp(v)
      s = e / (1 + e)
    }
    o[i] = g[i] * s
  }
}

export function leakyReluGrad(g: TypedArray, x: TypedArray, o: TypedArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) o[i] = x[i] > 0 ? g[i] : alpha * g[i]
}
/** elu: x > 0 ? x : α·(eˣ − 1); expm1 is only evaluated on the negative branch. */
export function elu(x: TypedArray, o: TypedArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    o[i] = v > 0 ? v : alpha * Math.expm1(v)
  }
}
/** elu's vjp/jvp: g·(x > 0 ? 1 : α·eˣ); eˣ directly, not y + α, which cancels for x ≪ 0. */
export function eluGrad(g: TypedArray, x: TypedArray, o: TypedArray, alpha: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    o[i] = v > 0 ? g[i] : g[i] * (alpha * Math.exp(v))
  }
}
/** prelu(a = x, b = α): a > 0 ? a : b·a. */
export const preluRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) {
    const v = a[ai]
    o[oi + i] = v > 0 ? v : b[bi] * v
  }
}
/** prelu's slope ∂y/∂x (a = x, b = α): a > 0 ? 1 : b, so the slope at 0 is α. */
export const preluSlopeRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] > 0 ? 1 : b[bi]
}

// --- binary

/** One contiguous run of a binary op: n outputs from a (stride as) and b (stride bs). */
export type BinaryRun = (a: TypedArray, ai: number, as: number, b: TypedArray, bi: number, bs: number, o: TypedArray, oi: number, n: number) => void

export const addRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oi + i] = a[ai + i] + b[bi + i]
  else for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] + b[bi]
}
export const subRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oi + i] = a[ai + i] - b[bi + i]
  else for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] - b[bi]
}
export const mulRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oi + i] = a[ai + i] * b[bi + i]
  else for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] * b[bi]
}
export const divRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  if (as === 1 && bs === 1) for (let i = 0; i < n; i++) o[oi + i] = a[ai + i] / b[bi + i]
  else for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] / b[bi]
}
export const powRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] ** b[bi]
}
/**
 * IEEE 754-2019 maximum: NaN if either is NaN, and +0 > −0, which is exactly `Math.max` (a
 * comparison `x >= y ? x : y` would return −0 for (−0, +0), since −0 >= +0).
 */
export const maximumRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.max(a[ai], b[bi])
}
/** IEEE 754-2019 minimum: NaN if either is NaN, and −0 < +0, which is exactly `Math.min`. */
export const minimumRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = Math.min(a[ai], b[bi])
}
export const equalRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] === b[bi] ? 1 : 0
}
export const greaterRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] > b[bi] ? 1 : 0
}
export const greaterEqualRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] >= b[bi] ? 1 : 0
}
export const lessRun: BinaryRun = (a, ai, as, b, bi, bs, o, oi, n) => {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = a[ai] < b[bi] ? 1 : 0
}

/**
 * Drives a binary run over broadcast shapes. Strides are resolved once; the outer axes are
 * walked with a counter; each inner row is one call of `run`.
 */
export function binary(run: BinaryRun, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, out: TypedArray): void {
  const n = out.length
  if (n === 0) return
  if (shapesEqual(aShape, bShape)) {
    run(a, 0, 1, b, 0, 1, out, 0, n)
    return
  }
  if (a.length === 1 && shapesEqual(bShape, outShape)) {
    run(a, 0, 0, b, 0, 1, out, 0, n)
    return
  }
  if (b.length === 1 && shapesEqual(aShape, outShape)) {
    run(a, 0, 1, b, 0, 0, out, 0, n)
    return
  }
  const rank = outShape.length
  const sa = broadcastStrides(aShape, outShape)
  const sb = broadcastStrides(bShape, outShape)
  const inner = outShape[rank - 1]
  const ia = sa[rank - 1]
  const ib = sb[rank - 1]
  const idx = new Array<number>(rank).fill(0)
  let ai = 0
  let bi = 0
  for (let o = 0; o < n; o += inner) {
    run(a, ai, ia, b, bi, ib, out, o, inner)
    for (let d = rank - 2; d >= 0; d--) {
      ai += sa[d]
      bi += sb[d]
      if (++idx[d] < outShape[d]) break
      ai -= sa[d] * outShape[d]
      bi -= sb[d] * outShape[d]
      idx[d] = 0
    }
  }
}

/** `out[i] = cond[i] != 0 ? a[i] : b[i]` over broadcast shapes. */
export function where(c: TypedArray, cShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, out: TypedArray): void {
  const n = out.length
  if (n === 0) return
  if (shapesEqual(cShape, outShape) && shapesEqual(aShape, outShape) && shapesEqual(bShape, outShape)) {
    for (let i = 0; i < n; i++) out[i] = c[i] !== 0 ? a[i] : b[i]
    return
  }
  const rank = outShape.length
  const sc = broadcastStrides(cShape, outShape)
  const sa = broadcastStrides(aShape, outShape)
  const sb = broadcastStrides(bShape, outShape)
  const idx = new Array<number>(rank).fill(0)
  let ci = 0
  let ai = 0
  let bi = 0
  const inner = rank === 0 ? 1 : outShape[rank - 1]
  const ic = rank === 0 ? 0 : sc[rank - 1]
  const ia = rank === 0 ? 0 : sa[rank - 1]
  const ib = rank === 0 ? 0 : sb[rank - 1]
  for (let o = 0; o < n; o += inner) {
    for (let i = 0, cj = ci, aj = ai, bj = bi; i < inner; i++, cj += ic, aj += ia, bj += ib) out[o + i] = c[cj] !== 0 ? a[aj] : b[bj]
    for (let d = rank - 2; d >= 0; d--) {
      ci += sc[d]
      ai += sa[d]
      bi += sb[d]
      if (++idx[d] < outShape[d]) break
      ci -= sc[d] * outShape[d]
      ai -= sa[d] * outShape[d]
      bi -= sb[d] * outShape[d]
      idx[d] = 0
    }
  }
}

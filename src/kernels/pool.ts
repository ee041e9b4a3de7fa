/**
 * Pooling over windows of a channels-last array `[batch, ...spatial, channels]` with 1 to 3
 * spatial axes: the max and the in-bounds average of each window, the positions of the maxima,
 * and the adjoints (a scatter to those positions, the spreading of an average). Every kernel
 * sees the input as `[batch, D, H, W, channels]`: fewer spatial axes get leading axes of length
 * 1 with window 1, stride 1 and no padding, so one loop nest serves all ranks. The innermost loop
 * runs over the channels, which are contiguous in both the input and the output.
 *
 * Padded positions are never read: a window's loops run over its in-bounds part only (so a max
 * ignores padding, as if it were −∞, and an average divides by the in-bounds count, as TF does).
 *
 * @internal
 */
import type { TypedArray } from '../tensor/dtype.js'

// --- model

/** The geometry of one pooling call, with exactly 3 spatial axes (see the module comment). */
export interface PoolGeometry {
  readonly batch: number
  readonly channels: number
  /** input spatial extents [D, H, W] */
  readonly inSize: readonly number[]
  /** output spatial extents */
  readonly outSize: readonly number[]
  readonly window: readonly number[]
  readonly strides: readonly number[]
  /** padding before each spatial axis (the padding after only bounds the output size) */
  readonly padLo: readonly number[]
}

/**
 * The 3-axis geometry of `[batch, ...spatial, channels]` pooled with per-spatial-axis window,
 * strides and low padding into `outSpatial`.
 */
export function geometry(shape: readonly number[], outSpatial: readonly number[], window: readonly number[], strides: readonly number[], padLo: readonly number[]): PoolGeometry {
  const lead = 3 - (shape.length - 2)
  const three = (xs: readonly number[], fill: number) => [...new Array<number>(lead).fill(fill), ...xs]
  return {
    batch: shape[0],
    channels: shape[shape.length - 1],
    inSize: three(shape.slice(1, -1), 1),
    outSize: three(outSpatial, 1),
    window: three(window, 1),
    strides: three(strides, 1),
    padLo: three(padLo, 0),
  }
}

/** Visits every window: `f(o, lo, hi)` with o the output pixel index and the in-bounds input box [lo, hi) per axis. */
function eachWindow(g: PoolGeometry, f: (o: number, b: number, lo: Int32Array, hi: Int32Array) => void): void {
  const [OD, OH, OW] = g.outSize
  const [D, H, W] = g.inSize
  const [kd, kh, kw] = g.window
  const [sd, sh, sw] = g.strides
  const [pd, ph, pw] = g.padLo
  const lo = new Int32Array(3)
  const hi = new Int32Array(3)
  let o = 0
  for (let b = 0; b < g.batch; b++)
    for (let od = 0; od < OD; od++) {
      const d0 = od * sd - pd
      lo[0] = Math.max(d0, 0)
      hi[0] = Math.min(d0 + kd, D)
      for (let oh = 0; oh < OH; oh++) {
        const h0 = oh * sh - ph
        lo[1] = Math.max(h0, 0)
        hi[1] = Math.min(h0 + kh, H)
        for (let ow = 0; ow < OW; ow++) {
          const w0 = ow * sw - pw
          lo[2] = Math.max(w0, 0)
          hi[2] = Math.min(w0 + kw, W)
          f(o++, b, lo, hi)
        }
      }
    }
}

/** The flat offset (times channels) of input pixel (b, d, h, w). */
const pixel = (g: PoolGeometry, b: number, d: number, h: number, w: number): number => (((b * g.inSize[0] + d) * g.inSize[1] + h) * g.inSize[2] + w) * g.channels

// --- max

/**
 * The max of each window into `out`, and (when `arg` is given) the flat input index of the
 * FIRST maximum in row-major window order. NaN wins (the first NaN), so a NaN in a window gives
 * NaN; of −0 and +0 the value is +0 (IEEE maximum, as the `max` reduction) and the index the
 * first of them.
 */
export function maxPool(x: TypedArray, g: PoolGeometry, out: TypedArray, arg: Int32Array | null): void {
  const C = g.channels
  eachWindow(g, (o, b, lo, hi) => {
    const ob = o * C
    let first = true
    for (let d = lo[0]; d < hi[0]; d++)
      for (let h = lo[1]; h < hi[1]; h++)
        for (let w = lo[2]; w < hi[2]; w++) {
          const ib = pixel(g, b, d, h, w)
          if (first) {
            for (let c = 0; c < C; c++) out[ob + c] = x[ib + c]
            if (arg !== null) for (let c = 0; c < C; c++) arg[ob + c] = ib + c
            first = false
            continue
          }
          for (let c = 0; c < C; c++) {
            const v = x[ib + c]
            const m = out[ob + c]
            if (v > m || (Number.isNaN(v) && !Number.isNaN(m))) {
              out[ob + c] = v
              if (arg !== null) arg[ob + c] = ib + c
            } else if (v === 0 && m === 0) out[ob + c] = v + m // −0 + +0 is +0: the IEEE max of the pair
          }
        }
  })
}

/** out[o] = t[arg[o]]: the values of `t` at the positions of the maxima (the jvp of maxPool). */
export function gatherAt(t: TypedArray, arg: Int32Array, out: TypedArray): void {
  for (let o = 0; o < arg.length; o++) out[o] = t[arg[o]]
}

/**
 * out = 0, then out[arg[o]] += gy[o] for every o, in order (the vjp of maxPool); overlapping
 * windows add at a shared maximum. Accumulates in float64.
 */
export function scatterAt(gy: TypedArray, arg: Int32Array, out: TypedArray): void {
  const acc = new Float64Array(out.length)
  for (let o = 0; o < arg.length; o++) acc[arg[o]] += gy[o]
  out.set(acc)
}

// --- average

/** The number of in-bounds elements of a window. */
const countOf = (lo: Int32Array, hi: Int32Array): number => (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2])

/** The mean of the in-bounds elements of each window into `out`, summed in float64. */
export function avgPool(x: TypedArray, g: PoolGeometry, out: TypedArray): void {
  const C = g.channels
  const acc = new Float64Array(C)
  eachWindow(g, (o, b, lo, hi) => {
    acc.fill(0)
    for (let d = lo[0]; d < hi[0]; d++)
      for (let h = lo[1]; h < hi[1]; h++)
        for (let w = lo[2]; w < hi[2]; w++) {
          const ib = pixel(g, b, d, h, w)
          for (let c = 0; c < C; c++) acc[c] += x[ib + c]
        }
    const n = countOf(lo, hi)
    const ob = o * C
    for (let c = 0; c < C; c++) out[ob + c] = acc[c] / n
  })
}

/**
 * The adjoint of `avgPool`: out = 0, then every window adds gy[o] / count(o) to each of its
 * in-bounds input elements (so ⟨avgPool(x), gy⟩ = ⟨x, out⟩). Accumulates in float64; `out` has
 * the input's size.
 */
export function avgPoolTranspose(gy: TypedArray, g: PoolGeometry, out: TypedArray): void {
  const C = g.channels
  const acc = new Float64Array(out.length)
  const share = new Float64Array(C)
  eachWindow(g, (o, b, lo, hi) => {
    const n = countOf(lo, hi)
    const ob = o * C
    for (let c = 0; c < C; c++) share[c] = gy[ob + c] / n
    for (let d = lo[0]; d < hi[0]; d++)
      for (let h = lo[1]; h < hi[1]; h++)
        for (let w = lo[2]; w < hi[2]; w++) {
          const ib = pixel(g, b, d, h, w)
          for (let c = 0; c < C; c++) acc[ib + c] += share[c]
        }
  })
  out.set(acc)
}

/**
 * Reductions over a set of axes. The input is walked once in row-major order; the output
 * position follows from strides that are 0 on reduced axes, so any set of axes works without
 * transposing. Sums accumulate in float64 whatever the dtype.
 *
 * @internal
 */
import type { TypedArray } from '../tensor/dtype.js'
import type { Shape } from '../tensor/shape.js'

/** Output strides over the input's axes: 0 on reduced axes, row-major over the kept ones. */
function outStrides(shape: Shape, axes: readonly number[]): number[] {
  const s = new Array<number>(shape.length)
  let acc = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    if (axes.includes(d)) s[d] = 0
    else {
      s[d] = acc
      acc *= shape[d]
    }
  }
  return s
}

/** Sums `x` over `axes` into `out` (size = product of kept axes). */
export function sum(x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void {
  const n = x.length
  if (out.length === 1) {
    let acc = 0
    for (let i = 0; i < n; i++) acc += x[i]
    out[0] = acc
    return
  }
  if (n === 0) return
  const acc = new Float64Array(out.length)
  const rank = shape.length
  const os = outStrides(shape, axes)
  const inner = shape[rank - 1]
  const io = os[rank - 1]
  const idx = new Array<number>(rank).fill(0)
  let oi = 0
  for (let s = 0; s < n; s += inner) {
    if (io === 0) {
      let t = 0
      for (let i = 0; i < inner; i++) t += x[s + i]
      acc[oi] += t
    } else for (let i = 0; i < inner; i++) acc[oi + i] += x[s + i]
    for (let d = rank - 2; d >= 0; d--) {
      oi += os[d]
      if (++idx[d] < shape[d]) break
      oi -= os[d] * shape[d]
      idx[d] = 0
    }
  }
  out.set(acc)
}

/**
 * Max (or min with `sign = -1`) over `axes`, and the flat input index of the FIRST extremum of
 * each output (row-major order); NaN wins, so a NaN input gives a NaN maximum (the index is the
 * first NaN's). Values follow IEEE 754-2019 maximum/minimum, as the `maximum`/`minimum` kernels:
 * the max of −0 and +0 is +0, the min is −0. The index is the first element EQUAL to the
 * extremum (so of −0 and +0 the first, whatever its sign): the gradient's tie rule, which
 * `maximum(a, b)` follows as well.
 */
export function extremum(x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray, arg: Int32Array, sign: 1 | -1): void {
  const n = x.length
  const m = out.length
  const best = new Float64Array(m).fill(-Infinity)
  arg.fill(-1)
  const rank = shape.length
  const os = outStrides(shape, axes)
  const idx = new Array<number>(rank).fill(0)
  let oi = 0
  for (let i = 0; i < n; i++) {
    const v = sign * x[i]
    const b = best[oi]
    if (v > b || arg[oi] < 0 || (Number.isNaN(v) && !Number.isNaN(b))) {
      best[oi] = v
      arg[oi] = i
    }
    // A ±0 tie keeps the index; in v = sign·x the value wanted is +0 (max: +0, min: −(+0) = −0),
    // and v + b is +0 unless both are −0.
    else if (v === 0 && b === 0) best[oi] = v + b
    for (let d = rank - 1; d >= 0; d--) {
      oi += os[d]
      if (++idx[d] < shape[d]) break
      oi -= os[d] * shape[d]
      idx[d] = 0
    }
  }
  for (let j = 0; j < m; j++) out[j] = sign * best[j]
}

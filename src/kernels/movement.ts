/**
 * Data movement: one strided-copy kernel serves transpose (permuted strides), broadcastTo
 * (zero strides) and slice (an offset); plus concat and the slice adjoint (pad into zeros).
 *
 * @internal
 */
import type { TypedArray } from '../tensor/dtype.js'
import type { Shape } from '../tensor/shape.js'

/**
 * `out[i0,…,ik] = src[offset + Σ ij·strides[j]]`, out row-major of shape `outShape`.
 * The innermost axis is a tight loop; outer axes advance by a counter.
 */
export function stridedCopy(src: TypedArray, offset: number, strides: readonly number[], outShape: Shape, out: TypedArray): void {
  const n = out.length
  if (n === 0) return
  const rank = outShape.length
  if (rank === 0) {
    out[0] = src[offset]
    return
  }
  const inner = outShape[rank - 1]
  const is = strides[rank - 1]
  const idx = new Array<number>(rank).fill(0)
  let si = offset
  for (let o = 0; o < n; o += inner) {
    if (is === 1) for (let i = 0; i < inner; i++) out[o + i] = src[si + i]
    else for (let i = 0, s = si; i < inner; i++, s += is) out[o + i] = src[s]
    for (let d = rank - 2; d >= 0; d--) {
      si += strides[d]
      if (++idx[d] < outShape[d]) break
      si -= strides[d] * outShape[d]
      idx[d] = 0
    }
  }
}

/**
 * Concatenates row-major blocks along an axis: each input is viewed as [outer, len_i·inner].
 */
export function concat(srcs: readonly TypedArray[], lens: readonly number[], outer: number, inner: number, out: TypedArray): void {
  let total = 0
  for (const l of lens) total += l
  const rowOut = total * inner
  let col = 0
  for (let s = 0; s < srcs.length; s++) {
    const src = srcs[s]
    const row = lens[s] * inner
    for (let o = 0; o < outer; o++) {
      const from = o * row
      out.set(src.subarray(from, from + row), o * rowOut + col)
    }
    col += row
  }
}

/** Writes `src` (shape `srcShape`) into zeroed `out` (shape `outShape`) at `begin`. */
export function padInto(src: TypedArray, srcShape: Shape, begin: readonly number[], _outShape: Shape, outStrides: readonly number[], out: TypedArray): void {
  const n = src.length
  if (n === 0) return
  const rank = srcShape.length
  if (rank === 0) {
    out[0] = src[0]
    return
  }
  let base = 0
  for (let d = 0; d < rank; d++) base += begin[d] * outStrides[d]
  const inner = srcShape[rank - 1]
  const idx = new Array<number>(rank).fill(0)
  let oi = base
  for (let s = 0; s < n; s += inner) {
    for (let i = 0; i < inner; i++) out[oi + i] = src[s + i]
    for (let d = rank - 2; d >= 0; d--) {
      oi += outStrides[d]
      if (++idx[d] < srcShape[d]) break
      oi -= outStrides[d] * srcShape[d]
      idx[d] = 0
    }
  }
}

/**
 * Running sums along the middle axis of `src` viewed as [outer, n, inner], forward
 * (`out[k] = Σ_{j≤k} src[j]`) or reversed (`out[k] = Σ_{j≥k} src[j]`). The running sums are
 * JavaScript numbers (float64) even for float32 data; `acc` is scratch of length `inner`.
 */
export function cumsum(src: TypedArray, outer: number, n: number, inner: number, reverse: boolean, acc: Float64Array, out: TypedArray): void {
  const row = n * inner
  // Rows advance by +inner (forward) or −inner (reverse); each inner column keeps its own sum.
  const step = reverse ? -inner : inner
  for (let o = 0; o < outer; o++) {
    acc.fill(0)
    let p = o * row + (reverse ? row - inner : 0)
    for (let k = 0; k < n; k++, p += step) {
      for (let j = 0; j < inner; j++) {
        const s = acc[j] + src[p + j]
        acc[j] = s
        out[p + j] = s
      }
    }
  }
}

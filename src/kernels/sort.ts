/**
 * Sorting along the last axis: stable argsort of every row, top-k selection, and the gather /
 * scatter-add by row indices that turn indices into values (and back, for gradients).
 *
 * The order is total: numbers ascending, −0 equal to +0 (so a stable sort keeps them as they
 * came, as NumPy's stable sort does), every NaN after +Infinity and NaNs equal to each other.
 * Descending is the reverse order with ties still in index order (NaNs first, as the largest).
 *
 * Two row sorts, picked by measurement (4096×1000 float32, Node 20, see the op's doc):
 * - float32 and int32 rows of at least RADIX_FROM entries: an LSD radix sort of 32-bit keys,
 *   8 bits per pass, skipping passes where every key has the same digit (stable by construction);
 * - otherwise (float64, bool, short rows): a merge sort of (key, index) pairs kept side by side, with
 *   insertion sort on runs of RUN (both stable: equal keys never cross).
 *
 * @internal
 */
import type { TypedArray } from '../tensor/dtype.js'

/** Shortest float32 row the radix sort takes: below it the 1024-entry histograms cost more than merging. */
export const RADIX_FROM = 128
/** Insertion-sorted run length of the merge sort. */
const RUN = 16

/** Scratch for the row sorts of one call, allocated once per call (rows reuse it). */
interface Scratch {
  readonly ka: Float64Array
  readonly kb: Float64Array
  readonly ua: Uint32Array
  readonly ub: Uint32Array
  readonly ia: Int32Array
  readonly ib: Int32Array
  readonly hist: Int32Array
}

function scratch(n: number, radix: boolean): Scratch {
  return {
    ka: new Float64Array(radix ? 0 : n),
    kb: new Float64Array(radix ? 0 : n),
    ua: new Uint32Array(radix ? n : 0),
    ub: new Uint32Array(radix ? n : 0),
    ia: new Int32Array(n),
    ib: new Int32Array(n),
    hist: new Int32Array(radix ? 4 * 256 : 0),
  }
}

/**
 * A stable sort of row `src[off … off+n)`, writing the sorted positions (0…n−1) to
 * `out[oOff …]`. `desc` reverses the order of values, not of ties.
 */
function sortRow(src: TypedArray, bits: Uint32Array | null, off: number, n: number, desc: boolean, s: Scratch, out: Int32Array, oOff: number): void {
  if (bits !== null) radixRow(src, bits, src instanceof Int32Array, off, n, desc, s, out, oOff)
  else mergeRow(src, off, n, desc, s, out, oOff)
}

/**
 * Merge sort of (key, index) pairs. NaNs are moved out first (in index order, to the end, or to
 * the front when descending), so the comparisons see numbers only; descending sorts −x.
 */
function mergeRow(src: TypedArray, off: number, n: number, desc: boolean, s: Scratch, out: Int32Array, oOff: number): void {
  let K = s.ka
  let I = s.ia
  let K2 = s.kb
  let I2 = s.ib
  let m = 0
  let nans = 0
  for (let i = 0; i < n; i++) {
    const v = src[off + i]
    if (!Number.isNaN(v)) {
      K[m] = desc ? -v : v
      I[m++] = i
    } else I2[nans++] = i // NaN positions, in order, kept aside in the second buffer
  }
  const numOut = desc ? oOff + nans : oOff
  const nanOut = desc ? oOff : oOff + m
  for (let j = 0; j < nans; j++) out[nanOut + j] = I2[j]
  for (let lo = 0; lo < m; lo += RUN) {
    const hi = Math.min(lo + RUN, m)
    for (let i = lo + 1; i < hi; i++) {
      const k = K[i]
      const id = I[i]
      let j = i - 1
      // strict >: an equal key stops the shift, so equal keys keep their order
      while (j >= lo && K[j] > k) {
        K[j + 1] = K[j]
        I[j + 1] = I[j]
        j--
      }
      K[j + 1] = k
      I[j + 1] = id
    }
  }
  for (let w = RUN; w < m; w *= 2) {
    for (let lo = 0; lo < m; lo += 2 * w) {
      const mid = Math.min(lo + w, m)
      const hi = Math.min(lo + 2 * w, m)
      let i = lo
      let j = mid
      let o = lo
      // the right run moves ahead only when strictly smaller: ties take the left (earlier) entry
      if (mid < hi && K[mid] < K[mid - 1]) {
        while (i < mid && j < hi) {
          if (K[j] < K[i]) {
            K2[o] = K[j]
            I2[o++] = I[j++]
          } else {
            K2[o] = K[i]
            I2[o++] = I[i++]
          }
        }
      }
      for (; i < mid; i++, o++) {
        K2[o] = K[i]
        I2[o] = I[i]
      }
      for (; j < hi; j++, o++) {
        K2[o] = K[j]
        I2[o] = I[j]
      }
    }
    const tk = K
    K = K2
    K2 = tk
    const ti = I
    I = I2
    I2 = ti
  }
  for (let j = 0; j < m; j++) out[numOut + j] = I[j]
}

/**
 * LSD radix sort of 32-bit keys made order-preserving as unsigned integers: int32 with the sign
 * bit flipped; float32 bits with all bits flipped for negatives and the sign bit set otherwise,
 * −0 mapped to +0's key and every NaN to the largest key. Descending flips every key. Each pass
 * scatters stably by one byte.
 */
function radixRow(src: TypedArray, bits: Uint32Array, int: boolean, off: number, n: number, desc: boolean, s: Scratch, out: Int32Array, oOff: number): void {
  const h = s.hist
  h.fill(0)
  let K = s.ua
  let I = s.ia
  let K2 = s.ub
  let I2 = s.ib
  const flip = desc ? 0xffffffff : 0
  for (let i = 0; i < n; i++) {
    let key: number
    if (int) key = bits[off + i] ^ 0x80000000
    else {
      const v = src[off + i]
      if (Number.isNaN(v)) key = 0xffffffff
      else if (v === 0) key = 0x80000000
      else {
        const b = bits[off + i]
        key = b & 0x80000000 ? ~b : b | 0x80000000
      }
    }
    key = (key ^ flip) >>> 0
    K[i] = key
    I[i] = i
    h[key & 255]++
    h[256 + ((key >>> 8) & 255)]++
    h[512 + ((key >>> 16) & 255)]++
    h[768 + (key >>> 24)]++
  }
  for (let p = 0; p < 4; p++) {
    const base = p * 256
    const sh = p * 8
    if (h[base + ((K[0] >>> sh) & 255)] === n) continue // one digit for all: the pass would not move anything
    let sum = 0
    for (let d = 0; d < 256; d++) {
      const c = h[base + d]
      h[base + d] = sum
      sum += c
    }
    for (let i = 0; i < n; i++) {
      const k = K[i]
      const o = h[base + ((k >>> sh) & 255)]++
      K2[o] = k
      I2[o] = I[i]
    }
    const tk = K
    K = K2
    K2 = tk
    const ti = I
    I = I2
    I2 = ti
  }
  out.set(I.subarray(0, n), oOff)
}

/** The bits of float32 or int32 `src` (a view, no copy) when the radix sort applies to rows of n, else null. */
function radixBits(src: TypedArray, n: number): Uint32Array | null {
  return (src instanceof Float32Array || src instanceof Int32Array) && n >= RADIX_FROM ? new Uint32Array(src.buffer, src.byteOffset, src.length) : null
}

/**
 * Stable argsort of each of `rows` rows of length `n` (row-major in `src`): `out[r·n + j]` is the
 * position in row r of its j-th smallest entry (largest when `desc`), in the order above.
 */
export function argsortRows(src: TypedArray, rows: number, n: number, desc: boolean, out: Int32Array): void {
  if (n === 0) return
  const bits = radixBits(src, n)
  const s = scratch(n, bits !== null)
  for (let r = 0; r < rows; r++) sortRow(src, bits, r * n, n, desc, s, out, r * n)
}

/**
 * Whether top-k of rows of n selects with a heap (O(n log k)) rather than sorting whole rows.
 * Measured on 4096 rows of 1000 (Node 20): the heap takes 15 ms at k = 1, 94 at k = 100, 155 at
 * k = 200 and 290 at k = 500, against 145 ms for a whole radix sort (float32) and 320 ms for a
 * whole merge sort (float64): so up to k = n/6 beside the radix sort, n/2 beside the merge sort.
 */
export const useHeap = (n: number, k: number, radix: boolean): boolean => (radix ? 6 * k <= n : 2 * k <= n)

/**
 * Top-k of each row: `out[r·k + j]` is the position of the j-th largest entry of row r, NaN above
 * every number, ties to the lower position (the first k of a stable descending argsort).
 */
export function topKRows(src: TypedArray, rows: number, n: number, k: number, out: Int32Array): void {
  if (k === 0) return
  const bits = radixBits(src, n)
  if (!useHeap(n, k, bits !== null)) {
    const s = scratch(n, bits !== null)
    const row = new Int32Array(n)
    for (let r = 0; r < rows; r++) {
      sortRow(src, bits, r * n, n, true, s, row, 0)
      out.set(row.subarray(0, k), r * k)
    }
    return
  }
  const hv = new Float64Array(k)
  const hi = new Int32Array(k)
  for (let r = 0; r < rows; r++) heapRow(src, r * n, n, k, hv, hi, out, r * k)
}

/**
 * Top-k of one row with a heap of the best entries seen, the worst of them at the root. NaNs rank
 * first: the first k of them (in order) are taken in a first pass, and the heap picks the
 * remaining m = k − #NaN among the numbers. Entries arrive in index order, so a later entry
 * displaces the root only when strictly larger: among equal values the earlier ones stay.
 */
function heapRow(src: TypedArray, off: number, n: number, k: number, hv: Float64Array, hi: Int32Array, out: Int32Array, oOff: number): void {
  let nans = 0
  for (let i = 0; i < n && nans < k; i++) {
    const v = src[off + i]
    if (Number.isNaN(v)) out[oOff + nans++] = i
  }
  const m = k - nans
  if (m === 0) return
  let size = 0
  for (let i = 0; i < n; i++) {
    const v = src[off + i]
    if (Number.isNaN(v)) continue
    if (size < m) {
      // sift up: the new entry is worse than any kept one of equal value (larger index)
      let c = size++
      while (c > 0) {
        const p = (c - 1) >> 1
        if (!(v < hv[p] || (v === hv[p] && i > hi[p]))) break
        hv[c] = hv[p]
        hi[c] = hi[p]
        c = p
      }
      hv[c] = v
      hi[c] = i
    } else if (v > hv[0]) siftDown(hv, hi, size, v, i)
  }
  // pop the worst to the back until the heap is empty: best first
  for (let e = m - 1; e >= 0; e--) {
    out[oOff + nans + e] = hi[0]
    size--
    if (size > 0) siftDown(hv, hi, size, hv[size], hi[size])
  }
}

/** Puts (v, i) at the root of the heap of `size` and sifts it down to its place. */
function siftDown(hv: Float64Array, hi: Int32Array, size: number, v: number, i: number): void {
  let p = 0
  for (;;) {
    let c = 2 * p + 1
    if (c >= size) break
    // the worse child: smaller value, or equal value and larger index
    if (c + 1 < size && (hv[c + 1] < hv[c] || (hv[c + 1] === hv[c] && hi[c + 1] > hi[c]))) c++
    if (!(hv[c] < v || (hv[c] === v && hi[c] > i))) break
    hv[p] = hv[c]
    hi[p] = hi[c]
    p = c
  }
  hv[p] = v
  hi[p] = i
}

/**
 * Gather and scatter-add: the loops under `take`, `scatterAdd` and `takeAlongAxis`. Every
 * tensor is viewed as [outer, n, inner] around the indexed axis (length n), the indices as a
 * flat list; an index k < 0 means k + n (NumPy). The callers check every index first
 * (`firstBadIndex`), so the loops never test a bound.
 *
 * @internal
 */
import type { TypedArray } from '../tensor/dtype.js'

/**
 * Rows of at least this many elements are copied with `subarray`/`set` (a memcpy); shorter ones
 * by a plain loop, which beats the two calls and the view object they allocate.
 */
const SET_FROM = 32

/**
 * The flat position of the first entry of `idx` that is not an integer in [−n, n), or −1 when
 * every entry is one (an empty list included).
 */
export function firstBadIndex(idx: ArrayLike<number>, n: number): number {
  for (let j = 0; j < idx.length; j++) {
    const k = idx[j]
    // !(…) also catches NaN; Number.isInteger rules out fractions in float index storage.
    if (!(k >= -n && k < n) || !Number.isInteger(k)) return j
  }
  return -1
}

/**
 * `out[o, j, :] = src[o, idx[j], :]`: src is [outer, n, inner], out [outer, m, inner] with
 * m = idx.length. For outer = 1 this is an embedding lookup: one row copy per index.
 */
export function gather(src: TypedArray, outer: number, n: number, inner: number, idx: ArrayLike<number>, out: TypedArray): void {
  const m = idx.length
  const useSet = inner >= SET_FROM
  let p = 0
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner
    for (let j = 0; j < m; j++, p += inner) {
      const k = idx[j]
      const s = base + (k < 0 ? k + n : k) * inner
      if (useSet) out.set(src.subarray(s, s + inner), p)
      else for (let i = 0; i < inner; i++) out[p + i] = src[s + i]
    }
  }
}

/**
 * `out[o, idx[j], :] += upd[o, j, :]` in the order of j (duplicates accumulate): out is
 * [outer, n, inner] and already holds the target (or zeros), upd is [outer, m, inner].
 */
export function scatterAdd(out: TypedArray, outer: number, n: number, inner: number, idx: ArrayLike<number>, upd: TypedArray): void {
  const m = idx.length
  let p = 0
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner
    for (let j = 0; j < m; j++, p += inner) {
      const k = idx[j]
      const d = base + (k < 0 ? k + n : k) * inner
      for (let i = 0; i < inner; i++) out[d + i] += upd[p + i]
    }
  }
}

/**
 * `out[o, j, i] = src[o, idx[o, j, i], i]`: src is [outer, n, inner]; idx and out are
 * [outer, m, inner] (NumPy's take_along_axis once the other axes are broadcast).
 */
export function gatherAlong(src: TypedArray, outer: number, n: number, inner: number, idx: ArrayLike<number>, m: number, out: TypedArray): void {
  let p = 0
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < inner; i++, p++) {
        const k = idx[p]
        out[p] = src[base + (k < 0 ? k + n : k) * inner + i]
      }
    }
  }
}

/** `out[o, idx[o, j, i], i] += upd[o, j, i]`, the transpose of `gatherAlong`; out is [outer, n, inner]. */
export function scatterAddAlong(out: TypedArray, outer: number, n: number, inner: number, idx: ArrayLike<number>, m: number, upd: TypedArray): void {
  let p = 0
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < inner; i++, p++) {
        const k = idx[p]
        out[base + (k < 0 ? k + n : k) * inner + i] += upd[p]
      }
    }
  }
}

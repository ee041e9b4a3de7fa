/**
 * Matrix product of one pair of row-major matrices, in any of the four transpose combinations
 * the backward pass needs: C[m,n] = op(A)·op(B), op(A) is m×k, op(B) is k×n. A is stored as
 * [m,k] (or [k,m] when `ta`), B as [k,n] (or [n,k] when `tb`). C is overwritten.
 *
 * Design (after GotoBLAS, cut down to what pays off in JavaScript):
 * - The operands are first PACKED into float64 scratch panels: op(B) into panels of 4 columns
 *   and op(A), one panel at a time, into panels of 4 rows, both laid out so that one step along
 *   k reads 4 consecutive numbers. The transpose flags only change how the packing reads, so
 *   all four combinations run the same inner loop at the same speed, and that loop only ever
 *   sees Float64Array (monomorphic, no float32→float64 conversion, mixed dtypes for free).
 * - A 4×4 MICRO-KERNEL keeps 16 accumulators in locals (JS doubles) for a whole k loop: each
 *   step loads 8 numbers and does 32 flops, against 2 loads per 2 flops for a dot product.
 *   Measured on the reference 2-core Xeon: ≈3.9 GFLOP/s for every (ta, tb) and both dtypes,
 *   against ≈0.8 for the plain i-k-j loop. 3×4, 2×4 and 4×8 tiles measured slower (fewer flops
 *   per load, or register spills).
 * - No cache blocking over k or n: it was measured to change nothing up to 1024³ and k = 8192
 *   (the scalar multiply-add rate, not memory, is the limit at this speed, and the 4×k A panel
 *   stays in L1/L2). Not splitting k also means each C element is one sum in a double, rounded
 *   once when stored, even when C is float32.
 * - Edge tiles (m or n not a multiple of 4): packing pads the missing rows/columns with zeros
 *   and the edge kernels compute only the entries that exist. Padding is only ever along m or
 *   n, never along k, so no real entry sums a padded number; nothing is skipped for being zero,
 *   so 0·NaN = NaN and ∞·0 = NaN propagate as in IEEE arithmetic.
 *
 * @internal
 */
import type { TypedArray } from '../tensor/dtype.js'

// --- scratch

/**
 * Reusable packing buffers: they only grow, so a training loop allocates nothing here after its
 * first step. Calls needing more than `KEEP` numbers get a buffer of their own, so one huge
 * product does not pin its scratch for the life of the process.
 */
const KEEP = 1 << 22 // 4M float64 = 32 MiB per buffer
let packedA = new Float64Array(1024)
let packedB = new Float64Array(4096)

function scratchA(size: number): Float64Array {
  if (size <= packedA.length) return packedA
  const buf = new Float64Array(size)
  if (size <= KEEP) packedA = buf
  return buf
}

function scratchB(size: number): Float64Array {
  if (size <= packedB.length) return packedB
  const buf = new Float64Array(size)
  if (size <= KEEP) packedB = buf
  return buf
}

// --- packing

/**
 * Packs one panel of 4 rows of op(A), or 4 columns of op(B), so that one k step reads 4
 * consecutive numbers: `dst[d + 4p + q] = src[s + p·along + q·across]` for p < k, q < count,
 * and 0 for count ≤ q < 4. `along` is the storage stride along k and `across` the stride
 * between the 4 rows/columns, which is all the transpose flags change:
 *   A [m,k]: along 1, across k;   A stored [k,m] (ta): along m, across 1;
 *   B [k,n]: along n, across 1;   B stored [n,k] (tb): along 1, across k.
 */
function packPanel(src: TypedArray, s: number, along: number, across: number, k: number, count: number, dst: Float64Array, d: number): void {
  if (count === 4) {
    // Why this loop: the common full panel, unrolled, so it costs ~1 ns per number copied.
    const s1 = across,
      s2 = 2 * across,
      s3 = 3 * across
    for (let p = 0; p < k; p++, s += along, d += 4) {
      dst[d] = src[s]
      dst[d + 1] = src[s + s1]
      dst[d + 2] = src[s + s2]
      dst[d + 3] = src[s + s3]
    }
  } else {
    // Why this loop: the last panel when m or n is not a multiple of 4; pads with zeros.
    for (let p = 0; p < k; p++, s += along, d += 4) {
      for (let q = 0; q < 4; q++) dst[d + q] = q < count ? src[s + q * across] : 0
    }
  }
}

// --- micro-kernels

/**
 * C[0..3][0..3] (at `ci`, row stride `n`) = A panel · B panel over k. 16 named accumulators,
 * because V8 keeps locals in registers but never an array; one k step = 8 loads, 32 flops.
 */
function kernel4x4(pa: Float64Array, pb: Float64Array, bi: number, k: number, c: TypedArray, ci: number, n: number): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0,
    c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0,
    c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0
  // Why this loop: both panels are read sequentially, 4 numbers per step, the whole k range.
  for (let p = 0, ai = 0; p < k; p++, ai += 4, bi += 4) {
    const b0 = pb[bi],
      b1 = pb[bi + 1],
      b2 = pb[bi + 2],
      b3 = pb[bi + 3]
    let a = pa[ai]
    c00 += a * b0
    c01 += a * b1
    c02 += a * b2
    c03 += a * b3
    a = pa[ai + 1]
    c10 += a * b0
    c11 += a * b1
    c12 += a * b2
    c13 += a * b3
    a = pa[ai + 2]
    c20 += a * b0
    c21 += a * b1
    c22 += a * b2
    c23 += a * b3
    a = pa[ai + 3]
    c30 += a * b0
    c31 += a * b1
    c32 += a * b2
    c33 += a * b3
  }
  c[ci] = c00
  c[ci + 1] = c01
  c[ci + 2] = c02
  c[ci + 3] = c03
  ci += n
  c[ci] = c10
  c[ci + 1] = c11
  c[ci + 2] = c12
  c[ci + 3] = c13
  ci += n
  c[ci] = c20
  c[ci + 1] = c21
  c[ci + 2] = c22
  c[ci + 3] = c23
  ci += n
  c[ci] = c30
  c[ci + 1] = c31
  c[ci + 2] = c32
  c[ci + 3] = c33
}

/**
 * An edge tile with fewer than 4 rows (the last row panel): one 1×4 strip per existing row, so
 * a skinny product (m = 1, a vector times a matrix) does not pay for 3 padded rows. Columns past
 * n are computed on the zero padding and dropped.
 */
function kernelRows(pa: Float64Array, pb: Float64Array, bi: number, k: number, c: TypedArray, ci: number, n: number, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++, ci += n) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0
    // Why this loop: one row of A against the 4 packed columns, sequential reads.
    for (let p = 0, ai = r, bj = bi; p < k; p++, ai += 4, bj += 4) {
      const a = pa[ai]
      s0 += a * pb[bj]
      s1 += a * pb[bj + 1]
      s2 += a * pb[bj + 2]
      s3 += a * pb[bj + 3]
    }
    c[ci] = s0
    if (cols > 1) c[ci + 1] = s1
    if (cols > 2) c[ci + 2] = s2
    if (cols > 3) c[ci + 3] = s3
  }
}

/**
 * An edge tile with 4 rows but fewer than 4 columns (the last column panel): one 4×1 strip per
 * existing column, so a matrix times a vector (n = 1) does not pay for 3 padded columns.
 */
function kernelCols(pa: Float64Array, pb: Float64Array, bi: number, k: number, c: TypedArray, ci: number, n: number, cols: number): void {
  for (let q = 0; q < cols; q++, ci++) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0
    // Why this loop: one packed column of B against the 4 packed rows, sequential reads.
    for (let p = 0, ai = 0, bj = bi + q; p < k; p++, ai += 4, bj += 4) {
      const b = pb[bj]
      s0 += pa[ai] * b
      s1 += pa[ai + 1] * b
      s2 += pa[ai + 2] * b
      s3 += pa[ai + 3] * b
    }
    c[ci] = s0
    c[ci + n] = s1
    c[ci + 2 * n] = s2
    c[ci + 3 * n] = s3
  }
}

// --- operations

/**
 * C = op(A)·op(B) with C at `c[co..co+m·n)` (row-major m×n), overwritten. `a`, `b`, `c` may be
 * any mix of Float32Array and Float64Array; products are summed in doubles and rounded once.
 * Inputs are only read. Scratch is module-level and only grows (see `scratchA`).
 */
export function matmul(a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, co: number, m: number, n: number, k: number, ta: boolean, tb: boolean): void {
  if (m === 0 || n === 0) return
  const panelsB = Math.ceil(n / 4)
  const pb = scratchB(panelsB * 4 * k)
  const pa = scratchA(4 * k)
  // Why this loop: all of op(B) is packed once, as ⌈n/4⌉ panels of 4k numbers each.
  for (let j0 = 0, d = 0; j0 < n; j0 += 4, d += 4 * k) {
    const cols = Math.min(4, n - j0)
    if (tb) packPanel(b, bo + j0 * k, 1, k, k, cols, pb, d)
    else packPanel(b, bo + j0, n, 1, k, cols, pb, d)
  }
  // Why this loop nest: one 4-row panel of A is packed, then swept across every B panel, so
  // the small A panel stays in L1 while B streams from L2 (all of packed B is reused m/4 times).
  for (let i0 = 0; i0 < m; i0 += 4) {
    const rows = Math.min(4, m - i0)
    if (ta) packPanel(a, ao + i0, m, 1, k, rows, pa, 0)
    else packPanel(a, ao + i0 * k, 1, k, k, rows, pa, 0)
    const ci = co + i0 * n
    for (let j0 = 0, bi = 0; j0 < n; j0 += 4, bi += 4 * k) {
      const cols = Math.min(4, n - j0)
      if (rows < 4) kernelRows(pa, pb, bi, k, c, ci + j0, n, rows, cols)
      else if (cols < 4) kernelCols(pa, pb, bi, k, c, ci + j0, n, cols)
      else kernel4x4(pa, pb, bi, k, c, ci + j0, n)
    }
  }
}

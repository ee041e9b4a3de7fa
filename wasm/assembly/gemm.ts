// Matrix product C = op(A)·op(B) with WebAssembly SIMD, after GotoBLAS/BLIS, written once for
// both dtypes (T = f32 or f64; every `sizeof<T>()` branch is resolved at compile time):
// - a KC×n block of op(B) is packed into panels of NR columns (8 float32 or 4 float64: two
//   vectors) and an MC×KC block of op(A) into panels of MR = 4 rows, so one k step of the
//   micro-kernel reads consecutive memory;
// - a 4×NR micro-kernel keeps 8 vector accumulators (4 rows × 2 vectors), 2 B vectors and 1
//   broadcast A value in 11 of the 16 xmm registers; one k step is 6 loads and 16 arithmetic
//   instructions (measured: 6×8 tiles spill and run slower).
// The transpose flags only change how packing reads, so every combination runs the same inner
// loop at the same speed.
//
// Element (i, p) of op(A) is at a + sizeof<T>·(i·sam + p·sak); element (p, j) of op(B) at
// b + sizeof<T>·(p·sbk + j·sbn). C is row-major with row stride ldc ≥ n (elements), padded by
// the caller to whole 4×NR tiles, so edge tiles need no special kernel: padded rows and columns
// of the panels are zeros and their results land in the padding, which the caller drops.
// Padding is never along k, so no real entry sums a padded number.

const MR: i32 = 4

@inline function lanes<T>(): i32 {
  return 16 / sizeof<T>()
}

@inline function vadd<T>(a: v128, b: v128): v128 {
  return sizeof<T>() == 4 ? f32x4.add(a, b) : f64x2.add(a, b)
}

@inline function vmul<T>(a: v128, b: v128): v128 {
  return sizeof<T>() == 4 ? f32x4.mul(a, b) : f64x2.mul(a, b)
}

@inline function vmax<T>(a: v128, b: v128): v128 {
  return sizeof<T>() == 4 ? f32x4.max(a, b) : f64x2.max(a, b)
}

@inline function splatLoad<T>(p: usize, offset: usize): v128 {
  return sizeof<T>() == 4 ? v128.load32_splat(p + offset) : v128.load64_splat(p + offset)
}

// --- packing

// Writes 4 consecutive k steps of 4 float32 lines, read along k from `src` (line stride s1
// bytes), into a panel whose k steps are `step` bytes apart: a 4×4 transpose in registers.
@inline function transpose4x4(src: usize, s1: usize, dst: usize, step: usize): void {
  const r0 = v128.load(src), r1 = v128.load(src + s1), r2 = v128.load(src + 2 * s1), r3 = v128.load(src + 3 * s1)
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7)
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7)
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5))
  v128.store(dst + step, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7))
  v128.store(dst + 2 * step, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5))
  v128.store(dst + 3 * step, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7))
}

// Packs `count` (≤ width) lines into a panel of `width` lanes per k step: dst[width·p + q] =
// src(line q, step p) for p < kc, zeros for q ≥ count. `along` is the element stride along k and
// `across` the stride between lines (all the transpose flags change). width is 4 or 8 lines.
function packLines<T>(src: usize, along: i32, across: i32, kc: i32, count: i32, width: i32, dst: usize): void {
  const es = <usize>sizeof<T>()
  const step = <usize>width * es
  if (count == width && across == 1) {
    // Lines adjacent in memory: each k step is a copy of `step` bytes (one or two vectors).
    for (let p = 0; p < kc; p++) {
      v128.store(dst, v128.load(src))
      if (step == 32) v128.store(dst, v128.load(src, 16), 16)
      src += <usize>along * es
      dst += step
    }
    return
  }
  if (count == width && along == 1) {
    // Lines contiguous along k: transpose blocks in registers (float32 4×4, float64 2×2).
    const s1 = <usize>across * es
    let p = 0
    for (; p + 4 <= kc; p += 4) {
      if (sizeof<T>() == 4) {
        for (let q = 0; q < width; q += 4) transpose4x4(src + <usize>q * s1, s1, dst + <usize>q * 4, step)
      } else {
        for (let q = 0; q < width; q += 2) {
          for (let h = 0; h < 4; h += 2) {
            const r0 = v128.load(src + <usize>q * s1 + <usize>h * 8), r1 = v128.load(src + <usize>(q + 1) * s1 + <usize>h * 8)
            v128.store(dst + <usize>h * step + <usize>q * 8, v128.shuffle<f64>(r0, r1, 0, 2))
            v128.store(dst + <usize>(h + 1) * step + <usize>q * 8, v128.shuffle<f64>(r0, r1, 1, 3))
          }
        }
      }
      src += 4 * es
      dst += 4 * step
    }
    for (; p < kc; p++) {
      for (let q = 0; q < width; q++) store<T>(dst + <usize>q * es, load<T>(src + <usize>q * s1))
      src += es
      dst += step
    }
    return
  }
  // General strides or a partial panel.
  for (let p = 0; p < kc; p++) {
    for (let q = 0; q < width; q++) {
      store<T>(dst + <usize>q * es, q < count ? load<T>(src + <usize>(p * along + q * across) * es) : <T>0)
    }
    dst += step
  }
}

// Packs `lines` lines from line l0 (padded to whole panels of `width`), k range p0..p0+kc.
function pack<T>(src: usize, sLine: i32, sK: i32, l0: i32, lines: i32, p0: i32, kc: i32, width: i32, dst: usize): void {
  for (let l = 0; l < lines; l += width) {
    packLines<T>(src + <usize>((l0 + l) * sLine + p0 * sK) * sizeof<T>(), sK, sLine, kc, min(width, lines - l), width, dst)
    dst += <usize>(kc * width) * sizeof<T>()
  }
}

// --- the micro-kernel

// C[4×NR at c] (+)= A panel · B panel over kc steps; `acc` adds what C holds (later k blocks).
// On the last k block, `bias` (≠ 0: the address of this tile's NR bias values) is added and
// `relu` applies max(·, 0) — wasm's max keeps NaN and makes −0 into +0, as the relu op does.
@inline function kernel<T>(pa: usize, pb: usize, kc: i32, c: usize, ldcBytes: usize, acc: bool, bias: usize, relu: bool): void {
  const es = <usize>sizeof<T>()
  let c00 = v128.splat<i32>(0), c01 = v128.splat<i32>(0), c10 = v128.splat<i32>(0), c11 = v128.splat<i32>(0)
  let c20 = v128.splat<i32>(0), c21 = v128.splat<i32>(0), c30 = v128.splat<i32>(0), c31 = v128.splat<i32>(0)
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16)
    let a = splatLoad<T>(pa, 0)
    c00 = vadd<T>(c00, vmul<T>(a, b0)); c01 = vadd<T>(c01, vmul<T>(a, b1))
    a = splatLoad<T>(pa, es)
    c10 = vadd<T>(c10, vmul<T>(a, b0)); c11 = vadd<T>(c11, vmul<T>(a, b1))
    a = splatLoad<T>(pa, 2 * es)
    c20 = vadd<T>(c20, vmul<T>(a, b0)); c21 = vadd<T>(c21, vmul<T>(a, b1))
    a = splatLoad<T>(pa, 3 * es)
    c30 = vadd<T>(c30, vmul<T>(a, b0)); c31 = vadd<T>(c31, vmul<T>(a, b1))
    pa += 4 * es
    pb += 32
  }
  if (acc) {
    c00 = vadd<T>(c00, v128.load(c)); c01 = vadd<T>(c01, v128.load(c, 16))
    c10 = vadd<T>(c10, v128.load(c + ldcBytes)); c11 = vadd<T>(c11, v128.load(c + ldcBytes, 16))
    c20 = vadd<T>(c20, v128.load(c + 2 * ldcBytes)); c21 = vadd<T>(c21, v128.load(c + 2 * ldcBytes, 16))
    c30 = vadd<T>(c30, v128.load(c + 3 * ldcBytes)); c31 = vadd<T>(c31, v128.load(c + 3 * ldcBytes, 16))
  }
  if (bias != 0) {
    const d0 = v128.load(bias), d1 = v128.load(bias, 16)
    c00 = vadd<T>(c00, d0); c01 = vadd<T>(c01, d1); c10 = vadd<T>(c10, d0); c11 = vadd<T>(c11, d1)
    c20 = vadd<T>(c20, d0); c21 = vadd<T>(c21, d1); c30 = vadd<T>(c30, d0); c31 = vadd<T>(c31, d1)
  }
  if (relu) {
    const z = v128.splat<i32>(0)
    c00 = vmax<T>(c00, z); c01 = vmax<T>(c01, z); c10 = vmax<T>(c10, z); c11 = vmax<T>(c11, z)
    c20 = vmax<T>(c20, z); c21 = vmax<T>(c21, z); c30 = vmax<T>(c30, z); c31 = vmax<T>(c31, z)
  }
  v128.store(c, c00); v128.store(c, c01, 16)
  c += ldcBytes
  v128.store(c, c10); v128.store(c, c11, 16)
  c += ldcBytes
  v128.store(c, c20); v128.store(c, c21, 16)
  c += ldcBytes
  v128.store(c, c30); v128.store(c, c31, 16)
}

// --- the driver

@inline function gemm<T>(
  a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32,
  m: i32, n: i32, k: i32, pa: usize, pb: usize, kcBlock: i32, mcBlock: i32, bias: usize, relu: bool,
): void {
  const es = <usize>sizeof<T>()
  const nr = 2 * lanes<T>()
  const ldcBytes = <usize>ldc * es
  if (k == 0) {
    // An empty sum is 0: C = 0 (the caller handles bias and ReLU for k = 0).
    memory.fill(c, 0, <usize>(((m + MR - 1) / MR) * MR) * ldcBytes)
    return
  }
  for (let p0 = 0; p0 < k; p0 += kcBlock) {
    const kc = min(kcBlock, k - p0)
    const acc = p0 > 0
    const last = p0 + kc >= k
    pack<T>(b, sbn, sbk, 0, n, p0, kc, nr, pb)
    for (let i0 = 0; i0 < m; i0 += mcBlock) {
      const mc = min(mcBlock, m - i0)
      pack<T>(a, sam, sak, i0, mc, p0, kc, MR, pa)
      const bPanel = <usize>(kc * nr) * es
      const aPanel = <usize>(kc * MR) * es
      let bp = pb
      // B panel outer (it stays in L1), A panels inner (the A block stays in L2).
      for (let j0 = 0; j0 < n; j0 += nr) {
        let ap = pa
        let cp = c + <usize>i0 * ldcBytes + <usize>j0 * es
        const bj = last && bias != 0 ? bias + <usize>j0 * es : 0
        for (let ir = 0; ir < mc; ir += MR) {
          kernel<T>(ap, bp, kc, cp, ldcBytes, acc, bj, last && relu)
          ap += aPanel
          cp += MR * ldcBytes
        }
        bp += bPanel
      }
    }
  }
}

/**
 * C = op(A)·op(B) (+ bias) (then ReLU), float32: 4×8 tiles. C (at `c`, row stride `ldc`, a
 * multiple of 8 and ≥ n, room for ⌈m/4⌉·4 rows) is overwritten; `bias` is 0 or the address of
 * ⌈n/8⌉·8 values. Scratch: `pa` holds 4·⌈mc/4⌉·kc and `pb` ⌈n/8⌉·8·kc floats, with
 * kc = min(kcBlock, k) and mc = min(mcBlock, m).
 */
export function gemm32(
  a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32,
  m: i32, n: i32, k: i32, pa: usize, pb: usize, kcBlock: i32, mcBlock: i32, bias: usize, relu: bool,
): void {
  gemm<f32>(a, sam, sak, b, sbk, sbn, c, ldc, m, n, k, pa, pb, kcBlock, mcBlock, bias, relu)
}

/** The same for float64, with 4×4 tiles (ldc and the padding of bias and pb: multiples of 4). */
export function gemm64(
  a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32,
  m: i32, n: i32, k: i32, pa: usize, pb: usize, kcBlock: i32, mcBlock: i32, bias: usize, relu: bool,
): void {
  gemm<f64>(a, sam, sak, b, sbk, sbn, c, ldc, m, n, k, pa, pb, kcBlock, mcBlock, bias, relu)
}

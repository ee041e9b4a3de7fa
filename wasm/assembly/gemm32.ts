// float32 matrix product C = op(A)·op(B) with WebAssembly SIMD (f32x4), after GotoBLAS/BLIS:
// pack a KC×n block of op(B) into panels of NR = 8 columns and an MC×KC block of op(A) into
// panels of MR = 4 rows, then a 4×8 register-blocked micro-kernel (8 accumulators, 2 B vectors,
// 1 broadcast A value: 11 of the 16 xmm registers) sweeps them. The transpose flags only change
// how packing reads, so every combination runs the same inner loop at the same speed.
//
// Element (i, p) of op(A) is at a + 4·(i·sam + p·sak); element (p, j) of op(B) at
// b + 4·(p·sbk + j·sbn). C is row-major with row stride ldc ≥ n (in elements), padded by the
// caller to whole 4×8 tiles, so edge tiles need no special kernel: padded rows and columns of
// the panels are zeros and their results land in the padding, which the caller drops. Padding is
// never along k, so no real entry sums a padded number.

const MR: i32 = 4
const NR: i32 = 8

// 4×4 transpose of rows r0..r3 (each 4 floats) into columns.
@inline function tr0(r0: v128, r1: v128, r2: v128, r3: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), 0, 1, 4, 5)
}
@inline function tr1(r0: v128, r1: v128, r2: v128, r3: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), 2, 3, 6, 7)
}
@inline function tr2(r0: v128, r1: v128, r2: v128, r3: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), v128.shuffle<f32>(r2, r3, 2, 6, 3, 7), 0, 1, 4, 5)
}
@inline function tr3(r0: v128, r1: v128, r2: v128, r3: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), v128.shuffle<f32>(r2, r3, 2, 6, 3, 7), 2, 3, 6, 7)
}

// Packs `count` (≤ 4) lines of a matrix into a panel of 4 lanes per k step:
// dst[4p + q] = src(line q, step p) for p < kc, zeros for q ≥ count. `along` is the element
// stride along k and `across` the stride between lines; all the transpose flags change.
function packLines4(src: usize, along: i32, across: i32, kc: i32, count: i32, dst: usize): void {
  if (count == 4 && across == 1) {
    // Lines adjacent in memory: each k step is one unaligned vector copy.
    for (let p = 0; p < kc; p++) {
      v128.store(dst, v128.load(src))
      src += <usize>along << 2
      dst += 16
    }
    return
  }
  if (count == 4 && along == 1) {
    // Lines contiguous along k: transpose 4×4 blocks in registers.
    const s1 = <usize>across << 2
    let p = 0
    for (; p + 4 <= kc; p += 4) {
      const r0 = v128.load(src), r1 = v128.load(src + s1), r2 = v128.load(src + 2 * s1), r3 = v128.load(src + 3 * s1)
      v128.store(dst, tr0(r0, r1, r2, r3))
      v128.store(dst, tr1(r0, r1, r2, r3), 16)
      v128.store(dst, tr2(r0, r1, r2, r3), 32)
      v128.store(dst, tr3(r0, r1, r2, r3), 48)
      src += 16
      dst += 64
    }
    for (; p < kc; p++) {
      store<f32>(dst, load<f32>(src)); store<f32>(dst, load<f32>(src + s1), 4)
      store<f32>(dst, load<f32>(src + 2 * s1), 8); store<f32>(dst, load<f32>(src + 3 * s1), 12)
      src += 4
      dst += 16
    }
    return
  }
  // General strides or a partial panel.
  for (let p = 0; p < kc; p++) {
    for (let q = 0; q < 4; q++) {
      store<f32>(dst + (<usize>q << 2), q < count ? load<f32>(src + ((<usize>(p * along + q * across)) << 2)) : 0)
    }
    dst += 16
  }
}

// Packs rows i0.. of op(A) (mc of them, padded to whole panels), k range p0..p0+kc.
function packA(a: usize, sam: i32, sak: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir)
    packLines4(a + ((<usize>((i0 + ir) * sam + p0 * sak)) << 2), sak, sam, kc, rows, dst)
    dst += <usize>(kc * MR) << 2
  }
}

// Packs columns 0..n of op(B) (padded to whole panels of 8), k range p0..p0+kc. A panel of 8
// is two interleaved halves of 4: pack each half into a scratch-free layout by writing with
// stride 8 lanes — done here by packing 4-wide halves and interleaving as we go.
function packB(b: usize, sbk: i32, sbn: i32, n: i32, p0: i32, kc: i32, dst: usize): void {
  for (let j0 = 0; j0 < n; j0 += NR) {
    const cols = min(NR, n - j0)
    const src = b + ((<usize>(p0 * sbk + j0 * sbn)) << 2)
    if (cols == NR && sbn == 1) {
      for (let p = 0; p < kc; p++) {
        const s = src + ((<usize>(p * sbk)) << 2)
        v128.store(dst, v128.load(s))
        v128.store(dst, v128.load(s, 16), 16)
        dst += 32
      }
    } else if (cols == NR && sbk == 1) {
      // Columns contiguous along k (B transposed): two 4×4 transposes per 4 k steps.
      const s1 = <usize>sbn << 2
      let p = 0
      let s = src
      for (; p + 4 <= kc; p += 4) {
        let r0 = v128.load(s), r1 = v128.load(s + s1), r2 = v128.load(s + 2 * s1), r3 = v128.load(s + 3 * s1)
        v128.store(dst, tr0(r0, r1, r2, r3))
        v128.store(dst, tr1(r0, r1, r2, r3), 32)
        v128.store(dst, tr2(r0, r1, r2, r3), 64)
        v128.store(dst, tr3(r0, r1, r2, r3), 96)
        const t = s + 4 * s1
        r0 = v128.load(t); r1 = v128.load(t + s1); r2 = v128.load(t + 2 * s1); r3 = v128.load(t + 3 * s1)
        v128.store(dst, tr0(r0, r1, r2, r3), 16)
        v128.store(dst, tr1(r0, r1, r2, r3), 48)
        v128.store(dst, tr2(r0, r1, r2, r3), 80)
        v128.store(dst, tr3(r0, r1, r2, r3), 112)
        s += 16
        dst += 128
      }
      for (; p < kc; p++) {
        for (let q = 0; q < NR; q++) store<f32>(dst + (<usize>q << 2), load<f32>(s + (<usize>q) * s1))
        s += 4
        dst += 32
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let q = 0; q < NR; q++) {
          store<f32>(dst + (<usize>q << 2), q < cols ? load<f32>(src + ((<usize>(p * sbk + q * sbn)) << 2)) : 0)
        }
        dst += 32
      }
    }
  }
}

// C[4×8 at c] (+)= A panel · B panel over kc steps. `acc` adds to what C holds (later k blocks).
@inline function kernel(pa: usize, pb: usize, kc: i32, c: usize, ldcBytes: usize, acc: bool, bias: usize, relu: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0)
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0)
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16)
    let a = v128.load32_splat(pa)
    c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1))
    a = v128.load32_splat(pa, 4)
    c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1))
    a = v128.load32_splat(pa, 8)
    c20 = f32x4.add(c20, f32x4.mul(a, b0)); c21 = f32x4.add(c21, f32x4.mul(a, b1))
    a = v128.load32_splat(pa, 12)
    c30 = f32x4.add(c30, f32x4.mul(a, b0)); c31 = f32x4.add(c31, f32x4.mul(a, b1))
    pa += 16
    pb += 32
  }
  if (acc) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16))
    c10 = f32x4.add(c10, v128.load(c + ldcBytes)); c11 = f32x4.add(c11, v128.load(c + ldcBytes, 16))
    c20 = f32x4.add(c20, v128.load(c + 2 * ldcBytes)); c21 = f32x4.add(c21, v128.load(c + 2 * ldcBytes, 16))
    c30 = f32x4.add(c30, v128.load(c + 3 * ldcBytes)); c31 = f32x4.add(c31, v128.load(c + 3 * ldcBytes, 16))
  }
  if (bias != 0) {
    // Epilogue of the last k block: + bias (one value per column), then max(·, 0) for ReLU
    // (wasm's max keeps NaN and turns −0 into +0, as the TypeScript relu does).
    const d0 = v128.load(bias), d1 = v128.load(bias, 16)
    c00 = f32x4.add(c00, d0); c01 = f32x4.add(c01, d1); c10 = f32x4.add(c10, d0); c11 = f32x4.add(c11, d1)
    c20 = f32x4.add(c20, d0); c21 = f32x4.add(c21, d1); c30 = f32x4.add(c30, d0); c31 = f32x4.add(c31, d1)
  }
  if (relu) {
    const z = f32x4.splat(0)
    c00 = f32x4.max(c00, z); c01 = f32x4.max(c01, z); c10 = f32x4.max(c10, z); c11 = f32x4.max(c11, z)
    c20 = f32x4.max(c20, z); c21 = f32x4.max(c21, z); c30 = f32x4.max(c30, z); c31 = f32x4.max(c31, z)
  }
  v128.store(c, c00); v128.store(c, c01, 16)
  c += ldcBytes
  v128.store(c, c10); v128.store(c, c11, 16)
  c += ldcBytes
  v128.store(c, c20); v128.store(c, c21, 16)
  c += ldcBytes
  v128.store(c, c30); v128.store(c, c31, 16)
}

/**
 * C = op(A)·op(B), float32. C (at `c`, row stride `ldc` elements, ldc a multiple of 8 and ≥ n,
 * with room for ⌈m/4⌉·4 rows) is overwritten. `pa` needs 4·⌈mc/4⌉·kc floats and `pb`
 * ⌈n/8⌉·8·kc floats of scratch, where kc = min(kcBlock, k) and mc = min(mcBlock, m).
 */
export function gemm32(
  a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32,
  m: i32, n: i32, k: i32, pa: usize, pb: usize, kcBlock: i32, mcBlock: i32, bias: usize, relu: bool,
): void {
  const ldcBytes = <usize>ldc << 2
  if (k == 0) {
    // An empty sum is 0: C = 0 (never reached through packing, which needs kc ≥ 1).
    memory.fill(c, 0, <usize>(((m + MR - 1) / MR) * MR) * ldcBytes)
    return
  }
  for (let p0 = 0; p0 < k; p0 += kcBlock) {
    const kc = min(kcBlock, k - p0)
    const acc = p0 > 0
    const last = p0 + kc >= k
    packB(b, sbk, sbn, n, p0, kc, pb)
    for (let i0 = 0; i0 < m; i0 += mcBlock) {
      const mc = min(mcBlock, m - i0)
      packA(a, sam, sak, i0, mc, p0, kc, pa)
      const panelBytes = <usize>(kc * NR) << 2
      const aPanelBytes = <usize>(kc * MR) << 2
      let bp = pb
      for (let j0 = 0; j0 < n; j0 += NR) {
        let ap = pa
        let cp = c + (<usize>i0) * ldcBytes + (<usize>j0 << 2)
        for (let ir = 0; ir < mc; ir += MR) {
          kernel(ap, bp, kc, cp, ldcBytes, acc, last && bias != 0 ? bias + (<usize>j0 << 2) : 0, last && relu)
          ap += aPanelBytes
          cp += 4 * ldcBytes
        }
        bp += panelBytes
      }
    }
  }
}

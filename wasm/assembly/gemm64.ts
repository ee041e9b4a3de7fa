// float64 matrix product C = op(A)·op(B) with WebAssembly SIMD (f64x2): the same design as
// gemm32.ts with a 4×4 micro-kernel (8 accumulators of 2 lanes, 2 B vectors, 1 broadcast A
// value). Both operands are packed into panels of 4 lines, so one packing routine serves A and B.

const MR: i32 = 4
const NR: i32 = 4

// Packs `count` (≤ 4) lines into a panel of 4 lanes per k step: dst[4p + q] = src(line q,
// step p), zeros for q ≥ count. `along` is the element stride along k, `across` between lines.
function packLines4(src: usize, along: i32, across: i32, kc: i32, count: i32, dst: usize): void {
  if (count == 4 && across == 1) {
    // Lines adjacent in memory: each k step is two vector copies.
    for (let p = 0; p < kc; p++) {
      v128.store(dst, v128.load(src))
      v128.store(dst, v128.load(src, 16), 16)
      src += <usize>along << 3
      dst += 32
    }
    return
  }
  if (count == 4 && along == 1) {
    // Lines contiguous along k: 2×2 transposes in registers, two k steps at a time.
    const s1 = <usize>across << 3
    let p = 0
    for (; p + 2 <= kc; p += 2) {
      const r0 = v128.load(src), r1 = v128.load(src + s1), r2 = v128.load(src + 2 * s1), r3 = v128.load(src + 3 * s1)
      v128.store(dst, v128.shuffle<f64>(r0, r1, 0, 2))
      v128.store(dst, v128.shuffle<f64>(r2, r3, 0, 2), 16)
      v128.store(dst, v128.shuffle<f64>(r0, r1, 1, 3), 32)
      v128.store(dst, v128.shuffle<f64>(r2, r3, 1, 3), 48)
      src += 16
      dst += 64
    }
    if (p < kc) {
      store<f64>(dst, load<f64>(src)); store<f64>(dst, load<f64>(src + s1), 8)
      store<f64>(dst, load<f64>(src + 2 * s1), 16); store<f64>(dst, load<f64>(src + 3 * s1), 24)
    }
    return
  }
  // General strides or a partial panel.
  for (let p = 0; p < kc; p++) {
    for (let q = 0; q < 4; q++) {
      store<f64>(dst + (<usize>q << 3), q < count ? load<f64>(src + ((<usize>(p * along + q * across)) << 3)) : 0)
    }
    dst += 32
  }
}

// Packs `lines` lines starting at line l0 (padded to whole panels of 4), k range p0..p0+kc.
function pack(src: usize, sLine: i32, sK: i32, l0: i32, lines: i32, p0: i32, kc: i32, dst: usize): void {
  for (let l = 0; l < lines; l += 4) {
    packLines4(src + ((<usize>((l0 + l) * sLine + p0 * sK)) << 3), sK, sLine, kc, min(4, lines - l), dst)
    dst += <usize>(kc * 4) << 3
  }
}

// C[4×4 at c] (+)= A panel · B panel over kc steps.
@inline function kernel(pa: usize, pb: usize, kc: i32, c: usize, ldcBytes: usize, acc: bool, bias: usize, relu: bool): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0)
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0)
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16)
    let a = v128.load64_splat(pa)
    c00 = f64x2.add(c00, f64x2.mul(a, b0)); c01 = f64x2.add(c01, f64x2.mul(a, b1))
    a = v128.load64_splat(pa, 8)
    c10 = f64x2.add(c10, f64x2.mul(a, b0)); c11 = f64x2.add(c11, f64x2.mul(a, b1))
    a = v128.load64_splat(pa, 16)
    c20 = f64x2.add(c20, f64x2.mul(a, b0)); c21 = f64x2.add(c21, f64x2.mul(a, b1))
    a = v128.load64_splat(pa, 24)
    c30 = f64x2.add(c30, f64x2.mul(a, b0)); c31 = f64x2.add(c31, f64x2.mul(a, b1))
    pa += 32
    pb += 32
  }
  if (acc) {
    c00 = f64x2.add(c00, v128.load(c)); c01 = f64x2.add(c01, v128.load(c, 16))
    c10 = f64x2.add(c10, v128.load(c + ldcBytes)); c11 = f64x2.add(c11, v128.load(c + ldcBytes, 16))
    c20 = f64x2.add(c20, v128.load(c + 2 * ldcBytes)); c21 = f64x2.add(c21, v128.load(c + 2 * ldcBytes, 16))
    c30 = f64x2.add(c30, v128.load(c + 3 * ldcBytes)); c31 = f64x2.add(c31, v128.load(c + 3 * ldcBytes, 16))
  }
  if (bias != 0) {
    // Epilogue of the last k block: + bias (one value per column), then max(·, 0) for ReLU
    // (wasm's max keeps NaN and turns −0 into +0, as the TypeScript relu does).
    const d0 = v128.load(bias), d1 = v128.load(bias, 16)
    c00 = f64x2.add(c00, d0); c01 = f64x2.add(c01, d1); c10 = f64x2.add(c10, d0); c11 = f64x2.add(c11, d1)
    c20 = f64x2.add(c20, d0); c21 = f64x2.add(c21, d1); c30 = f64x2.add(c30, d0); c31 = f64x2.add(c31, d1)
  }
  if (relu) {
    const z = f64x2.splat(0)
    c00 = f64x2.max(c00, z); c01 = f64x2.max(c01, z); c10 = f64x2.max(c10, z); c11 = f64x2.max(c11, z)
    c20 = f64x2.max(c20, z); c21 = f64x2.max(c21, z); c30 = f64x2.max(c30, z); c31 = f64x2.max(c31, z)
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
 * C = op(A)·op(B), float64; the contract of gemm32 with 4×4 tiles: ldc a multiple of 4 and ≥ n,
 * room for ⌈m/4⌉·4 rows; `pa` needs 4·⌈mc/4⌉·kc and `pb` 4·⌈n/4⌉·kc doubles.
 */
export function gemm64(
  a: usize, sam: i32, sak: i32, b: usize, sbk: i32, sbn: i32, c: usize, ldc: i32,
  m: i32, n: i32, k: i32, pa: usize, pb: usize, kcBlock: i32, mcBlock: i32, bias: usize, relu: bool,
): void {
  const ldcBytes = <usize>ldc << 3
  if (k == 0) {
    memory.fill(c, 0, <usize>(((m + MR - 1) / MR) * MR) * ldcBytes)
    return
  }
  for (let p0 = 0; p0 < k; p0 += kcBlock) {
    const kc = min(kcBlock, k - p0)
    const acc = p0 > 0
    const last = p0 + kc >= k
    pack(b, sbn, sbk, 0, n, p0, kc, pb)
    for (let i0 = 0; i0 < m; i0 += mcBlock) {
      const mc = min(mcBlock, m - i0)
      pack(a, sam, sak, i0, mc, p0, kc, pa)
      const panelBytes = <usize>(kc * 4) << 3
      let bp = pb
      for (let j0 = 0; j0 < n; j0 += NR) {
        let ap = pa
        let cp = c + (<usize>i0) * ldcBytes + (<usize>j0 << 3)
        for (let ir = 0; ir < mc; ir += MR) {
          kernel(ap, bp, kc, cp, ldcBytes, acc, last && bias != 0 ? bias + (<usize>j0 << 3) : 0, last && relu)
          ap += panelBytes
          cp += 4 * ldcBytes
        }
        bp += panelBytes
      }
    }
  }
}

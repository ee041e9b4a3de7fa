// im2col for the convolution of src/kernels/conv.ts (gatherConv, one feature group): the
// windows of output rows r0 … r0 + m − 1 copied into a patch matrix (one row per output
// position, k0·k1·k2·c entries in the kernel's HWIO order), zeros where a window entry reads
// padding or a hole of the input dilation. The same copy as the TypeScript `gather`, so the
// patch is the same bits; it feeds gemm32/gemm64 in the same memory, which spares the patch's
// copy into WebAssembly memory and the TypeScript loop over short window rows.
//
// geo: 10 i32 values n0, n1, n2, k0, k1, k2, o0, o1, o2, c. t0, t1, t2: per axis, the input
// index read by output i and window entry t (t[i·k + t]), or −1. x is [batch, n0, n1, n2, c].
// Copies move whole vectors: they may write up to 15 bytes past an entry's end (overwritten by
// the next entry, or the slack after the patch region) and read up to 15 bytes past x's end
// (the slack after x's region).

@inline function copyBytes(dst: usize, src: usize, bytes: usize): void {
  for (let e: usize = 0; e < bytes; e += 16) v128.store(dst + e, v128.load(src + e))
}

@inline function zeroBytes(dst: usize, bytes: usize): void {
  const z = i32x4.splat(0)
  for (let e: usize = 0; e < bytes; e += 16) v128.store(dst + e, z)
}

@inline function im2col<T>(x: usize, geo: usize, t0: usize, t1: usize, t2: usize, r0: i32, m: i32, patch: usize): void {
  const es = <usize>sizeof<T>()
  const n0 = load<i32>(geo), n1 = load<i32>(geo, 4), n2 = load<i32>(geo, 8)
  const k0 = load<i32>(geo, 12), k1 = load<i32>(geo, 16), k2 = load<i32>(geo, 20)
  const o0 = load<i32>(geo, 24), o1 = load<i32>(geo, 28), o2 = load<i32>(geo, 32)
  const c = load<i32>(geo, 36)
  const entry = <usize>c * es
  const span = <usize>k2 * entry
  // Decode the first row's position, then step like an odometer.
  let i2 = r0 % o2
  let rest = r0 / o2
  let i1 = rest % o1
  rest /= o1
  let i0 = rest % o0
  let b = rest / o0
  let p = patch
  for (let r = 0; r < m; r++) {
    // Whether output i2's window along the last axis reads k2 consecutive inputs.
    const w2 = t2 + ((<usize>(i2 * k2)) << 2)
    const first = load<i32>(w2)
    let run = first >= 0
    for (let a = 1; a < k2 && run; a++) run = load<i32>(w2 + (<usize>a << 2)) == first + a
    for (let a0 = 0; a0 < k0; a0++) {
      const j0 = load<i32>(t0 + ((<usize>(i0 * k0 + a0)) << 2))
      for (let a1 = 0; a1 < k1; a1++) {
        const j1 = load<i32>(t1 + ((<usize>(i1 * k1 + a1)) << 2))
        if (j0 < 0 || j1 < 0) {
          zeroBytes(p, span)
          p += span
          continue
        }
        const row = ((b * n0 + j0) * n1 + j1) * n2
        if (run) {
          copyBytes(p, x + <usize>(row + first) * entry, span)
          p += span
          continue
        }
        for (let a2 = 0; a2 < k2; a2++) {
          const j2 = load<i32>(w2 + (<usize>a2 << 2))
          if (j2 < 0) zeroBytes(p, entry)
          else copyBytes(p, x + <usize>(row + j2) * entry, entry)
          p += entry
        }
      }
    }
    if (++i2 == o2) {
      i2 = 0
      if (++i1 == o1) {
        i1 = 0
        if (++i0 == o0) {
          i0 = 0
          b++
        }
      }
    }
  }
}

/** The patch rows of float32 data (see the header). */
export function im2col32(x: usize, geo: usize, t0: usize, t1: usize, t2: usize, r0: i32, m: i32, patch: usize): void {
  im2col<f32>(x, geo, t0, t1, t2, r0, m, patch)
}

/** The patch rows of float64 data. */
export function im2col64(x: usize, geo: usize, t0: usize, t1: usize, t2: usize, r0: i32, m: i32, patch: usize): void {
  im2col<f64>(x, geo, t0, t1, t2, r0, m, patch)
}

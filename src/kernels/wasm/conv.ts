/**
 * The gathering convolution of ../conv.ts (one feature group) in WebAssembly: x, the kernel and
 * the index tables are copied in once; each block of output rows is gathered by im2col32/64
 * (wasm/assembly/im2col.ts) straight into the A region of gemm32/64 and multiplied there, and
 * only the output is copied out. The patch and the products are those of the TypeScript path
 * (`gather`, then the dispatched matmul) bit for bit when that path runs its products in
 * WebAssembly: the same patch rows, the same gemm call per block.
 *
 * @internal
 */
import type { FloatArray } from '../../tensor/dtype.js'
import { BASE, KC, MC, after, gemmLayout, roundUp } from './layout.js'
import { capacity, wasm } from './runtime.js'

/** The geometry the module reads: spatial lengths, window, output lengths, channels (3 axes each). */
export interface Im2colGeometry {
  readonly batch: number
  readonly n: readonly number[]
  readonly k: readonly number[]
  readonly o: readonly number[]
  readonly c: number
  readonly outC: number
}

/**
 * out = conv(x, w) ([rows, outC], overwritten) in blocks of `block` output rows, with `bias`
 * (outC values) added and ReLU applied in the product's epilogue when given. `t0`–`t2` are the
 * index tables of ../conv.ts. Returns false, having written nothing, when the whole input with
 * one block does not fit in a memory the host grants, or WebAssembly is unavailable.
 */
export function wasmGatherConv(
  x: FloatArray,
  w: FloatArray,
  out: FloatArray,
  g: Im2colGeometry,
  t0: Int32Array,
  t1: Int32Array,
  t2: Int32Array,
  block: number,
  bias: FloatArray | null = null,
  relu = false,
): boolean {
  const f64 = out instanceof Float64Array
  if (x instanceof Float64Array !== f64 || w instanceof Float64Array !== f64 || (bias !== null && bias instanceof Float64Array !== f64)) return false
  const es = f64 ? 8 : 4
  const nr = f64 ? 4 : 8
  const { outC } = g
  const kk = g.k[0] * g.k[1] * g.k[2] * g.c
  const rows = g.batch * g.o[0] * g.o[1] * g.o[2]
  const xLen = g.batch * g.n[0] * g.n[1] * g.n[2] * g.c
  const L = gemmLayout(block, outC, kk, es, nr)
  // x, the geometry and the three tables after the product's regions.
  const xAt = BASE + L.need
  const geoAt = after(xAt, xLen * es)
  const t0At = after(geoAt, 40)
  const t1At = after(t0At, t0.length * 4)
  const t2At = after(t1At, t1.length * 4)
  const need = after(t2At, t2.length * 4) - BASE
  if (!(need <= capacity())) return false
  const m = wasm(need)
  if (m === null) return false
  const mem = f64 ? m.f64 : m.f32
  mem.set(x.subarray(0, xLen), xAt / es)
  mem.set(w.subarray(0, kk * outC), L.b / es)
  if (bias !== null) mem.set(bias, L.bias / es)
  m.u32.set([g.n[0], g.n[1], g.n[2], g.k[0], g.k[1], g.k[2], g.o[0], g.o[1], g.o[2], g.c], geoAt / 4)
  // −1 entries become 2³² − 1, which the module reads back as the i32 −1.
  m.u32.set(t0, t0At / 4)
  m.u32.set(t1, t1At / 4)
  m.u32.set(t2, t2At / 4)
  const np = roundUp(outC, nr)
  const ci = L.c / es
  const im2col = f64 ? m.fn.im2col64 : m.fn.im2col32
  const gemm = f64 ? m.fn.gemm64 : m.fn.gemm32
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r = Math.min(block, rows - r0)
    im2col(xAt, geoAt, t0At, t1At, t2At, r0, r, L.a)
    gemm(L.a, kk, 1, L.b, outC, 1, L.c, np, r, outC, kk, L.pa, L.pb, KC, MC, bias === null ? 0 : L.bias, relu ? 1 : 0)
    const dst = r0 * outC
    if (np === outC) out.set(mem.subarray(ci, ci + r * outC), dst)
    else if (outC >= 32) for (let i = 0; i < r; i++) out.set(mem.subarray(ci + i * np, ci + i * np + outC), dst + i * outC)
    // Why this loop: C's rows are padded to whole tiles in WebAssembly memory; short rows (a
    // LeNet's 6 channels) are copied entry by entry, a subarray per row costing more than its copy
    // (measured [64,28,28,1]→5×5×6 forward: 5.8 → 2.3 ms).
    else for (let i = 0, s = ci, d = dst; i < r; i++, s += np - outC) for (let j = 0; j < outC; j++) out[d++] = mem[s++]
  }
  return true
}

/**
 * General convolution of channels-last data by the packed matrix product, two ways. Gathering
 * (im2col): the windows of a block of output positions are gathered into a patch matrix (one
 * row per output position, one column per window entry and channel, in the kernel's HWIO
 * order), and `matmul` from ./dispatch.ts multiplies it by the kernel seen as a
 * [window·inC/groups, outC/groups] matrix, one product per feature group. Scattering (col2im),
 * for shapes where it is cheaper (`strategyOf`): a block of input rows times the kernel seen as
 * [inC/groups, window·outC/groups], each product added into the output position it reaches. The dispatch row of matmul decides between the TypeScript and
 * the WebAssembly GEMM, once for the whole convolution (its flops); this file has no threshold
 * of its own.
 *
 * Geometry, per spatial axis (1 to 3 of them; fewer are padded to 3 with axes of length 1):
 * input length n, input dilation ld (n' = (n − 1)·ld + 1 positions, the real ones at multiples
 * of ld), padding lo/hi (either may be negative: a crop), window k with dilation d
 * (k' = (k − 1)·d + 1), stride s; output length o = ⌊(n' + lo + hi − k') / s⌋ + 1 and
 *   y[o, j] = Σ_{t, c} x̃[o·s + t·d − lo, c] · w[t, c, j],
 * where x̃[p] = x[p / ld] when p is a multiple of ld inside [0, n'), else 0.
 *
 * Blocks: the patch matrix of at most `blockElems` numbers (a few MB) is reused; each output row
 * is one row of a product whose sums run over the same k in the same order whatever the number
 * of rows, and every block takes the same path, so the result does not depend on the block size
 * (test/kernels/conv.test.ts).
 *
 * @internal
 */
import type { FloatArray } from '../tensor/dtype.js'
import { KERNELS, matmul, useWasm } from './dispatch.js'
import { relu as reluKernel } from './elementwise.js'
import { wasmGatherConv } from './wasm/conv.js'

/** The geometry of one convolution, normalised to 3 spatial axes. */
export interface ConvGeometry {
  readonly batch: number
  /** input spatial lengths */
  readonly n: readonly number[]
  readonly inC: number
  /** window lengths */
  readonly k: readonly number[]
  readonly outC: number
  /** output spatial lengths */
  readonly o: readonly number[]
  readonly strides: readonly number[]
  readonly dilation: readonly number[]
  readonly lhsDilation: readonly number[]
  /** low padding per axis (the high padding only shows in `o`) */
  readonly lo: readonly number[]
  readonly groups: number
}

/** Default patch size: 2^19 numbers, 2 MiB in float32, 4 MiB in float64. */
export const BLOCK_ELEMS = 1 << 19

let scratch32 = new Float32Array(0)
let scratch64 = new Float64Array(0)

/** A reusable scratch of `n` numbers of `out`'s type (grown, never shrunk; only up to a block). */
function scratch(like: FloatArray, n: number): FloatArray {
  if (like instanceof Float64Array) {
    if (scratch64.length < n) scratch64 = new Float64Array(n)
    return scratch64
  }
  if (scratch32.length < n) scratch32 = new Float32Array(n)
  return scratch32
}

/**
 * Per axis, the input index read by output position i and window entry t (table[i·k + t]), or
 * −1 where it falls on padding or between dilated input positions.
 */
function indexTable(n: number, k: number, o: number, s: number, d: number, ld: number, lo: number): Int32Array {
  const t = new Int32Array(o * k)
  const np = (n - 1) * ld + 1
  for (let i = 0; i < o; i++) {
    for (let j = 0; j < k; j++) {
      const p = i * s + j * d - lo
      t[i * k + j] = p >= 0 && p < np && p % ld === 0 ? p / ld : -1
    }
  }
  return t
}

/** How a convolution is computed: gathering windows (im2col), or scattering products (col2im). */
export type ConvStrategy = 'gather' | 'scatter'

/**
 * The cheaper strategy for a geometry, from its shapes alone (so a given convolution always sums
 * in the same order). Gathering builds rows_out·window·inC patch entries and multiplies
 * rows_out·window·inC·og; scattering multiplies rows_in·inC/groups·window·outC and adds
 * rows_in·window·outC products into the output (about twice the memory traffic per entry). Each
 * cost counts a moved entry as 8 multiply-adds (16 for scattered ones). Scattering wins for the
 * input cotangent of a convolution with few output channels or with strides (a transposed
 * convolution, whose gathered windows are mostly the zeros of the input dilation).
 */
export function strategyOf(g: ConvGeometry): ConvStrategy {
  const kw = g.k[0] * g.k[1] * g.k[2]
  const rowsIn = g.batch * g.n[0] * g.n[1] * g.n[2]
  const rowsOut = g.batch * g.o[0] * g.o[1] * g.o[2]
  const gatherCost = rowsOut * kw * g.inC * (g.outC / g.groups + 8)
  const scatterCost = rowsIn * kw * g.outC * (g.inC / g.groups + 16)
  return scatterCost < gatherCost ? 'scatter' : 'gather'
}

/**
 * y = conv(x, w) into `out` ([batch, o0, o1, o2, outC], overwritten). x is [batch, n0, n1, n2,
 * inC], w is [k0, k1, k2, inC/groups, outC]; all three arrays have one float type. `strategy`
 * (by default `strategyOf(g)`) and `blockElems` are parameters for the tests: neither changes
 * the result beyond rounding, and `blockElems` not at all.
 */
export function conv(
  x: FloatArray,
  w: FloatArray,
  out: FloatArray,
  g: ConvGeometry,
  blockElems = BLOCK_ELEMS,
  strategy: ConvStrategy = strategyOf(g),
  bias: FloatArray | null = null,
  relu = false,
): void {
  const rows = g.batch * g.o[0] * g.o[1] * g.o[2]
  if (rows === 0 || g.outC === 0) return
  if (g.k[0] * g.k[1] * g.k[2] * g.inC === 0) out.fill(0, 0, rows * g.outC)
  else if (strategy === 'scatter') scatterConv(x, w, out, g, blockElems)
  else if (gatherConv(x, w, out, g, blockElems, bias, relu)) return
  epilogue(out, rows, g.outC, bias, relu)
}

/**
 * y + bias per output channel, then max(y, 0) (NaN kept), in place: rounded once per step, as
 * `add` and `relu` round, and as the WebAssembly epilogue does.
 */
function epilogue(out: FloatArray, rows: number, outC: number, bias: FloatArray | null, relu: boolean): void {
  // Why this loop: one pass adding the bias of each output channel.
  if (bias !== null) for (let r = 0, i = 0; r < rows; r++) for (let j = 0; j < outC; j++, i++) out[i] += bias[j]
  if (relu) reluKernel(out.subarray(0, rows * outC), out.subarray(0, rows * outC))
}

/**
 * im2col: each block of output rows gathers its windows and multiplies them by the kernel.
 * Returns true when the WebAssembly path also applied `bias` and `relu` (in its epilogue).
 */
function gatherConv(x: FloatArray, w: FloatArray, out: FloatArray, g: ConvGeometry, blockElems: number, bias: FloatArray | null, relu: boolean): boolean {
  const { batch, n, inC, k, outC, o, groups } = g
  const cg = inC / groups
  const og = outC / groups
  const kw = k[0] * k[1] * k[2]
  const kk = kw * cg // the patch row length (inner size of each product)
  const rows = batch * o[0] * o[1] * o[2]
  const t0 = indexTable(n[0], k[0], o[0], g.strides[0], g.dilation[0], g.lhsDilation[0], g.lo[0])
  const t1 = indexTable(n[1], k[1], o[1], g.strides[1], g.dilation[1], g.lhsDilation[1], g.lo[1])
  const t2 = indexTable(n[2], k[2], o[2], g.strides[2], g.dilation[2], g.lhsDilation[2], g.lo[2])
  // Rows per block: as many as fit in blockElems with the per-group output beside them.
  const per = groups === 1 ? kk : kk + og
  const block = Math.max(1, Math.min(rows, Math.floor(blockElems / per)))
  // The dispatch row decides once, by the whole convolution's flops, so every block takes one path.
  const flops = 2 * rows * outC * kk
  // One group in WebAssembly: the patch is gathered where the product runs (the same bits as
  // gathering here and calling the WebAssembly matmul per block; measured [32,28,28,1]→5×5×32
  // 3.6 → 1.4 ms). Declined (no room, no WebAssembly): the TypeScript gathering below.
  if (groups === 1 && useWasm(KERNELS.conv, flops) && wasmGatherConv(x, w, out, { batch, n, k, o, c: inC, outC }, t0, t1, t2, block, bias, relu)) return true
  const buf = scratch(out, block * per)
  const patch = buf.subarray(0, block * kk)
  const tmp = groups === 1 ? null : buf.subarray(block * kk, block * per)
  // The kernel of group q as a contiguous [kk, og] matrix (groups = 1: w itself).
  const kernels: FloatArray[] = []
  for (let q = 0; q < groups; q++) kernels.push(groups === 1 ? w : groupKernel(w, kw, cg, outC, og, q))
  for (let r0 = 0; r0 < rows; r0 += block) {
    const m = Math.min(block, rows - r0)
    for (let q = 0; q < groups; q++) {
      gather(x, patch, g, t0, t1, t2, r0, m, q * cg, cg)
      if (tmp === null) matmul(patch, 0, kernels[q], 0, out, r0 * outC, m, og, kk, false, false, flops)
      else {
        matmul(patch, 0, kernels[q], 0, tmp, 0, m, og, kk, false, false, flops)
        // Why this loop: group q owns output channels [q·og, (q + 1)·og) of every row.
        for (let r = 0; r < m; r++) {
          const dst = (r0 + r) * outC + q * og
          for (let j = 0; j < og; j++) out[dst + j] = tmp[r * og + j]
        }
      }
    }
  }
  return false
}

/**
 * Per axis, the output position that input i reaches through window entry t (table[i·k + t]),
 * or −1: x̃ position i·ld is read by output o and entry t when o·s + t·d − lo = i·ld.
 */
function reachTable(n: number, k: number, o: number, s: number, d: number, ld: number, lo: number): Int32Array {
  const t = new Int32Array(n * k)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const p = i * ld + lo - j * d
      t[i * k + j] = p >= 0 && p % s === 0 && p / s < o ? p / s : -1
    }
  }
  return t
}

/**
 * col2im: each block of input rows is multiplied by the kernel seen as [inC/groups,
 * window·og] (every entry's contribution at once), and the products are added into the output
 * positions they reach. Each output entry sums its contributions in input-row order, then
 * window order, whatever the block size.
 */
function scatterConv(x: FloatArray, w: FloatArray, out: FloatArray, g: ConvGeometry, blockElems: number): void {
  const { batch, n, inC, k, outC, o, groups } = g
  const cg = inC / groups
  const og = outC / groups
  const kw = k[0] * k[1] * k[2]
  const wide = kw * og // one product row: every window entry's og outputs
  const rows = batch * n[0] * n[1] * n[2]
  out.fill(0, 0, batch * o[0] * o[1] * o[2] * outC)
  const t0 = reachTable(n[0], k[0], o[0], g.strides[0], g.dilation[0], g.lhsDilation[0], g.lo[0])
  const t1 = reachTable(n[1], k[1], o[1], g.strides[1], g.dilation[1], g.lhsDilation[1], g.lo[1])
  const t2 = reachTable(n[2], k[2], o[2], g.strides[2], g.dilation[2], g.lhsDilation[2], g.lo[2])
  const per = groups === 1 ? wide : wide + cg
  const block = Math.max(1, Math.min(rows, Math.floor(blockElems / per)))
  const buf = scratch(out, block * per)
  const prod = buf.subarray(0, block * wide)
  const a = groups === 1 ? null : buf.subarray(block * wide, block * per)
  const kernels: FloatArray[] = []
  for (let q = 0; q < groups; q++) kernels.push(spreadKernel(w, kw, cg, outC, og, q))
  const flops = 2 * rows * cg * wide * groups
  for (let r0 = 0; r0 < rows; r0 += block) {
    const m = Math.min(block, rows - r0)
    for (let q = 0; q < groups; q++) {
      if (a === null) matmul(x, r0 * inC, kernels[q], 0, prod, 0, m, wide, cg, false, false, flops)
      else {
        // Why this loop: group q's channels of each input row, made contiguous for the product.
        for (let r = 0; r < m; r++) for (let c = 0; c < cg; c++) a[r * cg + c] = x[(r0 + r) * inC + q * cg + c]
        matmul(a, 0, kernels[q], 0, prod, 0, m, wide, cg, false, false, flops)
      }
      scatterAdd(prod, out, g, t0, t1, t2, r0, m, q * og, og)
    }
  }
}

/** Row r of a row-major [batch, d0, d1, d2] grid as [batch, i0, i1, i2]: where an odometer starts. */
function position(r: number, d0: number, d1: number, d2: number): [number, number, number, number] {
  const i2 = r % d2
  let rest = (r - i2) / d2
  const i1 = rest % d1
  rest = (rest - i1) / d1
  const i0 = rest % d0
  return [(rest - i0) / d0, i0, i1, i2]
}

/** w's group q as [cg, kw·og]: row c holds every window entry's og outputs (entry-major). */
function spreadKernel(w: FloatArray, kw: number, cg: number, outC: number, og: number, q: number): FloatArray {
  const dst = w instanceof Float64Array ? new Float64Array(cg * kw * og) : new Float32Array(cg * kw * og)
  for (let t = 0; t < kw; t++) for (let c = 0; c < cg; c++) for (let j = 0; j < og; j++) dst[(c * kw + t) * og + j] = w[(t * cg + c) * outC + q * og + j]
  return dst
}

/** Adds product rows r0 … r0 + m − 1 (input positions) into the output channels [j0, j0 + og). */
function scatterAdd(prod: FloatArray, out: FloatArray, g: ConvGeometry, t0: Int32Array, t1: Int32Array, t2: Int32Array, r0: number, m: number, j0: number, og: number): void {
  const [n0, n1, n2] = g.n
  const [k0, k1, k2] = g.k
  const [o0, o1, o2] = g.o
  const outC = g.outC
  let [b, i0, i1, i2] = position(r0, n0, n1, n2)
  let p = 0
  for (let r = 0; r < m; r++) {
    for (let a0 = 0; a0 < k0; a0++) {
      const q0 = t0[i0 * k0 + a0]
      for (let a1 = 0; a1 < k1; a1++) {
        const q1 = t1[i1 * k1 + a1]
        for (let a2 = 0; a2 < k2; a2++, p += og) {
          const q2 = t2[i2 * k2 + a2]
          if (q0 < 0 || q1 < 0 || q2 < 0) continue
          const dst = (((b * o0 + q0) * o1 + q1) * o2 + q2) * outC + j0
          // Why this loop: this entry's og products go to og consecutive output channels.
          for (let j = 0; j < og; j++) out[dst + j] += prod[p + j]
        }
      }
    }
    if (++i2 === n2) {
      i2 = 0
      if (++i1 === n1) {
        i1 = 0
        if (++i0 === n0) {
          i0 = 0
          b++
        }
      }
    }
  }
}

/** Columns [q·og, (q + 1)·og) of w seen as [kw·cg, outC], copied into a [kw·cg, og] matrix. */
function groupKernel(w: FloatArray, kw: number, cg: number, outC: number, og: number, q: number): FloatArray {
  const rowsK = kw * cg
  const dst = w instanceof Float64Array ? new Float64Array(rowsK * og) : new Float32Array(rowsK * og)
  for (let r = 0; r < rowsK; r++) for (let j = 0; j < og; j++) dst[r * og + j] = w[r * outC + q * og + j]
  return dst
}

/**
 * Patch rows r0 … r0 + m − 1 (output positions in row-major [batch, o0, o1, o2] order) of the
 * channels [c0, c0 + cg) into `patch` ([m, kw·cg], overwritten): zeros where a window entry
 * reads padding or a hole of the input dilation.
 */
function gather(x: FloatArray, patch: FloatArray, g: ConvGeometry, t0: Int32Array, t1: Int32Array, t2: Int32Array, r0: number, m: number, c0: number, cg: number): void {
  const [n0, n1, n2] = g.n
  const [k0, k1, k2] = g.k
  const [o0, o1, o2] = g.o
  const inC = g.inC
  // Decode the first row's position, then step through positions like an odometer.
  let [b, i0, i1, i2] = position(r0, o0, o1, o2)
  // run[i2] = 1 when output i2's window along the last axis reads k2 consecutive inputs (no
  // padding, no dilation hole): then, with all channels (cg = inC), the k2·cg entries are one
  // contiguous stretch of x, copied by one loop instead of k2 loops of cg.
  const run = new Uint8Array(o2)
  for (let i = 0; i < o2; i++) {
    let ok = t2[i * k2] >= 0
    for (let a = 1; a < k2 && ok; a++) ok = t2[i * k2 + a] === t2[i * k2] + a
    run[i] = ok && cg === inC ? 1 : 0
  }
  const span = k2 * cg
  let p = 0
  for (let r = 0; r < m; r++) {
    const xb = b * n0
    for (let a0 = 0; a0 < k0; a0++) {
      const j0 = t0[i0 * k0 + a0]
      for (let a1 = 0; a1 < k1; a1++) {
        const j1 = t1[i1 * k1 + a1]
        if (j0 < 0 || j1 < 0) {
          patch.fill(0, p, p + span)
          p += span
          continue
        }
        const row = ((xb + j0) * n1 + j1) * n2
        if (run[i2] === 1) {
          const src = (row + t2[i2 * k2]) * inC
          // The whole window row is one contiguous stretch of x: from 64 numbers a native copy
          // (measured: [32,14,14,32] with a 3×3 window, span 96, 4.1 → 2.8 ms), below it a loop.
          if (span >= 64) patch.set(x.subarray(src, src + span), p)
          // Why this loop: a short window row, where a subarray would cost more than it saves.
          else for (let e = 0; e < span; e++) patch[p + e] = x[src + e]
          p += span
          continue
        }
        for (let a2 = 0; a2 < k2; a2++) {
          const j2 = t2[i2 * k2 + a2]
          if (j2 < 0) {
            patch.fill(0, p, p + cg)
          } else {
            const src = (row + j2) * inC + c0
            // Why this loop: copy the window entry's channels (contiguous in channels-last x).
            for (let c = 0; c < cg; c++) patch[p + c] = x[src + c]
          }
          p += cg
        }
      }
    }
    if (++i2 === o2) {
      i2 = 0
      if (++i1 === o1) {
        i1 = 0
        if (++i0 === o0) {
          i0 = 0
          b++
        }
      }
    }
  }
}

/**
 * The WebAssembly SIMD matrix product (wasm/assembly/gemm32.ts and gemm64.ts) behind the same
 * signature as the TypeScript kernel in ../matmul.ts: operands are copied into WebAssembly memory,
 * packed there by the module, and the result copied out. The copies are O(n²) against O(n³)
 * arithmetic, and are counted in every benchmark.
 *
 * @internal
 */
import type { TypedArray } from '../../tensor/dtype.js'
import { BASE, after, roundUp, wasm } from './runtime.js'

// Cache blocking: a KC×8 float32 panel of B (8 KiB) stays in L1 while an MC×KC block of A
// (128 KiB) streams from L2; float64 halves the panel width, so the same KC fits.
const KC = 256
const MC = 128

/**
 * C = op(A)·op(B) into `c[co..co+m·n)`, as `matmul` in ../matmul.ts; all arrays must have the
 * same dtype. With `bias` (n values), C = op(A)·op(B) + bias per row, and with `relu` then
 * max(C, 0), both in the kernel's epilogue while C is still in registers. Returns false (and
 * does nothing) when the WebAssembly kernels are unavailable.
 */
export function wasmMatmul(
  a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, co: number,
  m: number, n: number, k: number, ta: boolean, tb: boolean, bias: TypedArray | null = null, relu = false,
): boolean {
  // k = 0 never reaches the epilogue (the kernel only zero-fills): leave that edge to TypeScript.
  if (k === 0 && (bias !== null || relu)) return false
  const f64 = c instanceof Float64Array
  const es = f64 ? 8 : 4
  const nr = f64 ? 4 : 8
  const np = roundUp(n, nr)
  const kc = Math.min(KC, k), mc = Math.min(MC, m)
  const aAt = BASE
  const bAt = after(aAt, m * k * es)
  const cAt = after(bAt, k * n * es)
  const paAt = after(cAt, roundUp(m, 4) * np * es)
  const pbAt = after(paAt, roundUp(mc, 4) * kc * es)
  const biasAt = after(pbAt, np * kc * es)
  const end = after(biasAt, np * es)
  const w = wasm(end - BASE)
  if (w === null) return false
  const mem = f64 ? w.f64 : w.f32
  const e = es === 8 ? 3 : 2
  mem.set(a.subarray(ao, ao + m * k), aAt >> e)
  mem.set(b.subarray(bo, bo + k * n), bAt >> e)
  // The bias region is np long; the padding columns' results are dropped, so its tail may hold anything.
  if (bias !== null) mem.set(bias, biasAt >> e)
  const bp = bias === null ? 0 : biasAt
  ;(f64 ? w.fn.gemm64 : w.fn.gemm32)(aAt, ta ? 1 : k, ta ? m : 1, bAt, tb ? 1 : n, tb ? k : 1, cAt, np, m, n, k, paAt, pbAt, KC, MC, bp, relu ? 1 : 0)
  const c0 = cAt >> e
  if (np === n) c.set(mem.subarray(c0, c0 + m * n), co)
  // Why this loop: C's rows are padded to whole tiles in WebAssembly memory; copy row by row.
  else for (let i = 0; i < m; i++) c.set(mem.subarray(c0 + i * np, c0 + i * np + n), co + i * n)
  return true
}

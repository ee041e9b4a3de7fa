/**
 * The WebAssembly SIMD matrix product (gemm32 and gemm64 of wasm/assembly/gemm.ts) behind the same
 * signature as the TypeScript kernel in ../matmul.ts: operands are copied into WebAssembly memory,
 * packed there by the module, and the result copied out. The copies are O(n²) against O(n³)
 * arithmetic, and are counted in every benchmark.
 *
 * @internal
 */
import type { TypedArray } from '../../tensor/dtype.js'
import { KC, MC, gemmLayout, panelRows } from './layout.js'
import { capacity, chunkBudget, wasm } from './runtime.js'

/**
 * C = op(A)·op(B) into `c[co..co+m·n)`, as `matmul` in ../matmul.ts; all arrays must have the
 * same dtype. With `bias` (n values), C = op(A)·op(B) + bias per row, and with `relu` then
 * max(C, 0), both in the kernel's epilogue while C is still in registers.
 *
 * Sizes: the whole product runs in one call when its layout fits in a memory the host grants.
 * Otherwise op(A) is cut into row panels, each a call with all of B (every entry of C is the
 * same sum either way, so the bits do not change). Returns false, having written nothing, when
 * not even 4 rows fit with B, or WebAssembly is unavailable: the caller runs TypeScript.
 */
export function wasmMatmul(
  a: TypedArray,
  ao: number,
  b: TypedArray,
  bo: number,
  c: TypedArray,
  co: number,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
  bias: TypedArray | null = null,
  relu = false,
): boolean {
  // k = 0 never reaches the epilogue (the kernel only zero-fills): leave that edge to TypeScript.
  if (k === 0 && (bias !== null || relu)) return false
  const f64 = c instanceof Float64Array
  const es = f64 ? 8 : 4
  const nr = f64 ? 4 : 8
  const whole = gemmLayout(m, n, k, es, nr)
  let rows = m
  let w = whole.need <= capacity() ? wasm(whole.need) : null
  if (w === null) {
    // Too large for one memory, or refused: row panels within the memory there is (or the first
    // size), enlarged to hold MC rows with B when needed, so that packing B is paid for by at least MC rows.
    const budget = Math.min(capacity(), Math.max(chunkBudget(), gemmLayout(Math.min(m, MC), n, k, es, nr).need))
    rows = panelRows(m, n, k, es, nr, budget)
    if (rows === 0 || rows === m) return false
    w = wasm(gemmLayout(rows, n, k, es, nr).need)
    if (w === null) return false
  }
  const L = gemmLayout(rows, n, k, es, nr)
  const np = Math.ceil(n / nr) * nr
  const mem = f64 ? w.f64 : w.f32
  const gemm = f64 ? w.fn.gemm64 : w.fn.gemm32
  // Element indices of the regions: exact, every region starts on a 64-byte boundary.
  const ai = L.a / es,
    ci = L.c / es
  mem.set(b.subarray(bo, bo + k * n), L.b / es)
  // The bias region is np long; the padding columns' results are dropped, so its tail may hold anything.
  if (bias !== null) mem.set(bias, L.bias / es)
  for (let i0 = 0; i0 < m; i0 += rows) {
    const r = Math.min(rows, m - i0)
    // A panel of r rows of op(A): r·k contiguous values, or (ta, A stored k×m) r values of each of k rows.
    if (!ta) mem.set(a.subarray(ao + i0 * k, ao + (i0 + r) * k), ai)
    else if (r === m) mem.set(a.subarray(ao, ao + k * m), ai)
    else for (let p = 0; p < k; p++) mem.set(a.subarray(ao + p * m + i0, ao + p * m + i0 + r), ai + p * r)
    gemm(L.a, ta ? 1 : k, ta ? r : 1, L.b, tb ? 1 : n, tb ? k : 1, L.c, np, r, n, k, L.pa, L.pb, KC, MC, bias === null ? 0 : L.bias, relu ? 1 : 0)
    const out = co + i0 * n
    if (np === n) c.set(mem.subarray(ci, ci + r * n), out)
    // Why this loop: C's rows are padded to whole tiles in WebAssembly memory; copy row by row.
    else for (let i = 0; i < r; i++) c.set(mem.subarray(ci + i * np, ci + i * np + n), out + i * n)
  }
  return true
}

/**
 * The kernel layer's entry points: each picks the WebAssembly SIMD kernel or the TypeScript
 * reference kernel (see backend.ts for the policy and the PUREDIFF_KERNELS override).
 *
 * @internal
 */
import type { TypedArray } from '../tensor/dtype.js'
import { useWasm } from './backend.js'
import { relu as reluKernel } from './elementwise.js'
import { matmul as jsMatmul } from './matmul.js'
import { wasmMatmul } from './wasm/matmul.js'

/** Below this many flops (2·m·n·k) the TypeScript kernel wins: the copies cost more than SIMD saves (measured crossover near 8×8×8). */
const MATMUL_WASM_FLOPS = 2 * 10 * 10 * 10

/**
 * C = op(A)·op(B) into `c[co..co+m·n)`, overwritten; the contract of ../matmul.ts. The
 * WebAssembly kernel needs one dtype throughout; mixed float32/float64 products run in TypeScript.
 */
export function matmul(
  a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, co: number,
  m: number, n: number, k: number, ta: boolean, tb: boolean,
): void {
  if (m === 0 || n === 0) return
  const same = (a instanceof Float64Array) === (c instanceof Float64Array) && (b instanceof Float64Array) === (c instanceof Float64Array)
  if (same && useWasm(2 * m * n * k, MATMUL_WASM_FLOPS) && wasmMatmul(a, ao, b, bo, c, co, m, n, k, ta, tb)) return
  jsMatmul(a, ao, b, bo, c, co, m, n, k, ta, tb)
}

/**
 * Y = X·W (+ bias per row) (then ReLU): X is m×k, W k×n, bias n values or null, Y m×n,
 * overwritten. The WebAssembly kernel applies bias and ReLU in its epilogue; the TypeScript path
 * runs the product, then one pass. Both round exactly as matmul, add and relu would one by one.
 */
export function affine(x: TypedArray, w: TypedArray, bias: TypedArray | null, out: TypedArray, m: number, n: number, k: number, relu: boolean): void {
  if (m === 0 || n === 0) return
  const f64 = out instanceof Float64Array
  const same = (x instanceof Float64Array) === f64 && (w instanceof Float64Array) === f64 && (bias === null || (bias instanceof Float64Array) === f64)
  if (same && useWasm(2 * m * n * k, MATMUL_WASM_FLOPS) && wasmMatmul(x, 0, w, 0, out, 0, m, n, k, false, false, bias, relu)) return
  jsMatmul(x, 0, w, 0, out, 0, m, n, k, false, false)
  // Why this loop: the bias per row, rounded on store as add rounds it.
  if (bias !== null) for (let i = 0, o = 0; i < m; i++) for (let j = 0; j < n; j++, o++) out[o] += bias[j]
  if (relu) reluKernel(out, out)
}

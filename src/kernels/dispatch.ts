/**
 * The kernel layer's entry points: each picks the WebAssembly SIMD kernel or the TypeScript
 * reference kernel (see backend.ts for the policy and the PUREDIFF_KERNELS override).
 *
 * @internal
 */
import type { TypedArray } from '../tensor/dtype.js'
import { useWasm } from './backend.js'
import { matmul as jsMatmul } from './matmul.js'
import { wasmMatmul } from './wasm/matmul.js'

/** Below this many flops (2·m·n·k) the TypeScript kernel wins: the copies cost more than SIMD saves. */
const MATMUL_WASM_FLOPS = 2 * 24 * 24 * 24

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

/**
 * The optimizer kernels of src/optim/kernels.ts in WebAssembly SIMD (wasm/assembly/optim.ts):
 * bit-identical results, since both compute in float64 in the same order and round once on
 * store. Each returns false (doing nothing) when it cannot run: WebAssembly unavailable, or the
 * arrays not all of one dtype.
 *
 * @internal
 */
import type { TypedArray } from '../../tensor/dtype.js'
import { BASE, after, wasm, type Wasm } from './runtime.js'

/** Byte offsets of `count` regions of `bytes` each, and the end of the last. */
function regions(count: number, bytes: number): number[] {
  const at = [BASE]
  for (let i = 1; i <= count; i++) at.push(after(at[i - 1], bytes))
  return at
}

/** The instance and dtype shift for arrays that share one dtype, or null. */
function setup(arrays: readonly TypedArray[], count: number): { w: Wasm; at: number[]; f64: boolean } | null {
  const f64 = arrays[0] instanceof Float64Array
  for (const x of arrays) if ((x instanceof Float64Array) !== f64) return null
  const at = regions(count, arrays[0].length * (f64 ? 8 : 4))
  const w = wasm(at[count] - BASE)
  return w === null ? null : { w, at, f64 }
}

function put(s: { w: Wasm; f64: boolean }, x: TypedArray, at: number): void {
  if (s.f64) s.w.f64.set(x, at >> 3)
  else s.w.f32.set(x, at >> 2)
}

function get(s: { w: Wasm; f64: boolean }, out: TypedArray, at: number): void {
  if (s.f64) out.set(s.w.f64.subarray(at >> 3, (at >> 3) + out.length))
  else out.set(s.w.f32.subarray(at >> 2, (at >> 2) + out.length))
}

/** Adam: see `adam` in src/optim/kernels.ts. */
export function wasmAdam(
  g: TypedArray, mu: TypedArray, nu: TypedArray, muOut: TypedArray, nuOut: TypedArray, uOut: TypedArray,
  b1: number, b2: number, c1: number, c2: number, eps: number, epsRoot: number, a: number,
): boolean {
  const s = setup([g, mu, nu, muOut, nuOut, uOut], 6)
  if (s === null) return false
  const { at } = s
  put(s, g, at[0]); put(s, mu, at[1]); put(s, nu, at[2])
  ;(s.f64 ? s.w.fn.adam64 : s.w.fn.adam32)(at[0], at[1], at[2], at[3], at[4], at[5], g.length, b1, b2, 1 / c1, 1 / c2, eps, epsRoot, a)
  get(s, muOut, at[3]); get(s, nuOut, at[4]); get(s, uOut, at[5])
  return true
}

/** Momentum trace: see `trace` in src/optim/kernels.ts. */
export function wasmTrace(g: TypedArray, t: TypedArray, tOut: TypedArray, uOut: TypedArray, decay: number, nesterov: boolean, a: number): boolean {
  const s = setup([g, t, tOut, uOut], 4)
  if (s === null) return false
  const { at } = s
  put(s, g, at[0]); put(s, t, at[1])
  ;(s.f64 ? s.w.fn.trace64 : s.w.fn.trace32)(at[0], at[1], at[2], at[3], g.length, decay, nesterov ? 1 : 0, a)
  get(s, tOut, at[2]); get(s, uOut, at[3])
  return true
}

/** Adagrad: see `rss` in src/optim/kernels.ts. */
export function wasmRss(g: TypedArray, sum: TypedArray, sOut: TypedArray, uOut: TypedArray, eps: number, epsInSqrt: boolean, a: number): boolean {
  const s = setup([g, sum, sOut, uOut], 4)
  if (s === null) return false
  const { at } = s
  put(s, g, at[0]); put(s, sum, at[1])
  ;(s.f64 ? s.w.fn.rss64 : s.w.fn.rss32)(at[0], at[1], at[2], at[3], g.length, eps, epsInSqrt ? 1 : 0, a)
  get(s, sOut, at[2]); get(s, uOut, at[3])
  return true
}

/** RMSprop: see `rms` in src/optim/kernels.ts. */
export function wasmRms(g: TypedArray, nu: TypedArray, nuOut: TypedArray, uOut: TypedArray, decay: number, eps: number, epsInSqrt: boolean, first: boolean, a: number): boolean {
  const s = setup([g, nu, nuOut, uOut], 4)
  if (s === null) return false
  const { at } = s
  put(s, g, at[0]); put(s, nu, at[1])
  ;(s.f64 ? s.w.fn.rms64 : s.w.fn.rms32)(at[0], at[1], at[2], at[3], g.length, decay, eps, epsInSqrt ? 1 : 0, first ? 1 : 0, a)
  get(s, nuOut, at[2]); get(s, uOut, at[3])
  return true
}

/** out = x + y: see `add` in src/optim/kernels.ts. */
export function wasmAdd(x: TypedArray, y: TypedArray, out: TypedArray): boolean {
  const s = setup([x, y, out], 3)
  if (s === null) return false
  const { at } = s
  put(s, x, at[0]); put(s, y, at[1])
  ;(s.f64 ? s.w.fn.add64 : s.w.fn.add32)(at[0], at[1], at[2], x.length)
  get(s, out, at[2])
  return true
}

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

/**
 * Runs one elementwise kernel: `ins` are copied into consecutive regions of WebAssembly memory,
 * `call(at, f64)` runs the kernel with the byte offsets of the inputs' regions, then the
 * outputs' (in that order), and the outputs are copied back into `outs`. False (nothing done)
 * when the arrays do not share one dtype or WebAssembly is unavailable.
 */
function run(ins: readonly TypedArray[], outs: readonly TypedArray[], call: (fn: Wasm['fn'], at: readonly number[], f64: boolean) => void): boolean {
  const f64 = ins[0] instanceof Float64Array
  for (const x of ins) if ((x instanceof Float64Array) !== f64) return false
  for (const x of outs) if ((x instanceof Float64Array) !== f64) return false
  const count = ins.length + outs.length, bytes = ins[0].length * (f64 ? 8 : 4), e = f64 ? 3 : 2
  const at = [BASE]
  for (let i = 1; i <= count; i++) at.push(after(at[i - 1], bytes))
  const w = wasm(at[count] - BASE)
  if (w === null) return false
  const mem = f64 ? w.f64 : w.f32
  ins.forEach((x, i) => mem.set(x, at[i] >> e))
  call(w.fn, at, f64)
  outs.forEach((x, i) => { const o = at[ins.length + i] >> e; x.set(mem.subarray(o, o + x.length)) })
  return true
}

/** Adam: see `adam` in src/optim/kernels.ts. */
export function wasmAdam(
  g: TypedArray, mu: TypedArray, nu: TypedArray, muOut: TypedArray, nuOut: TypedArray, uOut: TypedArray,
  b1: number, b2: number, c1: number, c2: number, eps: number, epsRoot: number, a: number,
): boolean {
  return run([g, mu, nu], [muOut, nuOut, uOut], (fn, at, f64) =>
    (f64 ? fn.adam64 : fn.adam32)(at[0], at[1], at[2], at[3], at[4], at[5], g.length, b1, b2, 1 / c1, 1 / c2, eps, epsRoot, a))
}

/** Momentum trace: see `trace` in src/optim/kernels.ts. */
export function wasmTrace(g: TypedArray, t: TypedArray, tOut: TypedArray, uOut: TypedArray, decay: number, nesterov: boolean, a: number): boolean {
  return run([g, t], [tOut, uOut], (fn, at, f64) => (f64 ? fn.trace64 : fn.trace32)(at[0], at[1], at[2], at[3], g.length, decay, nesterov ? 1 : 0, a))
}

/** Adagrad: see `rss` in src/optim/kernels.ts. */
export function wasmRss(g: TypedArray, sum: TypedArray, sOut: TypedArray, uOut: TypedArray, eps: number, epsInSqrt: boolean, a: number): boolean {
  return run([g, sum], [sOut, uOut], (fn, at, f64) => (f64 ? fn.rss64 : fn.rss32)(at[0], at[1], at[2], at[3], g.length, eps, epsInSqrt ? 1 : 0, a))
}

/** RMSprop: see `rms` in src/optim/kernels.ts. */
export function wasmRms(g: TypedArray, nu: TypedArray, nuOut: TypedArray, uOut: TypedArray, decay: number, eps: number, epsInSqrt: boolean, first: boolean, a: number): boolean {
  return run([g, nu], [nuOut, uOut], (fn, at, f64) =>
    (f64 ? fn.rms64 : fn.rms32)(at[0], at[1], at[2], at[3], g.length, decay, eps, epsInSqrt ? 1 : 0, first ? 1 : 0, a))
}

/** out = x + y: see `add` in src/optim/kernels.ts. */
export function wasmAdd(x: TypedArray, y: TypedArray, out: TypedArray): boolean {
  return run([x, y], [out], (fn, at, f64) => (f64 ? fn.add64 : fn.add32)(at[0], at[1], at[2], x.length))
}

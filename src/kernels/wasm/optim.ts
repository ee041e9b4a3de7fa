/**
 * The optimizer kernels of src/optim/kernels.ts in WebAssembly SIMD (wasm/assembly/optim.ts):
 * bit-identical results, since both compute in float64 in the same order and round once on
 * store. Each returns false (doing nothing) when it cannot run: WebAssembly unavailable, or the
 * arrays not all of one dtype.
 *
 * @internal
 */
import type { TypedArray } from '../../tensor/dtype.js'
import { BASE, chunkPlan } from './layout.js'
import { chunkBudget, wasm, type Wasm } from './runtime.js'

/**
 * Runs one elementwise kernel: `ins` are copied into consecutive regions of WebAssembly memory,
 * `call(fn, at, n, f64)` runs the kernel on n elements with the byte offsets of the inputs'
 * regions, then the outputs' (in that order), and the outputs are copied back into `outs`.
 * Arrays longer than one memory's budget run in chunks (every element is computed alone, so
 * the bits do not depend on the cut). False, with nothing written, when the arrays do not share
 * one dtype or no memory is available.
 */
function run(ins: readonly TypedArray[], outs: readonly TypedArray[], call: (fn: Wasm['fn'], at: readonly number[], n: number, f64: boolean) => void): boolean {
  const f64 = ins[0] instanceof Float64Array
  for (const x of ins) if (x instanceof Float64Array !== f64) return false
  for (const x of outs) if (x instanceof Float64Array !== f64) return false
  const n = ins[0].length,
    es = f64 ? 8 : 4,
    count = ins.length + outs.length
  if (n === 0) return true
  // Block 1: the kernels step two lanes at a time, and the slack after each region holds the overrun.
  const plan = chunkPlan(n, new Array<number>(count).fill(es), chunkBudget(), 1)
  if (plan === null) return false
  const {
    chunk,
    regions: { at, end },
  } = plan
  const w = wasm(end - BASE)
  if (w === null) return false
  const mem = f64 ? w.f64 : w.f32
  const idx = at.map((b) => b / es) // exact: every region starts on a 64-byte boundary
  for (let lo = 0; lo < n; lo += chunk) {
    const len = Math.min(chunk, n - lo)
    ins.forEach((x, i) => {
      mem.set(x.subarray(lo, lo + len), idx[i])
    })
    call(w.fn, at, len, f64)
    outs.forEach((x, i) => {
      const o = idx[ins.length + i]
      x.set(mem.subarray(o, o + len), lo)
    })
  }
  return true
}

/** Adam: see `adam` in src/optim/kernels.ts, which computes the coefficients a1 = 1 − b1, a2 = 1 − b2, ic1, ic2. */
export function wasmAdam(
  g: TypedArray,
  mu: TypedArray,
  nu: TypedArray,
  muOut: TypedArray,
  nuOut: TypedArray,
  uOut: TypedArray,
  b1: number,
  a1: number,
  b2: number,
  a2: number,
  ic1: number,
  ic2: number,
  eps: number,
  epsRoot: number,
  a: number,
): boolean {
  return run([g, mu, nu], [muOut, nuOut, uOut], (fn, at, n, f64) =>
    (f64 ? fn.adam64 : fn.adam32)(at[0], at[1], at[2], at[3], at[4], at[5], n, b1, a1, b2, a2, ic1, ic2, eps, epsRoot, a),
  )
}

/** Momentum trace: see `trace` in src/optim/kernels.ts. */
export function wasmTrace(g: TypedArray, t: TypedArray, tOut: TypedArray, uOut: TypedArray, decay: number, nesterov: boolean, a: number): boolean {
  return run([g, t], [tOut, uOut], (fn, at, n, f64) => (f64 ? fn.trace64 : fn.trace32)(at[0], at[1], at[2], at[3], n, decay, nesterov ? 1 : 0, a))
}

/** Adagrad: see `rss` in src/optim/kernels.ts. */
export function wasmRss(g: TypedArray, sum: TypedArray, sOut: TypedArray, uOut: TypedArray, eps: number, epsInSqrt: boolean, a: number): boolean {
  return run([g, sum], [sOut, uOut], (fn, at, n, f64) => (f64 ? fn.rss64 : fn.rss32)(at[0], at[1], at[2], at[3], n, eps, epsInSqrt ? 1 : 0, a))
}

/** RMSprop: see `rms` in src/optim/kernels.ts, which computes c = 1 − decay. */
export function wasmRms(
  g: TypedArray,
  nu: TypedArray,
  nuOut: TypedArray,
  uOut: TypedArray,
  decay: number,
  c: number,
  eps: number,
  epsInSqrt: boolean,
  first: boolean,
  a: number,
): boolean {
  return run([g, nu], [nuOut, uOut], (fn, at, n, f64) => (f64 ? fn.rms64 : fn.rms32)(at[0], at[1], at[2], at[3], n, decay, c, eps, epsInSqrt ? 1 : 0, first ? 1 : 0, a))
}

/** out = x + y: see `add` in src/optim/kernels.ts. */
export function wasmAdd(x: TypedArray, y: TypedArray, out: TypedArray): boolean {
  return run([x, y], [out], (fn, at, n, f64) => (f64 ? fn.add64 : fn.add32)(at[0], at[1], at[2], n))
}

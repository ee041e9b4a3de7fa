/**
 * Which kernels run: the TypeScript reference kernels ('js') or the WebAssembly SIMD kernels
 * ('wasm'). 'auto' (the default) picks wasm where it is supported and the work is large enough
 * to pay for the copies into and out of WebAssembly memory: how large, per kernel, is the one
 * table `KERNELS` in dispatch.ts, whose `useWasm` every caller asks. The environment variable
 * PUREDIFF_KERNELS=js|wasm|auto overrides the default in Node; `setKernelMode` overrides it at
 * run time (tests and benchmarks use it to compare the two paths in one process).
 *
 * Sizes: a call whose operands cannot fit one WebAssembly memory (wasm32 addresses: 4 GiB), and
 * cannot be cut to fit, or whose memory the host refuses, runs the TypeScript kernel, in every
 * mode, 'wasm' included. Why not throw under 'wasm': that mode asserts the kernels can run in
 * this runtime, and a size is not a property of the runtime; the answer is the same (bitwise for
 * the elementwise and random kernels, within the rounding bound for matmul, which sums float32
 * in float32 in WebAssembly). Large work that can be cut (elementwise, hashing, matmul row
 * panels when B fits) stays in WebAssembly; `wasmCalls()` in wasm/runtime.ts counts what ran there.
 *
 * @internal
 */

/** The kernel selection policy. */
export type KernelMode = 'js' | 'wasm' | 'auto'

function fromEnv(): KernelMode {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  const v = env?.PUREDIFF_KERNELS
  if (v === undefined || v === '') return 'auto'
  if (v === 'js' || v === 'wasm' || v === 'auto') return v
  throw new Error(`PUREDIFF_KERNELS=${JSON.stringify(v)} is not a kernel mode; expected 'js', 'wasm' or 'auto'`)
}

let mode: KernelMode = fromEnv()

/** The current policy. */
export function kernelMode(): KernelMode {
  return mode
}

/** Sets the policy; returns the previous one so callers can restore it. */
export function setKernelMode(m: KernelMode): KernelMode {
  if (m !== 'js' && m !== 'wasm' && m !== 'auto') throw new Error(`setKernelMode: ${JSON.stringify(m)} is not a kernel mode; expected 'js', 'wasm' or 'auto'`)
  const prev = mode
  mode = m
  return prev
}

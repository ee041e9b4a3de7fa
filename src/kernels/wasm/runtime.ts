/**
 * The WebAssembly side of the kernel layer: compiles the embedded module once, owns its memory,
 * and copies operands in and results out (tensors stay ordinary typed arrays, so nothing needs
 * disposing and nothing aliases WebAssembly memory).
 *
 * Memory is never grown: `WebAssembly.Memory.grow` detaches the old ArrayBuffer, and detaching any
 * ArrayBuffer measurably slows every typed-array loop in a V8 process from then on. When a call
 * needs more room, a NEW, larger Memory and a new instance replace the old ones (instantiating a
 * compiled module takes microseconds), and the old memory is left to the garbage collector.
 *
 * Sizes: wasm32 addresses are 32 bits, so one memory holds at most 4 GiB, and a host may refuse
 * a large memory. No call ever relies on the memory being large enough: each plans its regions
 * with the float64 arithmetic of layout.ts, cuts elementwise work and hashing into chunks that
 * fit (bit-identical: every element is computed alone), runs a matrix product in row panels when
 * the whole does not fit but B does, and otherwise — or when the host refuses the memory —
 * answers "not here" before writing anything, so the TypeScript kernel runs instead.
 *
 * Compilation is lazy: importing purediff compiles nothing (package.json says "sideEffects":
 * false). The first call that asks for the module (`wasm()`, or `wasmUnavailable()` from the
 * dispatch in ../dispatch.ts, which asks only for calls at or above a kernel's threshold, or
 * under PUREDIFF_KERNELS=wasm) decodes and compiles it, synchronously, once. Node, workers and
 * today's browsers allow that (the module is about 9 KB; Chrome refused synchronous compilation
 * of modules over 4 KB on its main thread before version 114, and refuses over 8 MB now). Where
 * synchronous compilation throws, the same first use starts an asynchronous compilation, and
 * until it finishes `wasm()` answers null and the TypeScript kernels run: safe, since the results
 * do not depend on the path (bit for bit, matmul within its rounding bound). Where WebAssembly or
 * SIMD is missing, the TypeScript kernels always run.
 *
 * @internal
 */
import { wasmBase64 } from './binary.js'
import { BASE, PAGE, WASM32_MAX_BYTES } from './layout.js'

/** The exports of wasm/assembly (pointers and sizes; see the AssemblyScript sources). */
export interface KernelExports {
  gemm32: GemmFn
  gemm64: GemmFn
  im2col32: Im2colFn
  im2col64: Im2colFn
  adam32: AdamFn
  adam64: AdamFn
  trace32: TraceFn
  trace64: TraceFn
  rss32: RssFn
  rss64: RssFn
  rms32: RmsFn
  rms64: RmsFn
  add32(x: number, y: number, out: number, n: number): void
  add64(x: number, y: number, out: number, n: number): void
  hashCounters(k0: number, k1: number, start: number, n: number, y0: number, y1: number): void
  hashRows(keys: number, rows: number, start: number, n: number, y0: number, y1: number): void
  bernoulliMask32(y0: number, y1: number, n: number, p: number, out: number): void
  bernoulliMask64(y0: number, y1: number, n: number, p: number, out: number): void
}

/** C = op(A)·op(B) (+ bias, then ReLU, when `bias` ≠ 0 / `relu` = 1); see wasm/assembly/gemm.ts. */
type GemmFn = (
  a: number,
  sam: number,
  sak: number,
  b: number,
  sbk: number,
  sbn: number,
  c: number,
  ldc: number,
  m: number,
  n: number,
  k: number,
  pa: number,
  pb: number,
  kcBlock: number,
  mcBlock: number,
  bias: number,
  relu: number,
) => void
/** Patch rows r0 … r0 + m − 1 of a convolution's windows into `patch`; see wasm/assembly/im2col.ts. */
type Im2colFn = (x: number, geo: number, t0: number, t1: number, t2: number, r0: number, m: number, patch: number) => void
type AdamFn = (
  g: number,
  mu: number,
  nu: number,
  muOut: number,
  nuOut: number,
  uOut: number,
  n: number,
  b1: number,
  a1: number,
  b2: number,
  a2: number,
  ic1: number,
  ic2: number,
  eps: number,
  epsRoot: number,
  a: number,
) => void
type RssFn = (g: number, s: number, sOut: number, uOut: number, n: number, eps: number, inSqrt: number, a: number) => void
type RmsFn = (g: number, nu: number, nuOut: number, uOut: number, n: number, decay: number, c: number, eps: number, inSqrt: number, first: number, a: number) => void
type TraceFn = (g: number, t: number, tOut: number, uOut: number, n: number, decay: number, nesterov: number, a: number) => void

/** A live instance with typed views of its memory (valid for the instance's lifetime). */
export interface Wasm {
  readonly fn: KernelExports
  readonly bytes: number
  readonly f32: Float32Array
  readonly f64: Float64Array
  readonly u32: Uint32Array
}

// The slice of the WebAssembly JS API used here, typed locally: the core is compiled without DOM
// or Node types, so that it makes no claim about its host.
interface WasmModule {
  readonly __module: unique symbol
}
interface WasmMemory {
  readonly buffer: ArrayBuffer
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule
  Instance: new (module: WasmModule, imports: object) => { readonly exports: object }
  Memory: new (desc: { initial: number }) => WasmMemory
  validate(bytes: Uint8Array): boolean
  compile(bytes: Uint8Array): Promise<WasmModule>
}
const host = globalThis as unknown as { WebAssembly?: WasmApi; atob?: (s: string) => string }
const WA = host.WebAssembly

/** The first memory: enough for every product up to 1024² in float64 without replacement. */
const INITIAL_BYTES = 64 << 20

let initialBytes = INITIAL_BYTES
let maxBytes = WASM32_MAX_BYTES
let compiled: WasmModule | null = null
/** Whether the first use has happened (compilation tried, or started asynchronously). */
let started = false
let compiles = 0
let calls = 0
let failed: string | null = null
let current: Wasm | null = null

function decode(b64: string, atob: (s: string) => string): Uint8Array {
  const s = atob(b64)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

/** Compiles the module on first use (see the header); later calls return at once. */
function compile(): void {
  if (started) return
  started = true
  if (WA === undefined || typeof WA.Module !== 'function' || typeof host.atob !== 'function') {
    failed = 'this runtime has no WebAssembly'
    return
  }
  const bytes = decode(wasmBase64, host.atob)
  // validate() is false where fixed-width SIMD is not supported.
  if (!WA.validate(bytes)) {
    failed = 'this runtime does not support WebAssembly SIMD'
    return
  }
  compiles++
  try {
    compiled = new WA.Module(bytes)
  } catch {
    // A browser main thread may refuse synchronous compilation: compile in the background, and
    // run the TypeScript kernels until it is done.
    WA.compile(bytes).then(
      (m) => {
        compiled = m
      },
      (e: unknown) => {
        failed = String(e)
      },
    )
  }
}

function instantiate(bytes: number): Wasm | null {
  if (compiled === null) compile()
  if (compiled === null || WA === undefined) return null
  let memory: WasmMemory
  let instance: { readonly exports: object }
  try {
    // A host may refuse a large memory (a RangeError): the caller then runs the TypeScript kernel.
    memory = new WA.Memory({ initial: Math.ceil(bytes / PAGE) })
    // A browser main thread may forbid synchronous instantiation: the same answer.
    instance = new WA.Instance(compiled, { env: { memory } })
  } catch {
    return null
  }
  const buf = memory.buffer
  return { fn: instance.exports as unknown as KernelExports, bytes: buf.byteLength, f32: new Float32Array(buf), f64: new Float64Array(buf), u32: new Uint32Array(buf) }
}

/**
 * An instance whose memory has at least `need` bytes above BASE, or null: WebAssembly
 * unavailable (not supported, or not compiled yet in a browser), `need` beyond `capacity()`, or
 * the host refusing the memory. A replacement memory doubles the old one (so replacements are
 * rare), or takes just what is needed when the double is refused or too large.
 */
export function wasm(need: number): Wasm | null {
  const total = BASE + need
  if (!(total <= maxBytes)) return null
  if (current === null || current.bytes < total) {
    const grown = Math.min(maxBytes, pages(Math.max(total, initialBytes, current === null ? 0 : 2 * current.bytes)))
    const next = instantiate(grown) ?? (grown > total ? instantiate(total) : null)
    if (next === null) return null
    current = next
  }
  calls++
  return current
}

/** The bytes above BASE of the largest memory the runtime may create. */
export function capacity(): number {
  return maxBytes - BASE
}

/**
 * The bytes above BASE that work cut into chunks (elementwise kernels, hashing) plans for: the
 * memory already there, or the first memory's size. Chunks of that size cost no more per
 * element than one call would (each element is copied in and out once either way), and never
 * need a new memory after the first.
 */
export function chunkBudget(): number {
  return Math.min(maxBytes, Math.max(initialBytes, current === null ? 0 : current.bytes)) - BASE
}

/** `bytes` rounded up to whole pages. */
function pages(bytes: number): number {
  return Math.ceil(bytes / PAGE) * PAGE
}

/** The memory limits in bytes: the first memory's size and the largest memory ever created. */
export interface MemoryLimits {
  readonly initial: number
  readonly max: number
}

/**
 * Sets the memory limits and returns the previous ones; tests use small stand-ins to reach
 * every size boundary cheaply. Both are rounded down to whole pages; `max` is kept within
 * [2 pages, 4 GiB] (BASE and at least one page of work) and `initial` within [2 pages, max].
 * The current memory is dropped, so the next call starts with a fresh one.
 */
export function setMemoryLimits(limits: MemoryLimits): MemoryLimits {
  const prev = { initial: initialBytes, max: maxBytes }
  const whole = (b: number) => Math.floor(b / PAGE) * PAGE
  maxBytes = Math.min(WASM32_MAX_BYTES, Math.max(2 * PAGE, whole(limits.max)))
  initialBytes = Math.min(maxBytes, Math.max(2 * PAGE, whole(limits.initial)))
  current = null
  return prev
}

/** The size in bytes of the current memory (0 before the first call). */
export function memoryBytes(): number {
  return current === null ? 0 : current.bytes
}

/** How many kernel calls have run in WebAssembly so far in this realm (shown by the live docs page). */
export function wasmCalls(): number {
  return calls
}

/** How many times the module has been compiled in this realm: 0 until first use, then 1. */
export function wasmCompiles(): number {
  return compiles
}

/**
 * Why the WebAssembly kernels are unavailable (no WebAssembly, no SIMD, or an asynchronous
 * compilation still running), or null when they can run. The first call compiles the module.
 */
export function wasmUnavailable(): string | null {
  if (compiled !== null) return null
  compile()
  return compiled === null ? (failed ?? 'the WebAssembly kernels are still compiling') : null
}

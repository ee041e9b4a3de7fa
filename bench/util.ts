/**
 * Shared helpers of the benchmarks: deterministic inputs without any library's random module (a
 * 32-bit LCG is plenty for benchmark data, and every library gets the very same numbers), the
 * timer, a typed-array probe that shows the process state, and a plain CommonJS loader.
 */
import Module, { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

/** `v`, which the caller knows is there: a clear error names `what` if it is not (no `!`). */
export function must<T>(v: T | null | undefined, what: string): T {
  if (v === undefined || v === null) throw new Error(`bench: ${what} is missing`)
  return v
}

// --- inputs

/** `n` numbers uniform in [-0.5, 0.5) from a Numerical Recipes LCG seeded with `seed`. */
export function uniformArray(n: number, seed: number): number[] {
  return Array.from(uniformF32(n, seed))
}

/**
 * The same numbers as `uniformArray`, rounded to float32. Every library gets these, for float64
 * too, so that results agree to the last bit the dtype allows.
 */
export function uniformF32(n: number, seed: number): Float32Array {
  const out = new Float32Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    out[i] = s / 4294967296 - 0.5
  }
  return out
}

/** A permutation of 0…n−1 (Fisher–Yates driven by the same LCG): the shuffles of every library. */
export function permutation(n: number, seed: number): Int32Array {
  const p = new Int32Array(n)
  for (let i = 0; i < n; i++) p[i] = i
  let s = seed >>> 0
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    const j = Math.floor((s / 4294967296) * (i + 1))
    const t = p[i]
    p[i] = p[j]
    p[j] = t
  }
  return p
}

// --- timing

/**
 * A prepared benchmark step. `run` does the work once, synchronously, including whatever read-back
 * makes the work really happen (TF.js `dataSync`, reading a loss). `flush`, if present, waits for
 * work a lazy library may still hold back (jax-js); it is awaited at the end of each timed run,
 * inside the timed window, so deferred work is never left out.
 */
export interface Step {
  readonly run: () => void
  readonly flush?: () => Promise<void>
}

export interface TimerOptions {
  /** Warm-up calls before timing (at least one: it compiles, allocates, fills caches). */
  readonly warmupCalls: number
  /** …and at least this long (TF.js's WASM backend is unsteady for its first second). */
  readonly warmupMs: number
  /** Timed runs; the result is their median. */
  readonly runs: number
  /** Each run is back-to-back calls for at least this long (and at least one call). */
  readonly minRunMs: number
  /** Fewer runs (but at least 3) when runs × call time would exceed this. */
  readonly budgetMs: number
  /** A call slower than this gets 1 timed run after its warm-up call (a 3 s call needs no 7). */
  readonly slowCallMs: number
}

export interface Timing {
  /** Median milliseconds per call. */
  readonly ms: number
  /** How many timed runs the median is of. */
  readonly runs: number
}

/** Median ms per call of `step`, after a warm-up; see `TimerOptions`. */
export async function timeStep(step: Step, o: TimerOptions): Promise<Timing> {
  const { run, flush } = step
  // warm-up: the first call alone says how slow a call is
  let t0 = performance.now()
  run()
  if (flush) await flush()
  let callMs = performance.now() - t0
  if (callMs > o.slowCallMs) {
    t0 = performance.now()
    run()
    if (flush) await flush()
    return { ms: performance.now() - t0, runs: 1 }
  }
  // then up to `warmupCalls` calls (but no more than 1.5 s of them), and at least `warmupMs`
  const w0 = t0
  for (let calls = 1; performance.now() - w0 < o.warmupMs || (calls < o.warmupCalls && performance.now() - w0 < 1500); calls++) {
    t0 = performance.now()
    run()
    if (flush) await flush()
    callMs = performance.now() - t0
  }
  const perRun = Math.max(o.minRunMs, callMs)
  const runs = Math.max(3, Math.min(o.runs, Math.floor(o.budgetMs / perRun)))
  const times: number[] = []
  for (let r = 0; r < runs; r++) {
    t0 = performance.now()
    let calls = 0
    do {
      run()
      calls++
    } while (performance.now() - t0 < o.minRunMs)
    if (flush) await flush()
    times.push((performance.now() - t0) / calls)
  }
  return { ms: median(times), runs }
}

export function median(xs: readonly number[]): number {
  const s = xs.slice().sort((x, y) => x - y)
  const h = s.length >> 1
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2
}

// --- the typed-array probe

const PROBE_N = 1 << 14
const probeA = new Float64Array(PROBE_N),
  probeB = new Float64Array(PROBE_N)
const plainA: number[] = [],
  plainB: number[] = []
for (let i = 0; i < PROBE_N; i++) {
  probeA[i] = plainA[i] = (i % 7) + 0.5
  probeB[i] = plainB[i] = (i % 5) + 0.5
}

function typedKernel(x: Float64Array, y: Float64Array): number {
  let s = 0
  for (let i = 0; i < x.length; i++) {
    s += x[i] * y[i]
    y[i] = y[i] * 0.5 + x[i]
  }
  return s
}

function plainKernel(x: number[], y: number[]): number {
  let s = 0
  for (let i = 0; i < x.length; i++) {
    s += x[i] * y[i]
    y[i] = y[i] * 0.5 + x[i]
  }
  return s
}

function nsPerElement(f: () => void): number {
  const t0 = performance.now()
  let k = 0
  do {
    f()
    k++
  } while (performance.now() - t0 < 10)
  return ((performance.now() - t0) / k / PROBE_N) * 1e6
}

/**
 * The same loop over a Float64Array and over a plain JS array, interleaved (median of 9 pairs of
 * 10 ms): ns per element of each, and their ratio. Once any ArrayBuffer in the process has been
 * detached, V8 checks every typed-array access for detachment, for good: the typed loop slows by
 * 30–70% and the plain one does not, so the ratio shows the process state even when other work
 * on the machine slows both. The bench prints it before each library's block.
 */
export function probe(): { readonly typedNs: number; readonly plainNs: number; readonly ratio: number } {
  const t: number[] = [],
    p: number[] = []
  for (let r = 0; r < 9; r++) {
    t.push(nsPerElement(() => typedKernel(probeA, probeB)))
    p.push(nsPerElement(() => plainKernel(plainA, plainB)))
  }
  const typedNs = median(t),
    plainNs = median(p)
  return { typedNs, plainNs, ratio: typedNs / plainNs }
}

// --- other work on the machine

/** Busy CPU seconds of the whole machine so far (Linux /proc/stat, in USER_HZ = 100 ticks/s), or null. */
function machineBusySeconds(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number)
    const [user, nice, system, , , irq, softirq, steal] = f
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100
  } catch {
    return null
  }
}

/**
 * Starts measuring how much CPU OTHER processes use: the returned function gives their average
 * number of busy cores since the start (machine busy time minus this process's own CPU time, its
 * GC threads included, over wall time), or null where /proc/stat is missing. The load average
 * cannot tell the bench's own GC threads from a neighbour; this can.
 */
export function othersCpu(): () => number | null {
  const b0 = machineBusySeconds(),
    c0 = process.cpuUsage(),
    t0 = performance.now()
  return () => {
    const b1 = machineBusySeconds()
    if (b0 === null || b1 === null) return null
    const c = process.cpuUsage(c0)
    const own = (c.user + c.system) / 1e6
    const wall = (performance.now() - t0) / 1000
    return wall <= 0 ? null : Math.max(0, (b1 - b0 - own) / wall)
  }
}

// --- loading CommonJS packages without tsx's hook

type JsExtension = (module: { _compile(code: string, filename: string): void }, filename: string) => void

/**
 * `require` with Node's own `.js` loader instead of tsx's. tsx's hook runs a WebAssembly lexer on
 * every `.js` file it loads (to spot ESM syntax); on TF.js's megabyte bundles that lexer grows
 * its memory, which detaches an ArrayBuffer and slows every typed-array loop in the process for
 * the rest of its life (purediff's JS kernels and tfjs-cpu's by 10–40%). Plain `node` loading the
 * same files detaches nothing. The packages loaded here are plain CommonJS, so they need no
 * transform: this loads them as `node` would. (`bench/README.md` has the measurements.)
 */
export function plainRequire(from: string, id: string): unknown {
  const exts = (Module as unknown as { _extensions: Record<string, JsExtension> })._extensions
  const hooked = exts['.js']
  exts['.js'] = (module, filename) => module._compile(readFileSync(filename, 'utf8'), filename)
  try {
    return createRequire(from)(id)
  } finally {
    exts['.js'] = hooked
  }
}

// --- formatting

/** 4 significant digits, as a number (for results.json). */
export function round(x: number): number {
  return Number(x.toPrecision(4))
}

/** A number for the table: 4 significant digits, no exponent for ordinary magnitudes. */
export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return String(x)
  const a = Math.abs(x)
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toPrecision(3)
  return String(Number(x.toPrecision(4)))
}

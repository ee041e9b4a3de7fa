/**
 * The model of the bench: libraries (the table's columns), rows (its lines), and tasks (what is
 * run to fill one or more rows for one library). Each workload file (matmul.ts, mlp.ts, …)
 * writes its work once per library family, side by side, and turns it into tasks here.
 */
import type * as TF from '@tensorflow/tfjs'
import type * as JAX from '@jax-js/jax'
import { type Step, type TimerOptions, must, timeStep } from './util.js'

export type Tf = typeof TF
export type Jax = typeof JAX

// --- libraries

/** The columns of the table, in display order. */
export const LIBS = ['purediff', 'purediff-js', 'tfjs-cpu', 'tfjs-wasm', 'jax-wasm', 'jax-cpu'] as const
export type LibId = (typeof LIBS)[number]

export type Family = 'purediff' | 'tfjs' | 'jax'

export function familyOf(lib: LibId): Family {
  return lib === 'purediff' || lib === 'purediff-js' ? 'purediff' : lib === 'tfjs-cpu' || lib === 'tfjs-wasm' ? 'tfjs' : 'jax'
}

/** A display name per column (results.json `libraries[].label`). */
export const LIB_LABEL: Readonly<Record<LibId, string>> = {
  purediff: 'purediff',
  'purediff-js': 'purediff (js kernels)',
  'tfjs-cpu': 'TF.js cpu',
  'tfjs-wasm': 'TF.js wasm',
  'jax-wasm': 'jax-js wasm (jit)',
  'jax-cpu': 'jax-js cpu',
}

/** What each column is (also written to results.json). */
export const LIB_INFO: Readonly<Record<LibId, string>> = {
  purediff: 'purediff, kernel selection as the library default (PUREDIFF_KERNELS, else auto): the main column, every ratio is against it',
  'purediff-js': "purediff with setKernelMode('js'): the TypeScript kernels only (matmul, einsum, MLP and per-example gradient rows), to show what the WebAssembly kernels add",
  'tfjs-cpu': '@tensorflow/tfjs-backend-cpu: plain JavaScript kernels',
  'tfjs-wasm': '@tensorflow/tfjs-backend-wasm: XNNPACK compiled to WebAssembly with SIMD, single-threaded (Node gets the non-threaded build)',
  'jax-wasm': '@jax-js/jax on its wasm device (kernels generated as WebAssembly; single-threaded in Node, which has no Web Worker), every workload under jit',
  'jax-cpu': '@jax-js/jax on its cpu device (an interpreter meant for debugging): only the rows it finishes in reasonable time',
}

// --- rows

export type Group = 'matmul' | 'einsum' | 'embedding' | 'conv' | 'cnn' | 'mlp' | 'perexample' | 'chain' | 'optim' | 'mnist' | 'rss' | 'startup'
export const GROUPS: readonly Group[] = ['matmul', 'einsum', 'embedding', 'conv', 'cnn', 'mlp', 'perexample', 'chain', 'optim', 'mnist', 'rss', 'startup']

export interface RowSpec {
  /** Stable key, e.g. `matmul-f32-256`. */
  readonly id: string
  readonly group: Group
  /** The row label. */
  readonly workload: string
  readonly unit: string
  readonly better: 'higher' | 'lower'
  /**
   * How other libraries are compared with purediff: 'ratio' (time rows: other / purediff;
   * rate rows: purediff / other; > 1 means purediff is faster), 'difference' (purediff − other,
   * in the row's unit) or 'none'.
   */
  readonly compare: 'ratio' | 'difference' | 'none'
}

// --- tasks

/** What a task is given when it runs for one library (which is already loaded and selected). */
export interface Env {
  readonly lib: LibId
  /** TF.js, with this block's backend set (tfjs-* only). */
  readonly tf: Tf | null
  /** jax-js, with this block's default device set (jax-* only). */
  readonly jax: Jax | null
  readonly quick: boolean
  readonly timer: TimerOptions
}

export interface Outcome {
  /** One value per row of the task, in the rows' units. */
  readonly values: readonly number[]
  /** Numbers every library must agree on (a loss, an output entry), printed side by side. */
  readonly agree?: readonly number[]
  /** Timed runs behind the median, when it is a median. */
  readonly runs?: number
  /** Anything else worth keeping (RSS samples, …), stored in results.json. */
  readonly details?: Readonly<Record<string, unknown>>
}

export interface Task {
  readonly group: Group
  /** What the agreement line calls it (default: the first row's label). */
  readonly label?: string
  readonly rows: readonly RowSpec[]
  /** `true` when the library runs this task, else why not (shown as n/a). */
  readonly applies: (lib: LibId) => true | string
  readonly run: (env: Env) => Promise<Outcome>
  /** Relative tolerance of the agreement check; `null`: the values are not expected to match exactly. */
  readonly agreeTol: number | null
  /** What the agreement numbers are. */
  readonly agreeWhat: string
}

// --- timed tasks: most rows are "time one step, report a rate or a time"

/** A step ready to time, plus its agreement numbers (computed once, before timing). */
export interface Prepared extends Step {
  readonly agree: () => readonly number[]
  readonly dispose?: () => void
}

/** The same work written once per library family. */
export interface Impl {
  readonly purediff?: () => Prepared
  readonly tfjs?: (tf: Tf) => Prepared
  readonly jax?: (jax: Jax, device: 'wasm' | 'cpu') => Prepared
}

export const NA_TFJS_F64 = 'TF.js has no float64'
export const NA_JAX_CPU = 'jax-js cpu is an interpreter for debugging: a 256×256 matmul takes > 6 s, and jit of the 200-op chain did not finish in 5 min'
export const NA_PD_JS = 'the js column is reported for the matmul, einsum, MLP and per-example gradient rows only'
export const NA_PD_ONLY = 'a purediff-only row'

export interface TimedSpec {
  readonly row: RowSpec
  /** ms per step → the row's value. */
  readonly report: (ms: number) => number
  readonly impl: Impl
  /** Also run with purediff's js kernels (matmul, einsum, MLP and per-example gradient rows). */
  readonly jsColumn?: boolean
  /** Also run on jax-js's cpu device. */
  readonly jaxCpu?: boolean
  /** n/a reasons for families without an implementation. */
  readonly na?: { readonly tfjs?: string; readonly jax?: string }
  readonly agreeTol: number | null
  readonly agreeWhat: string
}

export function timedTask(s: TimedSpec): Task {
  return {
    group: s.row.group,
    rows: [s.row],
    agreeTol: s.agreeTol,
    agreeWhat: s.agreeWhat,
    applies: (lib) => {
      if (lib === 'purediff') return s.impl.purediff ? true : 'not implemented'
      if (lib === 'purediff-js') return s.jsColumn === true && s.impl.purediff ? true : NA_PD_JS
      if (familyOf(lib) === 'tfjs') return s.impl.tfjs ? true : (s.na?.tfjs ?? NA_PD_ONLY)
      if (!s.impl.jax) return s.na?.jax ?? NA_PD_ONLY
      return lib === 'jax-cpu' && s.jaxCpu !== true ? NA_JAX_CPU : true
    },
    run: async (env) => {
      const p = prepare(s.impl, env)
      const agree = p.agree()
      const t = await timeStep(p, env.timer)
      p.dispose?.()
      return { values: [s.report(t.ms)], agree, runs: t.runs }
    },
  }
}

function prepare(impl: Impl, env: Env): Prepared {
  switch (familyOf(env.lib)) {
    case 'purediff':
      return must(impl.purediff, 'the purediff implementation')()
    case 'tfjs':
      return must(impl.tfjs, 'the TF.js implementation')(must(env.tf, 'TF.js'))
    case 'jax':
      return must(impl.jax, 'the jax-js implementation')(must(env.jax, 'jax-js'), env.lib === 'jax-cpu' ? 'cpu' : 'wasm')
  }
}

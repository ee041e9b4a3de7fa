/**
 * Startup cost: what a fresh Node process pays to import purediff and run its first operation.
 * Importing compiles nothing (the WebAssembly module is compiled on first use, see
 * src/kernels/wasm/runtime.ts); this measures where the cost went. Each run is a new process
 * (`node --import tsx`, importing the TypeScript sources as the bench does; a first, untimed
 * process fills tsx's transform cache, so the import time is purediff's module graph, not the
 * transpiler). In each process, in order:
 *
 *   import    `await import('src/index.ts')`
 *   compile   the first `wasmUnavailable()`: decode the embedded module, validate, compile
 *   first op  a 64×64 float32 matmul read back: the first WebAssembly memory and instance, the call
 *   again     the same product once more (steady state, for comparison)
 *
 * "first op including compile" is compile + first op. Medians over the runs.
 *
 *   npx tsx bench/startup.ts [runs]     just this (about 1 s a run); `npm run bench` includes it
 */
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Milliseconds, medians over the runs. */
export interface Startup {
  readonly runs: number
  readonly importMs: number
  readonly compileMs: number
  readonly firstOpMs: number
  readonly firstOpWithCompileMs: number
  readonly againMs: number
  /** WebAssembly compilations that importing caused (0 when nothing runs at import) */
  readonly compilesAtImport: number
}

const child = `
const at = (p) => import(${JSON.stringify(`${root}/`)} + p)
const t0 = performance.now()
const P = await at('src/index.ts')
const t1 = performance.now()
const R = await at('src/kernels/wasm/runtime.ts')
const compilesAtImport = R.wasmCompiles()
const t2 = performance.now()
const why = R.wasmUnavailable()
const t3 = performance.now()
const a = P.fromArray(new Float32Array(64 * 64).fill(0.5), [64, 64])
const t4 = performance.now()
P.toFlatArray(P.matmul(a, a))
const t5 = performance.now()
P.toFlatArray(P.matmul(a, a))
const t6 = performance.now()
console.log(JSON.stringify({ importMs: t1 - t0, compileMs: t3 - t2, firstOpMs: t5 - t4, againMs: t6 - t5, compilesAtImport, why, calls: R.wasmCalls() }))
`

function once(): Record<string, number | string | null> {
  const env = { ...process.env, PUREDIFF_KERNELS: 'auto' }
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { cwd: root, env, encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, number | string | null>
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** Runs `runs` fresh processes (after one untimed one) and returns the medians. */
export function measureStartup(runs: number): Startup {
  once() // fills tsx's cache
  const all = Array.from({ length: runs }, once)
  for (const r of all) {
    if (r.why !== null) throw new Error(`startup: the WebAssembly kernels did not run (${String(r.why)})`)
    if (r.calls !== 2) throw new Error(`startup: expected both products in WebAssembly, ${String(r.calls)} ran there`)
  }
  const m = (key: string) => median(all.map((r) => r[key] as number))
  return {
    runs,
    importMs: m('importMs'),
    compileMs: m('compileMs'),
    firstOpMs: m('firstOpMs'),
    firstOpWithCompileMs: median(all.map((r) => (r.compileMs as number) + (r.firstOpMs as number))),
    againMs: m('againMs'),
    compilesAtImport: Math.max(...all.map((r) => r.compilesAtImport as number)),
  }
}

/** The line the bench prints. */
export function startupLine(s: Startup): string {
  const f = (x: number) => `${x.toFixed(1)} ms`
  return (
    `startup (median of ${s.runs} fresh processes): import ${f(s.importMs)} (${s.compilesAtImport} WebAssembly compiles); ` +
    `first op, a 64×64 matmul, ${f(s.firstOpWithCompileMs)} including the lazy compile (${f(s.compileMs)}) and the first memory ` +
    `(${f(s.firstOpMs)} without the compile; ${f(s.againMs)} the second time)`
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 7)
  console.log(startupLine(measureStartup(runs)))
}

/**
 * `npm run bench`: purediff against TensorFlow.js in one process, on the same float32 data.
 * See bench/README.md for what each number means. This is a benchmark, not a test: it checks
 * only that both libraries compute the same thing (printed as the agreement lines).
 *
 * Order matters, because once any ArrayBuffer in the process has been detached, V8 must check
 * every typed-array access for detachment and every typed-array loop (purediff's kernels, and
 * tfjs-cpu's) runs 10–40% slower, for the rest of the process. Two things detach one here:
 * - loading TF.js: tsx parses each CommonJS file it loads with a WebAssembly lexer, and TF.js's
 *   1 MB bundles make that lexer grow its memory (plain `node` loading the same files does not);
 * - the WASM backend, which grows its own memory as it runs.
 * So: phase 1 measures purediff alone, before TF.js is even imported (what a purediff user
 * sees); phase 2 imports TF.js, then measures purediff again and tfjs-cpu in the same state,
 * and the ratios compare those; phase 3 loads the WASM backend, last.
 */
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Workload, chainWorkload, matmulWorkload, mlpWorkload } from './workloads.js'
import { optimizerWorkload } from './optimizer.js'
import { medianMs } from './util.js'

const here = dirname(fileURLToPath(import.meta.url))
const workloads: readonly Workload[] = [
  matmulWorkload(128), matmulWorkload(256), matmulWorkload(512), mlpWorkload(), chainWorkload(),
  optimizerWorkload('adam'), optimizerWorkload('momentum'),
]

/** Median of 7 runs of ≥ 150 ms each, after 3 warm-up steps: ms per step. */
const time = (step: () => void): number => medianMs(step, { warmup: 3, runs: 7, minMs: 150 })

const notes: string[] = []
const say = (s: string) => { console.log(s); notes.push(s) }
const measure = (label: string, make: (w: Workload) => () => void): number[] => workloads.map((w) => {
  const ms = time(make(w))
  console.log(`${label.padEnd(15)} ${w.name}: ${w.report(ms).toFixed(3)} ${w.unit}`)
  return ms
})

// --- phase 1: purediff alone, nothing of TF.js loaded yet (see the header)
const alone = measure('purediff alone', (w) => w.purediff())

// --- phase 2: TF.js loaded (the full package: tfjs-core alone registers no gradients)
const tf = await import('@tensorflow/tfjs')
await import('@tensorflow/tfjs-backend-cpu')
await tf.setBackend('cpu')
for (const w of workloads) { const [a, b] = w.check(tf); say(`agreement (tfjs-cpu) ${w.name}: purediff ${a.toPrecision(7)}, tfjs ${b.toPrecision(7)}`) }
const pd = measure('purediff', (w) => w.purediff())
const cpu = measure('tfjs-cpu', (w) => w.tfjs(tf))

// --- phase 3: tfjs-wasm, last
let wasm: (number | null)[] = workloads.map(() => null)
try {
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm')
  // The .wasm files ship in the package: point at them so nothing is fetched from the network.
  const pkg = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'))
  setWasmPaths(join(pkg, 'dist') + '/')
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false')
  say(`tfjs-wasm: SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}`)
  // Warm-up: compile, grow the WASM memory to its working size and settle, ~1 s per workload.
  for (const w of workloads) { const step = w.tfjs(tf); const t0 = performance.now(); do step(); while (performance.now() - t0 < 1000) }
  for (const w of workloads) { const [a, b] = w.check(tf); say(`agreement (tfjs-wasm) ${w.name}: purediff ${a.toPrecision(7)}, tfjs ${b.toPrecision(7)}`) }
  wasm = measure('tfjs-wasm', (w) => w.tfjs(tf))
} catch (e) {
  say(`tfjs-wasm: not measured, the backend failed to load (${e instanceof Error ? e.message : String(e)})`)
}

// --- report
interface Row {
  readonly benchmark: string
  readonly unit: string
  /** Measured before TF.js was loaded. */
  readonly purediffAlone: number
  /** Measured after TF.js was loaded, in the same state as tfjs-cpu: the ratios use this. */
  readonly purediff: number
  readonly tfjsCpu: number
  /** tfjs-cpu time / purediff time: > 1 means purediff is faster. */
  readonly ratioCpu: number
  readonly tfjsWasm: number | null
  readonly ratioWasm: number | null
}
const rows: Row[] = workloads.map((w, i) => ({
  benchmark: w.name,
  unit: w.unit,
  purediffAlone: round(w.report(alone[i])),
  purediff: round(w.report(pd[i])),
  tfjsCpu: round(w.report(cpu[i])),
  ratioCpu: round(cpu[i] / pd[i]),
  tfjsWasm: wasm[i] === null ? null : round(w.report(wasm[i]!)),
  ratioWasm: wasm[i] === null ? null : round(wasm[i]! / pd[i]),
}))

function round(x: number): number {
  return Number(x.toPrecision(4))
}

const header = ['benchmark', 'unit', 'purediff alone', 'purediff', 'tfjs-cpu', 'ratio cpu/pd', 'tfjs-wasm', 'ratio wasm/pd']
const cells = rows.map((r) => [r.benchmark, r.unit, String(r.purediffAlone), String(r.purediff), String(r.tfjsCpu), String(r.ratioCpu), String(r.tfjsWasm ?? 'n/a'), String(r.ratioWasm ?? 'n/a')])
const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)))
const line = (row: readonly string[]) => `| ${row.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join(' | ')} |`
console.log()
console.log(line(header))
console.log(`|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`)
for (const row of cells) console.log(line(row))
console.log('\nratio = tfjs time / purediff time, so > 1 means purediff is faster (for GFLOP/s too).')
console.log('purediff alone = before TF.js was loaded; purediff = after, in the same process state as tfjs (used for the ratios).')

const results = {
  generatedAt: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  tfjs: tf.version.tfjs,
  ratio: 'tfjs time / purediff time (purediff measured after TF.js was loaded); > 1 means purediff is faster',
  rows,
  notes,
}
writeFileSync(join(here, 'results.json'), JSON.stringify(results, null, 2) + '\n')
console.log(`wrote ${join('bench', 'results.json')}`)

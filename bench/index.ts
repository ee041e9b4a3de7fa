/**
 * `npm run bench`: purediff against TensorFlow.js (cpu, wasm) and jax-js (wasm, cpu) on the same
 * workloads in ONE process; prints medians, ratios and the issue's targets, and writes
 * bench/results.json. See bench/README.md for what each row means.
 *
 *   npm run bench                          everything (~4 min)
 *   npm run bench -- --quick               fewer sizes and repeats (~1 min), nothing written
 *   npm run bench -- --only matmul,mlp     some groups: matmul, einsum, embedding, conv, cnn, mlp, perexample, chain, optim, mnist, rss, startup
 *   npm run bench -- --libs purediff,tfjs-wasm
 *   npm run bench -- --full                also tfjs-cpu on MNIST (~80 s more)
 *   npm run bench -- --out FILE            write the results there (a partial run writes nothing by default)
 *   npm run bench -- --detached            detach an ArrayBuffer first: every block in the slow state (a diagnostic)
 *   PUREDIFF_KERNELS=js|wasm npm run bench purediff's main column on one kernel path
 *
 * Order matters. Once any ArrayBuffer in the process has been detached, V8 checks every
 * typed-array access for detachment, for good, and every typed-array loop (purediff's JS
 * kernels, tfjs-cpu's) runs 10–40% slower. Growing a WebAssembly memory detaches its old
 * buffer, and tfjs-wasm and jax-js wasm both grow theirs. So the libraries run one block each, in
 * this order: first those whose kernels are JavaScript (purediff with js kernels, tfjs-cpu), then
 * purediff with its default kernels (had its WebAssembly runtime detached anything, that cost
 * would be purediff's own), then the WebAssembly libraries, whose kernels the detachment does
 * not touch, and jax-js cpu last (see ORDER). TF.js, io-ts and fp-ts are loaded without tsx's
 * module hook, which would detach a buffer while loading them (util.ts `plainRequire`,
 * preload.ts). A typed-array probe before each block, and V8's own trace line at the moment of
 * the first detachment, show each block's conditions.
 */
import { collectGarbage } from './preload.js' // first: before any purediff module loads (see preload.ts)
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { kernelMode, setKernelMode } from '../src/kernels/backend.js'
import { chainTask } from './chain.js'
import { useJax, useTfBackend, loadTf, versionOf } from './libs.js'
import { matmulTasks } from './matmul.js'
import { einsumTasks } from './einsum.js'
import { embeddingTasks } from './embedding.js'
import { cnnTasks } from './cnn.js'
import { convTasks } from './conv.js'
import { mlpTasks } from './mlp.js'
import { mnistTask, rssTask } from './mnist.js'
import { type Env, type Group, type LibId, type Task, GROUPS, LIBS, familyOf } from './model.js'
import { optimizerTask } from './optimizer.js'
import { perExampleTasks } from './perExample.js'
import { type Startup, measureStartup, startupLine } from './startup.js'
import { type Agreement, type Results, type Row, ABOUT, compare, libraries, machine, naReasons, roundRow, table, targetLines } from './report.js'
import { checkTargets } from './targets.js'
import { type TimerOptions, must, othersCpu, probe } from './util.js'

const here = dirname(fileURLToPath(import.meta.url))
const started = performance.now()

// --- options

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    libs: { type: 'string' },
    out: { type: 'string' },
    detached: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})
if (opt.help) {
  console.log(
    'npm run bench [-- --quick] [--full] [--only matmul,einsum,embedding,conv,cnn,mlp,perexample,chain,optim,mnist,rss,startup] [--libs purediff,purediff-js,tfjs-cpu,tfjs-wasm,jax-wasm,jax-cpu] [--out FILE] [--detached]',
  )
  process.exit(0)
}
const quick = opt.quick === true
const list = <T extends string>(s: string | undefined, all: readonly T[], what: string): T[] | null => {
  if (s === undefined) return null
  const xs = s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '')
  const bad = xs.filter((x) => !(all as readonly string[]).includes(x))
  if (bad.length > 0) {
    console.error(`unknown ${what}: ${bad.join(', ')}; expected some of ${all.join(', ')}`)
    process.exit(2)
  }
  return xs as T[]
}
const groups = list<Group>(opt.only, GROUPS, 'group') ?? [...GROUPS]
// jax-js cpu is an interpreter: its few rows cost ~7 s, left out of --quick
const libs = list<LibId>(opt.libs, LIBS, 'library') ?? LIBS.filter((l) => !(quick && l === 'jax-cpu'))
const partial = quick || opt.only !== undefined || opt.libs !== undefined || opt.detached === true
const outFile = opt.out ?? (partial ? null : join(here, 'results.json'))

/**
 * The block order (see the header): JavaScript kernels first, WebAssembly memory growth after.
 * jax-cpu is a JavaScript interpreter but runs last: its eager chain leaves ~80 MB of live JS heap
 * behind (jax-js caches), and before purediff's block it made the allocation-heavy rows (the 1M-
 * parameter Adam update) 60% slower through longer garbage collections.
 */
const ORDER: readonly LibId[] = ['purediff-js', 'tfjs-cpu', 'purediff', 'tfjs-wasm', 'jax-wasm', 'jax-cpu']

const mainMode = kernelMode()

// Warm-up is by time too: V8 needs a few hundred ms of a small step (the chain: thousands of calls)
// before its optimised code settles; a quick run with 2 warm-up calls measured the chain 4× slow.
const base: TimerOptions = quick
  ? { warmupCalls: 2, warmupMs: 500, runs: 3, minRunMs: 80, budgetMs: 1000, slowCallMs: 700 }
  : { warmupCalls: 3, warmupMs: 400, runs: 7, minRunMs: 150, budgetMs: 4000, slowCallMs: 2000 }
/** TF.js's WASM backend is unsteady for its first second on each new workload. */
const timerFor = (lib: LibId): TimerOptions => (lib === 'tfjs-wasm' ? { ...base, warmupMs: quick ? 400 : 1000 } : base)

// --- tasks

const tasks: Task[] = [
  ...(groups.includes('matmul') ? matmulTasks(quick) : []),
  ...(groups.includes('einsum') ? einsumTasks(quick) : []),
  ...(groups.includes('embedding') ? embeddingTasks() : []),
  ...(groups.includes('conv') ? convTasks() : []),
  ...(groups.includes('cnn') ? cnnTasks(opt.full === true) : []),
  ...(groups.includes('mlp') ? mlpTasks(quick) : []),
  ...(groups.includes('perexample') ? perExampleTasks() : []),
  ...(groups.includes('chain') ? [chainTask()] : []),
  ...(groups.includes('optim') ? [optimizerTask('adam'), optimizerTask('momentum')] : []),
  ...(groups.includes('mnist') ? [mnistTask({ full: opt.full === true, epochs: quick ? 1 : 5 })] : []),
  ...(groups.includes('rss') ? [rssTask(quick ? 300 : 1000)] : []),
]

interface MutableRow extends Row {
  results: Partial<Record<LibId, number | null>>
  ratios: Partial<Record<LibId, number | null>>
  na: Partial<Record<LibId, string>>
  runs: Partial<Record<LibId, number>>
  details?: Partial<Record<LibId, Readonly<Record<string, unknown>>>>
  agreement?: Agreement
}
const rows: MutableRow[] = tasks.flatMap((t) => t.rows.map((r) => ({ ...r, results: {}, ratios: {}, na: {}, runs: {} })))
const rowOf = new Map(rows.map((r) => [r.id, r]))
const agreeOf = new Map<Task, Partial<Record<LibId, readonly number[]>>>(tasks.map((t) => [t, {}]))
const rowFor = (id: string): MutableRow => must(rowOf.get(id), `the row ${id}`)
const agreeFor = (t: Task) => must(agreeOf.get(t), `the agreement of ${t.rows[0].id}`)

const notes: string[] = []
const say = (s: string) => {
  console.log(s)
  notes.push(s)
}

console.log(`purediff bench: ${quick ? 'quick' : 'full'} run; groups ${groups.join(', ')}; libraries ${libs.join(', ')}`)
if (opt.detached === true) {
  // the diagnostic: every block in the state a detached ArrayBuffer leaves (see the header)
  const b = new ArrayBuffer(8)
  structuredClone(b, { transfer: [b] })
  say('--detached: an ArrayBuffer was detached before the first block, on purpose')
}
say(`purediff kernel mode of the main column: ${mainMode} (${process.env.PUREDIFF_KERNELS ? `PUREDIFF_KERNELS=${process.env.PUREDIFF_KERNELS}` : 'the default'})`)
console.log(`order: ${ORDER.filter((l) => libs.includes(l)).join(' → ')}   (why: bench/README.md, "Order and fairness")`)

// --- startup: fresh processes, so nothing this one has loaded counts (bench/startup.ts)

let startup: Startup | undefined
if (groups.includes('startup')) {
  startup = measureStartup(quick ? 3 : 7)
  say(startupLine(startup))
}

// --- the blocks

async function setup(lib: LibId): Promise<Omit<Env, 'timer' | 'quick'>> {
  switch (lib) {
    case 'purediff':
      setKernelMode(mainMode)
      return { lib, tf: null, jax: null }
    case 'purediff-js':
      setKernelMode('js')
      return { lib, tf: null, jax: null }
    case 'tfjs-cpu':
    case 'tfjs-wasm': {
      for (const n of await useTfBackend(lib === 'tfjs-cpu' ? 'cpu' : 'wasm')) say(n)
      const tf = loadTf()
      if (lib === 'tfjs-wasm') {
        // settle: compile, grow its memory to a working size
        const a = tf.randomUniform([512, 512]),
          b = tf.randomUniform([512, 512])
        const t0 = performance.now()
        while (performance.now() - t0 < (quick ? 500 : 2000))
          tf.tidy(() => {
            tf.matMul(a, b).dataSync()
          })
        tf.dispose([a, b])
      }
      return { lib, tf, jax: null }
    }
    case 'jax-wasm':
    case 'jax-cpu': {
      const { jax, notes: n } = await useJax(lib === 'jax-wasm' ? 'wasm' : 'cpu')
      for (const s of n) say(s)
      return { lib, tf: null, jax }
    }
  }
}

const order: Results['order'][number][] = []
for (const lib of ORDER.filter((l) => libs.includes(l))) {
  const applicable = tasks.filter((t) => t.applies(lib) === true)
  for (const t of tasks) {
    const why = t.applies(lib)
    if (why !== true)
      for (const r of t.rows) {
        rowFor(r.id).results[lib] = null
        rowFor(r.id).na[lib] = why
      }
  }
  if (applicable.length === 0) continue
  collectGarbage()
  const pr = probe()
  const mem = process.memoryUsage()
  console.log(
    `\n=== ${lib} === (typed-array probe: ${pr.typedNs.toFixed(2)} ns/element, ${pr.ratio.toFixed(2)}× a plain-array loop; JS heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MB, array buffers ${(mem.arrayBuffers / 2 ** 20).toFixed(0)} MB)`,
  )
  const others = othersCpu()
  const t0 = performance.now()
  let env: Env
  try {
    env = { ...(await setup(lib)), quick, timer: timerFor(lib) }
  } catch (e) {
    say(`${lib}: failed to load (${e instanceof Error ? e.message : String(e)}); its column is n/a`)
    for (const t of applicable)
      for (const r of t.rows) {
        rowFor(r.id).results[lib] = null
        rowFor(r.id).na[lib] = 'failed to load'
      }
    continue
  }
  for (const t of applicable) {
    try {
      collectGarbage() // nothing left over from the previous task, outside the timing
      const o = await t.run(env)
      t.rows.forEach((spec, i) => {
        const r = rowFor(spec.id)
        r.results[lib] = o.values[i]
        if (o.runs !== undefined) r.runs[lib] = o.runs
        if (o.details && i === 0) r.details = { ...r.details, [lib]: o.details }
        const v = o.values[i]
        console.log(`[${lib}] ${spec.workload}: ${Number.isFinite(v) ? v.toPrecision(4) : String(v)} ${spec.unit}${o.runs !== undefined ? ` (median of ${o.runs})` : ''}`)
      })
      if (o.agree) agreeFor(t)[lib] = o.agree
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e)
      say(`[${lib}] ${t.rows[0].workload}: FAILED (${msg})`)
      for (const r of t.rows) {
        rowFor(r.id).results[lib] = null
        rowFor(r.id).na[lib] = `failed: ${msg}`
      }
    }
  }
  if (familyOf(lib) === 'tfjs')
    say(
      `${lib}: ${must(env.tf, 'TF.js').memory().numTensors} tensors alive after its block (tf.tidy/dispose used throughout; TF.js's momentum optimizer keeps 1 scalar after its dispose())`,
    )
  const busy = others()
  if (busy !== null && busy > 0.25) say(`warning: other processes kept ${busy.toFixed(2)} of ${cpus().length} cores busy during the ${lib} block: its numbers are unreliable`)
  order.push({
    library: lib,
    probeTypedVsPlain: Number(pr.ratio.toFixed(2)),
    otherProcessesCores: busy === null ? null : Number(busy.toFixed(2)),
    heapUsedMB: Math.round(mem.heapUsed / 2 ** 20),
    arrayBuffersMB: Math.round(mem.arrayBuffers / 2 ** 20),
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  })
}
setKernelMode(mainMode)
{
  const pr = probe()
  const first = order[0]?.probeTypedVsPlain
  say(
    `after the last block: typed-array probe ${pr.ratio.toFixed(2)}× a plain-array loop (${first === undefined ? '' : `${first.toFixed(2)}× before the first block; `}≳ 1.3× that means an ArrayBuffer was detached on the way)`,
  )
}

// --- ratios, agreement

for (const r of rows) for (const lib of libs) if (lib !== 'purediff' && r.results[lib] !== undefined) r.ratios[lib] = compare(r, r.results.purediff, r.results[lib])

console.log('\nagreement (each library computes the same thing; tolerance relative to purediff):')
for (const t of tasks) {
  const vals = agreeFor(t)
  const pd = vals.purediff
  let ok: boolean | null = null
  const tol = t.agreeTol
  if (tol !== null && pd !== undefined) {
    ok = true
    for (const [lib, v] of Object.entries(vals) as [LibId, readonly number[]][]) {
      if (v.some((x, i) => !(Math.abs(x - pd[i]) <= tol * Math.max(Math.abs(x), Math.abs(pd[i]), 1e-30)))) {
        ok = false
        say(`MISMATCH ${t.label ?? t.rows[0].workload}: ${lib} ${v.map((x) => x.toPrecision(7)).join(', ')} vs purediff ${pd.map((x) => x.toPrecision(7)).join(', ')}`)
      }
    }
  }
  const shown = (Object.entries(vals) as [LibId, readonly number[]][]).map(([lib, v]) => `${lib} ${v.map((x) => x.toPrecision(7)).join(', ')}`).join(' | ')
  console.log(`  ${ok === null ? '  ' : ok ? 'ok' : '!!'} ${t.label ?? t.rows[0].workload} [${t.agreeWhat}]: ${shown}`)
  rowFor(t.rows[0].id).agreement = { what: t.agreeWhat, tol: t.agreeTol, values: vals, ok }
}

// --- the table, the targets

const shownLibs = LIBS.filter((l) => libs.includes(l))
console.log(`\n${table(rows, shownLibs, { purediff: `purediff [${mainMode}]` })}`)
console.log('\n(value (ratio)): ratio > 1 means purediff is faster — other time / purediff time, or purediff GFLOP/s / other GFLOP/s; accuracy: (purediff − other) points.')
console.log(`purediff = kernel mode ${mainMode}; purediff-js = setKernelMode('js').`)
for (const s of naReasons(rows, shownLibs)) console.log(s)

const targets = checkTargets(rows, quick)
console.log(`\ntargets (issues 6, 13, 14)${quick ? ' — quick run: indicative only' : ''}:`)
// a partial run lists only what it measured
for (const s of targetLines(partial ? targets.filter((t) => t.pass !== null) : targets)) console.log(`  ${s}`)
const counted = targets.filter((t) => t.pass !== null)
console.log(`  ${counted.filter((t) => t.pass).length} of ${counted.length} targets pass (${targets.length - counted.length} not measured in this run)`)

const seconds = (performance.now() - started) / 1000
console.log(`\nbench took ${seconds.toFixed(0)} s`)

if (outFile === null) {
  console.log('partial run (--quick, --only or --libs): bench/results.json not written (--out FILE writes this run somewhere)')
} else {
  const results: Results = {
    format: 'purediff-bench/2',
    about: ABOUT,
    date: new Date().toISOString(),
    machine: machine(),
    versions: {
      purediff: (JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as { version: string }).version,
      '@tensorflow/tfjs': versionOf('@tensorflow/tfjs'),
      '@tensorflow/tfjs-backend-wasm': versionOf('@tensorflow/tfjs-backend-wasm'),
      '@jax-js/jax': versionOf('@jax-js/jax'),
    },
    kernelMode: mainMode,
    options: { quick, full: opt.full === true, detached: opt.detached === true, groups, libraries: libs },
    libraries: libraries(libs),
    order,
    rows: rows.map(roundRow),
    targets,
    notes,
    ...(startup === undefined ? {} : { startup }),
    durationSeconds: Math.round(seconds),
  }
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`)
  console.log(`wrote ${relative(process.cwd(), outFile)}`)
}

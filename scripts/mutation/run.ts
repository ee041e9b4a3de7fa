/**
 * `npm run mutation`: how many injected faults the suite catches in src/engine, src/core, src/ops,
 * src/optim, src/nn and src/train. See README.md beside this file for the method, the flags
 * and how the verdicts were checked by hand.
 *
 * Steps: install this folder's TypeScript 5 (npm ci, on first use); snapshot the working tree
 * into a sandbox; per kernel mode, one coverage run of the whole suite records which test files
 * reach each function; then each mutant is written into the sandbox and the test files that
 * reach it run, fastest first, until one fails (killed), the run outlives its timeout
 * (timeout, counted as killed) or all pass (survived; then the next kernel mode is tried).
 * Results are appended to out/results.jsonl as they come, so a run can stop and resume.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Mutant, mutantsOf } from './mutate.js'
import type { Progress, Selection } from './engine.js'
import { Engine } from './pool.js'
import { type Verdict, type Result, type Exclusion, writeReport, excludedBy } from './report.js'
import { defaultSandbox, hashTree, makeSandbox, repo } from './sandbox.js'
import { loadTs } from './ts.js'

const here = join(repo, 'scripts/mutation')
const out = join(here, 'out')
const FOLDERS = ['engine', 'core', 'ops', 'optim', 'nn', 'train'] as const
const MODES = ['js', 'auto'] as const
const DEFAULT_MODES: readonly Mode[] = ['js']
type Mode = (typeof MODES)[number]

// --- arguments

interface Options {
  readonly folders: readonly string[]
  readonly files: readonly string[]
  readonly modes: readonly Mode[]
  readonly fresh: boolean
  readonly reportOnly: boolean
  readonly workers: number
  readonly limit: number
  /** Fraction of the mutants judged (a stable pseudo-random subset), 1 for all. */
  readonly sample: number
}

function parseArgs(argv: readonly string[]): Options {
  const opts = { folders: [...FOLDERS] as string[], files: [] as string[], modes: [...DEFAULT_MODES], fresh: false, reportOnly: false, workers: 1, limit: Infinity, sample: 1 }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = (): string => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`mutation: ${a} needs a value`)
      return v
    }
    if (a === '--folders') opts.folders = value().split(',')
    else if (a === '--files') opts.files = value().split(',')
    else if (a === '--modes') opts.modes = value().split(',') as Mode[]
    else if (a === '--fresh') opts.fresh = true
    else if (a === '--report') opts.reportOnly = true
    else if (a === '--workers') opts.workers = Number(value())
    else if (a === '--limit') opts.limit = Number(value())
    else if (a === '--sample') opts.sample = Number(value())
    else if (a === '--help') {
      console.log(readFileSync(join(here, 'README.md'), 'utf8').split('\n## ')[1] ?? '')
      process.exit(0)
    } else throw new Error(`mutation: unknown argument ${a} (see scripts/mutation/README.md)`)
  }
  for (const f of opts.folders) if (!(FOLDERS as readonly string[]).includes(f)) throw new Error(`mutation: --folders takes ${FOLDERS.join(',')}, got ${f}`)
  for (const m of opts.modes) if (!(MODES as readonly string[]).includes(m)) throw new Error(`mutation: --modes takes ${MODES.join(',')}, got ${m}`)
  if (!(opts.workers >= 1)) throw new Error('mutation: --workers must be at least 1')
  if (!(opts.sample > 0 && opts.sample <= 1)) throw new Error('mutation: --sample takes a fraction in (0, 1]')
  return opts
}

// --- setup

/** npm ci of this folder when its node_modules is missing or older than the lockfile. */
function ensureInstalled(): void {
  const installed = join(here, 'node_modules', '.package-lock.json')
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(join(here, 'package-lock.json')).mtimeMs) return
  console.log('mutation: installing scripts/mutation (npm ci)')
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: 'inherit' })
}

const listTs = (dir: string): string[] =>
  readdirSync(join(repo, dir))
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => `${dir}/${f}`)
const allTests = (root: string): string[] => {
  const walk = (d: string): string[] =>
    readdirSync(join(root, d))
      .sort()
      .flatMap((f) => {
        const p = `${d}/${f}`
        return statSync(join(root, p)).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : []
      })
  return walk('test')
}

// --- coverage

interface Coverage {
  readonly tree: string
  /** Test file → duration in ms of the coverage run. */
  readonly durations: Record<string, number>
  /** Tests (`file > name`) that fail without any mutant: their failures never count as kills. */
  readonly failing: readonly string[]
  /** Test id → duration in ms of the coverage run. */
  readonly testDurations: Record<string, number>
  /** Test file → ids of its tests. */
  readonly testsOf: Record<string, string[]>
  /** Test file → ms spent loading and collecting it (all but its tests). */
  readonly loads: Record<string, number>
  /** Coverage key (`file#f3`, `file#m`) → test files that reached it outside any test (imports, collection, beforeAll). */
  readonly files: Record<string, string[]>
  /** Coverage key → test file → ids of the tests that reached it. */
  readonly tests: Record<string, Record<string, string[]>>
}

/** The tests that reach a coverage key, cheapest first, with the time they took in the coverage run. */
function select(cov: Coverage, key: string): { sel: Selection[]; ms: number } {
  const whole = new Set(cov.files[key] ?? [])
  const parts: { s: Selection; ms: number }[] = [...whole].map((file) => ({ s: { file }, ms: cov.durations[file] ?? 1000 }))
  for (const [file, ids] of Object.entries(cov.tests[key] ?? {})) {
    if (whole.has(file)) continue
    parts.push({ s: { file, tests: ids }, ms: 300 + ids.reduce((a, id) => a + (cov.testDurations[id] ?? 100), 0) })
  }
  parts.sort((a, b) => a.ms - b.ms)
  return { sel: parts.map((p) => p.s), ms: parts.reduce((a, p) => a + p.ms, 0) }
}

async function coverage(sandbox: string, mode: Mode, tree: string, targets: readonly string[], workers: number): Promise<Coverage> {
  const cached = join(out, `coverage-${mode}.json`)
  if (existsSync(cached)) {
    const c = JSON.parse(readFileSync(cached, 'utf8')) as Coverage
    if (c.tree === tree) return c
  }
  const dir = join(sandbox, '.coverage', mode)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const tests = allTests(sandbox)
  console.log(`mutation: coverage run, PUREDIFF_KERNELS=${mode}, ${tests.length} test files`)
  const t0 = Date.now()
  const engine = new Engine(sandbox, { PUREDIFF_KERNELS: mode, PD_MUTATION_INSTRUMENT: targets.join(','), PD_MUTATION_COVDIR: dir, PD_MUTATION_WORKERS: String(workers) })
  const r = await engine.run({ invalidate: [], files: tests.map((file) => ({ file })), known: [], stopAtNew: false }, () => 10 * 60_000, 2 * 60 * 60_000)
  engine.stop()
  if (r.kind === 'timeout') throw new Error('mutation: the coverage run took over an hour')
  if (r.answer.error !== null) throw new Error(`mutation: the coverage run failed to start: ${r.answer.error}`)
  const files: Record<string, string[]> = {}
  const testsOf: Record<string, Record<string, string[]>> = {}
  const ids: Record<string, string[]> = {}
  for (const f of readdirSync(dir)) {
    const rec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { file: string; fileMarks: string[]; tests: Record<string, string[]> }
    const rel = rec.file.slice(sandbox.length + 1)
    for (const k of rec.fileMarks) {
      files[k] ??= []
      files[k].push(rel)
    }
    for (const [id, marks] of Object.entries(rec.tests)) {
      for (const k of marks) {
        testsOf[k] ??= {}
        testsOf[k][rel] ??= []
        testsOf[k][rel].push(id)
      }
    }
    ids[rel] = Object.keys(rec.tests)
  }
  const td = r.answer.testDurations ?? {}
  const loads = Object.fromEntries(Object.entries(r.answer.durations).map(([f, ms]) => [f, Math.max(0, ms - (ids[f] ?? []).reduce((a, id) => a + (td[id] ?? 0), 0))]))
  const c: Coverage = { tree, durations: r.answer.durations, testDurations: td, testsOf: ids, loads, failing: r.answer.failedIds, files, tests: testsOf }
  writeFileSync(cached, JSON.stringify(c))
  console.log(
    `mutation: coverage run (${mode}) took ${((Date.now() - t0) / 1000).toFixed(0)} s; ${c.failing.length} test(s) fail without mutants${c.failing.length > 0 ? ` (never counted as kills):\n  ${c.failing.join('\n  ')}` : ''}`,
  )
  return c
}

/** The longest single step a selection should take: its slowest test, or its slowest file load. */
function slowest(cov: Coverage, sel: readonly Selection[]): number {
  let ms = 0
  for (const s of sel) {
    ms = Math.max(ms, cov.loads[s.file] ?? 2000)
    for (const id of s.tests ?? cov.testsOf[s.file] ?? []) ms = Math.max(ms, cov.testDurations[id] ?? 0)
  }
  return ms
}

/**
 * The stable subset of `--sample`: a mutant is in it when the hash of what it is (file, function,
 * operator, text before and after, and its rank among identical ones) falls below the fraction,
 * so the same mutants are drawn again after unrelated edits.
 */
function sampled(fraction: number): (m: Mutant) => boolean {
  const seen = new Map<string, number>()
  return (m) => {
    const what = `${m.file}|${m.fn}|${m.operator}|${m.original}|${m.replacement}`
    const rank = seen.get(what) ?? 0
    seen.set(what, rank + 1)
    if (fraction >= 1) return true
    return createHash('sha1').update(`${what}|${rank}`).digest().readUInt32BE(0) / 2 ** 32 < fraction
  }
}

// --- results

const resultsFile = join(out, 'results.jsonl')
const keyOf = (m: Mutant, fileHash: string) => `${fileHash}:${m.start}:${m.end}:${m.replacement}`

function loadResults(fresh: boolean): Map<string, Result> {
  const map = new Map<string, Result>()
  if (fresh) rmSync(resultsFile, { force: true })
  if (!existsSync(resultsFile)) return map
  for (const line of readFileSync(resultsFile, 'utf8').split('\n')) {
    if (line.trim() === '') continue
    const r = JSON.parse(line) as Result
    map.set(r.key, r)
  }
  return map
}

/** A stored verdict still holds: killed stays killed while its file is unchanged; a survivor only while nothing else changed. */
function stillValid(r: Result | undefined, tree: string): boolean {
  if (r === undefined) return false
  if (r.verdict === 'killed' || r.verdict === 'timeout') return true
  return r.tree === tree
}

// --- main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2))
  ensureInstalled()
  mkdirSync(out, { recursive: true })
  const ts = loadTs()
  const exclusions = JSON.parse(readFileSync(join(here, 'equivalent.json'), 'utf8')) as Exclusion[]
  const allTargets = FOLDERS.flatMap((d) => listTs(`src/${d}`))
  const targets = opts.folders.flatMap((d) => listTs(`src/${d}`)).filter((f) => opts.files.length === 0 || opts.files.some((s) => f === s || f.includes(s)))
  const started = Date.now()
  const results = loadResults(opts.fresh)

  const sandbox = defaultSandbox()
  if (!opts.reportOnly) {
    makeSandbox(sandbox)
  }
  const tree = hashTree(opts.reportOnly ? repo : sandbox, ['src', 'test', 'laws', 'docs'])
  const covs = new Map<Mode, Coverage>()
  const engines = new Map<Mode, Engine>()
  // Files rewritten in the sandbox since each engine last ran: it must drop their transforms.
  const dirty = new Map<Mode, Set<string>>(MODES.map((m) => [m, new Set<string>()]))
  const write = (file: string, t: string) => {
    writeFileSync(join(sandbox, file), t)
    for (const s of dirty.values()) s.add(file)
  }
  const all: { m: Mutant; r: Result }[] = []
  let ran = 0
  const stopAll = () => {
    for (const e of engines.values()) e.stop()
  }
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      stopAll()
      process.exit(130)
    })
  try {
    for (const file of targets) {
      const text = readFileSync(join(opts.reportOnly ? repo : sandbox, file), 'utf8')
      const fileHash = hashTree(opts.reportOnly ? repo : sandbox, [file])
      const mutants = mutantsOf(ts, file, text).filter(sampled(opts.sample))
      let todo = 0
      const t0 = Date.now()
      for (const m of mutants) {
        const key = keyOf(m, fileHash)
        const prior = results.get(key)
        const reason = excludedBy(exclusions, m)
        if (reason !== null) {
          all.push({ m, r: { key, tree, verdict: 'excluded', mode: null, by: reason, ms: 0 } })
          continue
        }
        if (stillValid(prior, tree) || opts.reportOnly) {
          if (prior !== undefined) all.push({ m, r: prior })
          continue
        }
        if (ran >= opts.limit) continue
        ran++
        todo++
        const r = await judge(m, text, key)
        results.set(key, r)
        appendFileSync(resultsFile, `${JSON.stringify(r)}\n`)
        all.push({ m, r })
      }
      if (todo > 0) console.log(`mutation: ${file}: ${todo} mutant(s) judged in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
    }
  } finally {
    stopAll()
  }

  async function judge(m: Mutant, text: string, key: string): Promise<Result> {
    const t0 = Date.now()
    const mutated = text.slice(0, m.start) + m.replacement + text.slice(m.end)
    let covered = false
    try {
      write(m.file, mutated)
      for (const mode of opts.modes) {
        let cov = covs.get(mode)
        if (cov === undefined) {
          write(m.file, text)
          cov = await coverage(sandbox, mode, tree, allTargets, opts.workers)
          covs.set(mode, cov)
          write(m.file, mutated)
        }
        const { sel: files, ms: budget } = select(cov, m.scope)
        if (files.length === 0) continue
        covered = true
        let engine = engines.get(mode)
        if (engine === undefined) {
          engine = new Engine(sandbox, { PUREDIFF_KERNELS: mode, PD_MUTATION_WORKERS: String(opts.workers) })
          engines.set(mode, engine)
        }
        // Stuck: a step (a file's load, a test) over 15 s plus 3× what it took in the coverage run.
        const stallOf = (p: Progress | null) =>
          15_000 + 3 * (p === null ? slowest(cov, files) : p.progress === 'test' ? (cov.testDurations[p.id] ?? 5000) : (cov.loads[p.id] ?? 5000))
        const limit = 5 * budget + 60_000
        const pending = dirty.get(mode)
        if (pending === undefined) throw new Error(`mutation: no kernel mode ${mode}`)
        for (let attempt = 0; attempt < 2; attempt++) {
          const invalidate = [...pending]
          pending.clear()
          const o = await engine.run({ invalidate, files, known: cov.failing, stopAtNew: true }, stallOf, limit)
          if (o.kind === 'timeout')
            return { key, tree, verdict: 'timeout', mode, by: `a step stuck (over 15 s + 3× its time) or over ${(limit / 1000).toFixed(0)} s in all`, ms: Date.now() - t0 }
          if (o.answer.error !== null) {
            if (attempt === 1) return { key, tree, verdict: 'error', mode, by: o.answer.error.slice(0, 500), ms: Date.now() - t0 }
            continue
          }
          if (o.answer.newFailures > 0) return { key, tree, verdict: 'killed', mode, by: o.answer.firstFailure ?? 'failed', ms: Date.now() - t0 }
          break
        }
      }
    } finally {
      write(m.file, text)
    }
    return { key, tree, verdict: covered ? 'survived' : 'noCoverage', mode: null, by: null, ms: Date.now() - t0 }
  }

  const elapsed = (Date.now() - started) / 1000
  writeReport(
    out,
    all.map(({ m, r }) => ({ ...m, ...r, verdict: r.verdict as Verdict })),
    { elapsed, ran, modes: opts.modes, folders: opts.folders, files: opts.files, sample: opts.sample },
  )
}

const entry = process.argv[2] === 'verify' ? import('./verify.js').then(() => undefined) : main()
entry.catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})

/**
 * `npm run mutation:verify`-style check of the runner's verdicts, by hand and independent of its
 * machinery: each chosen mutant is applied to a fresh copy of the tree (a second sandbox), then
 * the plain `vitest run --related <file>` (the root configuration: no setup file, no pinned
 * seed, no coverage-based selection, no early stop) runs under each kernel mode. A "survived"
 * verdict is confirmed when every related test passes in every mode; a "killed" one when some
 * test fails.
 *
 * Usage: tsx scripts/mutation/verify.ts [--sample N] [--seed S] [--verdict survived|killed|…]
 *        [--folders core,ops] [--id file#index ...] [--modes js,auto] [--workers N]
 * Reads out/report.json (the last run); appends to out/verified.jsonl and prints a table.
 */
import { execFileSync } from 'node:child_process'
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import type { Mutant } from './mutate.js'
import type { Result } from './report.js'
import { defaultSandbox, makeSandbox, repo } from './sandbox.js'

type Row = Mutant & Result

const out = join(repo, 'scripts/mutation/out')
const args = process.argv.slice(2)
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const sample = Number(opt('--sample') ?? 5)
const verdict = opt('--verdict') ?? 'survived'
const folders = opt('--folders')?.split(',')
const modes = (opt('--modes') ?? 'js,auto').split(',')
let seed = Number(opt('--seed') ?? 1)
const ids = args.flatMap((a, i) => (args[i - 1] === '--id' ? [a] : []))

const rows = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { mutants: Row[] }).mutants
// A small deterministic shuffle (mulberry32), so a sample can be drawn again.
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
let chosen: Row[]
if (ids.length > 0) chosen = rows.filter((r) => ids.includes(r.id))
else {
  const pool = rows.filter((r) => r.verdict === verdict && (folders === undefined || folders.some((f) => r.file.startsWith(`src/${f}/`))))
  chosen = []
  while (chosen.length < sample && pool.length > 0) chosen.push(pool.splice(Math.floor(rand() * pool.length), 1)[0])
}

const dir = `${defaultSandbox()}-verify`
makeSandbox(dir)
for (const m of chosen) {
  const original = readFileSync(join(dir, m.file), 'utf8')
  if (original.slice(m.start, m.end) !== m.original) {
    console.log(`${m.id}: the file changed since the run; skipped`)
    continue
  }
  writeFileSync(join(dir, m.file), original.slice(0, m.start) + m.replacement + original.slice(m.end))
  const outcome: Record<string, string> = {}
  for (const mode of modes) {
    const t0 = Date.now()
    try {
      // A kill needs one failure (--bail=1); a survivor needs every related test to pass.
      const bail = m.verdict === 'killed' || m.verdict === 'timeout' ? ['--bail=1'] : []
      execFileSync(
        process.execPath,
        [join(repo, 'node_modules/vitest/vitest.mjs'), 'related', m.file, '--run', '--reporter=dot', `--maxWorkers=${opt('--workers') ?? 1}`, ...bail],
        {
          cwd: dir,
          env: { ...process.env, PUREDIFF_KERNELS: mode },
          stdio: ['ignore', 'pipe', 'pipe'],
          maxBuffer: 1 << 28,
        },
      )
      outcome[mode] = `passed (${((Date.now() - t0) / 1000).toFixed(0)} s)`
    } catch (e) {
      const err = e as { stdout?: Buffer; stderr?: Buffer }
      const text = stripVTControlCharacters(`${err.stdout?.toString() ?? ''}\n${err.stderr?.toString() ?? ''}`)
      const failed = text
        .split('\n')
        .filter((l) => / FAIL /.test(l))
        .slice(0, 2)
        .map((l) => l.trim())
        .join(' | ')
      outcome[mode] = `FAILED (${((Date.now() - t0) / 1000).toFixed(0)} s): ${failed.slice(0, 200)}`
    }
  }
  writeFileSync(join(dir, m.file), original)
  const anyFailed = Object.values(outcome).some((o) => o.startsWith('FAILED'))
  const agrees = m.verdict === 'survived' || m.verdict === 'noCoverage' ? !anyFailed : anyFailed
  const entry = { id: m.id, file: m.file, line: m.line, operator: m.operator, original: m.original, replacement: m.replacement, verdict: m.verdict, outcome, agrees }
  appendFileSync(join(out, 'verified.jsonl'), `${JSON.stringify(entry)}\n`)
  console.log(
    `${agrees ? 'AGREES   ' : 'DISAGREES'} ${m.file}:${m.line}:${m.col} ${m.operator} \`${m.original.replace(/\s+/g, ' ').slice(0, 50)}\` → \`${m.replacement}\` [tool: ${m.verdict}] ${JSON.stringify(outcome)}`,
  )
}

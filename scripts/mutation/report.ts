/**
 * Verdicts, the equivalent-mutant exclusions, and the report: out/report.json (every mutant),
 * out/report.md (per folder and file, then every survivor), and the per-folder table printed.
 *
 * Score = (killed + timeout) / (mutants − excluded − error). A mutant no test reaches
 * (noCoverage) counts as not detected, as Stryker counts it.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Mutant } from './mutate.js'

// --- model

export type Verdict = 'killed' | 'timeout' | 'survived' | 'noCoverage' | 'excluded' | 'error'

/** One stored verdict (a line of out/results.jsonl). */
export interface Result {
  readonly key: string
  /** Hash of src/, test/, laws/ and docs/ when judged (a survivor is re-run when it changes). */
  readonly tree: string
  readonly verdict: Verdict
  /** The kernel mode (PUREDIFF_KERNELS) whose run decided, when one did. */
  readonly mode: string | null
  /** The first failing test, the timeout, or the exclusion's reason. */
  readonly by: string | null
  readonly ms: number
}

/**
 * An equivalent mutant (or a pattern of them) excluded from the score, with the reason it cannot
 * be observed. Every given field must match; `original`/`replacement` compare exactly.
 */
export interface Exclusion {
  readonly file: string
  /** The function (or one of the functions) holding the mutant. */
  readonly fn?: string | readonly string[]
  readonly operator?: string
  readonly original?: string
  /** A regular expression the original text must match (from its start). */
  readonly originalMatches?: string
  readonly replacement?: string
  /** A regular expression the mutant's source line must contain. */
  readonly lineMatches?: string
  readonly reason: string
}

// --- operations

/** The reason of the first exclusion matching `m`, or null. */
export function excludedBy(rules: readonly Exclusion[], m: Mutant): string | null {
  for (const r of rules) {
    if (r.file !== m.file) continue
    if (r.fn !== undefined && !(typeof r.fn === 'string' ? [r.fn] : r.fn).includes(m.fn)) continue
    if (r.operator !== undefined && r.operator !== m.operator) continue
    if (r.original !== undefined && r.original !== m.original) continue
    if (r.originalMatches !== undefined && !new RegExp(`^(?:${r.originalMatches})`).test(m.original)) continue
    if (r.replacement !== undefined && r.replacement !== m.replacement) continue
    if (r.lineMatches !== undefined && !new RegExp(r.lineMatches).test(m.source)) continue
    return r.reason
  }
  return null
}

type Row = Mutant & Result

interface Tally {
  total: number
  killed: number
  timeout: number
  survived: number
  noCoverage: number
  excluded: number
  error: number
}

const tally = (rows: readonly Row[]): Tally => {
  const t: Tally = { total: rows.length, killed: 0, timeout: 0, survived: 0, noCoverage: 0, excluded: 0, error: 0 }
  for (const r of rows) t[r.verdict]++
  return t
}
/** The score in percent, or NaN when nothing counts. */
export const score = (t: Tally): number => (100 * (t.killed + t.timeout)) / (t.total - t.excluded - t.error)
const pct = (x: number) => (Number.isNaN(x) ? '–' : `${x.toFixed(1)}%`)
/** The 95% Wilson score interval of the score, for a sampled run. */
const interval = (t: Tally): string => {
  const n = t.total - t.excluded - t.error
  if (n <= 0) return ''
  const p = (t.killed + t.timeout) / n
  const z = 1.96
  const c = (p + (z * z) / (2 * n)) / (1 + (z * z) / n)
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n)
  return ` [${(100 * (c - h)).toFixed(0)}–${(100 * (c + h)).toFixed(0)}]`
}
let showInterval = false
const line = (name: string, t: Tally) =>
  `| ${name} | ${pct(score(t))}${showInterval ? interval(t) : ''} | ${t.total} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${t.excluded} | ${t.error} |`
const head = '| | score | mutants | killed | timeout | survived | no coverage | excluded | error |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|'

/** Writes out/report.json and out/report.md and prints the per-folder table. */
export function writeReport(
  out: string,
  rows: readonly Row[],
  meta: { elapsed: number; ran: number; modes: readonly string[]; folders: readonly string[]; files: readonly string[]; sample: number },
): void {
  writeFileSync(join(out, 'report.json'), JSON.stringify({ meta, mutants: rows }, null, 1))
  showInterval = meta.sample < 1
  const folderOf = (f: string) => f.split('/').slice(0, 2).join('/')
  const folders = [...new Set(rows.map((r) => folderOf(r.file)))]
  const files = [...new Set(rows.map((r) => r.file))]
  const md: string[] = [
    '# Mutation report',
    '',
    `Kernel modes tried in order: ${meta.modes.join(', ')}. Mutants judged in this run: ${meta.ran}, in ${meta.elapsed.toFixed(0)} s.`,
    meta.sample < 1
      ? `A stable sample of ${(100 * meta.sample).toFixed(0)}% of the mutants (--sample ${meta.sample}); the score column gives the 95% Wilson interval after it.`
      : 'Every mutant.',
    '',
    '## Per folder',
    '',
    head,
    ...folders.map((f) => line(f, tally(rows.filter((r) => folderOf(r.file) === f)))),
    line('**all**', tally(rows)),
    '',
    '## Per file',
    '',
    head,
    ...files.map((f) => line(f, tally(rows.filter((r) => r.file === f)))),
    '',
    '## Not detected (survived, no coverage)',
    '',
    ...rows
      .filter((r) => r.verdict === 'survived' || r.verdict === 'noCoverage')
      .map(
        (r) =>
          `- ${r.file}:${r.line}:${r.col} ${r.fn === '' ? '' : `(${r.fn}) `}${r.operator}${r.verdict === 'noCoverage' ? ' [no coverage]' : ''}: \`${clip(r.original)}\` → \`${clip(r.replacement)}\``,
      ),
    '',
    '## Errors (not counted)',
    '',
    ...rows.filter((r) => r.verdict === 'error').map((r) => `- ${r.file}:${r.line}:${r.col} ${r.operator}: ${clip(r.by ?? '')}`),
  ]
  writeFileSync(join(out, 'report.md'), `${md.join('\n')}\n`)
  console.log(['', head, ...folders.map((f) => line(f, tally(rows.filter((r) => folderOf(r.file) === f)))), line('all', tally(rows))].join('\n'))
  console.log(`\nmutation: ${meta.ran} mutant(s) judged in ${meta.elapsed.toFixed(0)} s; report in scripts/mutation/out/report.md`)
}

const clip = (s: string) => {
  const one = s.replace(/\s+/g, ' ')
  return one.length > 80 ? `${one.slice(0, 77)}…` : one
}

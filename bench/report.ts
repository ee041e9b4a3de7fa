/**
 * The printed table and results.json. The table has one line per row and one column per library;
 * each other library's cell is "value (ratio)" where ratio > 1 means purediff is faster
 * (time rows: other time / purediff time; GFLOP/s rows: purediff / other), or "value (±diff)" for
 * accuracy rows.
 */
import { readFileSync } from 'node:fs'
import { cpus, totalmem, type as osType, arch } from 'node:os'
import { type LibId, type RowSpec, LIBS, LIB_INFO, LIB_LABEL } from './model.js'
import type { Startup } from './startup.js'
import type { Target } from './targets.js'
import { fmtNum, round } from './util.js'

export interface Agreement {
  readonly what: string
  /** Relative tolerance, or null when close-but-not-equal is expected. */
  readonly tol: number | null
  readonly values: Partial<Record<LibId, readonly number[]>>
  /** Every library within `tol` of purediff (null: no tolerance, or nothing to compare). */
  readonly ok: boolean | null
}

export interface Row extends RowSpec {
  /** Value per library in the row's unit; null = not available (see `na`). */
  readonly results: Partial<Record<LibId, number | null>>
  /** Per library, compared with purediff: see RowSpec.compare. */
  readonly ratios: Partial<Record<LibId, number | null>>
  /** Why a library has no value. */
  readonly na: Partial<Record<LibId, string>>
  /** Timed runs behind each median. */
  readonly runs: Partial<Record<LibId, number>>
  readonly agreement?: Agreement
  readonly details?: Partial<Record<LibId, Readonly<Record<string, unknown>>>>
}

/** The comparison of `lib` with purediff on a row (see RowSpec.compare). */
export function compare(r: RowSpec, pd: number | null | undefined, other: number | null | undefined): number | null {
  if (pd === null || pd === undefined || other === null || other === undefined || !Number.isFinite(pd) || !Number.isFinite(other)) return null
  if (r.compare === 'difference') return pd - other
  if (r.compare !== 'ratio' || pd === 0 || other === 0) return null
  return r.better === 'lower' ? other / pd : pd / other
}

function cell(r: Row, lib: LibId): string {
  const v = r.results[lib]
  if (v === undefined) return ''
  if (v === null) return 'n/a'
  const s = fmtNum(v)
  if (lib === 'purediff') return s
  const q = r.ratios[lib]
  if (q === null || q === undefined) return s
  return r.compare === 'difference' ? `${s} (${q >= 0 ? '+' : ''}${q.toFixed(2)})` : `${s} (${fmtNum(q)}×)`
}

/** A markdown table of the rows over the libraries that ran. */
export function table(rows: readonly Row[], libs: readonly LibId[], labels: Partial<Record<LibId, string>> = {}): string {
  const header = ['workload', 'unit', ...libs.map((l) => labels[l] ?? l)]
  const cells = rows.map((r) => [r.workload, r.unit, ...libs.map((l) => cell(r, l))])
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)))
  const line = (row: readonly string[]) => `| ${row.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join(' | ')} |`
  const rule = `|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`
  return [line(header), rule, ...cells.map(line)].join('\n')
}

/** The n/a reasons of the table, one line per reason: the libraries and the groups it concerns. */
export function naReasons(rows: readonly Row[], libs: readonly LibId[]): string[] {
  const seen = new Map<string, { libs: Set<LibId>; groups: Set<string> }>()
  for (const r of rows) {
    for (const l of libs) {
      const why = r.na[l]
      if (why === undefined) continue
      const e = seen.get(why) ?? { libs: new Set<LibId>(), groups: new Set<string>() }
      e.libs.add(l)
      e.groups.add(r.group)
      seen.set(why, e)
    }
  }
  return [...seen.entries()].map(([why, e]) => `n/a ${[...e.libs].join(', ')} [${[...e.groups].join(', ')}]: ${why}`)
}

export function targetLines(targets: readonly Target[]): string[] {
  return targets.map((t) => `${t.pass === null ? 'SKIP' : t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.detail}`)
}

/** The CPU model from /proc/cpuinfo (Linux), else what os.cpus() says. */
export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (m) return m[1].trim()
  } catch {
    /* not Linux */
  }
  return cpus()[0]?.model ?? 'unknown'
}

export function machine() {
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${arch()}`,
    node: process.version,
    v8: process.versions.v8,
  }
}

export interface Results {
  readonly format: 'purediff-bench/2'
  readonly about: string
  readonly date: string
  readonly machine: ReturnType<typeof machine>
  readonly versions: Readonly<Record<string, string>>
  readonly kernelMode: string
  readonly options: Readonly<Record<string, unknown>>
  readonly libraries: readonly { readonly id: LibId; readonly label: string; readonly description: string; readonly measured: boolean }[]
  readonly order: readonly {
    readonly library: LibId
    readonly probeTypedVsPlain: number
    readonly otherProcessesCores: number | null
    readonly heapUsedMB: number
    readonly arrayBuffersMB: number
    readonly seconds: number
  }[]
  readonly rows: readonly Row[]
  readonly targets: readonly Target[]
  readonly notes: readonly string[]
  /** purediff's startup in fresh processes (bench/startup.ts), when the startup group ran */
  readonly startup?: Startup
  readonly durationSeconds: number
}

export const ABOUT = [
  'purediff benchmarked against TensorFlow.js (cpu, wasm) and jax-js (wasm, cpu) in one Node process; see bench/README.md.',
  'rows[].results[library] is the value in rows[].unit (null: not available, reason in rows[].na); rows[].better says whether higher or lower is better.',
  'rows[].ratios[library] compares with purediff: for compare = "ratio", > 1 means purediff is faster (time rows: other / purediff; rate rows: purediff / other); for compare = "difference", purediff − other in the unit.',
  "targets[] are the issue's targets checked on this run (pass null: not measured in this run). order[] is the order the libraries were measured in, with the typed-array probe taken before each block (the time of a typed-array loop over the same loop on a plain array: it rises by 30–70% once an ArrayBuffer has been detached in the process) and otherProcessesCores, how many cores other processes kept busy on average during the block (above ~0.25 on 2 cores the numbers of the block are unreliable).",
].join(' ')

/** A row for the file: numbers rounded, libraries in column order. */
export function roundRow(r: Row): Row {
  const ordered = <T>(o: Partial<Record<LibId, T>>, f: (v: T) => unknown) => Object.fromEntries(LIBS.filter((l) => o[l] !== undefined).map((l) => [l, f(o[l] as T)]))
  const num = (v: number | null) => (v === null ? null : round(v))
  const agreement =
    r.agreement === undefined ? undefined : { ...r.agreement, values: ordered(r.agreement.values, (v: readonly number[]) => v.map((x) => Number(x.toPrecision(7)))) }
  return {
    ...r,
    results: ordered(r.results, num),
    ratios: ordered(r.ratios, num),
    na: ordered(r.na, (v) => v),
    runs: ordered(r.runs, (v) => v),
    ...(agreement === undefined ? {} : { agreement }),
  } as Row
}

export function libraries(measured: readonly LibId[]): Results['libraries'] {
  return LIBS.map((id) => ({ id, label: LIB_LABEL[id], description: LIB_INFO[id], measured: measured.includes(id) }))
}

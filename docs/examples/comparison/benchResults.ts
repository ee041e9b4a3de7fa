/**
 * Reads bench/results.json (written by `npm run bench`) into a table the site can render
 * whatever its exact shape: rows are the array of objects it holds (`rows`, or the first array of
 * objects, or the file itself if it is one); the first text column names a row; columns whose key
 * starts with "ratio" are speed ratios; top-level scalars are metadata. Nothing is hard-coded to
 * today's columns, so a rewritten bench still renders. Used by the comparison page's data loader
 * (docs/.vitepress/data/bench.data.ts) and by bench-chart.ts.
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export type Cell = string | number | null
export interface Column {
  readonly key: string
  readonly label: string
  readonly kind: 'text' | 'number' | 'ratio'
}
export interface BenchTable {
  /** False when bench/results.json is missing or holds no rows. */
  readonly found: boolean
  readonly meta: readonly { readonly key: string; readonly label: string; readonly value: string }[]
  /** Top-level text explaining the ratios, if the file has one (a key containing "ratio"). */
  readonly ratioNote: string | null
  readonly columns: readonly Column[]
  readonly rows: readonly Record<string, Cell>[]
  /** The key of the column naming each row. */
  readonly nameKey: string | null
  readonly notes: readonly string[]
}

export const resultsPath = fileURLToPath(new URL('../../../bench/results.json', import.meta.url))

const known: Record<string, string> = {
  benchmark: 'benchmark',
  unit: 'unit',
  purediff: 'purediff',
  purediffAlone: 'purediff (alone)',
  tfjsCpu: 'TF.js CPU',
  tfjsWasm: 'TF.js WASM',
  ratioCpu: 'ratio vs TF.js CPU',
  ratioWasm: 'ratio vs TF.js WASM',
  generatedAt: 'measured',
  node: 'Node',
  cpu: 'CPU',
  cores: 'cores',
  tfjs: 'TF.js version',
}

/** `tfjsCpu` → "tfjs cpu", unless the key has a known label. */
export function label(key: string): string {
  return (
    known[key] ??
    key
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/[_-]+/g, ' ')
      .toLowerCase()
  )
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isRowArray = (v: unknown): v is Record<string, unknown>[] => Array.isArray(v) && v.length > 0 && v.every(isRecord)
const toCell = (v: unknown): Cell => (typeof v === 'number' || typeof v === 'string' ? v : v === null || v === undefined ? null : JSON.stringify(v))

/**
 * A row of the bench's current format (`{ workload, unit, compare, results: { lib: value },
 * ratios: { lib: ratio } }`) as a flat row: one column per library, then `ratio vs lib` columns
 * (only where the row compares by ratio; accuracy rows compare by difference). Other rows pass.
 */
function flatten(r: Record<string, unknown>): Record<string, unknown> {
  if (!isRecord(r.results)) return r
  const out: Record<string, unknown> = { workload: r.workload ?? r.id, unit: r.unit }
  for (const [lib, v] of Object.entries(r.results)) out[lib] = v
  if (r.compare !== 'difference' && isRecord(r.ratios)) for (const [lib, v] of Object.entries(r.ratios)) out[`ratio vs ${lib}`] = v
  return out
}

/** The table of a parsed results file (any JSON value). */
export function normalise(json: unknown): BenchTable {
  const top = isRecord(json) ? json : {}
  const found = isRowArray(json) ? json : isRowArray(top.rows) ? top.rows : (Object.values(top).find(isRowArray) ?? [])
  const rowsRaw = found.map(flatten)
  const keys: string[] = []
  for (const r of rowsRaw) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k)
  const columns: Column[] = keys.map((key) => {
    const values = rowsRaw.map((r) => r[key]).filter((v) => v !== undefined && v !== null)
    const numeric = values.length > 0 && values.every((v) => typeof v === 'number')
    return { key, label: label(key), kind: numeric ? (/^ratio/i.test(key) ? 'ratio' : 'number') : 'text' }
  })
  const nameKey = columns.find((c) => c.kind === 'text')?.key ?? null
  const rows = rowsRaw.map((r) => Object.fromEntries(keys.map((k) => [k, toCell(r[k])])))
  const scalars = Object.entries(top).filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
  const ratioEntry = scalars.find(([k, v]) => /ratio/i.test(k) && typeof v === 'string')
  const notes = Object.values(top).find((v): v is string[] => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string')) ?? []
  return {
    found: rows.length > 0,
    meta: scalars.filter(([k]) => k !== ratioEntry?.[0]).map(([key, value]) => ({ key, label: label(key), value: String(value) })),
    ratioNote: ratioEntry ? String(ratioEntry[1]) : null,
    columns,
    rows,
    nameKey,
    notes,
  }
}

/** The table of bench/results.json, or an empty one (found: false) when it is missing or unreadable. */
export function readBenchTable(path = resultsPath): BenchTable {
  if (!existsSync(path)) return normalise(null)
  try {
    return normalise(JSON.parse(readFileSync(path, 'utf8')))
  } catch {
    return normalise(null)
  }
}

/** Every ratio of every row, long format: { row name, column label, value }. */
export function ratios(table: BenchTable): { name: string; against: string; value: number }[] {
  return table.rows.flatMap((r) =>
    table.columns
      .filter((c) => c.kind === 'ratio' && typeof r[c.key] === 'number')
      .map((c) => ({ name: String(table.nameKey ? r[table.nameKey] : ''), against: c.label, value: r[c.key] as number })),
  )
}

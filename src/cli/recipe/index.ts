/// <reference types="node" />
/**
 * `purediff recipe`: runs the lecture's experiments (a)–(h) on the real MNIST digits, prints one
 * table per experiment (with its configuration, so anyone can rerun it), and writes
 * results.json and SVG plots into the output folder.
 *
 * @internal
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadMnist, split } from '../data.js'
import { writePlot } from '../plot.js'
import type { Context, Result, Size } from './common.js'
import { sigmoidVsRelu } from './sigmoidVsRelu.js'
import { gradientNorms } from './gradientNorms.js'
import { optimizers } from './optimizers.js'
import { activations } from './activations.js'
import { earlyStopping } from './earlyStopping.js'
import { regularisation } from './regularisation.js'
import { dropout } from './dropout.js'
import { allMasks } from './allMasks.js'

/** The run sizes: `tiny` is the hidden size the test suite uses. */
export const sizes: Readonly<Record<Size['name'], Size>> = {
  tiny: { name: 'tiny', train: 1000, epochs: 4 },
  quick: { name: 'quick', train: 2000, epochs: 5 },
  full: { name: 'full', train: 8000, epochs: 20 },
}

const experiments = [sigmoidVsRelu, gradientNorms, optimizers, activations, earlyStopping, regularisation, dropout, allMasks]

/** Formats one result as a text table. */
export function formatTable(r: Result, seconds: number): string {
  const cells = [r.header.map(String), ...r.rows.map((row) => row.map(String))]
  const widths = r.header.map((_, i) => Math.max(...cells.map((c) => c[i].length)))
  const line = (c: string[]) => '  ' + c.map((s, i) => s.padEnd(widths[i])).join('  ')
  return [
    `(${r.id}) ${r.title}  [${seconds.toFixed(1)}s]`,
    `  config: ${r.config}`,
    line(cells[0]), '  ' + widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
    `  lecture: ${r.lecture}`,
  ].join('\n')
}

/** Runs the recipe. */
export async function recipe(o: { size: Size; out: string; seed: number; print: (s: string) => void }): Promise<void> {
  const t0 = Date.now()
  mkdirSync(o.out, { recursive: true })
  const all = loadMnist()
  const { train, validation, test } = split(all, o.seed, { train: o.size.train, validation: 1000, test: 1000 })
  o.print(`purediff recipe (${o.size.name}): ${all.n} MNIST digits, seed ${o.seed} → ${train.n} train / ${validation.n} validation / ${test.n} test (seeded permutation), pixels in [0, 1]\n`)
  const ctx: Context = { train, validation, test, size: o.size, seed: o.seed, log: o.print }
  const results: (Result & { seconds: number })[] = []
  const files: string[] = []
  for (const run of experiments) {
    const s = Date.now()
    const r = run(ctx)
    const seconds = (Date.now() - s) / 1000
    results.push({ ...r, seconds })
    o.print(formatTable(r, seconds) + '\n')
    for (const p of r.plots) files.push(await writePlot(o.out, p.name, p.spec))
  }
  const json = { size: o.size, seed: o.seed, split: { train: train.n, validation: validation.n, test: test.n }, seconds: (Date.now() - t0) / 1000, experiments: results.map(({ plots: _p, ...r }) => r) }
  writeFileSync(join(o.out, 'results.json'), JSON.stringify(json, null, 2))
  o.print(`wrote ${join(o.out, 'results.json')} and ${files.length} plots (${files.map((f) => f.slice(o.out.length + 1)).join(', ')}) in ${json.seconds.toFixed(1)}s`)
}

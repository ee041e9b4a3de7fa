/// <reference types="node" />
/**
 * `purediff recipe`: runs the lecture's experiments (a)–(i) on the real MNIST digits, prints one
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
import { type ProgressSink, reporter } from './progress.js'
import { sigmoidVsRelu } from './sigmoidVsRelu.js'
import { gradientNorms } from './gradientNorms.js'
import { optimizers } from './optimizers.js'
import { activations } from './activations.js'
import { earlyStopping } from './earlyStopping.js'
import { regularisation } from './regularisation.js'
import { dropout } from './dropout.js'
import { allMasks } from './allMasks.js'
import { cnnVsMlp } from './cnn.js'

/** The run sizes: `tiny` is the hidden size the test suite uses. */
export const sizes: Readonly<Record<Size['name'], Size>> = {
  tiny: { name: 'tiny', train: 1000, epochs: 4 },
  quick: { name: 'quick', train: 2000, epochs: 5 },
  full: { name: 'full', train: 8000, epochs: 20 },
}

const experiments: readonly { readonly id: string; readonly run: (ctx: Context) => Result }[] = [
  { id: 'a', run: sigmoidVsRelu },
  { id: 'b', run: gradientNorms },
  { id: 'c', run: optimizers },
  { id: 'd', run: activations },
  { id: 'e', run: earlyStopping },
  { id: 'f', run: regularisation },
  { id: 'g', run: dropout },
  { id: 'h', run: allMasks },
  { id: 'i', run: cnnVsMlp },
]

/** Every line the recipe prints fits in this many columns. */
export const WIDTH = 100

/** `text` broken at spaces into lines of at most `width` columns: `first` prefixes line 1, `rest` the others. */
export function wrap(text: string, first: string, rest: string, width = WIDTH): string[] {
  const lines: string[] = []
  let line = first
  let empty = true
  for (let word of text.split(' ')) {
    while (word.length > 0) {
      const room = width - line.length - (empty ? 0 : 1)
      if (word.length <= room) {
        line += (empty ? '' : ' ') + word
        empty = false
        word = ''
      } else if (!empty) {
        lines.push(line)
        line = rest
        empty = true
      } else {
        // A word longer than a whole line: break it.
        lines.push(line + word.slice(0, room))
        word = word.slice(room)
        line = rest
      }
    }
  }
  if (!empty || lines.length === 0) lines.push(line)
  return lines
}

/** Formats one result as a text table with its configuration, notes, the lecture's claim and where the run differs from it. */
export function formatTable(r: Result, seconds: number): string {
  const cells = [r.header.map(String), ...r.rows.map((row) => row.map(String))]
  const widths = r.header.map((_, i) => Math.max(...cells.map((c) => c[i].length)))
  const line = (c: string[]) => `  ${c.map((s, i) => s.padEnd(widths[i])).join('  ')}`.trimEnd()
  return [
    `(${r.id}) ${r.title}  [${seconds.toFixed(1)}s]`,
    ...wrap(r.config, '  config: ', '    '),
    line(cells[0]),
    `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`,
    ...cells.slice(1).map(line),
    ...(r.notes ?? []).flatMap((n) => wrap(n, '  ', '    ')),
    ...wrap(r.lecture, '  lecture: ', '    '),
    ...r.differs.flatMap((d) => wrap(d, '  differs from the lecture: ', '    ')),
  ].join('\n')
}

/** Options of `recipe`: `progress` (default stderr) gets the progress lines, every `progressEveryMs` when it is not a terminal. */
export interface RecipeOptions {
  readonly size: Size
  readonly out: string
  readonly seed: number
  readonly print: (s: string) => void
  readonly progress?: ProgressSink
  readonly progressEveryMs?: number
}

/** Runs the recipe; returns the results (with their plot specs) and the files written. */
export async function recipe(o: RecipeOptions): Promise<{ results: (Result & { seconds: number })[]; files: string[] }> {
  const t0 = Date.now()
  mkdirSync(o.out, { recursive: true })
  const all = loadMnist()
  const { train, validation, test } = split(all, o.seed, { train: o.size.train, validation: 1000, test: 1000 })
  const rep = reporter(o.progress ?? process.stderr, { everyMs: o.progressEveryMs })
  const print = (s: string) => {
    rep.printed()
    o.print(s)
  }
  const intro = `purediff recipe (${o.size.name}): ${all.n} MNIST digits, seed ${o.seed} → ${train.n} train / ${validation.n} validation / ${test.n} test (seeded permutation), pixels in [0, 1]; progress goes to stderr`
  print(`${wrap(intro, '', '  ').join('\n')}\n`)
  const results: (Result & { seconds: number })[] = []
  const files: string[] = []
  for (const { id, run } of experiments) {
    const ctx: Context = { train, validation, test, size: o.size, seed: o.seed, log: print, progress: (label) => rep.model(`(${id}) ${label}`) }
    const s = Date.now()
    const r = run(ctx)
    const seconds = (Date.now() - s) / 1000
    results.push({ ...r, seconds })
    print(`${formatTable(r, seconds)}\n`)
    for (const p of r.plots) files.push(await writePlot(o.out, p.name, p.spec))
  }
  const json = {
    size: o.size,
    seed: o.seed,
    split: { train: train.n, validation: validation.n, test: test.n },
    seconds: (Date.now() - t0) / 1000,
    experiments: results.map(({ plots: _p, ...r }) => r),
  }
  writeFileSync(join(o.out, 'results.json'), JSON.stringify(json, null, 2))
  const names = files.map((f) => f.slice(o.out.length + 1))
  print(wrap(`wrote ${join(o.out, 'results.json')} and ${files.length} plots (${names.join(', ')}) in ${json.seconds.toFixed(1)}s`, '', '  ').join('\n'))
  return { results, files }
}

/// <reference types="node" />
/**
 * Plots: a Vega-Lite spec rendered to SVG with vega and vega-lite when they are installed (they
 * are devDependencies, imported dynamically); otherwise the spec is written as JSON and a note
 * says how to install them.
 *
 * @internal
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** A row of a long-format table: series name, x, y. */
export interface Point {
  readonly series: string
  readonly x: number
  readonly y: number
}

/** A line chart of `points` (one line per series). */
export function lineSpec(title: string, xTitle: string, yTitle: string, points: readonly Point[], logY = false): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: 260,
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle },
      y: { field: 'y', type: 'quantitative', title: yTitle, ...(logY ? { scale: { type: 'log' } } : {}) },
      color: { field: 'series', type: 'nominal', title: null },
    },
  }
}

/** A histogram of `values` per series. */
export function histogramSpec(title: string, xTitle: string, values: readonly { series: string; value: number }[]): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: 120,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'value', type: 'quantitative', bin: { maxbins: 60 }, title: xTitle },
      y: { aggregate: 'count', type: 'quantitative', scale: { type: 'symlog' }, title: 'count' },
      row: { field: 'series', type: 'nominal', title: null },
    },
  }
}

let warned = false

/** Writes `name.svg` into `dir` (or `name.vl.json` when vega is missing); returns the file written. */
export async function writePlot(dir: string, name: string, spec: object): Promise<string> {
  try {
    const vl = (await import('vega-lite')) as unknown as { compile: (s: object) => { spec: object } }
    const vega = (await import('vega')) as unknown as { View: new (r: unknown, o: object) => { toSVG: () => Promise<string> }; parse: (s: object) => unknown }
    // vega tags the data objects it is given; render a copy so the caller's spec stays unchanged.
    const svg = await new vega.View(vega.parse(vl.compile(JSON.parse(JSON.stringify(spec)) as object).spec), { renderer: 'none' }).toSVG()
    const file = join(dir, `${name}.svg`)
    writeFileSync(file, svg)
    return file
  } catch (e) {
    const code = (e as { code?: string }).code
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw e
    if (!warned)
      process.stderr.write('vega and vega-lite are not installed: writing Vega-Lite specs (.vl.json) instead of SVG; `npm install --save-dev vega vega-lite` to render them\n')
    warned = true
    const file = join(dir, `${name}.vl.json`)
    writeFileSync(file, JSON.stringify(spec, null, 2))
    return file
  }
}

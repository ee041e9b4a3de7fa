/**
 * The docs' example files and their plots, shared by the plot renderer (docs/scripts/plots.ts)
 * and the test (test/docsExamples.test.ts). An example is any .ts file in a folder under
 * docs/examples (docs/examples/<slug>/<name>.ts); files directly in docs/examples, such as
 * plot.ts, are helpers. An example may export `plot` (one Vega-Lite spec) or `plots` (a record
 * of specs); each becomes /plots/<slug>/<name>.svg or /plots/<slug>/<name>-<key>.svg.
 */
import { readdirSync, statSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const docsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const examplesDir = join(docsDir, 'examples')
export const plotsDir = join(docsDir, 'public', 'plots')

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f)
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : []
    })
}

/** Every example file (absolute paths), sorted. */
export function exampleFiles(): string[] {
  return walk(examplesDir).filter((f) => dirname(f) !== examplesDir)
}

/** `docs/examples/relu-family/activations.ts` → `relu-family/activations` (the plot name's stem). */
export function exampleId(file: string): string {
  return relative(examplesDir, file).replace(/\\/g, '/').replace(/\.ts$/, '')
}

/** The plots a module exports, by their public path (`/plots/<slug>/<name>[-<key>].svg`). */
export function plotsOf(file: string, mod: Record<string, unknown>): Map<string, object> {
  const out = new Map<string, object>()
  const id = exampleId(file)
  const isSpec = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v)
  if ('plot' in mod) {
    if (!isSpec(mod.plot)) throw new Error(`${id}: the export 'plot' must be a Vega-Lite spec object`)
    out.set(`/plots/${id}.svg`, mod.plot)
  }
  if ('plots' in mod) {
    if (!isSpec(mod.plots)) throw new Error(`${id}: the export 'plots' must be a record of Vega-Lite specs`)
    for (const [key, spec] of Object.entries(mod.plots)) {
      if (!/^[a-z0-9][a-z0-9-]*$/i.test(key)) throw new Error(`${id}: plot key '${key}' must be letters, digits and dashes (it names a file)`)
      if (!isSpec(spec)) throw new Error(`${id}: plots.${key} must be a Vega-Lite spec object`)
      out.set(`/plots/${id}-${key}.svg`, spec)
    }
  }
  return out
}

/** Renders a Vega-Lite spec to SVG with vega, headless (no browser, no canvas). */
export async function renderSvg(spec: object): Promise<string> {
  const vl = await import('vega-lite')
  const vega = await import('vega')
  const compiled = vl.compile(spec as Parameters<typeof vl.compile>[0]).spec
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' })
  const svg = await view.toSVG()
  view.finalize()
  return svg
}

export { basename }

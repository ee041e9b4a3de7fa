/**
 * Renders every plot the docs' examples export (see docs/scripts/examples.ts) to SVG under
 * docs/public/plots, from a fresh run of each example: the pictures are generated at build time,
 * never committed, so they always show what the code does today. Run by `npm run docs:build`
 * and `npm run docs:dev` (as `npm run docs:plots`).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { docsDir, exampleFiles, exampleId, plotsDir, plotsOf, renderSvg } from './examples.js'

const started = performance.now()
rmSync(plotsDir, { recursive: true, force: true })
let count = 0
for (const file of exampleFiles()) {
  const t0 = performance.now()
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>
  const plots = plotsOf(file, mod)
  for (const [path, spec] of plots) {
    const out = join(docsDir, 'public', path)
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, await renderSvg(spec))
    count++
  }
  if (plots.size > 0) console.log(`  ${exampleId(file)}: ${plots.size} plot${plots.size > 1 ? 's' : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)`)
}
console.log(`docs:plots: ${count} SVG files in ${join('docs', 'public', 'plots')} (${((performance.now() - started) / 1000).toFixed(1)} s)`)

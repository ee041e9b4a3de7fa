/**
 * The docs site's code cannot rot: every example under docs/examples/<slug>/ runs here (each
 * asserts by throwing) and the Vega-Lite specs it exports compile; every `<<<` snippet of a
 * page points at an existing example file (and region); no page has an inline ts/js block (code
 * is included from the examples, which run); and every plot a page shows (`![…](/plots/…)`) is
 * exported by an example, so docs/scripts/plots.ts renders it at build time.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as vl from 'vega-lite'
import { describe, expect, it } from 'vitest'
import { docsDir, exampleFiles, exampleId, plotsOf } from '../docs/scripts/examples.js'

/** The site's markdown pages (not the generated API reference, nor anything installed). */
function pages(dir = docsDir): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) return f.startsWith('.') || f === 'node_modules' || f === 'api' || f === 'public' || f === 'scripts' ? [] : pages(p)
    return p.endsWith('.md') ? [p] : []
  })
}

const rel = (p: string): string => relative(docsDir, p).replace(/\\/g, '/')
const files = exampleFiles()
const exported = new Map<string, string>() // plot path → example id
const mds = pages()

describe('every docs example runs and asserts', () => {
  it('finds the examples and the pages', () => {
    expect(files.length).toBeGreaterThan(10)
    expect(mds.length).toBeGreaterThan(5)
  })
  for (const file of files) {
    it(exampleId(file), async () => {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>
      for (const [path, spec] of plotsOf(file, mod)) {
        // A spec vega-lite cannot compile would fail the site's build; fail here, sooner.
        expect(() => vl.compile(spec as Parameters<typeof vl.compile>[0]), path).not.toThrow()
        exported.set(path, exampleId(file))
      }
    })
  }
})

describe('the pages include their code from the examples, and show only plots that examples make', () => {
  it('every <<< snippet names an existing example file under docs/examples, and its region', () => {
    const bad: string[] = []
    for (const md of mds) {
      for (const [n, line] of readFileSync(md, 'utf8').split('\n').entries()) {
        const m = /^\s*<<<\s+(\S+)/.exec(line)
        if (m === null) continue
        // VitePress: <<< @/path#region{highlights lang:opts} [title]; @ is the docs folder.
        const [target, region] = m[1].replace(/\{.*$/, '').split('#')
        const where = `${rel(md)}:${n + 1}`
        if (!target.startsWith('@/examples/')) {
          bad.push(`${where}: ${target} is not under @/examples/ (only examples run under npm test)`)
          continue
        }
        const file = join(docsDir, target.slice(2))
        if (!existsSync(file)) {
          bad.push(`${where}: ${target} does not exist`)
          continue
        }
        if (region !== undefined) {
          const text = readFileSync(file, 'utf8')
          const start = new RegExp(`^\\s*//\\s*#?region ${region.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'm').exec(text)
          if (start === null || !/^\s*\/\/\s*#?endregion\b/m.test(text.slice(start.index)))
            bad.push(`${where}: ${target} has no region '${region}' (// #region ${region} … // #endregion ${region})`)
        }
      }
    }
    expect(bad).toEqual([])
  })

  it('no page has an inline TypeScript or JavaScript block (code is included from a running example)', () => {
    const inline = mds.flatMap((md) => [...readFileSync(md, 'utf8').matchAll(/^\s*```(ts|typescript|js|javascript|tsx|vue)\b/gm)].map((m) => `${rel(md)}: \`\`\`${m[1]}`))
    expect(inline).toEqual([])
  })

  it('every plot a page shows is exported by an example', () => {
    const missing = mds.flatMap((md) =>
      [...readFileSync(md, 'utf8').matchAll(/!\[[^\]]*\]\((\/plots\/[^)\s]+)\)/g)]
        .filter((m) => !exported.has(m[1]))
        .map(
          (m) => `${rel(md)}: ${m[1]} (exported: ${[...exported.keys()].filter((k) => k.startsWith(m[1].split('/').slice(0, 3).join('/'))).join(', ') || 'none in that folder'})`,
        ),
    )
    expect(missing).toEqual([])
  })
})

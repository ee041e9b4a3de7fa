/**
 * Runs every `@example` in the doc comments of src/ and laws/, as docs-ts does: the imports of
 * 'purediff', 'purediff/nn', 'purediff/optim', 'purediff/train', 'purediff/io', 'purediff/testing' and 'purediff/laws' are rewritten to the sources, each example
 * is written to a module and imported. An example asserts by throwing, so it cannot rot.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
// One folder per run, so that concurrent runs never clobber each other's modules.
const outDir = join(root, 'test', '.examples', `${process.pid}-${Date.now()}`)

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : []
  })
}

interface Example {
  readonly file: string
  readonly line: number
  readonly code: string
}

/** The examples of one file: the lines after `@example` up to the next tag or the comment's end. */
function extractExamples(file: string, text: string): Example[] {
  const out: Example[] = []
  const lines = text.split('\n')
  let inComment = false
  let current: { line: number; code: string[] } | null = null
  const flush = () => {
    if (current && current.code.join('').trim() !== '') out.push({ file, line: current.line, code: current.code.join('\n') })
    current = null
  }
  lines.forEach((raw, i) => {
    const line = raw.trim()
    if (line.startsWith('/**')) inComment = true
    if (!inComment) return
    const body = line
      .replace(/^\/\*\*/, '')
      .replace(/\*\/$/, '')
      .replace(/^\* ?/, '')
    if (body.startsWith('@example')) {
      flush()
      current = { line: i + 1, code: [] }
    } else if (body.startsWith('@')) flush()
    else if (current) current.code.push(raw.replace(/^\s*\* ?/, '').replace(/\*\/\s*$/, ''))
    if (line.endsWith('*/')) {
      flush()
      inComment = false
    }
  })
  return out
}

const targets: Record<string, string> = {
  purediff: join(root, 'src', 'index.ts'),
  'purediff/nn': join(root, 'src', 'nn', 'index.ts'),
  'purediff/optim': join(root, 'src', 'optim', 'index.ts'),
  'purediff/testing': join(root, 'src', 'testing', 'index.ts'),
  'purediff/train': join(root, 'src', 'train', 'index.ts'),
  'purediff/io': join(root, 'src', 'io', 'index.ts'),
  'purediff/laws': join(root, 'laws', 'index.ts'),
}

function rewrite(code: string, from: string): string {
  return code.replace(/from '(purediff(?:\/[a-z]+)?)'/g, (_m, name: string) => {
    const t = targets[name]
    if (t === undefined) throw new Error(`example imports unknown entry point ${name}`)
    let rel = relative(from, t).replace(/\\/g, '/').replace(/\.ts$/, '.js')
    if (!rel.startsWith('.')) rel = `./${rel}`
    return `from '${rel}'`
  })
}

const files = [...walk(join(root, 'src')), ...walk(join(root, 'laws'))].sort()

/** The ```ts fences of a markdown file. */
function fences(file: string, text: string): Example[] {
  const out: Example[] = []
  const re = /^```ts\n([\s\S]*?)^```/gm
  for (const m of text.matchAll(re)) out.push({ file, line: text.slice(0, m.index).split('\n').length, code: m[1] })
  return out
}

const examples = [...files.flatMap((f) => extractExamples(relative(root, f), readFileSync(f, 'utf8'))), ...fences('README.md', readFileSync(join(root, 'README.md'), 'utf8'))]

mkdirSync(outDir, { recursive: true })
afterAll(() => rmSync(outDir, { recursive: true, force: true }))

describe('every @example in the doc comments, and every ts block of the README, runs and asserts', () => {
  it('finds examples in every source folder', () => {
    expect(examples.length).toBeGreaterThan(50)
  })
  examples.forEach((ex, i) => {
    it(`${ex.file}:${ex.line}`, async () => {
      const path = join(outDir, `ex${i}.ts`)
      writeFileSync(path, `${rewrite(ex.code, outDir)}\nexport {}\n`)
      await import(/* @vite-ignore */ path)
    })
  })
})

describe('every exported function has a doc comment with an example', () => {
  // The comment that ends on the line right above an export is its doc comment.
  const undocumented: string[] = []
  for (const f of files) {
    const lines = readFileSync(f, 'utf8').split('\n')
    const header = lines.slice(0, lines.findIndex((l) => l.trim() === '*/') + 1).join('\n')
    if (header.includes('@internal')) continue // internal modules are not documented API
    lines.forEach((line, i) => {
      const m = /^export (?:function|const|class) (\w+)/.exec(line)
      if (m === null) return
      let doc = ''
      if (i > 0 && lines[i - 1].trim().endsWith('*/')) {
        let j = i - 1
        while (j > 0 && !lines[j].trim().startsWith('/**')) j--
        doc = lines.slice(j, i).join('\n')
      }
      if (doc.includes('@internal')) return
      if (!doc.includes('@example')) undocumented.push(`${relative(root, f)}:${i + 1} ${m[1]}`)
    })
  }
  it('has none without', () => {
    expect(undocumented).toEqual([])
  })
})

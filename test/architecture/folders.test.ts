/**
 * The folders of src/ form layers: a folder may import only folders of lower layers, so the
 * folder graph is acyclic and the engine never depends on what is built on it. Every static
 * import, `import type`, re-export (`export … from`) and relative dynamic `import()` counts;
 * imports inside one folder are free. src/index.ts (the `purediff` entry) is the folder `index`.
 *
 * A new folder must be given a layer here; an upward import fails naming the file and the import.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

/** Lowest first. Same-layer folders may not import each other. */
const LAYERS: readonly (readonly string[])[] = [
  ['tensor', 'internal'], // the tensor model, dtypes, shapes, errors, argument checks; io-ts helpers
  ['kernels', 'tree'], // loops over TypedArrays (TypeScript and WebAssembly); pytrees
  ['engine'], // Primitive, the Trace interface, bind
  ['ops'], // differentiable ops (primitives and their rules)
  ['random'], // counter-based random keys; key tensors use ops (slicing a split) and bind
  ['core'], // the autodiff trace kinds (reverse, forward) and the public transforms
  ['index'], // src/index.ts: the `purediff` entry point
  ['nn', 'optim'], // layers, losses, penalties; gradient transformations
  ['train'], // the training loop
  ['io', 'testing'], // checkpoints and saving; arbitraries and gradient checks
  ['cli'], // the `purediff` command
]

const SRC = resolve(__dirname, '../../src')

interface Import {
  readonly file: string
  readonly spec: string
  readonly from: string
  readonly to: string
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name)
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

/** The folder of a path under src/: its first segment, or `index` for the files at the root. */
function folderOf(path: string): string {
  const rel = relative(SRC, path).split(/[\\/]/)
  return rel.length === 1 ? rel[0].replace(/\.(ts|js)$/, '') : rel[0]
}

/** Relative specifiers of a file's import and export-from statements and dynamic imports. */
function specifiers(text: string): string[] {
  const out: string[] = []
  // Statements start a line (comments here start with ` *` or `//`, so examples never match).
  const statement = /^(?:import|export)\b[^;'"]*?(?:\bfrom\s*)?['"]([^'"]+)['"]/gm
  const dynamic = /^(?!\s*(?:\*|\/\/)).*?\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm
  for (const re of [statement, dynamic]) {
    for (const m of text.matchAll(re)) if (m[1].startsWith('.')) out.push(m[1])
  }
  return out
}

function imports(): Import[] {
  return tsFiles(SRC).flatMap((file) =>
    specifiers(readFileSync(file, 'utf8')).map((spec) => ({
      file: relative(resolve(SRC, '..'), file),
      spec,
      from: folderOf(file),
      to: folderOf(resolve(dirname(file), spec)),
    })),
  )
}

/** A cycle of the graph as a list of nodes (first = last), or null. */
function findCycle(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null
    if (state.get(n) === 'open') return [...path.slice(path.indexOf(n)), n]
    state.set(n, 'open')
    path.push(n)
    for (const m of edges.get(n) ?? []) {
      const c = visit(m)
      if (c !== null) return c
    }
    path.pop()
    state.set(n, 'done')
    return null
  }
  for (const n of edges.keys()) {
    const c = visit(n)
    if (c !== null) return c
  }
  return null
}

const layerOf = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i] as const)))
const all = imports()
const crossing = all.filter((i) => i.from !== i.to)

describe('the folder graph of src/', () => {
  it('finds the imports (sanity: the parser sees the engine, the ops and the entry point)', () => {
    const seen = new Set(crossing.map((i) => `${i.from}→${i.to}`))
    for (const e of ['ops→engine', 'core→ops', 'index→core', 'nn→index', 'kernels→tensor']) expect(seen).toContain(e)
    expect(
      specifiers(
        "import type { A } from './a.js'\nexport { b } from '../b.js'\nexport * as c from './c.js'\nimport {\n  d,\n} from './d.js'\n * import { e } from '../e.js'\nconst f = await import('./f.js')\n",
      ),
    ).toEqual(['./a.js', '../b.js', './c.js', './d.js', './f.js'])
  })

  it('has no cycle', () => {
    const edges = new Map<string, Set<string>>()
    for (const i of crossing) edges.set(i.from, (edges.get(i.from) ?? new Set()).add(i.to))
    const cycle = findCycle(edges)
    const via = cycle?.slice(1).map((to, k) => crossing.find((i) => i.from === cycle[k] && i.to === to))
    expect(cycle === null ? null : `${cycle.join(' → ')} (via ${via?.map((i) => `${i?.file} importing '${i?.spec}'`).join('; ')})`).toBeNull()
  })

  it('the cycle finder finds a cycle where there is one', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ])
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a'])
    expect(
      findCycle(
        new Map([
          ['a', new Set(['b'])],
          ['b', new Set<string>()],
        ]),
      ),
    ).toBeNull()
  })

  it('every folder has a layer', () => {
    const folders = new Set(all.flatMap((i) => [i.from, i.to]))
    expect([...folders].filter((f) => !layerOf.has(f)).map((f) => `src/${f} has no layer in test/architecture/folders.test.ts`)).toEqual([])
  })

  it('every import goes down the layers', () => {
    const upward = crossing
      .filter((i) => (layerOf.get(i.to) ?? Infinity) >= (layerOf.get(i.from) ?? -Infinity))
      .map((i) => `${i.file} imports '${i.spec}': ${i.from} (layer ${layerOf.get(i.from)}) may not import ${i.to} (layer ${layerOf.get(i.to)})`)
    expect(upward).toEqual([])
  })
})

/**
 * Nothing runs at import (package.json says `"sideEffects": false`): no module of the library
 * has a top-level statement that calls, assigns or awaits: only declarations (imports, exports,
 * functions, classes, types, and `const`/`let` bindings, whose initialisers build values).
 * The tangent fitter once was installed this way (`setTangentFitter(fitTangent)` in
 * core/transforms.ts); now the trace modules import the ops they need.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(__dirname, '../..')

/** Files allowed a top-level statement, with the reason. */
const ALLOWED: Readonly<Record<string, string>> = {
  'src/cli/main.ts': 'the entry point of the `purediff` command runs it',
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name)
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

const DECLARATION = /^(?:import|export|const|let|var|function|class|interface|type|declare|async|abstract|enum)\b/

/** Top-level statements that do something: a line at column 0 that is a call, an assignment or an expression. */
function statementsAtImport(text: string): string[] {
  return text.split('\n').filter((line) => /^(?:[A-Za-z_$][\w$.]*\s*(?:\(|=(?![=>]))|\(|void\b|await\b|new\b)/.test(line) && !DECLARATION.test(line))
}

describe('nothing runs at import', () => {
  it('the detector sees calls, assignments and IIFEs, not declarations', () => {
    const text = 'import { a } from "./a.js"\nsetTangentFitter(fit)\nconst x = f()\nexport function g() {}\nfoo.bar = 1\n(() => 1)()\n  indented(call)\nlet y = 2\n'
    expect(statementsAtImport(text)).toEqual(['setTangentFitter(fit)', 'foo.bar = 1', '(() => 1)()'])
  })

  it('no module of src/ has a top-level statement (beyond the listed ones)', () => {
    const found = tsFiles(join(ROOT, 'src')).flatMap((f) => {
      const file = relative(ROOT, f).split('\\').join('/')
      return statementsAtImport(readFileSync(f, 'utf8')).map((s) => ({ file, s }))
    })
    const unexpected = found.filter(({ file }) => !(file in ALLOWED)).map(({ file, s }) => `${file}: ${s}`)
    expect(unexpected).toEqual([])
  })
})

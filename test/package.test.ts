/**
 * The package as users get it: `npm run build` emits dist/ with declarations, the "exports"
 * entry points resolve by name from plain Node, and the core stays browser-safe (no Node-only
 * imports or globals in src/, except the Node-only files named in the test).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : []
  })
}

describe('browser safety', () => {
  it('src/ imports nothing from Node and uses no Node globals', () => {
    const offenders: string[] = []
    // Exempt exactly the Node-only files: src/io/save.ts (saveCheckpoint/loadCheckpoint need
    // node:fs; it imports it lazily, so purediff/io still loads in a browser for the codecs) and
    // the command-line tool under src/cli/. The core entry points (purediff, purediff/nn,
    // purediff/optim, purediff/train) and the io codecs stay browser-safe.
    const nodeOnly = (rel: string): boolean => rel === 'src/io/save.ts' || rel.startsWith('src/cli/')
    for (const f of walk(join(root, 'src'))) {
      if (nodeOnly(f.slice(root.length + 1).replace(/\\/g, '/'))) continue
      const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      if (/from ['"](node:|fs|path|os|crypto|child_process|worker_threads)['"]/.test(text) || /\b(process\.|Buffer\.|require\(|__dirname)/.test(text)) {
        offenders.push(f.slice(root.length + 1))
      }
    }
    expect(offenders).toEqual([])
  })
})

describe('build and exports', () => {
  it('npm run build emits every entry point with declarations, and they import by name', () => {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' })
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string; require: { types: string; default: string } }>
    }
    for (const [name, entry] of Object.entries(pkg.exports)) {
      // import mode, and require mode (the .d.cts twins, see scripts/build-dist.ts)
      for (const target of [entry.default, entry.types, entry.require.default, entry.require.types]) {
        expect(existsSync(join(root, target)), `${name} → ${target}`).toBe(true)
      }
    }
    // Self-reference by package name resolves through "exports", as a user's import would.
    const script = `
      import { grad, scalar, item, sin } from 'purediff'
      import { checkGrad } from 'purediff/testing'
      import { gradientLaws } from 'purediff/laws'
      import { fit } from 'purediff/train'
      import { decodeCheckpoint, encodeCheckpoint } from 'purediff/io'
      const g = item(grad(sin)(scalar(0, 'float64')))
      if (g !== 1 || typeof checkGrad !== 'function' || typeof gradientLaws !== 'function') process.exit(1)
      if (typeof fit !== 'function' || decodeCheckpoint(encodeCheckpoint({ n: 1 }))._tag !== 'Right') process.exit(1)
      console.log('ok')`
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })
    expect(out.trim()).toBe('ok')
  })
})

/**
 * The package as a new user installs it from a clone (issue 11, items 13 and 16). A copy of the
 * sources WITHOUT dist/ is packed with `npm pack`: its `prepare` must build dist/, and the
 * tarball must hold every "exports" target, the CLI (executable), LICENSE and README. The tarball
 * is then unpacked into two fresh projects, as `npm install purediff-0.1.0.tgz` would: a
 * CommonJS one (package.json with no "type", the tsconfig.json of `tsc --init`) and an ES module
 * one. In both, `fc.assert(gradientLaws(…)[law])` type-checks with the project's own fast-check,
 * and runs (CommonJS through Node's require of ES modules); without the "require" conditions the
 * CommonJS project does not type-check (the two fast-check declaration copies), which shows
 * what the conditions are for. The README's CommonJS example is compiled and run there too.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  license: string
  bin: Record<string, string>
  exports: Record<string, Record<string, unknown>>
}

/** Every file path an "exports" entry names, in every condition. */
function targets(entry: unknown): string[] {
  if (typeof entry === 'string') return [entry]
  return Object.values(entry as Record<string, unknown>).flatMap(targets)
}

/** The environment of a child npm: none of the npm_config_* of an `npm test` around us. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_config_')))

/** Runs a command; its exit code and output (never throws). */
function run(cmd: string, args: string[], cwd: string): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: 'pipe', maxBuffer: 64 << 20 }) }
  } catch (e) {
    const x = e as { status?: number; stdout?: string; stderr?: string }
    return { code: x.status ?? 1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` }
  }
}

let tmp = ''
let packed: { path: string; mode: number }[] = []
let tarball = ''

/** A fresh project in `dir` with purediff unpacked from the tarball and fast-check (and purediff's dependencies) linked from this repository. */
function project(dir: string, packageJson: object): void {
  mkdirSync(join(dir, 'node_modules', 'purediff'), { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson, null, 2))
  const tar = run('tar', ['-xzf', tarball, '-C', join(dir, 'node_modules', 'purediff'), '--strip-components=1'], dir)
  expect(tar.code, tar.out).toBe(0)
  for (const dep of ['fast-check', 'fp-ts', 'io-ts']) symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir')
  const init = run(process.execPath, [tsc, '--init'], dir) // TypeScript's own defaults, not ours
  expect(init.code, init.out).toBe(0)
}

const lawsCjs = `import fc = require('fast-check')
import P = require('purediff')
import testing = require('purediff/testing')
import purediffLaws = require('purediff/laws')

const args = fc.tuple(testing.arb.tensor({ shape: [3], dtype: 'float64' }))
for (const [name, law] of Object.entries(purediffLaws.gradientLaws({ name: 'sin', f: P.sin, args }))) {
  fc.assert(law, { numRuns: 5 })
  console.log('passed', name)
}
// a planted wrong derivative (2·cos): the project's fc.assert must report it
const wrong = P.customVjp((x: P.Tensor) => P.sin(x), (x: P.Tensor) => [P.sin(x), x] as const, (x: P.Tensor, g: P.Tensor) => [P.mul(P.mul(g, P.cos(x)), 2)])
const planted = purediffLaws.gradientLaws({ name: 'wrong sin', f: wrong, args })['numeric agreement']
if (planted === undefined) throw new Error('no numeric agreement law')
let caught = false
try { fc.assert(planted, { numRuns: 20 }) } catch { caught = true }
console.log(caught ? 'caught the wrong derivative' : 'MISSED the wrong derivative')
`

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'purediff-install-'))
  // the sources as a clone has them, without dist/
  const src = join(tmp, 'purediff')
  for (const f of ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'src', 'laws', 'scripts/build-dist.ts']) {
    cpSync(join(root, f), join(src, f), { recursive: true })
  }
  symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'), 'dir')
  const pack = run('npm', ['pack', '--json', '--pack-destination', tmp], src)
  expect(pack.code, pack.out).toBe(0)
  const [info] = JSON.parse(pack.out.slice(pack.out.indexOf('['))) as { filename: string; files: { path: string; mode: number }[] }[]
  packed = info.files
  tarball = join(tmp, info.filename)
}, 180_000)

afterAll(() => {
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true })
})

describe('npm pack of a clone (no dist/ before: prepare builds it)', () => {
  it('ships every "exports" target, the executable CLI, LICENSE and README, and no tests', () => {
    const paths = new Set(packed.map((f) => f.path))
    const wanted = [...Object.values(pkg.exports).flatMap(targets), ...Object.values(pkg.bin)].map((p) => p.replace(/^\.\//, ''))
    expect(wanted.length).toBeGreaterThan(20)
    expect(wanted.filter((p) => !paths.has(p))).toEqual([])
    for (const f of ['LICENSE', 'README.md', 'package.json']) expect(paths.has(f), f).toBe(true)
    for (const bin of Object.values(pkg.bin)) expect((packed.find((f) => f.path === bin.replace(/^\.\//, ''))?.mode ?? 0) & 0o111, bin).not.toBe(0)
    expect([...paths].filter((p) => p.startsWith('test/') || p.includes('.test.'))).toEqual([])
  })

  it('has an MIT LICENSE matching package.json', () => {
    expect(pkg.license).toBe('MIT')
    const text = readFileSync(join(root, 'LICENSE'), 'utf8')
    expect(text.startsWith('MIT License')).toBe(true)
    expect(text).toContain('Copyright (c) 2026 the purediff authors')
    expect(text).toContain('THE SOFTWARE IS PROVIDED "AS IS"')
  })
})

describe('purediff/laws from a CommonJS TypeScript project (npm init, tsc --init)', () => {
  it("type-checks with the project's fast-check, runs, and its fc.assert catches a wrong derivative", () => {
    const dir = join(tmp, 'cjs')
    project(dir, { name: 'cjs-user', version: '1.0.0', private: true }) // no "type": CommonJS
    writeFileSync(join(dir, 'index.ts'), lawsCjs)
    // and the README's CommonJS example, as written there
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('## Install from a clone'))
    const example = /```ts no-run\n([\s\S]*?)```/.exec(section)
    assert.exists(example, 'the CommonJS example of the README section "Install from a clone"')
    writeFileSync(join(dir, 'readme.ts'), example[1])
    const check = run(process.execPath, [tsc, '-p', '.'], dir)
    expect(check.code, check.out).toBe(0)
    const fromReadme = run(process.execPath, ['readme.js'], dir)
    expect(fromReadme.code, fromReadme.out).toBe(0)
    const out = run(process.execPath, ['index.js'], dir)
    expect(out.code, out.out).toBe(0)
    expect(out.out).toContain('passed adjointness')
    expect(out.out).toContain('caught the wrong derivative')
  }, 60_000)

  it('does not type-check without the "require" conditions (two fast-check declaration copies)', () => {
    const dir = join(tmp, 'cjs-esm-types')
    project(dir, { name: 'cjs-user', version: '1.0.0', private: true })
    const manifest = join(dir, 'node_modules', 'purediff', 'package.json')
    const p = JSON.parse(readFileSync(manifest, 'utf8')) as typeof pkg
    for (const entry of Object.values(p.exports)) delete entry.require
    writeFileSync(manifest, JSON.stringify(p))
    writeFileSync(join(dir, 'index.ts'), lawsCjs)
    const check = run(process.execPath, [tsc, '-p', '.'], dir)
    expect(check.code).not.toBe(0)
    expect(check.out).toMatch(/fast-check\/lib\/cjs/) // the project's copy…
    expect(check.out).toMatch(/fast-check\/lib\/fast-check/) // …against purediff's
  }, 60_000)

  it('an ES module project type-checks and runs the same laws', () => {
    const dir = join(tmp, 'esm')
    project(dir, { name: 'esm-user', version: '1.0.0', private: true, type: 'module' })
    writeFileSync(
      join(dir, 'index.ts'),
      `import fc from 'fast-check'
import { mul, sin } from 'purediff'
import { arb } from 'purediff/testing'
import { gradientLaws } from 'purediff/laws'
for (const [name, law] of Object.entries(gradientLaws({ name: 'sin', f: sin, args: fc.tuple(arb.tensor({ shape: [3], dtype: 'float64' })) }))) {
  fc.assert(law, { numRuns: 5 })
  console.log('passed', name)
}
// the doc example's pattern: a destructured pair of shapes type-checks under tsc --init's
// noUncheckedIndexedAccess because broadcastableShapes() is typed as a tuple
const pairs = arb.broadcastableShapes({ maxRank: 2 }).chain(([a, b]) =>
  fc.tuple(arb.tensor({ shape: a, dtype: 'float64' }), arb.tensor({ shape: b, dtype: 'float64' })))
for (const law of Object.values(gradientLaws({ name: 'mul', f: mul, args: pairs }))) fc.assert(law, { numRuns: 5 })
console.log('passed broadcasting pairs')
`,
    )
    const check = run(process.execPath, [tsc, '-p', '.'], dir)
    expect(check.code, check.out).toBe(0)
    const out = run(process.execPath, ['index.js'], dir)
    expect(out.code, out.out).toBe(0)
    expect(out.out).toContain('passed adjointness')
    expect(out.out).toContain('passed broadcasting pairs')
  }, 60_000)
})

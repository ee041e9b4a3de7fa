/**
 * `npm run build:dist`, also run by `prepare` (so `npm ci` in a clone, `npm pack` and installs
 * from git all build dist/): compiles src/ and laws/ to dist/ with tsconfig.build.json, makes the
 * CLI executable, and writes a `.d.cts` twin of every declaration file.
 *
 * why the twins: a CommonJS project (a package.json without "type": "module", the default of
 * `npm init`) resolves `require('fast-check')` — and purediff's own types — in require mode,
 * where fast-check's types are its CommonJS copy. Declarations that import fast-check from an
 * ES module would bring the OTHER copy, and its classes (private members) do not match: `fc.assert(gradientLaws(…)[law])`
 * would not type-check. package.json's "require" conditions point at the twins, whose relative
 * imports name `.cjs` files (resolved to the twin `.d.cts`), so a CommonJS project sees one
 * consistent set of types that imports fast-check in require mode. At run time it is the same
 * ES module either way (Node ≥ 20.19 `require`s ES modules).
 *
 * The WebAssembly kernels are NOT rebuilt here: their binary is committed (src/kernels/wasm/
 * binary.ts, checked against its source by the tests); `npm run build` rebuilds it first.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')

/** Every file under `dir`. */
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
}

/**
 * The require-mode twin of a declaration file's text: each relative module specifier `./x.js`
 * in an import, export or `import()` type becomes `./x.cjs`. Lines of comments (the doc
 * comments' examples import 'purediff…' by name) are left alone.
 */
export function requireTwin(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const t = line.trimStart()
      if (t.startsWith('*') || t.startsWith('/*') || t.startsWith('//')) return line
      return line.replace(/(\bfrom\s*|\bimport\s*\(\s*)(['"])(\.\.?\/[^'"]*?)\.js\2/g, '$1$2$3.cjs$2')
    })
    .join('\n')
}

function main(): void {
  rmSync(dist, { recursive: true, force: true })
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc')
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' })
  chmodSync(join(dist, 'src', 'cli', 'main.js'), 0o755)
  let twins = 0
  for (const file of walk(dist)) {
    if (!file.endsWith('.d.ts')) continue
    writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), requireTwin(readFileSync(file, 'utf8')))
    twins++
  }
  // on stderr: `npm pack --json` prints its JSON on stdout, after this script runs
  console.error(`dist/ built: ${twins} declaration files, each with its require-mode .d.cts twin`)
}

main()

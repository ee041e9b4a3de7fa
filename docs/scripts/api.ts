/**
 * Generates the API reference (markdown, into docs/api) from the doc comments with TypeDoc and
 * typedoc-plugin-markdown. TypeDoc needs the TypeScript 5 compiler API, which the root's native
 * TypeScript 7 lacks, so it lives in its own folder (docs/scripts/typedoc, with its own lockfile)
 * and is installed here on first use with `npm ci`. Run by `npm run docs:build` and `docs:dev`.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { docsDir } from './examples.js'

const tool = join(docsDir, 'scripts', 'typedoc')
const installed = join(tool, 'node_modules', '.package-lock.json')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

// Install (or re-install after the lockfile changed) the pinned TypeDoc toolchain.
const lock = join(tool, 'package-lock.json')
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log('docs:api: installing TypeDoc (docs/scripts/typedoc) with npm ci')
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tool, stdio: 'inherit' })
}
const version = (JSON.parse(readFileSync(join(tool, 'node_modules', 'typescript', 'package.json'), 'utf8')) as { version: string }).version
if (!version.startsWith('5.')) throw new Error(`docs/scripts/typedoc must hold TypeScript 5 for TypeDoc, found ${version}`)

rmSync(join(docsDir, 'api'), { recursive: true, force: true })
execFileSync(process.execPath, [join(tool, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--options', 'typedoc.json', '--logLevel', 'Warn'], { cwd: tool, stdio: 'inherit' })
console.log('docs:api: markdown API reference in docs/api')

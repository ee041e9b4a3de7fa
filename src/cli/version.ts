/// <reference types="node" />
/**
 * The package's version for `purediff --version`: read from the package.json of the purediff
 * package this file belongs to, found by walking up from this file — src/cli/ when run through
 * tsx, dist/src/cli/ when built, so one rule serves both.
 *
 * @internal
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CliError } from './args.js'

/** The `version` of the nearest package.json named "purediff" above `from` (default: this file). */
export function packageVersion(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from)
  for (;;) {
    let text: string | undefined
    try {
      text = readFileSync(join(dir, 'package.json'), 'utf8')
    } catch {
      text = undefined
    }
    if (text !== undefined) {
      const pkg = JSON.parse(text) as { name?: unknown; version?: unknown }
      if (pkg.name === 'purediff' && typeof pkg.version === 'string') return pkg.version
    }
    const up = dirname(dir)
    if (up === dir) throw new CliError(`cannot find purediff's package.json above ${from}`, 1)
    dir = up
  }
}

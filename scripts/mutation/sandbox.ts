/**
 * The sandbox: a copy of the working tree outside the repository (so neither the root type-check
 * nor the root vitest sees it), where mutants are written to disk one at a time. The copy is a
 * snapshot, so edits made in the working tree during a run cannot mix into it; node_modules
 * folders are linked, not copied.
 */
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

/** The repository root (two folders above this file). */
export const repo = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')

const skipped = new Set(['.git', 'node_modules', 'dist'])
const skippedPaths = new Set(['scripts/mutation/out', 'docs/.vitepress/cache', 'docs/.vitepress/dist'])

/** Copies the working tree to `dir` (replacing it) and links its node_modules folders. */
export function makeSandbox(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  cpSync(repo, dir, {
    recursive: true,
    filter: (src) => {
      const rel = relative(repo, src)
      const base = rel.split('/').pop() ?? ''
      return !skipped.has(base) && !skippedPaths.has(rel)
    },
  })
  for (const nm of ['node_modules', 'scripts/mutation/node_modules', 'docs/scripts/typedoc/node_modules']) {
    if (existsSync(join(repo, nm))) symlinkSync(join(repo, nm), join(dir, nm), 'dir')
  }
}

/** The default sandbox folder. */
export function defaultSandbox(): string {
  return join(tmpdir(), 'purediff-mutation', createHash('sha1').update(repo).digest('hex').slice(0, 8))
}

/** sha1 over the given files and every file under the given folders of `root` (paths and contents), sorted. */
export function hashTree(root: string, folders: readonly string[]): string {
  const h = createHash('sha1')
  const walk = (p: string): void => {
    if (!existsSync(p)) return
    if (!statSync(p).isDirectory()) {
      h.update(relative(root, p)).update('\0').update(readFileSync(p)).update('\0')
      return
    }
    for (const f of readdirSync(p).sort()) if (!skipped.has(f)) walk(join(p, f))
  }
  for (const f of folders) walk(join(root, f))
  return h.digest('hex')
}

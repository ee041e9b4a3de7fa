/**
 * Small files: no source file passes the hard cap of 600 lines (split by responsibility well
 * before; the soft cap is 400).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const walk = (dir: string): string[] =>
  (!existsSync(dir) ? [] : readdirSync(dir)).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? (f.startsWith('.') ? [] : walk(p)) : p.endsWith('.ts') ? [p] : []
  })

it('no file in src/, laws/, test/ or bench/ is longer than 600 lines', () => {
  const long = ['src', 'laws', 'test', 'bench']
    .flatMap((d) => walk(join(root, d)))
    .map((f) => [f.slice(root.length + 1), readFileSync(f, 'utf8').split('\n').length] as const)
    .filter(([, n]) => n > 600)
  expect(long).toEqual([])
})

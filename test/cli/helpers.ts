/**
 * What the CLI tests share: running `purediff` in a subprocess (through tsx, as `npm start`
 * does), checking the one-line error contract, and a small classification problem on disk.
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { expect } from 'vitest'
import { CliError } from '../../src/cli/args.js'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const tsx = join(root, 'node_modules', '.bin', 'tsx')
export const main = join(root, 'src', 'cli', 'main.ts')
/** `node` with tsx's loader in process: one process, so a signal reaches the CLI itself (the tsx command relays signals through a parent). */
export const nodeTsx = [process.execPath, '--import', pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href] as const

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** `purediff ...args` in `cwd`. */
export function cli(cwd: string, ...args: string[]): Run {
  const r = spawnSync(tsx, [main, ...args], { cwd, encoding: 'utf8', timeout: 120_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The failure contract: a non-zero exit and exactly one line on stderr, `purediff: …`, no stack trace. Returns the line. */
export function oneLineError(r: Run): string {
  expect(r.code, r.stdout).not.toBe(0)
  expect(r.code).not.toBe(null)
  const lines = r.stderr.trim().split('\n')
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^purediff: /)
  expect(r.stderr).not.toMatch(/\n\s+at /)
  return lines[0]
}

/** n rows of `d` features in [0, 1) from a fixed LCG; label = x0 + x1 > 1 (two classes). */
export function separable(n: number, d = 3, seed = 12345): { x: number[][]; y: number[] } {
  let s = seed
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return s / 2 ** 31
  }
  const x = Array.from({ length: n }, () => Array.from({ length: d }, rnd))
  return { x, y: x.map((r) => (r[0] + r[1] > 1 ? 1 : 0)) }
}

/** Writes data.json (80 rows, 3 features, 2 classes), model.json (3 → 8 → dropout → 2), opt.json (Adam) into `dir`. */
export function writeProblem(dir: string): void {
  writeFileSync(join(dir, 'data.json'), JSON.stringify(separable(80)))
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ layers: [{ type: 'dense', units: 8 }, { type: 'relu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 2 }] }))
  writeFileSync(join(dir, 'opt.json'), JSON.stringify({ name: 'adam', learningRate: 0.05 }))
}

/** The message of the CliError that `run` rejects with (a test failure if it resolves or throws anything else). */
export async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run()
  } catch (e) {
    expect(e).toBeInstanceOf(CliError)
    return (e as Error).message
  }
  throw new Error('the command did not fail')
}

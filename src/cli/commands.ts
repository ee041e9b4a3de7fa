/// <reference types="node" />
/**
 * What `purediff train` and `purediff eval` share: the data (a file split 80/20 by a seeded
 * permutation, or MNIST's seeded split), building the model from its spec under a parameter
 * limit, checking that the model's outputs are one per class, and comparing JSON configs. The
 * commands themselves are in train.ts and eval.ts.
 *
 * @internal
 */
import * as E from 'fp-ts/lib/Either.js'
import { random } from '../index.js'
import { type Layer, type LayerInit, fromSpec } from '../nn/index.js'
import { CliError } from './args.js'
import { loadMnist, readDataFile, split, subset } from './data.js'
import type { Dataset } from './dataset.js'

/** Where the data comes from: a file, or the MNIST digits. */
export type DataSource = { readonly file: string } | { readonly mnist: true }

/** The `source` string a checkpoint stores for a data source (`mnist` or the file's path as given). */
export const sourceName = (s: DataSource): string => ('file' in s ? s.file : 'mnist')

/** The data source of `--data`/`--mnist`; a CliError when both or neither is given. */
export function dataSource(command: string, o: { data?: string; mnist?: boolean }): DataSource | undefined {
  if (o.data !== undefined && o.mnist === true) throw new CliError(`${command}: give either --data or --mnist, not both`)
  return o.mnist === true ? { mnist: true } : o.data !== undefined ? { file: o.data } : undefined
}

/** The split data: MNIST's seeded 8,000/1,000/1,000, or a file's seeded 80/20 train/validation (test: every row). */
export function loadData(source: DataSource, seed: number): { all: Dataset; train: Dataset; validation: Dataset; test: Dataset } {
  if ('mnist' in source) {
    const all = loadMnist()
    return { all, ...split(all, seed, { train: 8000, validation: 1000, test: 1000 }) }
  }
  const all = readDataFile(source.file)
  const perm = random.permutation(random.key(seed), all.n)
  const nv = all.n >= 5 ? Math.max(1, Math.round(all.n * 0.2)) : 0
  const validation = nv === 0 ? all : subset(all, perm.slice(0, nv))
  return { all, train: nv === 0 ? all : subset(all, perm.slice(nv)), validation, test: all }
}

/** The model of a spec (`fromSpec` with `maxParams` when given); a CliError naming `source` otherwise. */
export function buildModel(spec: unknown, source: string, maxParams: number | undefined): Layer<unknown[]> {
  const m = fromSpec(spec, maxParams === undefined ? {} : { maxParams })
  if (E.isLeft(m)) throw new CliError(`${source}: ${m.left.message}`)
  return m.right
}

/**
 * Initialises the model for `inputs` features and checks that it gives one output per class;
 * a CliError (one line) for a model that does not fit, or whose last layer has another width.
 */
export function initModel(model: Layer<unknown[]>, seed: number, inputs: number, classes: number, source: string, what: string): unknown[] {
  let r: LayerInit<unknown[]>
  try {
    r = model.init(random.key(seed), [inputs])
  } catch (e) {
    throw new CliError(`${source}: cannot initialise the model for ${inputs} input features: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)
  }
  const out = r.outputShape
  if (out.length !== 1 || out[0] !== classes) {
    const has = out.length === 1 ? `has ${out[0]} output${out[0] === 1 ? '' : 's'}` : `gives outputs of shape [${out.join(',')}]`
    throw new CliError(`${source}: the model's last layer ${has} but ${what} has ${classes} classes (the last layer needs one output per class)`)
  }
  return r.params
}

/** The layer types of a model spec, nested `sequential`s flattened (for `diagnose`'s advice). */
export function layerTypes(spec: unknown): string[] {
  const out: string[] = []
  const walk = (layers: unknown, depth: number): void => {
    if (!Array.isArray(layers) || depth > 100) return
    for (const l of layers) {
      const type = (l as { type?: unknown } | null)?.type
      if (typeof type !== 'string') continue
      if (type === 'sequential') walk((l as { layers?: unknown }).layers, depth + 1)
      else out.push(type)
    }
  }
  walk((spec as { layers?: unknown } | null)?.layers, 0)
  return out
}

/** The optimizer an OptimizerConfig uses (`adam`, `sgd`, …), looked for through chains and wrappers, for `diagnose`'s advice. */
export function optimizerName(config: unknown): string | undefined {
  const known = ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'adamw']
  const walk = (u: unknown, depth: number): string | undefined => {
    if (u === null || typeof u !== 'object' || depth > 100) return undefined
    if (Array.isArray(u)) {
      for (const v of u) {
        const r = walk(v, depth + 1)
        if (r !== undefined) return r
      }
      return undefined
    }
    const name = (u as { name?: unknown }).name
    if (typeof name === 'string' && known.includes(name)) return name
    return walk(Object.values(u), depth + 1)
  }
  return walk(config, 0)
}

/** The first place where two JSON values differ, as `at path: a vs b`; undefined when equal (object key order aside). */
export function jsonDiff(a: unknown, b: unknown, path = ''): string | undefined {
  const at = path === '' ? '<root>' : path
  const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 40))
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = jsonDiff(a[i], b[i], `${path}.${i}`.replace(/^\./, ''))
      if (d !== undefined) return d
    }
    return undefined
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    for (const k of keys) {
      const d = jsonDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`)
      if (d !== undefined) return d
    }
    return undefined
  }
  return Object.is(a, b) ? undefined : `at ${at}: ${show(a)} vs ${show(b)}`
}

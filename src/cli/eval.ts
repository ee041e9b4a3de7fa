/// <reference types="node" />
/**
 * `purediff eval`: the loss and accuracy of a checkpoint written by `purediff train`, on a data
 * file or MNIST's test split. It checks what it is given before computing anything: the
 * checkpoint decodes, the data has the model's number of features, every label is below the
 * checkpoint's `classes`, the model (the stored spec, or `--model`) gives one output per class,
 * and the stored params have exactly the structure and shapes the model expects — the first
 * mismatching parameter is named with both shapes.
 *
 * @internal
 */
import { existsSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { loadCheckpoint } from '../io/index.js'
import { report } from '../internal/codecs.js'
import { CliError } from './args.js'
import { buildModel, dataSource, initModel, loadData, sourceName } from './commands.js'
import { readDataFile, readJson } from './data.js'
import { evaluateOn } from './dataset.js'
import { EvalCheckpoint } from './runFile.js'
import { firstMismatch } from './treeCheck.js'

/** Options of `eval`. */
export interface EvalCommand {
  checkpoint: string
  model?: string
  data?: string
  mnist?: boolean
  maxParams?: number
}

/** Runs `purediff eval`; returns the exit code. */
export async function evalCommand(o: EvalCommand, print: (s: string) => void): Promise<number> {
  if (!existsSync(o.checkpoint)) throw new CliError(`${o.checkpoint}: no such file`, 1)
  const loaded = await loadCheckpoint(o.checkpoint)
  if (E.isLeft(loaded)) throw new CliError(`${o.checkpoint}: not a purediff checkpoint: ${loaded.left.message}`, 1)
  const decoded = EvalCheckpoint.decode(loaded.right)
  if (E.isLeft(decoded)) throw new CliError(`${o.checkpoint}: not a checkpoint written by purediff train: ${report(decoded.left)}`, 1)
  const ck = decoded.right
  const source = dataSource('eval', o)
  if (source === undefined) throw new CliError('eval: missing --data file.json (or --mnist)')
  const specSource = o.model ?? `${o.checkpoint} (its model)`
  const model = buildModel(o.model !== undefined ? readJson(o.model) : ck.model, specSource, o.maxParams)
  // a file is evaluated whole (no split to compute); MNIST on the test split of the stored seed
  const test = 'file' in source ? readDataFile(source.file) : loadData(source, ck.seed).test
  const name = sourceName(source)
  if (test.d !== ck.inputs) throw new CliError(`eval: ${name} has ${test.d} features per row but the checkpoint's model takes ${ck.inputs}`)
  for (let i = 0; i < test.n; i++) {
    if (test.y[i] >= ck.classes)
      throw new CliError(`eval: ${name}: row ${i} has label ${test.y[i]}, but the checkpoint's model has ${ck.classes} classes (labels 0 to ${ck.classes - 1})`)
  }
  const expected = initModel(model, 0, ck.inputs, ck.classes, specSource, 'the checkpoint')
  const bad = firstMismatch(expected, ck.params, 'the model', 'the checkpoint')
  if (bad !== undefined) throw new CliError(`${specSource}: the model does not fit the checkpoint's params: ${bad}`, 1)
  const r = evaluateOn(model, ck.params, { ...test, classes: ck.classes })
  print(`${'mnist' in source ? `MNIST test split (seed ${ck.seed})` : name}: ${test.n} examples, loss ${r.loss.toFixed(4)}, accuracy ${r.accuracy.toFixed(4)}`)
  return 0
}

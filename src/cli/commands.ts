/// <reference types="node" />
/**
 * `purediff train` and `purediff eval`: train a JSON-described model (nn `fromSpec`, optim
 * `fromConfig`) on a data file or MNIST, saving a checkpoint atomically after every epoch, and
 * evaluate a saved checkpoint. The checkpoint stores the model spec, so `eval` needs no
 * `--model` (passing one overrides it).
 *
 * @internal
 */
import { join } from 'node:path'
import { mkdirSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { random } from '../index.js'
import { fromSpec } from '../nn/index.js'
import { fromConfig } from '../optim/index.js'
import { loadCheckpoint, saveCheckpoint } from '../io/index.js'
import { diagnose } from '../train/index.js'
import { CliError } from './args.js'
import { mnistSplit, readDataFile, readJson, subset } from './data.js'
import { type Dataset, crossEntropy, evaluateOn, trainEpoch } from './loop.js'
import { progress } from './progress.js'

/** The data of train/eval: MNIST's seeded split, or a file split 80/20 into train/validation by a seeded permutation. */
function loadData(o: { data?: string; mnist?: boolean; seed: number }, command: string): { train: Dataset; validation: Dataset; test: Dataset } {
  if (o.data !== undefined && o.mnist === true) throw new CliError(`${command}: give either --data or --mnist, not both`)
  if (o.mnist === true) return mnistSplit(o.seed)
  if (o.data === undefined) throw new CliError(`${command}: missing --data file.json (or --mnist)`)
  const all = readDataFile(o.data)
  const perm = random.permutation(random.key(o.seed), all.n)
  const nv = all.n >= 5 ? Math.max(1, Math.round(all.n * 0.2)) : 0
  const validation = nv === 0 ? all : subset(all, perm.slice(0, nv))
  return { train: nv === 0 ? all : subset(all, perm.slice(nv)), validation, test: all }
}

function buildModel(spec: unknown, source: string) {
  const m = fromSpec(spec)
  if (E.isLeft(m)) throw new CliError(`${source}: ${m.left.message}`)
  return m.right
}

/** Options of `train`. */
export interface TrainCommand { model: string; optimizer: string; data?: string; mnist?: boolean; epochs: number; batchSize: number; out: string; seed: number }

/** Runs `purediff train`; returns the exit code. */
export async function trainCommand(o: TrainCommand, print: (s: string) => void): Promise<number> {
  const spec = readJson(o.model)
  const model = buildModel(spec, o.model)
  const optJson = readJson(o.optimizer)
  const opt = fromConfig(optJson)
  if (E.isLeft(opt)) throw new CliError(`${o.optimizer}: ${opt.left.message}`)
  const { train, validation } = loadData(o, 'train')
  let params: unknown
  try {
    params = model.init(random.key(o.seed), [train.d]).params
  } catch (e) {
    throw new CliError(`${o.model}: the model does not fit the data (${train.d} features): ${e instanceof Error ? e.message : String(e)}`)
  }
  let state = { params, opt: opt.right.init(params as never) as unknown }
  mkdirSync(o.out, { recursive: true })
  const ckpt = join(o.out, 'checkpoint.json')
  let interrupted = false
  const onSigint = () => { interrupted = true }
  process.on('SIGINT', onSigint)
  const history = { trainLoss: [] as number[], trainAccuracy: [] as number[], validationLoss: [] as number[], validationAccuracy: [] as number[] }
  const bar = progress(o.epochs)
  print(`training on ${train.n} examples (${train.d} features, ${train.classes} classes), validating on ${validation.n}; checkpoint ${ckpt}`)
  try {
    for (let e = 0; e < o.epochs; e++) {
      const r = trainEpoch(state, train, {
        model, optimizer: opt.right, loss: crossEntropy, batchSize: o.batchSize, key: random.foldIn(random.key(o.seed + 1), e),
        onBatch: (b, nb, loss) => bar.batch(e, b, nb, loss), interrupted: () => interrupted,
      })
      if (!r.complete) break
      state = r.state
      const va = evaluateOn(model, state.params, validation)
      history.trainLoss.push(r.stats.loss); history.trainAccuracy.push(r.stats.accuracy)
      history.validationLoss.push(va.loss); history.validationAccuracy.push(va.accuracy)
      bar.epoch(e, `loss ${r.stats.loss.toFixed(4)} acc ${r.stats.accuracy.toFixed(4)} val_loss ${va.loss.toFixed(4)} val_acc ${va.accuracy.toFixed(4)}`)
      const saved = await saveCheckpoint(ckpt, { format: 'purediff-cli/1', epoch: e, seed: o.seed, inputs: train.d, classes: train.classes, model: spec as never, params: state.params as never, history })
      if (E.isLeft(saved)) throw new CliError(`${ckpt}: cannot save the checkpoint: ${saved.left.message}`, 1)
      if (interrupted) break
    }
  } finally {
    process.off('SIGINT', onSigint)
  }
  if (interrupted) {
    print(`interrupted: ${history.trainLoss.length === 0 ? 'no epoch completed, no checkpoint written' : `kept the checkpoint saved after epoch ${history.trainLoss.length}/${o.epochs} in ${ckpt}`}`)
    return 130
  }
  const d = diagnose(history)
  print(`diagnosis: problem on ${d.problem === 'none' ? 'neither training nor testing data' : `the ${d.problem} data`}${d.advice.length > 0 ? `; try: ${d.advice.join('; ')}` : ''}`)
  print(`saved ${ckpt}`)
  return 0
}


/** Options of `eval`. */
export interface EvalCommand { checkpoint: string; model?: string; data?: string; mnist?: boolean }

/** Runs `purediff eval`; returns the exit code. */
export async function evalCommand(o: EvalCommand, print: (s: string) => void): Promise<number> {
  readJson(o.checkpoint) // a clear message for a missing file or invalid JSON first
  const loaded = await loadCheckpoint(o.checkpoint)
  if (E.isLeft(loaded)) throw new CliError(`${o.checkpoint}: not a purediff checkpoint: ${loaded.left.message}`, 1)
  const ck = loaded.right as { format?: unknown; model?: unknown; params?: unknown; seed?: unknown }
  if (typeof ck !== 'object' || ck === null || ck.params === undefined) throw new CliError(`${o.checkpoint}: not a checkpoint written by purediff train (no params)`, 1)
  const specSource = o.model ?? o.checkpoint
  const spec = o.model !== undefined ? readJson(o.model) : ck.model
  if (spec === undefined) throw new CliError(`${o.checkpoint}: the checkpoint holds no model spec; pass --model model.json`)
  const model = buildModel(spec, specSource)
  const seed = typeof ck.seed === 'number' ? ck.seed : 0
  const { test } = loadData({ data: o.data, mnist: o.mnist, seed }, 'eval')
  let r
  try {
    r = evaluateOn(model, ck.params, test)
  } catch (e) {
    throw new CliError(`${o.checkpoint}: the params do not fit the model and data: ${e instanceof Error ? e.message : String(e)}`, 1)
  }
  print(`${o.mnist === true ? `MNIST test split (seed ${seed})` : o.data}: ${test.n} examples, loss ${r.loss.toFixed(4)}, accuracy ${r.accuracy.toFixed(4)}`)
  return 0
}

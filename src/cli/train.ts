/// <reference types="node" />
/**
 * `purediff train`: train a JSON-described model (nn `fromSpec`, optim `fromConfig`) on a data
 * file or MNIST, saving a resumable checkpoint atomically after every epoch (and at Ctrl-C,
 * after the last complete batch). Everything that can be checked is checked before the first
 * batch: flags, files, the model against the data (input width, one output per class, the
 * parameter limit), the output folder (writable; an existing checkpoint is never overwritten
 * without --force), and on --resume that the run is the same (model, optimizer, seed, batch
 * size, patience, data fingerprint) and that the stored params and optimizer state fit.
 *
 * @internal
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { random } from '../index.js'
import { fromConfig } from '../optim/index.js'
import { loadCheckpoint, saveCheckpoint } from '../io/index.js'
import { diagnose } from '../train/index.js'
import { CliError } from './args.js'
import { type DataSource, buildModel, dataSource, initModel, jsonDiff, layerTypes, loadData, optimizerName, sourceName } from './commands.js'
import { readJson } from './data.js'
import { prepareOutDir } from './outDir.js'
import { progress } from './progress.js'
import { type RunMeta, fingerprint, readRunTree, runTree } from './runFile.js'
import { type RunEnd, RunDiverged, type RunSetup, type RunState, evalParams, finished, runEpochs, startState } from './trainRun.js'
import { firstMismatch } from './treeCheck.js'
import { spreadOn } from './gradientSpread.js'

/** Options of `train` (undefined: the default, or on --resume the stored value). */
export interface TrainCommand {
  model?: string
  optimizer?: string
  data?: string
  mnist?: boolean
  epochs?: number
  batchSize?: number
  out?: string
  seed?: number
  patience?: number
  resume?: string
  force?: boolean
  maxParams?: number
}

/** A loss above this many times the loss of a uniform guess (ln classes) is called exploding. */
const EXPLODING = 100

/** The run saved in `dir`, decoded and checked; a CliError saying what is wrong otherwise. */
async function readPrior(dir: string, ckpt: string): Promise<{ meta: RunMeta; state: RunState }> {
  if (!existsSync(ckpt)) throw new CliError(`train: --resume ${dir}: there is no checkpoint ${ckpt} to continue; start the run without --resume`, 1)
  const loaded = await loadCheckpoint(ckpt)
  if (E.isLeft(loaded)) throw new CliError(`${ckpt}: not a purediff checkpoint: ${loaded.left.message}`, 1)
  const format = (loaded.right as { format?: unknown } | null)?.format
  if (format === 'purediff-cli/1')
    throw new CliError(`${ckpt} was written by an older purediff train, without the optimizer state: it cannot be resumed; pass --force (without --resume) to start over`, 1)
  if (format === 'purediff-cli/2')
    throw new CliError(
      `${ckpt} was written by an older purediff train, whose loop ordered the rows differently: it cannot be resumed bit for bit (purediff eval still reads it); pass --force (without --resume) to start over`,
      1,
    )
  const r = readRunTree(loaded.right)
  if (E.isLeft(r)) throw new CliError(`${ckpt}: not a resumable purediff train checkpoint: ${r.left}`, 1)
  return r.right
}

/** The value of a setting on --resume: the flag must agree with the stored one; absent, the stored one is used. */
function same<T>(flag: string, given: T | undefined, stored: T, dir: string): T {
  if (given !== undefined && given !== stored)
    throw new CliError(
      `train: --${flag} ${String(given)} differs from the run in ${dir} (${flag} ${String(stored)}); drop --${flag} to continue that run, or start over with --force`,
    )
  return stored
}

/** Where progress lines and warnings go (stderr). */
export interface ErrStream {
  readonly write: (s: string) => unknown
  readonly isTTY?: boolean
}

/** Runs `purediff train`, printing results with `print` and progress and warnings on `err`; returns the exit code. */
export async function trainCommand(o: TrainCommand, print: (s: string) => void, err: ErrStream = process.stderr): Promise<number> {
  if (o.resume !== undefined && o.force === true) throw new CliError('train: give --resume DIR (continue the run in DIR) or --force (start over), not both')
  if (o.resume !== undefined && o.out !== undefined && resolve(o.out) !== resolve(o.resume))
    throw new CliError(`train: --resume ${o.resume} continues the run in ${o.resume}; drop --out ${o.out}`)
  const dir = o.resume ?? o.out ?? 'train-out'
  const ckpt = join(dir, 'checkpoint.json')
  const prior = o.resume === undefined ? undefined : await readPrior(dir, ckpt)
  if (prior === undefined && o.force !== true && existsSync(ckpt)) {
    throw new CliError(
      `train: ${dir} already holds a checkpoint (${ckpt}): pass --resume ${dir} to continue that run, or --force to start over (the checkpoint is replaced at the first save)`,
    )
  }
  const config = (flag: 'model' | 'optimizer'): { json: unknown; source: string } => {
    const file = o[flag]
    if (prior === undefined) {
      if (file === undefined) throw new CliError(`train: missing --${flag} (see purediff train --help)`)
      return { json: readJson(file), source: file }
    }
    const stored = prior.meta[flag]
    if (file !== undefined) {
      const d = jsonDiff(stored, readJson(file))
      if (d !== undefined)
        throw new CliError(`train: ${file} is not the ${flag} the run in ${dir} was started with (${d}); drop --${flag} to use the stored one, or start over with --force`)
    }
    return { json: stored, source: file ?? `${ckpt} (its ${flag})` }
  }
  const spec = config('model')
  const optJson = config('optimizer')
  const seed = prior === undefined ? (o.seed ?? 0) : same('seed', o.seed, prior.meta.seed, dir)
  const batchSize = prior === undefined ? (o.batchSize ?? 100) : same('batch-size', o.batchSize, prior.meta.batchSize, dir)
  const patience = prior === undefined ? o.patience : same('patience', o.patience, prior.meta.patience ?? undefined, dir)
  const epochs = o.epochs ?? prior?.meta.epochs ?? 10
  const model = buildModel(spec.json, spec.source, o.maxParams)
  const opt = fromConfig(optJson.json)
  if (E.isLeft(opt)) throw new CliError(`${optJson.source}: ${opt.left.message}`)
  let source: DataSource | undefined = dataSource('train', o)
  if (source === undefined && prior !== undefined) {
    const stored = prior.meta.data.source
    if (stored !== 'mnist' && !existsSync(stored))
      throw new CliError(`train: the run's data file ${stored} (as stored in ${ckpt}) is not found from here; pass --data with the same data`, 1)
    source = stored === 'mnist' ? { mnist: true } : { file: stored }
  }
  if (source === undefined) throw new CliError('train: missing --data file.json (or --mnist)')
  const { all, train, validation } = loadData(source, seed)
  const fp = fingerprint(all)
  if (prior !== undefined && fp !== prior.meta.data.fingerprint) {
    throw new CliError(
      `train: the data of ${sourceName(source)} (${all.n} rows) is not the data the run in ${dir} was trained on (${prior.meta.data.source}, ${prior.meta.data.rows} rows; the fingerprints differ): give the same data, or start over with --force`,
    )
  }
  const params = initModel(model, seed, train.d, train.classes, spec.source, `the data (${sourceName(source)})`)

  let state: RunState
  if (prior === undefined) state = startState(params, opt.right.init(params as never), random.key(seed + 1), patience !== undefined)
  else {
    state = prior.state
    const bad =
      firstMismatch(params, state.params, 'the model', 'the checkpoint') ??
      (state.earlyStopping?.bestParams === undefined ? undefined : firstMismatch(params, state.earlyStopping.bestParams, 'the model', "the checkpoint's best params")) ??
      firstMismatch(opt.right.init(params as never), state.opt, 'the optimizer', "the checkpoint's optimizer state")
    if (bad !== undefined) throw new CliError(`${ckpt}: the stored state does not fit the model and optimizer: ${bad}`, 1)
  }
  const setup: RunSetup = { model, optimizer: opt.right, train, validation, batchSize, epochs, ...(patience === undefined ? {} : { patience }) }
  if (prior !== undefined && finished(setup, state)) {
    const es = state.earlyStopping
    print(
      es?.stop === true
        ? `nothing to do: the run in ${dir} stopped early after epoch ${state.epoch} (best epoch ${es.bestEpoch + 1})`
        : `nothing to do: the run in ${dir} has completed ${state.epoch} of --epochs ${epochs}; give a larger --epochs to train on`,
    )
    return 0
  }
  const meta: RunMeta = {
    model: spec.json,
    optimizer: optJson.json,
    seed,
    batchSize,
    patience: patience ?? null,
    epochs,
    inputs: train.d,
    classes: train.classes,
    data: { source: sourceName(source), fingerprint: fp, rows: all.n },
  }

  const out = prepareOutDir('train', dir)
  let saved: RunState | undefined
  const save = async (s: RunState): Promise<void> => {
    const r = await saveCheckpoint(ckpt, runTree(meta, s, evalParams(s)))
    if (E.isLeft(r)) throw new CliError(`${ckpt}: cannot save the checkpoint: ${r.left.message.split('\n')[0]}`, 1)
    saved = s
  }
  // Every Ctrl-C only asks to stop: a second one must not skip the save (tsx, for one, relays
  // the signal to its child a second time when the child is slow to answer).
  let interrupted = false
  const onSigint = (): void => {
    interrupted = true
  }
  process.on('SIGINT', onSigint)
  const bar = progress(epochs, err, state.epoch)
  const uniform = Math.log(Math.max(train.classes, 2))
  let warned = false
  print(
    `training on ${train.n} examples (${train.d} features, ${train.classes} classes), validating on ${validation.n}; checkpoint ${ckpt}` +
      (prior === undefined ? '' : `; resuming after epoch ${state.epoch}${state.batch > 0 ? `, batch ${state.batch}` : ''}`),
  )
  let result: { state: RunState; end: RunEnd }
  try {
    result = await runEpochs(setup, state, {
      interrupted: () => interrupted,
      pause: () => new Promise<void>((r) => setImmediate(r)), // setImmediate: ~1 µs; setTimeout(0) would wait ≥ 1 ms per batch
      onBatch: (e, b, nb, loss) => bar.batch(e, b, nb, loss),
      onEpoch: async (s, t, v) => {
        bar.epoch(s.epoch - 1, `loss ${t.loss.toFixed(4)} acc ${t.accuracy.toFixed(4)} val_loss ${v.loss.toFixed(4)} val_acc ${v.accuracy.toFixed(4)}`)
        if (!warned && t.loss > EXPLODING * uniform) {
          warned = true
          err.write(
            `purediff: warning: epoch ${s.epoch}: the training loss ${t.loss.toPrecision(3)} is over ${EXPLODING} times that of a uniform guess (${uniform.toFixed(2)}): training is diverging; lower the learning rate\n`,
          )
        }
        await save(s)
      },
    })
  } catch (e) {
    if (saved === undefined && prior === undefined) out.removeIfCreated()
    if (!(e instanceof RunDiverged)) throw e
    const kept = saved ?? prior?.state
    const last = kept === undefined ? 'no checkpoint was saved' : `the checkpoint keeps the state after epoch ${kept.epoch}${kept.batch > 0 ? `, batch ${kept.batch}` : ''}`
    throw new CliError(`train: epoch ${e.epoch + 1}: ${e.message}; ${last}`, 1)
  } finally {
    process.off('SIGINT', onSigint)
    bar.end()
  }
  const s = result.state
  if (result.end === 'interrupted') {
    const moved = s.epoch !== state.epoch || s.batch !== state.batch
    if (moved) await save(s)
    else if (saved === undefined && prior === undefined) out.removeIfCreated()
    const where = s.batch === 0 ? `after epoch ${s.epoch}` : `in epoch ${s.epoch + 1}, after batch ${s.batch}`
    print(`interrupted: ${!moved ? 'nothing done yet, nothing saved' : `saved the state ${where} in ${ckpt}`}; continue with: purediff train --resume ${dir}`)
    return 130
  }
  const es = s.earlyStopping
  if (es !== undefined && es.bestEpoch >= 0) {
    const best = `epoch ${es.bestEpoch + 1} (val_loss ${s.history.validationLoss[es.bestEpoch].toFixed(4)})`
    print(
      result.end === 'stopped'
        ? `early stopping: no improvement for ${patience} epochs, stopped after epoch ${s.epoch}; the checkpoint holds the params of the best ${best}`
        : `the checkpoint holds the params of the best ${best}`,
    )
  }
  const name = optimizerName(optJson.json)
  // the params diagnose judges (the best epoch's with early stopping), on a few training rows
  const spread = spreadOn(model, evalParams(s), train)
  const d = diagnose(s.history, {
    ...(es !== undefined && es.bestEpoch >= 0 ? { epoch: es.bestEpoch } : {}),
    layers: layerTypes(spec.json),
    ...(name === undefined ? {} : { optimizer: name }),
    ...(spread === undefined ? {} : { gradientSpread: spread.spread }),
  })
  if (spread !== undefined) {
    // the advice names examples of the batch: say which rows of the data they are
    const largest = [...new Set((d.evidence.gradientSpread ?? []).map((l) => l.maxExample))].sort((a, b) => a - b)
    print(
      `gradient spread on the first ${spread.rows.length} training rows: ${d.evidence.summary.split('\n')[1]}; largest norms: ${largest.map((b) => `example ${b} = row ${spread.rows[b]} of ${sourceName(source)}`).join(', ')} (rows from 0)`,
    )
  }
  print(
    `diagnosis: problem on ${d.problem === 'none' ? 'neither training nor testing data' : `the ${d.problem} data`}${d.advice.length > 0 ? `; try: ${d.advice.join('; ')}` : ''}`,
  )
  print(`saved ${ckpt}`)
  return 0
}

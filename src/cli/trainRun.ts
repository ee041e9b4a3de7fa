/**
 * The run of `purediff train`, through `purediff/train`'s `fitAsync` (the CLI has no training
 * loop of its own). Its whole state (`RunState`: params, optimizer state, the run's key, how far
 * into which epoch, the history, the early-stopping state) is plain data and maps one to one to
 * a `FitResume`, so a checkpoint of it — taken after ANY complete batch — continues exactly: a
 * run interrupted at batch b of epoch e and resumed ends bit-identical to one never interrupted.
 * `fitAsync` awaits a pause after every batch and every evaluation chunk, so a Ctrl-C handler
 * runs within one batch; an interruption aborts its signal.
 *
 * @internal
 */
import { type Key, random } from '../index.js'
import type { AnyLayer, Layer } from '../nn/index.js'
import type { GradientTransformation } from '../optim/index.js'
import { type EarlyStoppingState, type Evaluation, type FitResult, type FitResume, TrainingDivergedError, earlyStopping, fitAsync } from '../train/index.js'
import { type Dataset, EVAL_CHUNK, crossEntropy, toData } from './dataset.js'

// --- model

/** The fixed part of a run. `patience` switches early stopping on (restoring the best params, as `fit` does). */
export interface RunSetup {
  readonly model: AnyLayer
  readonly optimizer: GradientTransformation<unknown>
  readonly train: Dataset
  readonly validation: Dataset
  readonly batchSize: number
  readonly epochs: number
  readonly patience?: number
}

/** The history of a run: one entry per complete epoch, measured by `fit` (test mode, after the epoch). */
export interface RunHistory {
  readonly trainLoss: readonly number[]
  readonly trainAccuracy: readonly number[]
  readonly validationLoss: readonly number[]
  readonly validationAccuracy: readonly number[]
}

/**
 * Everything that changes during a run. `epoch` complete epochs are behind it, and `batch`
 * batches of epoch `epoch` (`batch` may equal the number of batches: trained, not yet
 * evaluated). `orderKey` is the run's key, `fit`'s `key`: it orders every epoch's rows and
 * draws the dropout masks. The train state's step count is `epoch · batches + batch`.
 */
export interface RunState {
  readonly params: unknown
  readonly opt: unknown
  readonly orderKey: Key
  readonly epoch: number
  readonly batch: number
  readonly history: RunHistory
  readonly earlyStopping?: EarlyStoppingState<unknown>
}

/** A run went non-finite: the loss of a batch (`batch` its index), the params after it, or the validation loss of epoch `epoch` (0-based). */
export class RunDiverged extends Error {
  constructor(
    readonly epoch: number,
    readonly batch: number | undefined,
    message: string,
  ) {
    super(message)
    this.name = 'RunDiverged'
  }
}

/** Why `runEpochs` returned. */
export type RunEnd = 'done' | 'stopped' | 'interrupted'

/** What the loop reports to, and asks of, its caller. */
export interface RunHooks {
  /** True once the run should stop; looked at after every batch and evaluation chunk. */
  readonly interrupted: () => boolean
  /** Lets other work (a signal handler) run; awaited after every batch and evaluation chunk. */
  readonly pause: () => Promise<void>
  /** After each batch (`batch` counted from 1), with the mean objective of this epoch's batches run so far. */
  readonly onBatch?: (epoch: number, batch: number, batches: number, loss: number) => void
  /** After each complete epoch, with its train and validation stats (e.g. to save a checkpoint). */
  readonly onEpoch?: (state: RunState, train: Evaluation, validation: Evaluation) => Promise<void>
}

// --- constructors

/** The state before the first batch. */
export function startState(params: unknown, opt: unknown, orderKey: Key, withEarlyStopping: boolean): RunState {
  return {
    params,
    opt,
    orderKey,
    epoch: 0,
    batch: 0,
    history: { trainLoss: [], trainAccuracy: [], validationLoss: [], validationAccuracy: [] },
    ...(withEarlyStopping ? { earlyStopping: earlyStopping({ patience: 1 }).init() } : {}),
  }
}

/** The params a checkpoint offers for evaluation: the best epoch's under early stopping, else the current ones. */
export const evalParams = (s: RunState): unknown => s.earlyStopping?.bestParams ?? s.params

/** True when the run has nothing left to do: all epochs done, or stopped early. */
export const finished = (setup: RunSetup, s: RunState): boolean => s.epoch >= setup.epochs || s.earlyStopping?.stop === true

// --- operations

/**
 * Runs from `state` until `setup.epochs` epochs are complete, early stopping ends the run, or
 * `hooks.interrupted()` turns true — then returns the state after the last complete batch.
 * Throws a RunDiverged when a batch's loss, the params or an epoch's validation loss become
 * non-finite, or the optimizer state overflows.
 */
export async function runEpochs(setup: RunSetup, state: RunState, hooks: RunHooks): Promise<{ state: RunState; end: RunEnd }> {
  const batches = Math.ceil(setup.train.n / setup.batchSize)
  const stop = new AbortController()
  let sum = 0
  let count = 0
  let shown = -1
  const toState = (r: FitResume<unknown, unknown>): RunState => ({
    params: r.state.params,
    opt: r.state.optState,
    orderKey: state.orderKey,
    epoch: r.epoch,
    batch: r.batch ?? 0,
    history: r.history,
    ...(r.earlyStopping === undefined ? {} : { earlyStopping: r.earlyStopping }),
  })
  let result: FitResult<unknown, unknown>
  try {
    result = await fitAsync({
      // The run's params are data (a checkpoint's, checked against model.init's by the caller),
      // so the model is used with params of type unknown.
      model: setup.model as Layer<unknown>,
      params: state.params,
      optimizer: setup.optimizer,
      loss: crossEntropy,
      train: toData(setup.train),
      validation: toData(setup.validation),
      epochs: setup.epochs,
      batchSize: setup.batchSize,
      evalBatchSize: EVAL_CHUNK,
      key: state.orderKey,
      ...(setup.patience === undefined ? {} : { earlyStopping: { patience: setup.patience } }),
      resume: toResume(state, batches),
      signal: stop.signal,
      pause: async () => {
        await hooks.pause()
        if (hooks.interrupted()) stop.abort()
      },
      onBatch: (b) => {
        if (b.epoch !== shown) [shown, sum, count] = [b.epoch, 0, 0]
        sum += b.loss
        count++
        hooks.onBatch?.(b.epoch, b.batch + 1, b.batches, sum / count)
      },
      onEpoch: async (log) => {
        if (!Number.isFinite(log.validationLoss)) {
          throw new RunDiverged(
            log.epoch,
            undefined,
            `the validation loss became ${log.validationLoss} after the epoch's last batch (the params give non-finite outputs); lower the learning rate`,
          )
        }
        await hooks.onEpoch?.(toState(log.resume), { loss: log.trainLoss, accuracy: log.trainAccuracy }, { loss: log.validationLoss, accuracy: log.validationAccuracy })
      },
    })
  } catch (e) {
    throw e instanceof TrainingDivergedError ? diverged(e) : e
  }
  const s = toState(result.resume)
  return { state: s, end: result.aborted ? 'interrupted' : s.earlyStopping?.stop === true ? 'stopped' : 'done' }
}

// --- internal

/** The `FitResume` of a run state (`batches` per epoch): the train state's key is the step key of the run's key. */
function toResume(s: RunState, batches: number): FitResume<unknown, unknown> {
  return {
    epoch: s.epoch,
    ...(s.batch === 0 ? {} : { batch: s.batch }),
    state: { params: s.params, optState: s.opt, key: random.split(s.orderKey)[1], step: s.epoch * batches + s.batch, loss: Number.NaN },
    history: s.history,
    ...(s.earlyStopping === undefined ? {} : { earlyStopping: s.earlyStopping }),
  }
}

/** `fit`'s divergence in the CLI's words (what went non-finite, and what to do). */
function diverged(e: TrainingDivergedError): RunDiverged {
  const list = (paths: readonly string[]) => `${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ', …' : ''}`
  if (e.statePaths.length > 0) {
    return new RunDiverged(
      e.epoch,
      undefined,
      `the optimizer state became non-finite at ${list(e.statePaths)} ` +
        '(a gradient whose square overflows, which freezes those weights): clip the gradients first ' +
        '({ "chain": [{ "name": "clipByGlobalNorm", "max": 1 }, …] }), lower the learning rate or scale the inputs',
    )
  }
  if (!Number.isFinite(e.loss))
    return new RunDiverged(e.epoch, e.batch, `the training loss became ${e.loss} at batch ${e.batch}; lower the learning rate or change the initialisation`)
  return new RunDiverged(e.epoch, e.batch, `the params became non-finite at ${list(e.paths)} in the update of batch ${e.batch}; lower the learning rate or clip the gradients`)
}

/**
 * The loop of `purediff train` as a resumable, interruptible fold: its whole state (`RunState`:
 * params, optimizer state, the data-order key, how far into which epoch, the running sums of
 * the epoch, the history, the early-stopping state) is plain data, so a checkpoint of it — taken
 * after ANY complete batch — continues exactly: a run interrupted at batch b of epoch e and
 * resumed ends bit-identical to one never interrupted. The loop yields to the event loop after
 * every batch (and every evaluation chunk), so a Ctrl-C handler runs within one batch.
 *
 * @internal
 */
import { type Key, random } from '../index.js'
import type { Layer } from '../nn/index.js'
import type { GradientTransformation } from '../optim/index.js'
import { type EarlyStoppingState, earlyStopping } from '../train/index.js'
import { nonFiniteStatePaths } from '../train/diverged.js'
import { type Dataset, EVAL_CHUNK, type EpochStats, crossEntropy, epochPlan, evaluateChunk, trainBatch } from './loop.js'

// --- model

/** The fixed part of a run. `patience` switches early stopping on (restoring the best params, as `fit` does). */
export interface RunSetup {
  readonly model: Layer<any>
  readonly optimizer: GradientTransformation<any>
  readonly train: Dataset
  readonly validation: Dataset
  readonly batchSize: number
  readonly epochs: number
  readonly patience?: number
}

/** The history of a run: one entry per complete epoch. */
export interface RunHistory {
  readonly trainLoss: readonly number[]
  readonly trainAccuracy: readonly number[]
  readonly validationLoss: readonly number[]
  readonly validationAccuracy: readonly number[]
}

/**
 * Everything that changes during a run. `epoch` complete epochs are behind it; of epoch `epoch`,
 * `batch` batches are done (`batch` may equal the number of batches: trained, not yet
 * evaluated), and `lossSum`/`correct`/`seen` are their running sums. Epoch e's rows come in the
 * order of `epochPlan(train, batchSize, foldIn(orderKey, e))`.
 */
export interface RunState {
  readonly params: unknown
  readonly opt: unknown
  readonly orderKey: Key
  readonly epoch: number
  readonly batch: number
  readonly lossSum: number
  readonly correct: number
  readonly seen: number
  readonly history: RunHistory
  readonly earlyStopping?: EarlyStoppingState<unknown>
}

/** A run went non-finite: the loss of a batch (`batch` its index) or the validation loss of epoch `epoch` (0-based). */
export class RunDiverged extends Error {
  constructor(readonly epoch: number, readonly batch: number | undefined, message: string) {
    super(message)
    this.name = 'RunDiverged'
  }
}

/** Why `runEpochs` returned. */
export type RunEnd = 'done' | 'stopped' | 'interrupted'

/** What the loop reports to, and asks of, its caller. */
export interface RunHooks {
  /** True once the run should stop; checked after every batch and evaluation chunk. */
  readonly interrupted: () => boolean
  /** Lets other work (a signal handler) run; called after every batch and evaluation chunk. */
  readonly pause: () => Promise<void>
  readonly onBatch?: (epoch: number, batch: number, batches: number, loss: number) => void
  /** After each complete epoch, with its train and validation stats (e.g. to save a checkpoint). */
  readonly onEpoch?: (state: RunState, train: EpochStats, validation: EpochStats) => Promise<void>
}

// --- constructors

/** The state before the first batch. */
export function startState(params: unknown, opt: unknown, orderKey: Key, withEarlyStopping: boolean): RunState {
  return {
    params, opt, orderKey, epoch: 0, batch: 0, lossSum: 0, correct: 0, seen: 0,
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
 * Throws a RunDiverged when a batch's loss or an epoch's validation loss is not finite.
 */
export async function runEpochs(setup: RunSetup, state: RunState, hooks: RunHooks): Promise<{ state: RunState; end: RunEnd }> {
  const stopper = setup.patience === undefined ? undefined : earlyStopping({ patience: setup.patience })
  let s = state
  while (!finished(setup, s)) {
    const e = s.epoch
    const plan = epochPlan(setup.train, setup.batchSize, random.foldIn(s.orderKey, e))
    const opts = { model: setup.model, optimizer: setup.optimizer, loss: crossEntropy, batchSize: setup.batchSize }
    while (s.batch < plan.batches) {
      let r
      try {
        r = trainBatch(s, setup.train, plan, s.batch, opts)
      } catch (err) {
        throw new RunDiverged(e, s.batch, err instanceof Error ? err.message : String(err))
      }
      s = { ...s, ...r.state, batch: s.batch + 1, lossSum: s.lossSum + r.loss * r.size, correct: s.correct + r.correct, seen: s.seen + r.size }
      hooks.onBatch?.(e, s.batch, plan.batches, s.lossSum / s.seen)
      await hooks.pause()
      if (hooks.interrupted()) return { state: s, end: 'interrupted' }
    }
    // An adaptive optimizer's g² accumulator that overflowed freezes weights silently (finite
    // params, updates of 0): once an epoch is enough, since it stays +Infinity once there.
    const badState = nonFiniteStatePaths(s.opt)
    if (badState.length > 0) {
      throw new RunDiverged(e, undefined, `the optimizer state became non-finite at ${badState.slice(0, 3).join(', ')}${badState.length > 3 ? ', …' : ''} ` +
        '(a gradient whose square overflows, which freezes those weights): clip the gradients first ' +
        '({ "chain": [{ "name": "clipByGlobalNorm", "max": 1 }, …] }), lower the learning rate or scale the inputs')
    }
    const v = await evaluateAsync(setup.model, s.params, setup.validation, hooks)
    if (v === undefined) return { state: s, end: 'interrupted' }
    if (!Number.isFinite(v.loss)) throw new RunDiverged(e, undefined, `the validation loss became ${v.loss} after the epoch's last batch (the params give non-finite outputs); lower the learning rate`)
    const t: EpochStats = { loss: s.lossSum / s.seen, accuracy: s.correct / s.seen }
    const h = s.history
    s = {
      ...s, epoch: e + 1, batch: 0, lossSum: 0, correct: 0, seen: 0,
      history: {
        trainLoss: [...h.trainLoss, t.loss], trainAccuracy: [...h.trainAccuracy, t.accuracy],
        validationLoss: [...h.validationLoss, v.loss], validationAccuracy: [...h.validationAccuracy, v.accuracy],
      },
      ...(stopper === undefined ? {} : { earlyStopping: stopper(s.earlyStopping, v.loss, s.params) }),
    }
    await hooks.onEpoch?.(s, t, v)
    if (s.earlyStopping?.stop === true) return { state: s, end: 'stopped' }
    if (hooks.interrupted()) return { state: s, end: 'interrupted' }
  }
  return { state: s, end: s.earlyStopping?.stop === true ? 'stopped' : 'done' }
}

/** `evaluateOn`, chunk by chunk with a pause after each (same chunks, same sums); undefined when interrupted. */
async function evaluateAsync(model: Layer<any>, params: unknown, data: Dataset, hooks: RunHooks): Promise<EpochStats | undefined> {
  let lossSum = 0
  let correct = 0
  for (let s = 0; s < data.n; s += EVAL_CHUNK) {
    const c = evaluateChunk(model, params, data, s)
    lossSum += c.lossSum
    correct += c.correct
    await hooks.pause()
    if (hooks.interrupted()) return undefined
  }
  return { loss: lossSum / data.n, accuracy: correct / data.n }
}

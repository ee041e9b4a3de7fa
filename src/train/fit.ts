/**
 * The training loop: epochs of shuffled mini-batches through `trainStep`, metrics per epoch,
 * optional early stopping, and a clear stop (`TrainingDivergedError`) when the loss or the
 * params become non-finite.
 *
 * @since 0.1.0
 */
import type { Key } from '../index.js'
import type { Layer } from '../nn/index.js'
import type { GradientTransformation } from '../optim/index.js'
import type { Data } from './batches.js'
import type { History } from './diagnose.js'
import type { EarlyStoppingOptions, EarlyStoppingState } from './earlyStopping.js'
import { fitSteps } from './fitLoop.js'
import type { Loss, Penalty, TrainState } from './trainStep.js'

// --- model

/**
 * The metrics of one epoch, as `onEpoch` receives them (validation entries NaN without
 * validation data), with the params and the whole train state at the end of the epoch.
 *
 * @category model
 * @since 0.1.0
 */
export interface EpochLog<P, S = unknown> {
  readonly epoch: number
  readonly trainLoss: number
  readonly trainAccuracy: number
  readonly validationLoss: number
  readonly validationAccuracy: number
  /** The params at the end of this epoch. */
  readonly params: P
  /** The whole train state at the end of this epoch (params, optimizer state, key, step). */
  readonly state: TrainState<P, S>
  /** Everything a later `fit({ …, resume })` needs to continue after this epoch: checkpoint it. */
  readonly resume: FitResume<P, S>
}

/**
 * What `onBatch` receives after each training batch: `epoch` (from 0), `batch` (the index of the
 * batch just done in its epoch, from 0), `batches` (per epoch), `loss` (that batch's objective,
 * measured before its update, in train mode) and the train `state` after its update.
 *
 * @category model
 * @since 0.1.0
 */
export interface BatchLog<P, S> {
  readonly epoch: number
  readonly batch: number
  readonly batches: number
  readonly loss: number
  readonly state: TrainState<P, S>
}

/**
 * A point to continue a run from, after `epoch` complete epochs and, when `batch` is present,
 * `batch` batches of epoch `epoch` (an aborted run stops mid-epoch; `batch` equal to the number
 * of batches means trained but not yet evaluated): the train state, the history of the complete
 * epochs, and the early-stopping state (present exactly when the run uses early stopping).
 * Plain data: `encodeCheckpoint` keeps it whole (the early-stopping state's `bestParams` is a
 * params tree; its `bestLoss`/`reference` may be Infinity). An `EpochLog` and a `FitResult`
 * carry one; pass it as `fit`'s `resume` option.
 *
 * @category model
 * @since 0.1.0
 */
export interface FitResume<P, S> {
  readonly epoch: number
  readonly batch?: number
  readonly state: TrainState<P, S>
  readonly history: History
  readonly earlyStopping?: EarlyStoppingState<P>
}

/**
 * The options of `fit`. `train` and `validation` are `{ x, y }` with the batch on axis 0;
 * `loss(logits, y)` returns a scalar (a mean over the batch); `key` drives the shuffling and
 * dropout; `earlyStopping` takes the options of `earlyStopping` (it needs `validation`);
 * `evalBatchSize` (default 1024) bounds the rows evaluated at once. `resume` continues a run
 * from a `FitResume` (then `params` is not used): give the same model, optimizer, loss, penalty,
 * data, batch size, key and early-stopping options as the run it came from, and `epochs` counts
 * the run's epochs from its start. `penalty(params)` (a scalar tensor) is added to the loss of
 * every batch for the gradient (the history's losses, measured by `evaluate`, are the loss
 * alone). `onBatch` is called after every training batch (progress bars), `onEpoch` after every
 * epoch (checkpoints). `signal` stops the run after the batch (or evaluation chunk) during which
 * it was aborted: see `fit`.
 *
 * @category model
 * @since 0.1.0
 */
export interface FitOptions<P, S> {
  readonly model: Layer<P>
  readonly params: P
  readonly optimizer: GradientTransformation<S>
  readonly loss: Loss
  readonly train: Data
  readonly validation?: Data
  readonly epochs: number
  readonly batchSize: number
  readonly key: Key
  readonly earlyStopping?: EarlyStoppingOptions
  readonly onEpoch?: (log: EpochLog<P, S>) => void
  readonly evalBatchSize?: number
  readonly resume?: FitResume<P, S>
  readonly penalty?: Penalty<P>
  readonly onBatch?: (log: BatchLog<P, S>) => void
  readonly signal?: AbortSignal
}

/**
 * The options of `fitAsync`: those of `fit`, where `onBatch` and `onEpoch` may return a Promise
 * (awaited before the run goes on: save a checkpoint in `onEpoch`), and `pause` (default: one
 * turn of the event loop, `setImmediate` where it exists, else `setTimeout(0)`) is awaited
 * after every training batch and every evaluation chunk, before `signal` is looked at.
 *
 * @category model
 * @since 0.1.0
 */
export interface FitAsyncOptions<P, S> extends Omit<FitOptions<P, S>, 'onBatch' | 'onEpoch'> {
  readonly onBatch?: (log: BatchLog<P, S>) => void | Promise<void>
  readonly onEpoch?: (log: EpochLog<P, S>) => void | Promise<void>
  readonly pause?: () => Promise<void>
}

/**
 * What `fit` returns: `params` (the best epoch's when early stopping with `restoreBest`, else
 * the last), `history` (one entry per epoch run), `bestEpoch` (the epoch of the lowest
 * validation loss; −1 without validation data), `stoppedEpoch` (the epoch after which early
 * stopping ended the run, or null when every epoch ran), `state` (the final `TrainState`),
 * `resume` (the point to continue from: `fit({ …, epochs: more, resume })`) and `aborted` (true
 * when `signal` stopped the run before its end; then `resume` may be mid-epoch).
 *
 * @category model
 * @since 0.1.0
 */
export interface FitResult<P, S> {
  readonly params: P
  readonly history: History
  readonly bestEpoch: number
  readonly stoppedEpoch: number | null
  readonly state: TrainState<P, S>
  readonly resume: FitResume<P, S>
  readonly aborted: boolean
}

// --- operations

/**
 * Trains `model` from `params`: for each epoch e = 0, 1, …, `epochs − 1`, the training data is
 * shuffled with `random.foldIn(shuffleKey, e)` and cut as `batches` cuts it; each batch runs
 * `trainStep` (train mode, dropout key `random.foldIn(stepKey, step)`, where `[shuffleKey,
 * stepKey] = random.split(key)`; the objective `loss(logits, y) + penalty(params)` when a
 * `penalty` is given), then `onBatch`. After each epoch the train and validation loss and
 * accuracy are measured with `evaluate` (test mode, the loss without the penalty) and `onEpoch`
 * is called; then early stopping (if given) may end the run. Deterministic in the key.
 *
 * Resume: `fit({ …, epochs: n, resume: r })` with `r` the `resume` of `fit({ …, epochs: k })` (or
 * of its epoch k − 1's `EpochLog`, or of an aborted run, also after a checkpoint round trip)
 * returns exactly — every bit of params, optimizer state, history and early-stopping state —
 * what `fit({ …, epochs: n })` returns. `resume` is checked: its epoch and batch, history
 * lengths, early-stopping state (present iff `earlyStopping` is given, at the same epoch) and
 * key (`resume.state.key` must be the step key of `key`, so a resume with another key is an
 * ArgumentError, not a silently different run).
 *
 * Abort: `signal` is looked at before the first batch and after every training batch and every
 * evaluation chunk (in `fit` it can only turn aborted inside a callback; `fitAsync` lets other
 * work run at those points). Once it is aborted the run stops there and RETURNS (it does not
 * throw) with `aborted: true`: `state` is the state after the last complete batch, `history`
 * holds the complete epochs, and `resume` continues exactly from that point, mid-epoch if need
 * be (a run aborted while evaluating resumes with that evaluation). A run that ends anyway
 * (last epoch, early stop) is not aborted.
 *
 * Divergence: after every step, a non-finite batch loss or non-finite updated params THROW a
 * `TrainingDivergedError` with the epoch, step, batch, loss, the paths of the non-finite params,
 * and the last finite params — rather than training on garbage. After every epoch, a non-finite
 * optimizer state (an accumulator of g² that overflowed on a finite but huge gradient, which
 * freezes those weights at an update of 0 while the params stay finite) throws one too, with
 * `statePaths` naming the state leaves.
 *
 * @example
 * import { random, tensor } from 'purediff'
 * import { dense, losses } from 'purediff/nn'
 * import { adam } from 'purediff/optim'
 * import { fit } from 'purediff/train'
 * // two separable classes on a line
 * const x = tensor([[-2], [-1], [-0.5], [0.5], [1], [2]])
 * const y = tensor([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1]])
 * const model = dense(2)
 * const r = fit({ model, params: model.init(random.key(0), [1]).params, optimizer: adam(0.1),
 *   loss: losses.softmaxCrossEntropy, train: { x, y }, validation: { x, y }, epochs: 30, batchSize: 3, key: random.key(1) })
 * if (r.history.trainAccuracy.length !== 30 || r.history.trainAccuracy[29] !== 1 || r.stoppedEpoch !== null || r.aborted) throw new Error()
 * // 10 epochs, then 20 more from where they ended: the same run, bit for bit
 * const o = { model, params: model.init(random.key(0), [1]).params, optimizer: adam(0.1), loss: losses.softmaxCrossEntropy, train: { x, y }, batchSize: 3, key: random.key(1) }
 * const resumed = fit({ ...o, epochs: 30, resume: fit({ ...o, epochs: 10 }).resume })
 * if (resumed.history.trainLoss.join() !== fit({ ...o, epochs: 30 }).history.trainLoss.join()) throw new Error()
 * // aborted after its 5th batch (mid-epoch 2), then resumed: the same run again
 * const stop = new AbortController()
 * const cut = fit({ ...o, epochs: 30, signal: stop.signal, onBatch: (b) => { if (b.state.step === 5) stop.abort() } })
 * if (!cut.aborted || cut.resume.epoch !== 2 || cut.resume.batch !== 1) throw new Error()
 * if (fit({ ...o, epochs: 30, resume: cut.resume }).history.trainLoss.join() !== resumed.history.trainLoss.join()) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function fit<P, S>(options: FitOptions<P, S>): FitResult<P, S> {
  const run = fitSteps('fit', options, false)
  let r = run.next()
  while (r.done !== true) r = run.next()
  return r.value
}

/**
 * `fit` that lets other work run while it trains: after every training batch and every
 * evaluation chunk it awaits `pause()` (by default one turn of the event loop), so a UI stays
 * live, a Ctrl-C handler runs, and `signal` can be aborted from outside. `onBatch` and `onEpoch`
 * may return a Promise, awaited before the run goes on. Same steps, same bits, same errors (as
 * rejections) and the same abort contract as `fit`: an aborted run resolves with `aborted:
 * true` and a `resume` to continue from.
 *
 * @example
 * import { random, tensor } from 'purediff'
 * import { dense, losses } from 'purediff/nn'
 * import { sgd } from 'purediff/optim'
 * import { fit, fitAsync } from 'purediff/train'
 * const x = tensor([[-2], [-1], [1], [2]]), y = tensor([[1, 0], [1, 0], [0, 1], [0, 1]])
 * const model = dense(2)
 * const o = { model, params: model.init(random.key(0), [1]).params, optimizer: sgd(0.5), loss: losses.softmaxCrossEntropy, train: { x, y }, epochs: 5, batchSize: 2, key: random.key(1) }
 * const stop = new AbortController()
 * setTimeout(() => stop.abort(), 0) // e.g. a Stop button, or process.on('SIGINT')
 * const cut = await fitAsync({ ...o, signal: stop.signal, pause: () => new Promise((r) => setTimeout(r, 1)) })
 * if (!cut.aborted) throw new Error()
 * const rest = await fitAsync({ ...o, resume: cut.resume })
 * if (rest.aborted || rest.history.trainLoss.join() !== fit(o).history.trainLoss.join()) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export async function fitAsync<P, S>(options: FitAsyncOptions<P, S>): Promise<FitResult<P, S>> {
  const pause = options?.pause ?? nextTurn
  const run = fitSteps('fitAsync', options as FitOptions<P, S>, true)
  let r = run.next()
  while (r.done !== true) {
    await (r.value ?? pause())
    r = run.next()
  }
  return r.value
}

// --- internal

const timers = globalThis as { setImmediate?: (f: () => void) => unknown }

/** One turn of the event loop: `setImmediate` (about a microsecond) where it exists; browsers clamp `setTimeout(0)` to ≥ 1 ms (4 ms nested). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof timers.setImmediate === 'function') timers.setImmediate(resolve)
    else setTimeout(resolve, 0)
  })
}

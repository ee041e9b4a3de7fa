/**
 * The training loop: epochs of shuffled mini-batches through `trainStep`, metrics per epoch,
 * optional early stopping, and a clear stop (`TrainingDivergedError`) when the loss or the
 * params become non-finite.
 *
 * @since 0.1.0
 */
import { type Key, ArgumentError, random } from '../index.js'
import type { Layer } from '../nn/index.js'
import type { GradientTransformation } from '../optim/index.js'
import { describe } from '../tensor/checks.js'
import { type Data, batches, checkData } from './batches.js'
import type { History } from './diagnose.js'
import { TrainingDivergedError, nonFinitePaths, nonFiniteStatePaths } from './diverged.js'
import { type EarlyStoppingOptions, type EarlyStoppingState, earlyStopping as makeEarlyStopping } from './earlyStopping.js'
import { evaluate } from './evaluate.js'
import { type Loss, type TrainState, initTrainState, trainStep } from './trainStep.js'

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
 * A point to continue a run from, after `epoch` complete epochs: the train state, the history
 * of those epochs, and the early-stopping state (present exactly when the run uses early
 * stopping). Plain data: `encodeCheckpoint` keeps it whole (the early-stopping state's
 * `bestParams` is a params tree; its `bestLoss`/`reference` may be Infinity). An `EpochLog` and
 * a `FitResult` carry one; pass it as `fit`'s `resume` option.
 *
 * @category model
 * @since 0.1.0
 */
export interface FitResume<P, S> {
  readonly epoch: number
  readonly state: TrainState<P, S>
  readonly history: History
  readonly earlyStopping?: EarlyStoppingState<P>
}

/**
 * The options of `fit`. `train` and `validation` are `{ x, y }` with the batch on axis 0;
 * `loss(logits, y)` returns a scalar (a mean over the batch); `key` drives the shuffling and
 * dropout; `earlyStopping` takes the options of `earlyStopping` (it needs `validation`);
 * `evalBatchSize` (default 1024) bounds the rows evaluated at once. `resume` continues a run
 * from a `FitResume` (then `params` is not used): give the same model, optimizer, loss, data,
 * batch size, key and early-stopping options as the run it came from, and `epochs` counts the
 * run's epochs from its start.
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
}

/**
 * What `fit` returns: `params` (the best epoch's when early stopping with `restoreBest`, else
 * the last), `history` (one entry per epoch run), `bestEpoch` (the epoch of the lowest
 * validation loss; −1 without validation data), `stoppedEpoch` (the epoch after which early
 * stopping ended the run, or null when every epoch ran), `state` (the final `TrainState`) and
 * `resume` (the point to continue from: `fit({ …, epochs: more, resume })`).
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
}

// --- operations

/**
 * Trains `model` from `params`: for each epoch e = 0, 1, …, `epochs − 1`, the training data is
 * shuffled with `random.foldIn(shuffleKey, e)` and cut by `batches`; each batch runs `trainStep`
 * (train mode, dropout key `random.foldIn(stepKey, step)`, where `[shuffleKey, stepKey] =
 * random.split(key)`). After each epoch the train and validation loss and accuracy are measured
 * with `evaluate` (test mode) and `onEpoch` is called; then early stopping (if given) may end the
 * run. Deterministic in the key.
 *
 * Resume: `fit({ …, epochs: n, resume: r })` with `r` the `resume` of `fit({ …, epochs: k })` (or
 * of its epoch k − 1's `EpochLog`, also after a checkpoint round trip) returns exactly — every
 * bit of params, optimizer state, history and early-stopping state — what `fit({ …, epochs: n })`
 * returns. `resume` is checked: its epoch, history lengths, early-stopping state (present iff
 * `earlyStopping` is given, at the same epoch) and key (`resume.state.key` must be the step key
 * of `key`, so a resume with another key is an ArgumentError, not a silently different run).
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
 * if (r.history.trainAccuracy.length !== 30 || r.history.trainAccuracy[29] !== 1 || r.stoppedEpoch !== null) throw new Error()
 * // 10 epochs, then 20 more from where they ended: the same run, bit for bit
 * const o = { model, params: model.init(random.key(0), [1]).params, optimizer: adam(0.1), loss: losses.softmaxCrossEntropy, train: { x, y }, batchSize: 3, key: random.key(1) }
 * const resumed = fit({ ...o, epochs: 30, resume: fit({ ...o, epochs: 10 }).resume })
 * if (resumed.history.trainLoss.join() !== fit({ ...o, epochs: 30 }).history.trainLoss.join()) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function fit<P, S>(options: FitOptions<P, S>): FitResult<P, S> {
  const op = 'fit'
  if (options === null || typeof options !== 'object') throw new ArgumentError(op, `expected options { model, params, optimizer, loss, train, … }, got ${describe(options)}`)
  const { model, optimizer, loss, train, validation, epochs, batchSize, key, onEpoch, evalBatchSize } = options
  checkData(op, train, 'train')
  if (validation !== undefined) checkData(op, validation, 'validation')
  if (!Number.isSafeInteger(epochs) || epochs < 0) throw new ArgumentError(op, `epochs must be a non-negative integer, got ${describe(epochs)}`)
  if (!random.isKey(key)) throw new ArgumentError(op, `key must be a random key, got ${describe(key)}`)
  if (onEpoch !== undefined && typeof onEpoch !== 'function') throw new ArgumentError(op, `onEpoch must be a function, got ${describe(onEpoch)}`)
  const stopper = options.earlyStopping === undefined ? undefined : makeEarlyStopping(options.earlyStopping)
  if (stopper !== undefined && validation === undefined) throw new ArgumentError(op, 'earlyStopping needs validation data: pass validation: { x, y } (split from the training data, never the test set)')

  const [shuffleKey, stepKey] = random.split(key)
  const step = trainStep({ model, optimizer, loss })
  const start = options.resume === undefined ? undefined : checkResume(op, options.resume, stepKey, stopper !== undefined)
  let state = start?.state ?? initTrainState(options.params, optimizer, stepKey)
  let es: EarlyStoppingState<P> | undefined = start?.earlyStopping ?? stopper?.init<P>()
  const copy = (xs: readonly number[] | undefined) => (xs === undefined ? [] : [...xs])
  const history = {
    trainLoss: copy(start?.history.trainLoss), trainAccuracy: copy(start?.history.trainAccuracy),
    validationLoss: copy(start?.history.validationLoss), validationAccuracy: copy(start?.history.validationAccuracy),
  }
  let stoppedEpoch: number | null = es?.stop === true ? (start as FitResume<P, S>).epoch - 1 : null
  const evalOpts = evalBatchSize === undefined ? {} : { batchSize: evalBatchSize }
  const snapshot = (epoch: number): FitResume<P, S> => ({
    epoch, state, history: { trainLoss: [...history.trainLoss], trainAccuracy: [...history.trainAccuracy], validationLoss: [...history.validationLoss], validationAccuracy: [...history.validationAccuracy] },
    ...(es === undefined ? {} : { earlyStopping: es }),
  })

  for (let epoch = start?.epoch ?? 0; epoch < epochs && stoppedEpoch === null; epoch++) {
    const bs = batches(random.foldIn(shuffleKey, epoch), train, batchSize)
    for (let b = 0; b < bs.length; b++) {
      const next = step(state, bs[b])
      const paths = nonFinitePaths(next.params)
      if (!Number.isFinite(next.loss) || paths.length > 0) {
        throw new TrainingDivergedError({ epoch, step: state.step, batch: b, loss: next.loss, paths, params: state.params })
      }
      state = next
    }
    // Checked once per epoch (a cheap pass): an accumulator that overflowed stays +Infinity, so
    // nothing is missed, and the per-step cost stays on the params alone.
    const statePaths = nonFiniteStatePaths(state.optState)
    if (statePaths.length > 0) {
      throw new TrainingDivergedError({ epoch, step: state.step - 1, batch: bs.length - 1, loss: state.loss, paths: [], statePaths, params: state.params })
    }
    const t = evaluate(model, state.params, train, loss, evalOpts)
    const v = validation === undefined ? { loss: NaN, accuracy: NaN } : evaluate(model, state.params, validation, loss, evalOpts)
    history.trainLoss.push(t.loss)
    history.trainAccuracy.push(t.accuracy)
    history.validationLoss.push(v.loss)
    history.validationAccuracy.push(v.accuracy)
    // the early-stopping state is updated before onEpoch, so the log's `resume` is complete
    if (stopper !== undefined) es = stopper(es, v.loss, state.params)
    onEpoch?.({ epoch, trainLoss: t.loss, trainAccuracy: t.accuracy, validationLoss: v.loss, validationAccuracy: v.accuracy, params: state.params, state, resume: snapshot(epoch + 1) })
    if (es?.stop === true) stoppedEpoch = epoch
  }
  const bestEpoch = argmin(history.validationLoss)
  const params = stopper !== undefined && stopper.options.restoreBest && es?.bestParams !== undefined ? es.bestParams : state.params
  return { params, history, bestEpoch, stoppedEpoch, state, resume: snapshot(history.trainLoss.length) }
}

/** Checks a `resume` option against the run it claims to continue. */
function checkResume<P, S>(op: string, r: FitResume<P, S>, stepKey: Key, withEarlyStopping: boolean): FitResume<P, S> {
  if (r === null || typeof r !== 'object') throw new ArgumentError(op, `resume must be { epoch, state, history, earlyStopping? } (a FitResume), got ${describe(r)}`)
  const { epoch, state, history, earlyStopping: es } = r
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new ArgumentError(op, `resume.epoch must be a non-negative integer, got ${describe(epoch)}`)
  if (state === null || typeof state !== 'object' || !random.isKey(state.key) || !Number.isSafeInteger(state.step)) {
    throw new ArgumentError(op, `resume.state must be a TrainState { params, optState, key, step, loss }, got ${describe(state)}`)
  }
  const [a, b] = random.keyData(state.key), [c, d] = random.keyData(stepKey)
  if (a !== c || b !== d) throw new ArgumentError(op, `resume.state.key [${a}, ${b}] is not the step key of this key [${c}, ${d}]: resume with the key the run started with`)
  const names = ['trainLoss', 'trainAccuracy', 'validationLoss', 'validationAccuracy'] as const
  for (const k of names) {
    const xs = (history as Partial<History> | null)?.[k]
    if (!Array.isArray(xs) || xs.length !== epoch) throw new ArgumentError(op, `resume.history.${k} must hold one entry per epoch done (${epoch}), got ${describe(xs)}`)
  }
  if (withEarlyStopping !== (es !== undefined)) {
    throw new ArgumentError(op, withEarlyStopping ? 'resume has no earlyStopping state, but earlyStopping is given: resume from the same kind of run' : 'resume has an earlyStopping state, but no earlyStopping option is given: pass the options of the run it came from')
  }
  if (es !== undefined && (es === null || typeof es !== 'object' || es.epoch !== epoch)) throw new ArgumentError(op, `resume.earlyStopping must be the early-stopping state after epoch ${epoch} (its epoch ${epoch}), got ${describe(es)}`)
  return r
}

/** The index of the smallest non-NaN value (the first on ties), −1 if none. */
function argmin(xs: readonly number[]): number {
  let best = -1
  for (let i = 0; i < xs.length; i++) if (!Number.isNaN(xs[i]) && (best < 0 || xs[i] < xs[best])) best = i
  return best
}

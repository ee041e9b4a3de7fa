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
import { describe } from '../tensor/Tensor.js'
import { type Data, batches, checkData } from './batches.js'
import { type History } from './diagnose.js'
import { TrainingDivergedError, nonFinitePaths } from './diverged.js'
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
  /** The whole train state at the end of this epoch (params, optimizer state, key, step): checkpoint it to resume. */
  readonly state: TrainState<P, S>
}

/**
 * The options of `fit`. `train` and `validation` are `{ x, y }` with the batch on axis 0;
 * `loss(logits, y)` returns a scalar (a mean over the batch); `key` drives the shuffling and
 * dropout; `earlyStopping` takes the options of `earlyStopping` (it needs `validation`);
 * `evalBatchSize` (default 1024) bounds the rows evaluated at once.
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
}

/**
 * What `fit` returns: `params` (the best epoch's when early stopping with `restoreBest`, else
 * the last), `history` (one entry per epoch run), `bestEpoch` (the epoch of the lowest
 * validation loss; −1 without validation data), `stoppedEpoch` (the epoch after which early
 * stopping ended the run, or null when every epoch ran) and `state` (the final `TrainState`, to
 * resume or checkpoint).
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
 * Divergence: after every step, a non-finite batch loss or non-finite updated params THROW a
 * `TrainingDivergedError` with the epoch, step, batch, loss, the paths of the non-finite params,
 * and the last finite params — rather than training on garbage.
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
  let state = initTrainState(options.params, optimizer, stepKey)
  let es: EarlyStoppingState<P> | undefined
  const history = { trainLoss: [] as number[], trainAccuracy: [] as number[], validationLoss: [] as number[], validationAccuracy: [] as number[] }
  let stoppedEpoch: number | null = null
  const evalOpts = evalBatchSize === undefined ? {} : { batchSize: evalBatchSize }

  for (let epoch = 0; epoch < epochs; epoch++) {
    const bs = batches(random.foldIn(shuffleKey, epoch), train, batchSize)
    for (let b = 0; b < bs.length; b++) {
      const next = step(state, bs[b])
      const paths = nonFinitePaths(next.params)
      if (!Number.isFinite(next.loss) || paths.length > 0) {
        throw new TrainingDivergedError({ epoch, step: state.step, batch: b, loss: next.loss, paths, params: state.params })
      }
      state = next
    }
    const t = evaluate(model, state.params, train, loss, evalOpts)
    const v = validation === undefined ? { loss: NaN, accuracy: NaN } : evaluate(model, state.params, validation, loss, evalOpts)
    history.trainLoss.push(t.loss)
    history.trainAccuracy.push(t.accuracy)
    history.validationLoss.push(v.loss)
    history.validationAccuracy.push(v.accuracy)
    onEpoch?.({ epoch, trainLoss: t.loss, trainAccuracy: t.accuracy, validationLoss: v.loss, validationAccuracy: v.accuracy, params: state.params, state })
    if (stopper !== undefined) {
      es = stopper(es, v.loss, state.params)
      if (es.stop) {
        stoppedEpoch = epoch
        break
      }
    }
  }
  const bestEpoch = argmin(history.validationLoss)
  const params = stopper !== undefined && stopper.options.restoreBest && es?.bestParams !== undefined ? es.bestParams : state.params
  return { params, history, bestEpoch, stoppedEpoch, state }
}

/** The index of the smallest non-NaN value (the first on ties), −1 if none. */
function argmin(xs: readonly number[]): number {
  let best = -1
  for (let i = 0; i < xs.length; i++) if (!Number.isNaN(xs[i]) && (best < 0 || xs[i] < xs[best])) best = i
  return best
}

/**
 * What every recipe experiment shares: its context (data, size, seed), its result record and a
 * small helper that trains a model for some epochs through `fit` and records the history.
 *
 * @internal
 */
import { type Key, type Tensor, ArgumentError, random, reshape } from '../../index.js'
import type { Layer } from '../../nn/index.js'
import type { GradientTransformation } from '../../optim/index.js'
import { type BatchLog, type Data, type Loss, fit } from '../../train/index.js'
import { type Dataset, EVAL_CHUNK, crossEntropy, toData } from '../dataset.js'
import type { Point } from '../plot.js'

/** The sizes of a recipe run. */
export interface Size {
  readonly name: 'tiny' | 'quick' | 'full'
  readonly train: number
  readonly epochs: number
}

/** What each experiment receives. */
export interface Context {
  readonly train: Dataset
  readonly validation: Dataset
  readonly test: Dataset
  readonly size: Size
  readonly seed: number
  readonly log: (line: string) => void
  /** A progress callback for one model's training, labelled (e.g. 'adam'); see ./progress.ts. */
  readonly progress: (label: string) => Tick
}

/** Progress of one model: after batch `batch` of `batches` in epoch `epoch` (from 1) of `epochs`. */
export type Tick = (epoch: number, epochs: number, batch: number, batches: number, loss: number) => void

/** What each experiment returns: a table (with its configuration) and plots. */
export interface Result {
  readonly id: string
  readonly title: string
  readonly config: string
  readonly header: readonly string[]
  readonly rows: readonly (readonly (string | number)[])[]
  readonly numbers: Record<string, unknown>
  readonly plots: readonly { readonly name: string; readonly spec: object }[]
  readonly lecture: string
  /** Lines printed under the table (e.g. a test accuracy), wrapped to 100 columns. */
  readonly notes?: readonly string[]
  /** Where this run's numbers contradict the lecture, in plain words (empty when they agree). */
  readonly differs: readonly string[]
}

/** Options of `train`. `penalty` is `fit`'s: a scalar of the params added to the loss of every batch. */
export interface TrainOptions<P> {
  readonly model: Layer<P>
  readonly optimizer: GradientTransformation<unknown>
  readonly data: Dataset
  readonly epochs: number
  readonly key: Key
  readonly batchSize?: number
  readonly loss?: Loss
  readonly validation?: Dataset
  readonly penalty?: (params: unknown) => Tensor
  readonly progress?: Tick
  /** The shape of one example, e.g. [28, 28, 1] for a CNN: the flat rows are reshaped to it (default [d]). */
  readonly inputShape?: readonly number[]
}

/** One epoch of a history. */
export interface Epoch {
  readonly trainLoss: number
  readonly trainAccuracy: number
  readonly validationLoss: number
  readonly validationAccuracy: number
  readonly params: unknown
}

/** A dataset as tensors whose examples have `shape` (its d features, reshaped row-major). */
export function shapedData(data: Dataset, shape: readonly number[]): Data {
  const size = shape.reduce((a, b) => a * b, 1)
  if (size !== data.d) throw new ArgumentError('recipe train', `inputShape [${shape.join(', ')}] holds ${size} features, the data has ${data.d} per example`)
  const t = toData(data)
  return shape.length === 1 ? t : { x: reshape(t.x, [data.n, ...shape]), y: t.y }
}

/**
 * Trains from a fresh init (`[initKey, fitKey] = split(key)`) with `purediff/train`'s `fit`; the
 * history's numbers are fit's, measured after each epoch in test mode (NaN without validation).
 * With `inputShape` the model is initialised for examples of that shape and fed the rows so
 * reshaped (training and validation alike).
 */
export function train<P>(o: TrainOptions<P>): { params: P; history: Epoch[] } {
  const [initKey, fitKey] = random.split(o.key, 2)
  const shape = o.inputShape ?? [o.data.d]
  const history: Epoch[] = []
  let sum = 0
  const { progress } = o
  const r = fit({
    model: o.model,
    params: o.model.init(initKey, shape).params,
    optimizer: o.optimizer,
    loss: o.loss ?? crossEntropy,
    ...(o.penalty === undefined ? {} : { penalty: o.penalty }),
    train: shapedData(o.data, shape),
    ...(o.validation === undefined ? {} : { validation: shapedData(o.validation, shape) }),
    epochs: o.epochs,
    batchSize: o.batchSize ?? 100,
    evalBatchSize: EVAL_CHUNK,
    key: fitKey,
    ...(progress === undefined
      ? {}
      : {
          onBatch: (b: BatchLog<unknown, unknown>) => {
            sum = b.batch === 0 ? b.loss : sum + b.loss
            progress(b.epoch + 1, o.epochs, b.batch + 1, b.batches, sum / (b.batch + 1))
          },
        }),
    onEpoch: (e) => {
      history.push({ trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy, validationLoss: e.validationLoss, validationAccuracy: e.validationAccuracy, params: e.params })
    },
  })
  return { params: r.params, history }
}

/** Curve points of one series from a history; x counts epochs from 1 (epoch 1 = after one pass), as every table of the recipe does. */
export function curve(series: string, history: readonly Epoch[], pick: (e: Epoch) => number): Point[] {
  return history.map((e, i) => ({ series, x: i + 1, y: pick(e) }))
}

/** A number as a 4-decimal string. */
export const f4 = (n: number): string => n.toFixed(4)

/**
 * What every recipe experiment shares: its context (data, size, seed), its result record and a
 * small helper that trains a model for some epochs and records the history.
 *
 * @internal
 */
import { type Key, random } from '../../index.js'
import type { Layer } from '../../nn/index.js'
import type { GradientTransformation } from '../../optim/index.js'
import { type Dataset, type Loss, crossEntropy, evaluateOn, trainEpoch } from '../loop.js'
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

/** Options of `train`. */
export interface TrainOptions {
  readonly model: Layer<any>
  readonly optimizer: GradientTransformation<any>
  readonly data: Dataset
  readonly epochs: number
  readonly key: Key
  readonly batchSize?: number
  readonly loss?: Loss
  readonly validation?: Dataset
  readonly penalty?: (params: unknown) => import('../../index.js').Tensor
  readonly project?: (before: unknown, after: unknown) => unknown
  readonly progress?: Tick
}

/** One epoch of a history. */
export interface Epoch { readonly trainLoss: number; readonly trainAccuracy: number; readonly validationLoss: number; readonly validationAccuracy: number; readonly params: unknown }

/** Trains from a fresh init; the history's train numbers are measured after each epoch in test mode. */
export function train(o: TrainOptions): { params: unknown; history: Epoch[] } {
  const [initKey, loopKey] = random.split(o.key, 2)
  let params = o.model.init(initKey, [o.data.d]).params
  let state = { params, opt: o.optimizer.init(params) }
  const history: Epoch[] = []
  for (let e = 0; e < o.epochs; e++) {
    const onBatch = o.progress === undefined ? undefined : (b: number, nb: number, loss: number) => o.progress?.(e + 1, o.epochs, b, nb, loss)
    state = trainEpoch(state, o.data, { model: o.model, optimizer: o.optimizer, loss: o.loss ?? crossEntropy, batchSize: o.batchSize ?? 100, key: random.foldIn(loopKey, e), penalty: o.penalty, project: o.project, onBatch }).state
    params = state.params
    const tr = evaluateOn(o.model, params, o.data, o.loss ?? crossEntropy)
    const va = o.validation === undefined ? { loss: NaN, accuracy: NaN } : evaluateOn(o.model, params, o.validation, o.loss ?? crossEntropy)
    history.push({ trainLoss: tr.loss, trainAccuracy: tr.accuracy, validationLoss: va.loss, validationAccuracy: va.accuracy, params })
  }
  return { params, history }
}

/** Curve points of one series from a history; x counts epochs from 1 (epoch 1 = after one pass), as every table of the recipe does. */
export function curve(series: string, history: readonly Epoch[], pick: (e: Epoch) => number): Point[] {
  return history.map((e, i) => ({ series, x: i + 1, y: pick(e) }))
}

/** A number as a 4-decimal string. */
export const f4 = (n: number): string => n.toFixed(4)

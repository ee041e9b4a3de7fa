/**
 * The CLI's private training loop: mini-batch epochs over an in-memory dataset, evaluation,
 * per-layer gradient norms and a plain JSON checkpoint format. The CLI keeps its own loop (not
 * `purediff/train`'s `fit`) so the recipe controls exactly what it records per epoch.
 *
 * @internal
 */
import { type Key, type Tensor, add, argmax, fromArray, item, oneHot, random, toFlatArray, valueAndGrad } from '../index.js'
import type { Layer } from '../nn/index.js'
import { losses } from '../nn/index.js'
import { type GradientTransformation, applyUpdates } from '../optim/index.js'

/** A dataset held as a flat row-major Float32Array of `n` rows of `d` features plus labels. */
export interface Dataset {
  readonly x: Float32Array
  readonly y: readonly number[]
  readonly n: number
  readonly d: number
  readonly classes: number
}

/** Rows `idx` of a dataset as tensors: x `[b, d]` and one-hot y `[b, classes]`. */
export function rows(data: Dataset, idx: readonly number[]): { x: Tensor; y: Tensor } {
  const out = new Float32Array(idx.length * data.d)
  idx.forEach((r, i) => out.set(data.x.subarray(r * data.d, (r + 1) * data.d), i * data.d))
  return { x: fromArray(out, [idx.length, data.d]), y: oneHot(idx.map((r) => data.y[r]), data.classes) }
}

/** A dataset with Gaussian noise of standard deviation `std` added to every feature. */
export function withNoise(key: Key, data: Dataset, std: number): Dataset {
  const noise = toFlatArray(random.normal(key, [data.n * data.d], { std }))
  const x = new Float32Array(data.x.length)
  for (let i = 0; i < x.length; i++) x[i] = data.x[i] + noise[i]
  return { ...data, x }
}

/** Loss function of (logits, one-hot targets). */
export type Loss = (logits: Tensor, y: Tensor) => Tensor

/** Cross-entropy on logits. */
export const crossEntropy: Loss = (logits, y) => losses.softmaxCrossEntropy(logits, y)

/** What one epoch of training reports. */
export interface EpochStats { readonly loss: number; readonly accuracy: number }

/** Options of `trainEpoch`. */
export interface EpochOptions {
  readonly model: Layer<any>
  readonly optimizer: GradientTransformation<any>
  readonly loss: Loss
  readonly batchSize: number
  readonly key: Key
  /** Extra loss on the params (e.g. an L1/L2 penalty), added to the data loss for the gradient. */
  readonly penalty?: (params: unknown) => Tensor
  /** Called after each batch (for the progress bar). */
  readonly onBatch?: (batch: number, batches: number, loss: number) => void
  /** Applied to the params after each update (e.g. truncating L1: weights that cross 0 stop at 0). */
  readonly project?: (before: unknown, after: unknown) => unknown
  /** Checked after each batch: true stops the epoch early (Ctrl-C). */
  readonly interrupted?: () => boolean
}

/** One epoch state: params and optimizer state. */
export interface TrainState { readonly params: unknown; readonly opt: unknown }

/** What a batch step needs (the options of `trainEpoch` but the key and the callbacks). */
export type BatchOptions = Pick<EpochOptions, 'model' | 'optimizer' | 'loss' | 'batchSize' | 'penalty' | 'project'>

/** One epoch's order of the rows and dropout key (both from the epoch's key), and its number of batches. */
export interface EpochPlan { readonly order: readonly number[]; readonly dropKey: Key; readonly batches: number }

/** The plan of an epoch: `[permKey, dropKey] = split(key)`, the rows in `permutation(permKey, n)` order, cut into batches of `batchSize`. */
export function epochPlan(data: Dataset, batchSize: number, key: Key): EpochPlan {
  const [permKey, dropKey] = random.split(key, 2)
  return { order: random.permutation(permKey, data.n), dropKey, batches: Math.ceil(data.n / batchSize) }
}

/** What one batch step gives: the new state, the batch's data loss (before the update), its correct predictions and its size. */
export interface BatchResult { readonly state: TrainState; readonly loss: number; readonly correct: number; readonly size: number }

/**
 * Batch `b` of an epoch: rows `order[b·batchSize …]`, dropout key `foldIn(dropKey, b)`, one
 * gradient step. Throws when the loss is not finite, since continuing would only spread NaN.
 */
export function trainBatch(state: TrainState, data: Dataset, plan: EpochPlan, b: number, o: BatchOptions): BatchResult {
  const idx = plan.order.slice(b * o.batchSize, (b + 1) * o.batchSize)
  const { x, y } = rows(data, idx)
  let logitsOut: Tensor | undefined
  const f = (p: unknown): Tensor => {
    const logits = o.model.apply(p, x, { train: true, key: random.foldIn(plan.dropKey, b) })
    logitsOut = logits
    const l = o.loss(logits, y)
    return o.penalty === undefined ? l : add(l, o.penalty(p))
  }
  const [, grads] = valueAndGrad(f)(state.params)
  const dataLoss = item(o.loss(logitsOut as Tensor, y))
  if (!Number.isFinite(dataLoss)) throw new Error(`the training loss became ${dataLoss} at batch ${b}; lower the learning rate or change the initialisation`)
  const [updates, opt] = o.optimizer.update(grads, state.opt, state.params)
  const updated = applyUpdates(state.params as never, updates as never) as unknown
  const params = o.project === undefined ? updated : o.project(state.params, updated)
  return { state: { params, opt }, loss: dataLoss, correct: countCorrect(logitsOut as Tensor, idx.map((r) => data.y[r])), size: idx.length }
}

/**
 * One epoch of mini-batch training. Returns the new state and the running mean of the batch
 * losses and accuracies (computed during training, with dropout on). Throws when a loss is not
 * finite, since continuing would only spread NaN.
 */
export function trainEpoch(state: TrainState, data: Dataset, o: EpochOptions): { state: TrainState; stats: EpochStats; complete: boolean } {
  const plan = epochPlan(data, o.batchSize, o.key)
  let s = state
  let lossSum = 0
  let correct = 0
  let seen = 0
  for (let b = 0; b < plan.batches; b++) {
    if (o.interrupted?.() === true) return { state: s, stats: { loss: lossSum / Math.max(seen, 1), accuracy: correct / Math.max(seen, 1) }, complete: false }
    const r = trainBatch(s, data, plan, b, o)
    s = r.state
    lossSum += r.loss * r.size
    correct += r.correct
    seen += r.size
    o.onBatch?.(b + 1, plan.batches, lossSum / seen)
  }
  return { state: s, stats: { loss: lossSum / seen, accuracy: correct / seen }, complete: true }
}

function countCorrect(logits: Tensor, labels: readonly number[]): number {
  const pred = toFlatArray(argmax(logits, 1))
  let c = 0
  pred.forEach((p, i) => { if (p === labels[i]) c++ })
  return c
}

/** The rows evaluated at once by `evaluateOn`. */
export const EVAL_CHUNK = 1000

/** The summed loss and the correct predictions on rows `[start, start + EVAL_CHUNK)` (test mode). */
export function evaluateChunk(model: Layer<any>, params: unknown, data: Dataset, start: number, loss: Loss = crossEntropy): { lossSum: number; correct: number } {
  const idx = Array.from({ length: Math.min(EVAL_CHUNK, data.n - start) }, (_, i) => start + i)
  const { x, y } = rows(data, idx)
  const logits = model.apply(params, x)
  return { lossSum: item(loss(logits, y)) * idx.length, correct: countCorrect(logits, idx.map((r) => data.y[r])) }
}

/** Loss and accuracy of a model on a dataset in test mode, in chunks of 1000 rows. */
export function evaluateOn(model: Layer<any>, params: unknown, data: Dataset, loss: Loss = crossEntropy): EpochStats {
  let lossSum = 0
  let correct = 0
  for (let s = 0; s < data.n; s += EVAL_CHUNK) {
    const c = evaluateChunk(model, params, data, s, loss)
    lossSum += c.lossSum
    correct += c.correct
  }
  return { loss: lossSum / data.n, accuracy: correct / data.n }
}

/** The gradient of the loss on a batch with respect to the params. */
export function gradientsOn(model: Layer<any>, params: unknown, batch: { x: Tensor; y: Tensor }, loss: Loss = crossEntropy): unknown {
  return valueAndGrad((p: unknown) => loss(model.apply(p, batch.x), batch.y))(params)[1]
}

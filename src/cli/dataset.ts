/**
 * The CLI's datasets: features as one flat row-major Float32Array and integer labels, as the
 * data files and MNIST are read; `toData` turns one into the `{ x, y }` tensors (int32 class
 * indices as targets) that `purediff/train` trains and evaluates on with the integer-label loss.
 *
 * @internal
 */
import { type Key, type Tensor, fromArray, random, toFlatArray } from '../index.js'
import type { Layer } from '../nn/index.js'
import { losses } from '../nn/index.js'
import { type Data, type Evaluation, type Loss, evaluate } from '../train/index.js'

/** A dataset held as a flat row-major Float32Array of `n` rows of `d` features plus labels. */
export interface Dataset {
  readonly x: Float32Array
  readonly y: readonly number[]
  readonly n: number
  readonly d: number
  readonly classes: number
  /** For a subset: the index of each row in the data it was taken from (file or MNIST order). */
  readonly rows?: readonly number[]
}

/** The rows evaluated at once (`evaluate`'s batch size) by the CLI and the recipe. */
export const EVAL_CHUNK = 1000

/**
 * Cross-entropy on logits against int32 class indices: the loss of every CLI run. The same loss
 * as softmaxCrossEntropy against one-hot targets (the same value, bit for bit), without the
 * one-hot matrix of every batch.
 */
export const crossEntropy: Loss = (logits, y) => losses.softmaxCrossEntropyWithIntegerLabels(logits, y)

/** The labels as an int32 tensor `[n]` (the codecs already checked they are integers in range). */
const labels = (y: readonly number[]): Tensor => fromArray(y, [y.length], 'int32')

/** The whole dataset as tensors: x `[n, d]` and int32 labels y `[n]`. */
export function toData(data: Dataset): Data {
  return { x: fromArray(data.x, [data.n, data.d]), y: labels(data.y) }
}

/** Rows `idx` of a dataset as tensors: x `[b, d]` and int32 labels y `[b]`. */
export function rows(data: Dataset, idx: readonly number[]): { x: Tensor; y: Tensor } {
  const out = new Float32Array(idx.length * data.d)
  idx.forEach((r, i) => {
    out.set(data.x.subarray(r * data.d, (r + 1) * data.d), i * data.d)
  })
  return {
    x: fromArray(out, [idx.length, data.d]),
    y: labels(idx.map((r) => data.y[r])),
  }
}

/** A dataset with Gaussian noise of standard deviation `std` added to every feature. */
export function withNoise(key: Key, data: Dataset, std: number): Dataset {
  const noise = toFlatArray(random.normal(key, [data.n * data.d], { std }))
  const x = new Float32Array(data.x.length)
  for (let i = 0; i < x.length; i++) x[i] = data.x[i] + noise[i]
  return { ...data, x }
}

/** Loss and accuracy of a model on a dataset in test mode (`evaluate`, in chunks of `EVAL_CHUNK` rows). */
export function evaluateOn<P>(model: Layer<P>, params: unknown, data: Dataset, loss: Loss = crossEntropy): Evaluation {
  return evaluate(model, params as P, toData(data), loss, { batchSize: EVAL_CHUNK })
}

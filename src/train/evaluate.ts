/**
 * Evaluation in test mode (no dropout), batch by batch so that memory stays bounded.
 *
 * @since 0.1.0
 */
import { ArgumentError, item } from '../index.js'
import { type Layer, accuracy } from '../nn/index.js'
import { dataOf } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import type { Tensor } from '../tensor/Tensor.js'
import { type Data, checkData, rowRange } from './batches.js'
import type { Loss } from './trainStep.js'

// --- model

/**
 * The result of `evaluate`: the mean loss and the accuracy over the whole data set.
 *
 * @category model
 * @since 0.1.0
 */
export interface Evaluation {
  readonly loss: number
  readonly accuracy: number
}

/**
 * Options of `evaluate`: `batchSize` (default 1024) bounds the rows run at once.
 *
 * @category model
 * @since 0.1.0
 */
export interface EvaluateOptions {
  readonly batchSize?: number
}

// --- operations

/**
 * The loss and accuracy of `model` with `params` on `data`, in test mode (`ctx.train` false, so
 * dropout is off), over consecutive batches of `batchSize` rows:
 * `loss = Σ_b n_b·loss_b / n` (exact for a loss that is a mean over its batch, as every loss of
 * purediff/nn is) and `accuracy` = the fraction of rows classified right: for targets with more
 * than one column, argmax of the logits = argmax of the targets (`accuracy` of purediff/nn); for
 * ONE column (binary, sigmoid logits), `logit > 0` ⇔ `target > 0.5`; for int32 class indices,
 * one per row of the logits (shape `logits.shape[:-1]`), argmax of the logits = the index; NaN
 * for other targets of rank 1 or of another shape than the logits (regression). Empty data
 * gives NaN for both.
 *
 * @example
 * import { random, tensor } from 'purediff'
 * import { dense, losses } from 'purediff/nn'
 * import { evaluate } from 'purediff/train'
 * const model = dense(2)
 * const params = { w: tensor([[1, -1]]), b: tensor([0, 0]) }
 * const data = { x: tensor([[1], [-1], [2]]), y: tensor([[1, 0], [1, 0], [1, 0]]) }
 * const r = evaluate(model, params, data, losses.softmaxCrossEntropy, { batchSize: 2 })
 * if (r.accuracy !== 2 / 3 || !(r.loss > 0)) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function evaluate<P>(model: Layer<P>, params: P, data: Data, loss: Loss, options: EvaluateOptions = {}): Evaluation {
  const op = 'evaluate'
  const { x, y, n } = checkData(op, data)
  if (model === null || typeof model !== 'object' || typeof model.apply !== 'function') throw new ArgumentError(op, `model must be a layer { init, apply }, got ${describe(model)}`)
  if (typeof loss !== 'function') throw new ArgumentError(op, `loss must be a function (logits, y) => scalar tensor, got ${describe(loss)}`)
  const batchSize = options.batchSize ?? 1024
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ArgumentError(op, `batchSize must be a positive integer, got ${describe(batchSize)}`)
  if (n === 0) return { loss: NaN, accuracy: NaN }
  let lossSum = 0
  let hits = 0
  let classified = true
  for (let start = 0; start < n; start += batchSize) {
    const c = evaluateChunk(model, params, x, y, loss, start, Math.min(n, start + batchSize))
    lossSum += c.lossSum
    if (c.hits === null) classified = false
    else hits += c.hits
  }
  return { loss: lossSum / n, accuracy: classified ? hits / n : NaN }
}

/**
 * Rows `[start, end)` in test mode: `lossSum` = (end − start)·loss of those rows, `hits` = the
 * rows classified right (null when the targets are not class labels). `evaluate` sums these in
 * order; `fit` does the same chunk by chunk, so both give the same bits. @internal
 */
export function evaluateChunk<P>(model: Layer<P>, params: P, x: Tensor, y: Tensor, loss: Loss, start: number, end: number): { lossSum: number; hits: number | null } {
  const xb = rowRange(x, start, end),
    yb = rowRange(y, start, end)
  const logits = model.apply(params, xb, { train: false })
  return { lossSum: item(loss(logits, yb)) * (end - start), hits: hitsOf(logits, yb) }
}

/** The number of rows classified right, or null when the targets are not class labels. */
function hitsOf(logits: Tensor, y: Tensor): number | null {
  // int32 class indices, one per row of logits (losses.softmaxCrossEntropyWithIntegerLabels)
  if (y.dtype === 'int32' && logits.rank === y.rank + 1 && y.shape.every((d, i) => d === logits.shape[i])) {
    return y.size === 0 || logits.shape[y.rank] === 0 ? null : Math.round(accuracy(logits, y) * y.size)
  }
  if (y.rank < 2 || logits.rank !== y.rank || logits.shape.some((d, i) => d !== y.shape[i])) return null
  const last = y.shape[y.rank - 1]
  if (last === 0) return null
  if (last > 1) return Math.round(accuracy(logits, y) * (y.size / last))
  const z = dataOf(logits),
    t = dataOf(y)
  let hits = 0
  for (let i = 0; i < t.length; i++) if (z[i] > 0 === t[i] > 0.5) hits++
  return hits
}

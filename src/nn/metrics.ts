/**
 * Metrics: plain numbers computed from concrete tensors, not differentiable.
 *
 * @since 0.1.0
 */
import { type Tensor, ShapeError, argmax, toFlatArray } from '../index.js'
import { checkInput, fmt } from './checks.js'

// --- operations

/**
 * Classification accuracy, a number in [0, 1]: the fraction of rows (all axes but the last)
 * whose argmax of `logits` equals the argmax of `oneHot` (ties: the first maximum, in both).
 * Shapes must be equal and non-empty. Not differentiable (it returns a number).
 *
 * @example
 * import { tensor } from 'purediff'
 * import { accuracy } from 'purediff/nn'
 * const logits = tensor([[2, 1], [0, 3], [5, -1]])
 * const labels = tensor([[1, 0], [1, 0], [1, 0]])
 * if (accuracy(logits, labels) !== 2 / 3) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function accuracy(logits: Tensor, oneHot: Tensor): number {
  const op = 'accuracy'
  const z = checkInput(op, logits, 1)
  const y = checkInput(op, oneHot, 1)
  if (z.rank !== y.rank || z.shape.some((d, i) => d !== y.shape[i])) {
    throw new ShapeError(op, `logits ${fmt(z.shape)} and labels ${fmt(y.shape)} must have the same shape`)
  }
  if (z.size === 0) throw new ShapeError(op, `logits of shape ${fmt(z.shape)} are empty: no rows or no classes`)
  const a = toFlatArray(argmax(z, -1))
  const b = toFlatArray(argmax(y, -1))
  let hits = 0
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) hits++
  return hits / a.length
}

/**
 * Metrics: plain numbers computed from concrete tensors, not differentiable.
 *
 * @since 0.1.0
 */
import { type Tensor, ArgumentError, DTypeError, ShapeError, argmax, toFlatArray } from '../index.js'
import { checkInput, fmt } from './checks.js'

// --- operations

/**
 * Classification accuracy, a number in [0, 1]: the fraction of rows (all axes but the last)
 * whose argmax of `logits` equals the row's class. `labels` are either one-hot (any dtype, the
 * shape of `logits`; the class is their argmax, ties: the first maximum, in both) or int32 class
 * indices of shape `logits.shape[:-1]`, each in `[0, C)` — the two forms give the same number.
 * Shapes must fit and be non-empty; float labels of the index shape are a DTypeError (cast them
 * to int32), an index outside `[0, C)` an ArgumentError naming it. Not differentiable (it
 * returns a number).
 *
 * @example
 * import { tensor } from 'purediff'
 * import { accuracy } from 'purediff/nn'
 * const logits = tensor([[2, 1], [0, 3], [5, -1]])
 * const labels = tensor([[1, 0], [1, 0], [1, 0]])
 * if (accuracy(logits, labels) !== 2 / 3) throw new Error()
 * if (accuracy(logits, tensor([0, 0, 0], 'int32')) !== 2 / 3) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function accuracy(logits: Tensor, labels: Tensor): number {
  const op = 'accuracy'
  const z = checkInput(op, logits, 1)
  const y = checkInput(op, labels, 0)
  const c = z.shape[z.rank - 1]
  const indices = y.rank === z.rank - 1
  if (!(indices || y.rank === z.rank) || y.shape.some((d, i) => d !== z.shape[i])) {
    throw new ShapeError(op, `logits ${fmt(z.shape)} and labels ${fmt(y.shape)}: labels must be one-hot of the same shape or class indices of shape ${fmt(z.shape.slice(0, -1))}`)
  }
  if (z.size === 0) throw new ShapeError(op, `logits of shape ${fmt(z.shape)} are empty: no rows or no classes`)
  if (indices && y.dtype !== 'int32') {
    throw new DTypeError(op, `class-index labels of shape ${fmt(y.shape)} must be int32, got ${y.dtype}; cast them with cast(labels, 'int32')`)
  }
  const a = toFlatArray(argmax(z, -1))
  const b = indices ? toFlatArray(y) : toFlatArray(argmax(y, -1))
  let hits = 0
  for (let i = 0; i < a.length; i++) {
    if (indices && !(b[i] >= 0 && b[i] < c)) throw new ArgumentError(op, `label ${b[i]} at row ${i} is outside [0, ${c}): logits have ${c} classes`)
    if (a[i] === b[i]) hits++
  }
  return hits / a.length
}

/**
 * Losses, exported as the namespace `losses`: each returns a scalar tensor, the mean over the
 * batch (axis 0 and any other leading axes), and is stable for extreme logits.
 *
 * @since 0.1.0
 */
import { type Tensor, DTypeError, ShapeError, logSoftmax, mean, mul, neg, softplus, square, sub, sum } from '../index.js'
import { checkInput, fmt } from './checks.js'
import { logSoftmaxDot, softmaxCrossEntropyRows } from '../ops/fused.js'
import { isFloat } from '../tensor/dtype.js'

function samePair(op: string, a: unknown, b: unknown, names: [string, string], minRank: number): [Tensor, Tensor] {
  const x = checkInput(op, a, minRank)
  const y = checkInput(op, b, minRank)
  if (x.rank !== y.rank || x.shape.some((d, i) => d !== y.shape[i])) {
    throw new ShapeError(
      op,
      `${names[0]} ${fmt(x.shape)} and ${names[1]} ${fmt(y.shape)} must have the same shape (no broadcasting: [n] against [n,1] would silently compare every pair)`,
    )
  }
  if (x.size === 0) throw new ShapeError(op, `${names[0]} of shape ${fmt(x.shape)} is empty; a mean over no examples is undefined`)
  return [x, y]
}

// --- operations

/**
 * Mean squared error: (1/N)·Σᵢ (predᵢ − targetᵢ)² over EVERY element (N = all elements, as
 * Keras: the mean over the batch of the per-example mean). Shapes must be equal.
 *
 * @example
 * import { item, tensor } from 'purediff'
 * import { losses } from 'purediff/nn'
 * // ((1 − 0)² + (2 − 4)²) / 2 = 2.5
 * if (item(losses.mse(tensor([[1], [2]]), tensor([[0], [4]]))) !== 2.5) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function mse(predictions: Tensor, targets: Tensor): Tensor {
  const [p, t] = samePair('losses.mse', predictions, targets, ['predictions', 'targets'], 0)
  return mean(square(sub(p, t)))
}

/**
 * Softmax cross-entropy: −(1/B)·Σ_b Σ_c y_bc·log softmax(z_b)_c, classes on the last axis, the
 * mean over the B examples of the leading axes. Computed through log-softmax (log-sum-exp
 * shifted by the max), so logits like ±1000 give a finite loss and the finite gradient
 * (softmax(z) − y)/B. Labels may be one-hot or any distribution per row.
 *
 * @example
 * import { grad, item, tensor, toFlatArray } from 'purediff'
 * import { losses } from 'purediff/nn'
 * const y = tensor([[1, 0]], 'float64')
 * // z = [0, 0]: −log ½ = ln 2
 * if (item(losses.softmaxCrossEntropy(tensor([[0, 0]], 'float64'), y)) !== Math.LN2) throw new Error()
 * // z = [−1000, 1000]: the loss is 2000 and the gradient softmax(z) − y = [−1, 1], both finite
 * const z = tensor([[-1000, 1000]], 'float64')
 * if (item(losses.softmaxCrossEntropy(z, y)) !== 2000) throw new Error()
 * if (toFlatArray(grad((l: typeof z) => losses.softmaxCrossEntropy(l, y))(z)).join() !== '-1,1') throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function softmaxCrossEntropy(logits: Tensor, oneHot: Tensor): Tensor {
  const [z, y] = samePair('losses.softmaxCrossEntropy', logits, oneHot, ['logits', 'labels'], 1)
  // One dtype: one fused pass, bitwise the same as the composition (which promotes mixed dtypes).
  return neg(mean(z.dtype === y.dtype ? logSoftmaxDot(z, y) : sum(mul(y, logSoftmax(z, -1)), -1)))
}

/**
 * Softmax cross-entropy against integer class indices: (1/B)·Σ_b (logSumExp(z_b) − z_b[label_b]),
 * the mean over the B rows of the leading axes, for float logits `[..., C]` and int32 `labels`
 * of shape `logits.shape[:-1]`. Equal to `softmaxCrossEntropy(logits, oneHot(labels, C))`
 * without building the one-hot (the backward pass builds its mask); the gradient
 * (softmax(z) − onehot(label))/B flows to the logits only. Stable for logits like ±1000.
 * Throws a DTypeError for labels that are not int32 (cast them: `cast(labels, 'int32')`), a
 * ShapeError unless the shapes fit, and an ArgumentError naming a label outside `[0, C)`
 * (never clamped).
 *
 * @example
 * import { item, tensor } from 'purediff'
 * import { losses } from 'purediff/nn'
 * const z = tensor([[0, 0], [-1000, 1000]], 'float64')
 * // row 0: log(e⁰ + e⁰) − 0 = ln 2; row 1: 1000 − (−1000) = 2000 (label 0); the mean of the two
 * if (item(losses.softmaxCrossEntropyWithIntegerLabels(z, tensor([1, 0], 'int32'))) !== (Math.LN2 + 2000) / 2) throw new Error()
 * @category operations
 * @since 0.2.0
 */
export function softmaxCrossEntropyWithIntegerLabels(logits: Tensor, labels: Tensor): Tensor {
  const op = 'losses.softmaxCrossEntropyWithIntegerLabels'
  const z = checkInput(op, logits, 1)
  const l = checkInput(op, labels, 0)
  if (l.dtype !== 'int32') {
    throw new DTypeError(op, `labels must be int32 class indices, got ${l.dtype}; cast them with cast(labels, 'int32'), or use softmaxCrossEntropy for one-hot or soft labels`)
  }
  if (!isFloat(z.dtype)) throw new DTypeError(op, `logits must be float32 or float64, got ${z.dtype}`)
  if (l.rank !== z.rank - 1 || l.shape.some((d, i) => d !== z.shape[i])) {
    throw new ShapeError(op, `labels ${fmt(l.shape)} must have the shape of logits ${fmt(z.shape)} without its last (class) axis, ${fmt(z.shape.slice(0, -1))}`)
  }
  if (l.size === 0) throw new ShapeError(op, `labels of shape ${fmt(l.shape)} are empty; a mean over no examples is undefined`)
  return mean(softmaxCrossEntropyRows(z, l))
}

/**
 * Sigmoid binary cross-entropy on logits z and labels y ∈ [0, 1]:
 * −y·log σ(z) − (1 − y)·log(1 − σ(z)) = max(z, 0) − z·y + log(1 + e^(−|z|)), the mean over every
 * element (as Keras: over the batch of the per-example mean). Computed as softplus(z) − z·y,
 * the same stable form (softplus is that max + log1p), whose derivative σ(z) − y is exact even
 * at z = 0, where max and |·| meet their kinks. It is −y·logSigmoid(z) − (1 − y)·logSigmoid(−z)
 * rewritten (logSigmoid(z) = z − softplus(z)), so finite for every finite logit (±1e4 gives
 * exact values, where log(sigmoid(z)) would give −Infinity).
 *
 * @example
 * import { item, tensor } from 'purediff'
 * import { losses } from 'purediff/nn'
 * // z = 0: −log ½ = ln 2 whatever the label
 * if (item(losses.sigmoidBinaryCrossEntropy(tensor([0, 0], 'float64'), tensor([1, 0], 'float64'))) !== Math.LN2) throw new Error()
 * // z = −1000 with y = 1: 1000; z = 1000 with y = 1: 0
 * if (item(losses.sigmoidBinaryCrossEntropy(tensor([-1000, 1000], 'float64'), tensor([1, 1], 'float64'))) !== 500) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function sigmoidBinaryCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const [z, y] = samePair('losses.sigmoidBinaryCrossEntropy', logits, labels, ['logits', 'labels'], 0)
  return mean(sub(softplus(z), mul(z, y)))
}

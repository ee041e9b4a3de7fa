/**
 * Losses, exported as the namespace `losses`: each returns a scalar tensor, the mean over the
 * batch (axis 0 and any other leading axes), and is stable for extreme logits.
 *
 * @since 0.1.0
 */
import { type Tensor, ShapeError, logSoftmax, mean, mul, neg, softplus, square, sub, sum } from '../index.js'
import { checkInput, fmt } from './checks.js'
import { logSoftmaxDot } from '../ops/fused.js'

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

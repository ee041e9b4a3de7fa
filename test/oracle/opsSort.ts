/**
 * The TF.js oracle's rows for topK, sort and argsort. TF.js has `tf.topk` (ties to the lower
 * index, as purediff) and no sort, argsort or TopK gradient, so:
 * - topK compares with `tf.topk` directly (values and indices);
 * - sort ascending is `tf.topk(x, n)` reversed (its values; with ties the reversed indices
 *   differ, the values do not), and argsort is `tf.topk(−x, n).indices` (negation keeps ties
 *   exact, so ties still go to the lower index: a stable ascending order);
 * - gradients compare with the TF.js composition a hand derivation gives, the input read at the
 *   tf.topk indices by a one-hot contraction: values[…, j] = Σᵢ oneHot(idx)[…, j, i]·x[…, i],
 *   so d/dx sends the cotangent of each value to its index, as purediff's scatter does.
 * Inputs are tie-heavy (a grid of exact values mixed with generic ones): both libraries break
 * ties the same way, so even the gradients at ties agree. TF.js has no defined NaN order: none here.
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import * as pd from '../../src/index.js'
import { type Input, inputsArb, mixed, shapeArb } from './harness.js'
import { type OpRow, bind, range } from './row.js'

const TIES = mixed([-1, 0, 0.5, 2], -3, 3)

/**
 * TF.js's x read at `idx` along the last axis, as a differentiable contraction with a one-hot.
 * The indices are copied into a new tensor first: TF.js has no stopGradient, and tf.grads
 * refuses a path through TopK or Equal even when it carries no gradient.
 */
export function takeLast(x: tf.Tensor, idx0: tf.Tensor): tf.Tensor {
  const n = x.shape[x.rank - 1]
  const idx = tf.tensor(idx0.dataSync(), idx0.shape, 'int32')
  // (tf.oneHot refuses depth 1: compare with a range instead)
  const hot = tf.cast(tf.equal(tf.expandDims(tf.cast(idx, 'int32'), -1), tf.range(0, n, 1, 'int32')), 'float32')
  return tf.sum(tf.mul(hot, tf.expandDims(x, -2)), -1)
}

/** TF.js's stable ascending argsort along the last axis. */
export const tfArgsortLast = (x: tf.Tensor): tf.Tensor => tf.topk(tf.neg(x), x.shape[x.rank - 1]).indices

/** Applies a last-axis TF.js function along axis `a` (swap it with the last, apply, swap back). */
function alongAxis(x: tf.Tensor, a: number, f: (u: tf.Tensor) => tf.Tensor): tf.Tensor {
  const r = x.rank
  const ax = a < 0 ? a + r : a
  if (ax === r - 1) return f(x)
  const swap = range(r).map((d) => (d === ax ? r - 1 : d === r - 1 ? ax : d))
  return tf.transpose(f(tf.transpose(x, swap)), swap)
}

/** x (rank ≥ 1, tie-heavy) and k in [minK, n]. */
const topKGen = (minK: number): fc.Arbitrary<readonly [Input[], number]> =>
  shapeArb({ minRank: 1, maxDim: 5 }).chain((s) => fc.tuple(inputsArb([s], [TIES]), fc.integer({ min: minK, max: s[s.length - 1] })))

/** x (rank ≥ 1, tie-heavy) and an axis. */
const axisGen: fc.Arbitrary<readonly [Input[], number]> = shapeArb({ minRank: 1, maxDim: 5 }).chain((s) =>
  fc.tuple(inputsArb([s], [TIES]), fc.integer({ min: -s.length, max: s.length - 1 })),
)

export const sortOps: OpRow[] = [
  {
    name: 'topK values (vs tf.topk)',
    forward: bind<number>(
      'topK',
      ([x], k) => pd.topK(x, k)[0],
      ([x], k) => tf.topk(x, k).values,
    )(topKGen(0)),
    grad: {
      arb: bind<number>(
        'topK',
        ([x], k) => pd.topK(x, k)[0],
        ([x], k) => takeLast(x, tf.topk(x, k).indices),
        // k ≥ 1: TF.js's Multiply gradient fails on an empty product
      )(topKGen(1)),
      wrt: [0],
    },
  },
  {
    name: 'topK indices (vs tf.topk)',
    forward: bind<number>(
      'topK',
      ([x], k) => pd.topK(x, k)[1],
      ([x], k) => tf.topk(x, k).indices,
    )(topKGen(0)),
  },
  {
    name: 'sort (vs tf.topk(x, n) reversed)',
    forward: bind<number>(
      'sort',
      ([x], a) => pd.sort(x, a),
      ([x], a) => alongAxis(x, a, (u) => tf.reverse(tf.topk(u, u.shape[u.rank - 1]).values, -1)),
    )(axisGen),
    grad: {
      arb: bind<number>(
        'sort',
        ([x], a) => pd.sort(x, a),
        ([x], a) => alongAxis(x, a, (u) => takeLast(u, tfArgsortLast(u))),
      )(axisGen),
      wrt: [0],
    },
  },
  {
    name: 'argsort (vs tf.topk(−x, n).indices)',
    forward: bind<number>(
      'argsort',
      ([x], a) => pd.argsort(x, a),
      ([x], a) => alongAxis(x, a, tfArgsortLast),
    )(axisGen),
  },
]

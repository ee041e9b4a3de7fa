/**
 * The TF.js oracle's rows for take, takeAlongAxis and scatterAdd (the model of a row in row.ts),
 * values and gradients. TF.js reads no negative index, so its side gets the indices with n added
 * to the negative ones; purediff's side gets them as generated (negatives included).
 * - take: `tf.gather` (any index rank, any axis); its gradient in TF.js is an unsorted segment sum;
 * - scatterAdd: target + `tf.scatterND` on axis 0 (values), and on any axis the closed form
 *   target + Σ_j oneHot(i_j)ᵀ·u_j, a batched matMul (values and gradients);
 * - takeAlongAxis: the closed form y[…, j] = Σ_k [i[…, j] = k]·x[…, k] along the axis moved last
 *   (oneHot, mul, sum), which also broadcasts the other axes as NumPy does.
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import * as pd from '../../src/index.js'
import { type Input, inputsArb, shapeArb, sizeOf } from './harness.js'
import { ANY, type OpRow, bind, row } from './row.js'

/** Indices: a flat list (negatives included), the shape it has, and the axis they index. */
interface Idx {
  readonly flat: readonly number[]
  readonly shape: readonly number[]
  readonly axis: number
}

const idxArb = (n: number, axis: number, shape: fc.Arbitrary<number[]>): fc.Arbitrary<Idx> =>
  shape.chain((s) => fc.array(fc.integer({ min: -n, max: n - 1 }), { minLength: sizeOf(s), maxLength: sizeOf(s) }).map((flat) => ({ flat, shape: s, axis })))

/** purediff's indices: an index tensor (exactly as generated). */
const pdIdx = (i: Idx): pd.Tensor => pd.fromArray(i.flat, i.shape, 'int32')
/** TF.js's indices: int32, the negative ones moved into [0, n). */
const tfIdx = (i: Idx, n: number): tf.Tensor =>
  tf.tensor(
    i.flat.map((k) => (k < 0 ? k + n : k)),
    i.shape.slice(),
    'int32',
  )

const indexShape = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 })

/** x of rank 1..3, an axis, and indices of rank 0..2 into it. */
const takeGen: fc.Arbitrary<readonly [Input[], Idx]> = shapeArb({ minRank: 1 }).chain((s) =>
  fc.integer({ min: 0, max: s.length - 1 }).chain((axis) => fc.tuple(inputsArb([s], [ANY]), idxArb(s[axis], axis, indexShape))),
)

/** A target, indices on one axis (axis 0 only when `axis0`), and updates of the matching shape. */
const scatterGen = (axis0: boolean): fc.Arbitrary<readonly [Input[], Idx]> =>
  shapeArb({ minRank: 1 }).chain((s) =>
    (axis0 ? fc.constant(0) : fc.integer({ min: 0, max: s.length - 1 })).chain((axis) =>
      idxArb(s[axis], axis, axis0 ? indexShape.map((i) => [i.length === 0 ? 2 : i[0]]) : indexShape).chain((i) =>
        fc.tuple(inputsArb([s, [...s.slice(0, axis), ...i.shape, ...s.slice(axis + 1)]], [ANY]), fc.constant(i)),
      ),
    ),
  )

/** x, an axis, and same-rank indices: m ≥ 1 entries on the axis, other axes equal or 1. */
const alongGen: fc.Arbitrary<readonly [Input[], Idx]> = shapeArb({ minRank: 1 }).chain((s) =>
  fc
    .tuple(fc.integer({ min: 0, max: s.length - 1 }), fc.integer({ min: 1, max: 3 }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))
    .chain(([axis, m, ones]) => fc.tuple(inputsArb([s], [ANY]), idxArb(s[axis], axis, fc.constant(s.map((d, i) => (i === axis ? m : ones[i] ? 1 : d)))))),
)

/** One-hot rows [… , n] as float32 (tf.oneHot refuses depth 1). */
const oneHot = (i: tf.Tensor, n: number): tf.Tensor => tf.cast(tf.equal(tf.expandDims(i, -1), tf.range(0, n, 1, 'int32')), 'float32')

const swapToLast = (rank: number, axis: number): number[] => Array.from({ length: rank }, (_, d) => (d === axis ? rank - 1 : d === rank - 1 ? axis : d))

/** takeAlongAxis in TF.js: move the axis last, y[…, j] = Σ_k oneHot(i[…, j])_k · x[…, k], move it back. */
function tfTakeAlong(x: tf.Tensor, i: Idx): tf.Tensor {
  const n = x.shape[i.axis]
  const p = swapToLast(x.rank, i.axis)
  const xt = tf.expandDims(tf.transpose(x, p), -2) // […, 1, n]
  const it = oneHot(tf.transpose(tfIdx(i, n), p), n) // […, m, n]
  return tf.transpose(tf.sum(tf.mul(it, xt), -1), p)
}

/** scatterAdd in TF.js on any axis: target + oneHot(i)ᵀ·u per batch of the leading axes (matMul). */
function tfScatterAdd(t: tf.Tensor, u: tf.Tensor, i: Idx): tf.Tensor {
  const a = i.axis
  const n = t.shape[a]
  const lead = sizeOf(t.shape.slice(0, a))
  const rest = sizeOf(t.shape.slice(a + 1))
  const m = i.flat.length
  const oh = tf.transpose(oneHot(tf.reshape(tfIdx(i, n), [m]), n)) // [n, m]
  const ohs = tf.tile(tf.expandDims(oh, 0), [lead, 1, 1]) // [lead, n, m]
  const add = tf.matMul(ohs, tf.reshape(u, [lead, m, rest])) // [lead, n, rest]
  return tf.add(t, tf.reshape(add, t.shape))
}

export const indexingOps: OpRow[] = [
  row(
    'take (vs tf.gather)',
    takeGen,
    ([x], i) => pd.take(x, pdIdx(i), i.axis),
    ([x], i) => tf.gather(x, tfIdx(i, x.shape[i.axis]), i.axis),
    [0],
  ),
  // values only: TF.js has no gradient for ScatterNd
  {
    name: 'scatterAdd (axis 0, vs target + tf.scatterND)',
    forward: bind<Idx>(
      'scatterAdd',
      ([t, u], i) => pd.scatterAdd(t, pdIdx(i), u),
      ([t, u], i) => tf.add(t, tf.scatterND(tf.reshape(tfIdx(i, t.shape[0]), [i.flat.length, 1]), u, t.shape)),
    )(scatterGen(true)),
  },
  row(
    'scatterAdd (any axis, vs target + oneHotᵀ·updates)',
    scatterGen(false),
    ([t, u], i) => pd.scatterAdd(t, pdIdx(i), u, i.axis),
    ([t, u], i) => tfScatterAdd(t, u, i),
    [0, 1],
  ),
  row(
    'takeAlongAxis (vs Σ oneHot(i)·x along the axis)',
    alongGen,
    ([x], i) => pd.takeAlongAxis(x, pdIdx(i), i.axis),
    ([x], i) => tfTakeAlong(x, i),
    [0],
  ),
]

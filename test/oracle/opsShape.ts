/**
 * The TF.js oracle's rows for the shape ops and linear algebra (the rest of the table is in
 * ops.ts; the model of a row in row.ts).
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import * as pd from '../../src/index.js'
import { type Input, broadcastFamily, broadcastShape, inputsArb, shapeArb, uniform } from './harness.js'
import { ANY, type OpRow, bind, noParams, range, row } from './row.js'

// --- shape ops

const one = (s: readonly number[]) => inputsArb([s], [ANY])

/** x with up to 4 axes, and a target shape regrouping the same axes (one entry maybe −1). */
const reshapeGen = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }).chain((dims) =>
  fc.tuple(
    one(dims),
    fc
      .tuple(
        fc.shuffledSubarray(dims, { minLength: dims.length, maxLength: dims.length }),
        fc.array(fc.boolean(), { minLength: dims.length, maxLength: dims.length }),
        fc.nat(),
        fc.boolean(),
      )
      .map(([perm, cuts, at, infer]) => {
        const target: number[] = []
        perm.forEach((d, i) => {
          if (i === 0 || cuts[i]) target.push(d)
          else target[target.length - 1] *= d
        })
        if (infer && target.length > 0) target[at % target.length] = -1
        return target
      }),
  ),
)

/** A shape with several axes of length 1, and the axes to squeeze (undefined: all of them). */
const squeezeGen = fc.array(fc.constantFrom(1, 1, 2, 3), { maxLength: 4 }).chain((s) => {
  const ones = range(s.length).filter((i) => s[i] === 1)
  // No empty axis list: TF.js reads squeeze(x, []) as "every 1-axis", purediff (as NumPy) as
  // "no axis".
  if (ones.length === 0) return fc.tuple(one(s), fc.constant(undefined))
  const some = fc
    .subarray(ones, { minLength: 1 })
    .chain((ax) => fc.tuple(...ax.map((a) => fc.constantFrom(a, a - s.length))))
    .map((a): number[] => a)
  return fc.tuple(one(s), fc.oneof(fc.constant(undefined), some))
})

const concatGen = fc.tuple(shapeArb({ minRank: 1 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 })).chain(([s, lens]) =>
  fc.integer({ min: -s.length, max: s.length - 1 }).chain((axis) => {
    const a = axis < 0 ? axis + s.length : axis
    return fc.tuple(
      inputsArb(
        lens.map((n) => s.map((d, i) => (i === a ? n : d))),
        [ANY],
      ),
      fc.constant(axis),
    )
  }),
)

const stackGen = fc.tuple(shapeArb(), fc.integer({ min: 1, max: 3 })).chain(([s, n]) =>
  fc.tuple(
    inputsArb(
      range(n).map(() => s),
      [ANY],
    ),
    fc.integer({ min: -(s.length + 1), max: s.length }),
  ),
)

// TF.js cannot slice a rank-0 tensor ("Slicing scalar is not possible"): rank ≥ 1 here.
const sliceGen = shapeArb({ minRank: 1 }).chain((s) =>
  fc
    .tuple(
      one(s),
      fc.tuple(...s.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: d - b })))))),
    )
    .map(([xs, bs]) => [xs, [bs.map(([b]) => b), bs.map(([, n]) => n)]] as const),
)

export const shapeOps: OpRow[] = [
  row(
    'reshape',
    reshapeGen,
    ([x], s) => pd.reshape(x, s),
    ([x], s) => tf.reshape(x, s),
    [0],
  ),
  row(
    'transpose',
    shapeArb().chain((s) => fc.tuple(one(s), fc.option(fc.shuffledSubarray(range(s.length), { minLength: s.length, maxLength: s.length }), { nil: undefined }))),
    ([x], p) => pd.transpose(x, p),
    ([x], p) => tf.transpose(x, p),
    [0],
  ),
  row(
    'expandDims',
    shapeArb().chain((s) => fc.tuple(one(s), fc.integer({ min: -(s.length + 1), max: s.length }))),
    ([x], a) => pd.expandDims(x, a),
    ([x], a) => tf.expandDims(x, a),
    [0],
  ),
  row(
    'squeeze',
    squeezeGen,
    ([x], a) => pd.squeeze(x, a),
    ([x], a) => tf.squeeze(x, a),
    [0],
  ),
  row(
    'broadcastTo',
    broadcastFamily(2, { firstFull: true }).chain(([full, s]) => fc.tuple(one(s), fc.constant(full))),
    ([x], s) => pd.broadcastTo(x, s),
    ([x], s) => tf.broadcastTo(x, s),
    [0],
  ),
  ...[0, 1, 2].map((n) =>
    row(
      `concat (${n + 1} inputs)`,
      concatGen.filter(([xs]) => xs.length === n + 1),
      (xs, a) => pd.concat([...xs], a),
      (xs, a) => tf.concat([...xs], a),
      range(n + 1),
    ),
  ),
  ...[0, 1, 2].map((n) =>
    row(
      `stack (${n + 1} inputs)`,
      stackGen.filter(([xs]) => xs.length === n + 1),
      (xs, a) => pd.stack([...xs], a),
      (xs, a) => tf.stack([...xs], a),
      range(n + 1),
    ),
  ),
  row(
    'slice',
    sliceGen,
    ([x], [b, n]) => pd.slice(x, b, n),
    ([x], [b, n]) => tf.slice(x, b, n),
    [0],
  ),
  {
    name: 'oneHot',
    forward: bind<readonly [number[], number]>(
      'oneHot',
      (_, [ix, d]) => pd.oneHot(ix, d),
      (_, [ix, d]) => tf.cast(tf.oneHot(tf.tensor1d(ix, 'int32'), d), 'float32'),
    )(
      // TF.js requires depth ≥ 2 ("depth must be >=2").
      fc
        .integer({ min: 2, max: 5 })
        .chain((d) => fc.tuple(fc.constant<Input[]>([]), fc.tuple(fc.array(fc.integer({ min: 0, max: d - 1 }), { minLength: 1, maxLength: 6 }), fc.constant(d)))),
    ),
  },
]

// --- linear algebra

const mat = (r: number, c: number, batch: readonly number[] = []) => [...batch, r, c]
const dims3 = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))

/**
 * TF.js's BatchMatMul gradient does not sum over broadcast batch axes (it throws "gradient of
 * input 'b' has shape '2,4,5', which does not match … '4,5'"), so the TF.js side broadcasts
 * the batch axes explicitly; broadcastTo's gradient sums them.
 */
function tfBatchedMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))
  return tf.matMul(tf.broadcastTo(a, [...batch, ...a.shape.slice(-2)]), tf.broadcastTo(b, [...batch, ...b.shape.slice(-2)]))
}

/** Rank 1 or 2 operands with matching inner sizes (vector·vector, matrix·vector, …). */
const vecMatGen = fc
  .tuple(dims3, fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }))
  .chain(([[m, k, n], ra, rb]) => inputsArb([ra === 1 ? [k] : [m, k], rb === 1 ? [k] : [k, n]], [uniform(-2, 2)]))

export const linalg: OpRow[] = [
  row(
    'matmul (2-D)',
    noParams(dims3.chain(([m, k, n]) => inputsArb([mat(m, k), mat(k, n)], [uniform(-2, 2)]))),
    ([a, b]) => pd.matmul(a, b),
    ([a, b]) => tf.matMul(a, b),
    [0, 1],
  ),
  row(
    'matmul (batched, broadcast batch axes)',
    noParams(fc.tuple(dims3, broadcastFamily(2, { maxRank: 2, maxDim: 3 })).chain(([[m, k, n], [ba, bb]]) => inputsArb([mat(m, k, ba), mat(k, n, bb)], [uniform(-2, 2)]))),
    ([a, b]) => pd.matmul(a, b),
    ([a, b]) => tfBatchedMatMul(a, b),
    [0, 1],
  ),
  row(
    'matmul (a vector operand)',
    noParams(vecMatGen.filter(([a, b]) => a.shape.length === 1 || b.shape.length === 1)),
    ([a, b]) => pd.matmul(a, b),
    ([a, b]) => tf.dot(a, b),
    [0, 1],
  ),
  row(
    'dot',
    noParams(vecMatGen),
    ([a, b]) => pd.dot(a, b),
    ([a, b]) => tf.dot(a, b),
    [0, 1],
  ),
]

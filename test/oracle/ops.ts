/**
 * The op table of the TF.js oracle: ONE row per op of the contract that TF.js also has. A row
 * says how to generate valid inputs and parameters (shapes that broadcast, values inside the
 * op's domain), how to call the op in each library, and which inputs to differentiate.
 *
 * Where TF.js only differs by convention, the gradient generator keeps away from the point and
 * a comment says why. Where TF.js is unable (broadcast gradients of maximum/minimum/matMul,
 * softmax off the last axis), the TF.js side is written so that it computes the same function.
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import * as pd from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { type Domain, broadcastFamily, broadcastShape, distinct, grid, inputsArb, mixed, nonzero, shapeArb, uniform } from './harness.js'
import { linalg, shapeOps } from './opsShape.js'
import { movementOps } from './opsMovement.js'
import { indexingOps } from './opsIndexing.js'
import { sortOps } from './opsSort.js'
import { poolOps } from './opsPool.js'
import { ANY, type OpRow, bind, noParams, range, row } from './row.js'

export type { OpRow } from './row.js'

// --- elementwise

/** Exact zeros mixed with generic points: for ops whose conventions at 0 agree. */
const WITH_ZERO = mixed([0, -1, 1], -5, 5)

function unary(name: string, pdf: (x: Tensor) => Tensor, tff: (x: tf.Tensor) => tf.Tensor, fwd: Domain, back: Domain | null = fwd): OpRow {
  const b = bind<undefined>(
    name,
    ([x]) => pdf(x),
    ([x]) => tff(x),
  )
  const arb = (d: Domain) => b(noParams(shapeArb().chain((s) => inputsArb([s], [d]))))
  return { name, forward: arb(fwd), ...(back ? { grad: { arb: arb(back), wrt: [0] } } : {}) }
}

function binary(name: string, pdf: (a: Tensor, b: Tensor) => Tensor, tff: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, domains: Domain[], differentiable = true): OpRow {
  const arb = bind<undefined>(
    name,
    ([a, b]) => pdf(a, b),
    ([a, b]) => tff(a, b),
  )(noParams(broadcastFamily(2).chain((ss) => inputsArb(ss, domains))))
  return { name, forward: arb, ...(differentiable ? { grad: { arb, wrt: [0, 1] } } : {}) }
}

/**
 * TF.js's Maximum/Minimum gradients do not sum the cotangent back over broadcast axes (it
 * throws "gradient of input 'b' has shape …"), so on the TF.js side both operands are broadcast
 * explicitly first; broadcastTo's own gradient then does the summing.
 */
function tfBroadcasting(f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) {
  return (a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
    const s = broadcastShape(a.shape, b.shape)
    return f(tf.broadcastTo(a, s), tf.broadcastTo(b, s))
  }
}

const asFloat = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => tf.cast(f(a, b), 'float32')

const clipBound = (vals: number[], min: number, max: number) => fc.oneof(fc.constantFrom(...vals), fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true }))

const NUMBER_OPS = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const
const PD_NUMBER_OPS = { add: pd.add, sub: pd.sub, mul: pd.mul, div: pd.div, maximum: pd.maximum, minimum: pd.minimum }
const TF_NUMBER_OPS = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div, maximum: tf.maximum, minimum: tf.minimum }

const elementwise: OpRow[] = [
  binary('add', pd.add, tf.add, [ANY]),
  binary('sub', pd.sub, tf.sub, [ANY]),
  binary('mul', pd.mul, tf.mul, [ANY]),
  binary('div', pd.div, tf.div, [ANY, nonzero(0.25, 4)]),
  // Domain: a positive base (TF.js takes ∂/∂b = 0 for a ≤ 0 where purediff gives NaN for a < 0).
  binary('pow', pd.pow, tf.pow, [uniform(0.1, 3), uniform(-3, 3)]),
  // At a = 0 with b ≥ 1 both take ∂/∂b = 0 and ∂/∂a = b·0^(b−1) (1 at b = 1).
  binary('pow (zero base, exponent ≥ 1)', pd.pow, tf.pow, [mixed([0], 0, 3), mixed([1], 1, 3)]),
  // Ties included on purpose: both libraries send a tie's gradient to the first argument.
  binary('maximum', pd.maximum, tfBroadcasting(tf.maximum), [mixed([-1, 0, 1], -3, 3)]),
  binary('minimum', pd.minimum, tfBroadcasting(tf.minimum), [mixed([-1, 0, 1], -3, 3)]),
  binary('equal', pd.equal, asFloat(tf.equal), [grid(-1, 0, 1)], false),
  binary('greater', pd.greater, asFloat(tf.greater), [grid(-1, 0, 1)], false),
  binary('less', pd.less, asFloat(tf.less), [grid(-1, 0, 1)], false),
  unary('neg', pd.neg, tf.neg, ANY),
  // TF.js: abs′(0) = −1 (Abs_grad uses step(x, −1)); purediff: 0. Gradients avoid 0.
  unary('abs', pd.abs, tf.abs, WITH_ZERO, nonzero(1e-2, 5)),
  unary('sign', pd.sign, tf.sign, WITH_ZERO),
  unary('exp', pd.exp, tf.exp, uniform(-10, 10)),
  unary('log', pd.log, tf.log, uniform(1e-3, 100)),
  unary('log1p', pd.log1p, tf.log1p, uniform(-0.99, 100)),
  // sqrt′(0) is infinite: the gradient stays inside x > 0.
  unary('sqrt', pd.sqrt, tf.sqrt, uniform(0, 100), uniform(1e-2, 100)),
  unary('square', pd.square, tf.square, ANY),
  unary('sin', pd.sin, tf.sin, uniform(-10, 10)),
  unary('cos', pd.cos, tf.cos, uniform(-10, 10)),
  unary('tanh', pd.tanh, tf.tanh, uniform(-10, 10)),
  unary('sigmoid', pd.sigmoid, tf.sigmoid, uniform(-20, 20)),
  unary('softplus', pd.softplus, tf.softplus, uniform(-20, 20)),
  unary('logSigmoid', pd.logSigmoid, tf.logSigmoid, uniform(-20, 20)),
  unary('erf', pd.erf, tf.erf, uniform(-5, 5)),
  // rsqrt′(0) is infinite: the gradient stays inside x > 0.
  unary('rsqrt', pd.rsqrt, tf.rsqrt, uniform(1e-2, 100)),
  // TF.js 4.22 has no gelu or silu op: built from its ops (exact GELU through tf.erf).
  unary(
    'gelu',
    (x) => pd.gelu(x),
    (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
    uniform(-8, 8),
  ),
  unary(
    'gelu (approximate)',
    (x) => pd.gelu(x, { approximate: true }),
    (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))),
    uniform(-8, 8),
  ),
  unary('silu', pd.silu, (x) => tf.mul(x, tf.sigmoid(x)), uniform(-20, 20)),
  // relu′(0) = 0 and elu′(0) = 1 in both libraries, so 0 is kept in the gradient check.
  unary('relu', pd.relu, tf.relu, WITH_ZERO),
  unary('elu', (x) => pd.elu(x), tf.elu, WITH_ZERO),
  // Saturation (|x| up to 300): exp overflows to Infinity and sigmoid/tanh/softplus/elu
  // saturate; both must give the same Infinity, 0 or ±1 and the same (vanishing) gradient.
  unary('exp (saturated)', pd.exp, tf.exp, uniform(-300, 300)),
  unary('sigmoid (saturated)', pd.sigmoid, tf.sigmoid, uniform(-300, 300)),
  unary('tanh (saturated)', pd.tanh, tf.tanh, uniform(-300, 300)),
  unary('softplus (saturated)', pd.softplus, tf.softplus, uniform(-300, 300)),
  unary('logSigmoid (saturated)', pd.logSigmoid, tf.logSigmoid, uniform(-300, 300)),
  unary('elu (saturated)', (x) => pd.elu(x), tf.elu, uniform(-300, 300)),
  // leakyRelu′(0) = α in both libraries.
  row(
    'leakyRelu',
    fc.tuple(
      shapeArb().chain((s) => inputsArb([s], [WITH_ZERO])),
      fc.oneof(fc.constant(0.01), fc.float({ min: 0, max: 1, noNaN: true })),
    ),
    ([x], a) => pd.leakyRelu(x, a),
    ([x], a) => tf.leakyRelu(x, a),
    [0],
  ),
  // α broadcasts against x (the learned per-unit slope); x has the full shape, as TF.js's
  // Prelu gradient for x assumes. prelu′(0) = α in both.
  row(
    'prelu',
    noParams(broadcastFamily(2, { firstFull: true }).chain((ss) => inputsArb(ss, [WITH_ZERO, uniform(-1, 1)]))),
    ([x, a]) => pd.prelu(x, a),
    ([x, a]) => tf.prelu(x, a),
    [0, 1],
  ),
  // Values sit on lo and hi at times: both libraries pass the gradient at a tie. lo < hi:
  // TF.js turns clipByValue(x, c, c) into a constant fill (no gradient path at all).
  row(
    'clip',
    fc.tuple(
      shapeArb().chain((s) => inputsArb([s], [mixed([-1, -0.5, 0, 0.5, 1], -3, 3)])),
      fc.tuple(clipBound([-1, -0.5, 0], -2, 0), clipBound([0.5, 1], 0.25, 2)),
    ),
    ([x], [lo, hi]) => pd.clip(x, lo, hi),
    ([x], [lo, hi]) => tf.clipByValue(x, lo, hi),
    [0],
  ),
  row(
    'where',
    noParams(broadcastFamily(3).chain((ss) => inputsArb(ss, [grid(0, 1), ANY]))),
    ([c, a, b]) => pd.where(c, a, b),
    ([c, a, b]) => tf.where(tf.cast(c, 'bool'), a, b),
    [1, 2],
  ),
  // A plain number on either side of a binary op.
  row(
    'binary op with a number',
    fc.tuple(
      shapeArb().chain((s) => inputsArb([s], [nonzero(0.25, 4)])),
      fc.tuple(fc.constantFrom(...NUMBER_OPS), fc.float({ min: Math.fround(0.25), max: 4, noNaN: true }), fc.boolean()),
    ),
    ([x], [op, c, left]) => (left ? PD_NUMBER_OPS[op](c, x) : PD_NUMBER_OPS[op](x, c)),
    ([x], [op, c, left]) => (left ? TF_NUMBER_OPS[op](c, x) : TF_NUMBER_OPS[op](x, c)),
    [0],
  ),
  {
    // Forward only: a negative base with an integer exponent (real-valued in both).
    name: 'pow (negative base, integer exponent)',
    forward: bind<undefined>(
      'pow',
      ([a, b]) => pd.pow(a, b),
      ([a, b]) => tf.pow(a, b),
    )(noParams(broadcastFamily(2).chain((ss) => inputsArb(ss, [uniform(-3, 3), grid(-2, -1, 0, 1, 2, 3)])))),
  },
]

// --- reductions

type AxisP = number | number[] | undefined

/** undefined (all axes), one axis, or a set of axes in any order; negatives included. */
const axisArb = (rank: number): fc.Arbitrary<AxisP> =>
  rank === 0
    ? fc.constantFrom<AxisP>(undefined, [])
    : fc.oneof(
        fc.constant<AxisP>(undefined),
        fc.integer({ min: -rank, max: rank - 1 }),
        fc
          .shuffledSubarray(range(rank))
          .chain((ax) => fc.tuple(...ax.map((a) => fc.constantFrom(a, a - rank))))
          .map((a): AxisP => a),
      )

function reduction(name: string, pdf: (x: Tensor, axis: AxisP, keepDims: boolean) => Tensor, tff: (x: tf.Tensor, axis: AxisP, keepDims: boolean) => tf.Tensor, d: Domain): OpRow {
  const arb = bind<readonly [AxisP, boolean]>(
    name,
    ([x], [a, k]) => pdf(x, a, k),
    ([x], [a, k]) => tff(x, a, k),
  )(shapeArb().chain((s) => fc.tuple(inputsArb([s], [d]), fc.tuple(axisArb(s.length), fc.boolean()))))
  return { name, forward: arb, grad: { arb, wrt: [0] } }
}

/** TF.js softmax/logSoftmax only work along the last axis: move `axis` there and back. */
function tfAlongAxis(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, axis: number): tf.Tensor {
  const a = axis < 0 ? axis + x.rank : axis
  if (a === x.rank - 1) return f(x)
  const perm = range(x.rank)
  perm[a] = x.rank - 1
  perm[x.rank - 1] = a
  return tf.transpose(f(tf.transpose(x, perm)), perm)
}

function alongAxis(name: string, pdf: (x: Tensor, axis: number) => Tensor, tff: (x: tf.Tensor) => tf.Tensor, d: Domain): OpRow {
  const arb = bind<number>(
    name,
    ([x], a) => pdf(x, a),
    ([x], a) => tfAlongAxis(tff, x, a),
  )(shapeArb({ minRank: 1 }).chain((s) => fc.tuple(inputsArb([s], [d]), fc.integer({ min: -s.length, max: s.length - 1 }))))
  return { name, forward: arb, grad: { arb, wrt: [0] } }
}

const reductions: OpRow[] = [
  reduction('sum', pd.sum, (x, a, k) => tf.sum(x, a, k), ANY),
  reduction('mean', pd.mean, (x, a, k) => tf.mean(x, a, k), ANY),
  // Distinct values: at a tie TF.js gives EVERY maximal element the whole gradient (Max_grad
  // masks with equal(x, max)); purediff gives it to the first one only.
  reduction('max', pd.max, (x, a, k) => tf.max(x, a, k), distinct(-5, 5)),
  reduction('min', pd.min, (x, a, k) => tf.min(x, a, k), distinct(-5, 5)),
  reduction('logSumExp', pd.logSumExp, (x, a, k) => tf.logSumExp(x, a, k), uniform(-30, 30)),
  reduction('logSumExp (saturated)', pd.logSumExp, (x, a, k) => tf.logSumExp(x, a, k), uniform(-300, 300)),
  alongAxis('softmax', pd.softmax, (x) => tf.softmax(x), uniform(-10, 10)),
  alongAxis('softmax (saturated)', pd.softmax, (x) => tf.softmax(x), uniform(-300, 300)),
  alongAxis('logSoftmax', pd.logSoftmax, (x) => tf.logSoftmax(x), uniform(-10, 10)),
  alongAxis('logSoftmax (saturated)', pd.logSoftmax, (x) => tf.logSoftmax(x), uniform(-300, 300)),
  {
    // No gradient; distinct values so that "the first maximum" is unambiguous.
    name: 'argmax',
    forward: bind<number>(
      'argmax',
      ([x], a) => pd.argmax(x, a),
      ([x], a) => tf.cast(tf.argMax(x, a), 'float32'),
    )(shapeArb({ minRank: 1 }).chain((s) => fc.tuple(inputsArb([s], [distinct(-5, 5)]), fc.integer({ min: -s.length, max: s.length - 1 })))),
  },
]

// --- the table

export const OPS: readonly OpRow[] = [...elementwise, ...reductions, ...shapeOps, ...linalg, ...movementOps, ...indexingOps, ...sortOps, ...poolOps]

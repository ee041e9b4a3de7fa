/**
 * Random expression trees for the composition oracle: a menu of unary and binary ops over 1–3
 * inputs of broadcastable shapes, evaluated the same way in purediff and TF.js.
 *
 * Every menu entry is total on ℝ (domain-safe wrappers such as log(1 + x²), sqrt(1 + x²),
 * pow(1 + a², tanh b)), so any tree is valid. Entries with a kink (relu, abs, maximum, …) are
 * evaluated in purediff first by `hazard`, which rejects inputs that land within MARGIN of a
 * kink: there the two libraries may round to different sides and legitimately disagree.
 *
 * sortLast and topKLast (topK with k = n: a descending sort) sort the last axis; their TF.js side
 * reads x at the tf.topk indices (opsSort.ts), and hazard rejects rows with two values within
 * MARGIN of each other, where rounding may order them differently.
 *
 * Two entries keep the shape while exercising the movement and linear-algebra ops:
 * - roll: rotate the last axis by one, concat([slice(x, 1…), slice(x, 0, 1)], −1);
 * - attend: self-attention softmax(t·tᵀ)·x with t = tanh x (logits within ±4, so well
 *   conditioned), through matmul (batched over the leading axes), transpose and softmax; a
 *   rank-1 x is treated as one row (expandDims, then reshape back);
 * - shiftLast: shift the last axis right by one, zero-filled, as slice(pad(x, [1, 0]), …);
 * - gatherLast: take along the last axis (length n) at [−1, 0, 1, 1, 2, 2, …] (n entries: a
 *   negative index and repeats), `tf.gather` at the same indices moved into [0, n);
 * - scatterFirst: scatterAdd(x, those indices along axis 0, x), i.e. x plus its rows added into
 *   the rows they name, against x + `tf.unsortedSegmentSum`.
 * And the dtype ops: maskPos is where(x > 0, x, x/2) through a bool mask; modTwo is mod(x, 2)
 * (floor semantics; kinked at multiples of 2). GELU (exact) is written in TF.js from its erf.
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import * as pd from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { broadcastShape, maxAbs } from './harness.js'
import { takeLast, tfArgsortLast } from './opsSort.js'

// --- model

export const UNARY = [
  'neg',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'softplus',
  'square',
  'relu',
  'abs',
  'elu',
  'leakyRelu',
  'clip',
  'logSq',
  'log1pSq',
  'sqrtSq',
  'gauss',
  'sumLast',
  'meanFirst',
  'maxLast',
  'logSumExpLast',
  'softmax',
  'logSoftmax',
  'sortLast',
  'topKLast',
  'roll',
  'attend',
  'erf',
  'gelu',
  'geluTanh',
  'silu',
  'logSigmoid',
  'cumsumLast',
  'flipLast',
  'shiftLast',
  'maskPos',
  'modTwo',
  'gatherLast',
  'scatterFirst',
] as const
export const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const

export type UnaryName = (typeof UNARY)[number]
export type BinaryName = (typeof BINARY)[number]

export type Expr = { readonly op: 'input'; readonly index: number } | { readonly op: UnaryName; readonly x: Expr } | { readonly op: BinaryName; readonly a: Expr; readonly b: Expr }

/** How close to a kink (in absolute value) an argument may come before the case is rejected. */
export const MARGIN = 1e-3
/** Cases whose intermediate values exceed this magnitude are rejected (see the test file). */
export const BOUND = 100

// --- the menu in both libraries

const swapLast2 = (rank: number): number[] => {
  const p = Array.from({ length: rank }, (_, i) => i)
  p[rank - 2] = rank - 1
  p[rank - 1] = rank - 2
  return p
}

function pdRoll(x: Tensor): Tensor {
  const n = x.shape[x.rank - 1]
  if (n === 1) return x
  const at = (b: number, len: number) =>
    pd.slice(
      x,
      x.shape.map((_, i) => (i === x.rank - 1 ? b : 0)),
      x.shape.map((d, i) => (i === x.rank - 1 ? len : d)),
    )
  return pd.concat([at(1, n - 1), at(0, 1)], -1)
}

function tfRoll(x: tf.Tensor): tf.Tensor {
  const n = x.shape[x.rank - 1]
  if (n === 1) return x
  const at = (b: number, len: number) =>
    tf.slice(
      x,
      x.shape.map((_, i) => (i === x.rank - 1 ? b : 0)),
      x.shape.map((d, i) => (i === x.rank - 1 ? len : d)),
    )
  return tf.concat([at(1, n - 1), at(0, 1)], -1)
}

function pdAttend(x: Tensor): Tensor {
  const x2 = x.rank === 1 ? pd.expandDims(x, 0) : x
  const t = pd.tanh(x2)
  const y = pd.matmul(pd.softmax(pd.matmul(t, pd.transpose(t, swapLast2(t.rank)))), x2)
  return pd.reshape(y, x.shape)
}

function tfAttend(x: tf.Tensor): tf.Tensor {
  const x2 = x.rank === 1 ? tf.expandDims(x, 0) : x
  const t = tf.tanh(x2)
  const y = tf.matMul(tf.softmax(tf.matMul(t, tf.transpose(t, swapLast2(t.rank)))), x2)
  return tf.reshape(y, x.shape)
}

/** Shift right by one along the last axis, filling with 0: pad one before, then drop the last. */
function pdShift(x: Tensor): Tensor {
  const w = x.shape.map((_, i) => (i === x.rank - 1 ? ([1, 0] as [number, number]) : ([0, 0] as [number, number])))
  return pd.slice(
    pd.pad(x, w),
    x.shape.map(() => 0),
    x.shape,
  )
}
function tfShift(x: tf.Tensor): tf.Tensor {
  const w = x.shape.map((_, i) => (i === x.rank - 1 ? ([1, 0] as [number, number]) : ([0, 0] as [number, number])))
  return tf.slice(
    tf.pad(x, w),
    x.shape.map(() => 0),
    x.shape,
  )
}
/** n indices into an axis of length n: −1 first, then ⌊k/2⌋ (repeats from n = 3 on). */
const spread = (n: number): number[] => Array.from({ length: n }, (_, k) => (k === 0 ? -1 : Math.floor(k / 2)))
const nonNegative = (n: number): number[] => spread(n).map((k) => (k < 0 ? k + n : k))

interface Ops<T> {
  readonly unary: Record<UnaryName, (x: T) => T>
  readonly binary: Record<BinaryName, (a: T, b: T) => T>
}

const PD: Ops<Tensor> = {
  unary: {
    neg: pd.neg,
    sin: pd.sin,
    cos: pd.cos,
    tanh: pd.tanh,
    sigmoid: pd.sigmoid,
    softplus: pd.softplus,
    square: pd.square,
    relu: pd.relu,
    abs: pd.abs,
    elu: (x) => pd.elu(x),
    leakyRelu: (x) => pd.leakyRelu(x, 0.1),
    clip: (x) => pd.clip(x, -1, 1),
    logSq: (x) => pd.log(pd.add(1, pd.square(x))),
    log1pSq: (x) => pd.log1p(pd.square(x)),
    sqrtSq: (x) => pd.sqrt(pd.add(1, pd.square(x))),
    gauss: (x) => pd.exp(pd.neg(pd.square(x))),
    sumLast: (x) => pd.sum(x, -1, true),
    meanFirst: (x) => pd.mean(x, 0, true),
    maxLast: (x) => pd.max(x, -1, true),
    logSumExpLast: (x) => pd.logSumExp(x, -1, true),
    softmax: (x) => pd.softmax(x),
    logSoftmax: (x) => pd.logSoftmax(x),
    sortLast: (x) => pd.sort(x),
    topKLast: (x) => pd.topK(x, x.shape[x.rank - 1])[0],
    roll: pdRoll,
    attend: pdAttend,
    erf: pd.erf,
    gelu: (x) => pd.gelu(x),
    geluTanh: (x) => pd.gelu(x, { approximate: true }),
    silu: pd.silu,
    logSigmoid: pd.logSigmoid,
    cumsumLast: (x) => pd.cumsum(x, -1),
    flipLast: (x) => pd.flip(x, -1),
    shiftLast: pdShift,
    maskPos: (x) => pd.where(pd.greater(x, 0), x, pd.mul(x, 0.5)),
    modTwo: (x) => pd.mod(x, 2),
    gatherLast: (x) => pd.take(x, spread(x.shape[x.rank - 1]), -1),
    scatterFirst: (x) => pd.scatterAdd(x, spread(x.shape[0]), x),
  },
  binary: {
    add: pd.add,
    sub: pd.sub,
    mul: pd.mul,
    maximum: pd.maximum,
    minimum: pd.minimum,
    div: (a, b) => pd.div(a, pd.add(1, pd.square(b))),
    pow: (a, b) => pd.pow(pd.add(1, pd.square(a)), pd.tanh(b)),
  },
}

/** TF.js's Maximum/Minimum gradients skip un-broadcasting, so broadcast both operands first. */
const bcast = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => {
  const s = broadcastShape(a.shape, b.shape)
  return f(tf.broadcastTo(a, s), tf.broadcastTo(b, s))
}

const TF: Ops<tf.Tensor> = {
  unary: {
    neg: tf.neg,
    sin: tf.sin,
    cos: tf.cos,
    tanh: tf.tanh,
    sigmoid: tf.sigmoid,
    softplus: tf.softplus,
    square: tf.square,
    relu: tf.relu,
    abs: tf.abs,
    elu: tf.elu,
    leakyRelu: (x) => tf.leakyRelu(x, 0.1),
    clip: (x) => tf.clipByValue(x, -1, 1),
    logSq: (x) => tf.log(tf.add(1, tf.square(x))),
    log1pSq: (x) => tf.log1p(tf.square(x)),
    sqrtSq: (x) => tf.sqrt(tf.add(1, tf.square(x))),
    gauss: (x) => tf.exp(tf.neg(tf.square(x))),
    sumLast: (x) => tf.sum(x, -1, true),
    meanFirst: (x) => tf.mean(x, 0, true),
    maxLast: (x) => tf.max(x, -1, true),
    logSumExpLast: (x) => tf.logSumExp(x, -1, true),
    softmax: (x) => tf.softmax(x),
    logSoftmax: (x) => tf.logSoftmax(x),
    sortLast: (x) => takeLast(x, tfArgsortLast(x)),
    topKLast: (x) => takeLast(x, tf.topk(x, x.shape[x.rank - 1]).indices),
    roll: tfRoll,
    attend: tfAttend,
    erf: tf.erf,
    gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
    geluTanh: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))),
    silu: (x) => tf.mul(x, tf.sigmoid(x)),
    // tf.logSigmoid's own gradient reads a tensor its tidy already disposed: its closed form
    logSigmoid: (x) => tf.neg(tf.softplus(tf.neg(x))),
    // TF.js reads a negative axis wrongly (NaN): name the last axis by its index
    cumsumLast: (x) => tf.cumsum(x, x.rank - 1),
    flipLast: (x) => tf.reverse(x, -1),
    shiftLast: tfShift,
    // TF.js has no gradient for Greater: the mask is taken from a copy outside the tape
    maskPos: (x) => tf.where(tf.greater(tf.tensor(x.dataSync(), x.shape), 0), x, tf.mul(x, 0.5)),
    modTwo: (x) => tf.mod(x, 2),
    gatherLast: (x) => tf.gather(x, tf.tensor1d(nonNegative(x.shape[x.rank - 1]), 'int32'), x.rank - 1),
    scatterFirst: (x) => tf.add(x, tf.unsortedSegmentSum(x, tf.tensor1d(nonNegative(x.shape[0]), 'int32'), x.shape[0])),
  },
  binary: {
    add: tf.add,
    sub: tf.sub,
    mul: tf.mul,
    maximum: bcast(tf.maximum),
    minimum: bcast(tf.minimum),
    div: (a, b) => tf.div(a, tf.add(1, tf.square(b))),
    pow: (a, b) => tf.pow(tf.add(1, tf.square(a)), tf.tanh(b)),
  },
}

function evaluate<T>(ops: Ops<T>, e: Expr, xs: readonly T[]): T {
  switch (e.op) {
    case 'input':
      return xs[e.index]
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'pow':
    case 'maximum':
    case 'minimum':
      return ops.binary[e.op](evaluate(ops, e.a, xs), evaluate(ops, e.b, xs))
    default:
      return ops.unary[e.op](evaluate(ops, e.x, xs))
  }
}

export const evalPd = (e: Expr, xs: readonly Tensor[]): Tensor => evaluate(PD, e, xs)
export const evalTf = (e: Expr, xs: readonly tf.Tensor[]): tf.Tensor => evaluate(TF, e, xs)

// --- arbitraries

/**
 * Trees of depth 1..maxDepth over `nInputs` inputs: the root is always an op (a bare input
 * compares nothing), its subtrees have depth ≤ maxDepth − 1.
 */
export function exprArb(nInputs: number, maxDepth = 4): fc.Arbitrary<Expr> {
  const leaf = fc.integer({ min: 0, max: nInputs - 1 }).map((index): Expr => ({ op: 'input', index }))
  const node = (sub: fc.Arbitrary<Expr>) =>
    fc.oneof(
      fc.record({ op: fc.constantFrom(...UNARY), x: sub }).map((e): Expr => e),
      fc.record({ op: fc.constantFrom(...BINARY), a: sub, b: sub }).map((e): Expr => e),
    )
  const sub = fc.letrec<{ expr: Expr }>((tie) => ({
    expr: fc.oneof({ maxDepth: maxDepth - 1, depthSize: 'medium', withCrossShrink: true }, { arbitrary: leaf, weight: 1 }, { arbitrary: node(tie('expr')), weight: 3 }),
  })).expr
  return node(sub)
}

/** The inputs a tree reads. */
export function usedInputs(e: Expr, out = new Set<number>()): Set<number> {
  if (e.op === 'input') out.add(e.index)
  else if ('x' in e) usedInputs(e.x, out)
  else {
    usedInputs(e.a, out)
    usedInputs(e.b, out)
  }
  return out
}

export const show = (e: Expr): string => (e.op === 'input' ? `x${e.index}` : 'x' in e ? `${e.op}(${show(e.x)})` : `${e.op}(${show(e.a)}, ${show(e.b)})`)

// --- hazards

/** The smallest gap between the largest and second-largest value along the last axis. */
function topGap(t: Tensor): number {
  const v = pd.toFlatArray(t)
  const n = t.shape[t.rank - 1]
  let gap = Infinity
  for (let r = 0; r < v.length; r += n) {
    const row = v.slice(r, r + n).sort((a, b) => b - a)
    if (row.length > 1) gap = Math.min(gap, row[0] - row[1])
  }
  return gap
}

/** The smallest gap between any two values of a row along the last axis (ties: 0). */
function minGap(t: Tensor): number {
  const v = pd.toFlatArray(t)
  const n = t.shape[t.rank - 1]
  let gap = Infinity
  for (let r = 0; r < v.length; r += n) {
    const row = v.slice(r, r + n).sort((a, b) => a - b)
    for (let j = 1; j < row.length; j++) gap = Math.min(gap, row[j] - row[j - 1])
  }
  return gap
}

const minAbs = (t: Tensor, shift = 0): number => pd.toFlatArray(t).reduce((m, x) => Math.min(m, Math.abs(x - shift)), Infinity)

/**
 * Why the tree cannot be compared at these inputs, or null: an argument within MARGIN of a kink
 * (|x| for relu/abs/elu/leakyRelu, ±1 for clip, a − b for maximum/minimum, the top-2 gap for
 * max), or an intermediate value above BOUND.
 */
export function hazard(e: Expr, xs: readonly Tensor[]): string | null {
  let why: string | null = null
  const note = (cond: boolean, msg: string) => {
    if (cond && why === null) why = msg
  }
  const walk = (n: Expr): Tensor => {
    let y: Tensor
    if (n.op === 'input') y = xs[n.index]
    else if ('x' in n) {
      const x = walk(n.x)
      if (n.op === 'relu' || n.op === 'abs' || n.op === 'elu' || n.op === 'leakyRelu' || n.op === 'maskPos') note(minAbs(x) < MARGIN, `${n.op} near 0`)
      if (n.op === 'modTwo')
        note(
          pd.toFlatArray(x).some((v) => Math.abs(v / 2 - Math.round(v / 2)) * 2 < MARGIN),
          'mod near a multiple of 2',
        )
      if (n.op === 'clip') note(Math.min(minAbs(x, 1), minAbs(x, -1)) < MARGIN, 'clip near ±1')
      if (n.op === 'maxLast') note(topGap(x) < MARGIN, 'max near a tie')
      if (n.op === 'sortLast' || n.op === 'topKLast') note(minGap(x) < MARGIN, 'sort near a tie')
      y = PD.unary[n.op](x)
    } else {
      const a = walk(n.a),
        b = walk(n.b)
      if (n.op === 'maximum' || n.op === 'minimum') note(minAbs(pd.sub(a, b)) < MARGIN, `${n.op} near a tie`)
      y = PD.binary[n.op](a, b)
    }
    note(!(maxAbs(pd.toFlatArray(y)) <= BOUND), `a value above ${BOUND}`)
    return y
  }
  walk(e)
  return why
}

/**
 * The three benchmark workloads, each written twice side by side, once with purediff and once
 * with TF.js, on the same float32 numbers. A workload returns a `step` that does the whole job
 * once (for TF.js, including `dataSync()` so that the work is really done and read back), and
 * says how to turn milliseconds per step into the reported number.
 */
import type * as TF from '@tensorflow/tfjs'
import * as P from '../src/index.js'
import { uniformArray } from './util.js'

// --- model

export type Tf = typeof TF

export interface Workload {
  /** The row label of the results table. */
  readonly name: string
  /** The unit of the reported number and whether more is better. */
  readonly unit: 'GFLOP/s' | 'ms/step' | 'µs/op'
  /** Milliseconds per step → the reported number. */
  readonly report: (msPerStep: number) => number
  readonly purediff: () => () => void
  readonly tfjs: (tf: Tf) => () => void
  /** A number both implementations must agree on (a loss, an output), as [purediff, tfjs]. */
  readonly check: (tf: Tf) => readonly [number, number]
}

// --- (a) matmul

/** C = A·B for n×n float32 matrices; 2n³ flops per step. */
export function matmulWorkload(n: number): Workload {
  const a = uniformArray(n * n, 1), b = uniformArray(n * n, 2)
  return {
    name: `matmul ${n}×${n}`,
    unit: 'GFLOP/s',
    report: (ms) => (2 * n * n * n) / (ms * 1e6),
    purediff: () => {
      const A = P.fromArray(a, [n, n]), B = P.fromArray(b, [n, n])
      return () => { P.matmul(A, B) }
    },
    tfjs: (tf) => {
      const A = tf.tensor2d(a, [n, n]), B = tf.tensor2d(b, [n, n])
      return () => { tf.tidy(() => { tf.matMul(A, B).dataSync() }) }
    },
    check: (tf) => {
      const pd = P.toFlatArray(P.matmul(P.fromArray(a, [n, n]), P.fromArray(b, [n, n])))
      const t = tf.tidy(() => Array.from(tf.matMul(tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n])).dataSync()))
      return [pd[n * n - 1], t[n * n - 1]]
    },
  }
}

// --- (b) MLP forward + backward

const LAYERS = [784, 256, 128, 10] as const
const BATCH = 128

interface MlpData {
  readonly weights: readonly { readonly w: number[]; readonly b: number[]; readonly fanIn: number; readonly fanOut: number }[]
  readonly x: number[]
  readonly y: number[]
}

/** Glorot-uniform weights, zero biases, inputs in [-0.5, 0.5), labels i mod 10 one-hot. */
function mlpData(): MlpData {
  const weights = LAYERS.slice(1).map((fanOut, l) => {
    const fanIn = LAYERS[l]
    const limit = Math.sqrt(6 / (fanIn + fanOut))
    return { w: uniformArray(fanIn * fanOut, 10 + l).map((u) => 2 * limit * u), b: new Array<number>(fanOut).fill(0), fanIn, fanOut }
  })
  const x = uniformArray(BATCH * LAYERS[0], 99)
  const y = new Array<number>(BATCH * 10).fill(0)
  for (let i = 0; i < BATCH; i++) y[i * 10 + (i % 10)] = 1
  return { weights, x, y }
}

interface PdParams { readonly W1: P.Tensor; readonly b1: P.Tensor; readonly W2: P.Tensor; readonly b2: P.Tensor; readonly W3: P.Tensor; readonly b3: P.Tensor }

/** Softmax cross-entropy of a 784-256-128-10 ReLU MLP: −mean over the batch of Σ y·logSoftmax(logits). */
function pdLoss(p: PdParams, x: P.Tensor, y: P.Tensor): P.Tensor {
  const h1 = P.relu(P.add(P.matmul(x, p.W1), p.b1))
  const h2 = P.relu(P.add(P.matmul(h1, p.W2), p.b2))
  const logits = P.add(P.matmul(h2, p.W3), p.b3)
  return P.neg(P.mean(P.sum(P.mul(y, P.logSoftmax(logits)), 1)))
}

/** The same loss in TF.js, op for op. */
function tfLoss(tf: Tf, x: TF.Tensor, y: TF.Tensor, [W1, b1, W2, b2, W3, b3]: TF.Tensor[]): TF.Scalar {
  const h1 = tf.relu(tf.add(tf.matMul(x, W1), b1))
  const h2 = tf.relu(tf.add(tf.matMul(h1, W2), b2))
  const logits = tf.add(tf.matMul(h2, W3), b3)
  return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)))
}

function pdSetup(d: MlpData) {
  const [l1, l2, l3] = d.weights.map((l) => ({ W: P.fromArray(l.w, [l.fanIn, l.fanOut]), b: P.fromArray(l.b, [l.fanOut]) }))
  const params: PdParams = { W1: l1.W, b1: l1.b, W2: l2.W, b2: l2.b, W3: l3.W, b3: l3.b }
  return { params, x: P.fromArray(d.x, [BATCH, LAYERS[0]]), y: P.fromArray(d.y, [BATCH, 10]) }
}

function tfSetup(tf: Tf, d: MlpData) {
  const params = d.weights.flatMap((l) => [tf.tensor2d(l.w, [l.fanIn, l.fanOut]), tf.tensor1d(l.b)])
  return { params, x: tf.tensor2d(d.x, [BATCH, LAYERS[0]]), y: tf.tensor2d(d.y, [BATCH, 10]) }
}

/** One forward + backward pass of the MLP: loss and the gradient of all six parameters. */
export function mlpWorkload(): Workload {
  const d = mlpData()
  return {
    name: `MLP 784-256-128-10 batch ${BATCH} fwd+bwd`,
    unit: 'ms/step',
    report: (ms) => ms,
    purediff: () => {
      const { params, x, y } = pdSetup(d)
      const step = P.valueAndGrad(pdLoss)
      return () => { step(params, x, y) }
    },
    tfjs: (tf) => {
      const { params, x, y } = tfSetup(tf, d)
      const step = tf.valueAndGrads((...ps: TF.Tensor[]) => tfLoss(tf, x, y, ps))
      return () => {
        tf.tidy(() => {
          const { value, grads } = step(params)
          value.dataSync()
          for (const g of grads) g.dataSync()
        })
      }
    },
    check: (tf) => {
      const { params, x, y } = pdSetup(d)
      const t = tfSetup(tf, d)
      const tv = tf.tidy(() => tfLoss(tf, t.x, t.y, t.params).dataSync()[0])
      return [P.item(pdLoss(params, x, y)), tv]
    },
  }
}

// --- (c) a long chain of tiny elementwise ops

const CHAIN = 200
const LENGTH = 10

/** x ↦ …tanh(sin(x)·0.9 + 0.1)…, 200 ops cycling sin, ·0.9, +0.1, tanh. */
function pdChain(x: P.Tensor): P.Tensor {
  let t = x
  for (let i = 0; i < CHAIN; i++) {
    const r = i % 4
    t = r === 0 ? P.sin(t) : r === 1 ? P.mul(t, 0.9) : r === 2 ? P.add(t, 0.1) : P.tanh(t)
  }
  return t
}

function tfChain(tf: Tf, x: TF.Tensor): TF.Tensor {
  let t = x
  for (let i = 0; i < CHAIN; i++) {
    const r = i % 4
    t = r === 0 ? tf.sin(t) : r === 1 ? tf.mul(t, 0.9) : r === 2 ? tf.add(t, 0.1) : tf.tanh(t)
  }
  return t
}

/** The gradient of Σ chain(x) on a length-10 vector; reported per chain op (forward + backward). */
export function chainWorkload(): Workload {
  const x = uniformArray(LENGTH, 5)
  return {
    name: `grad of ${CHAIN}-op elementwise chain, length ${LENGTH}`,
    unit: 'µs/op',
    report: (ms) => (ms * 1000) / CHAIN,
    purediff: () => {
      const X = P.fromArray(x, [LENGTH])
      const g = P.grad((t: P.Tensor) => P.sum(pdChain(t)))
      return () => { g(X) }
    },
    tfjs: (tf) => {
      const X = tf.tensor1d(x)
      const g = tf.grad((t: TF.Tensor) => tf.sum(tfChain(tf, t)))
      return () => { tf.tidy(() => { g(X).dataSync() }) }
    },
    check: (tf) => {
      const pd = P.toFlatArray(P.grad((t: P.Tensor) => P.sum(pdChain(t)))(P.fromArray(x, [LENGTH])))
      const t = tf.tidy(() => Array.from(tf.grad((v: TF.Tensor) => tf.sum(tfChain(tf, v)))(tf.tensor1d(x)).dataSync()))
      return [pd[0], t[0]]
    },
  }
}

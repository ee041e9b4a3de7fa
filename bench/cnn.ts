/**
 * cnn: the LeNet-style MNIST CNN of issue 15, float32, channels-last:
 *   conv2d(6, 5) relu maxPool(2) conv2d(16, 5) relu maxPool(2) flatten dense(10)
 * ([28,28,1] → [24,24,6] → [12,12,6] → [8,8,16] → [4,4,16] → 256 → 10; 2,572 parameters),
 * softmax cross-entropy (mean over the batch), Adam(5e-3, β 0.9/0.999, ε 1e-7, TF.js's formula,
 * as mlp.ts; 5e-3 was the best of 1e-3, 3e-3, 5e-3, 1e-2, 2e-2 after 3 epochs: 94.1, 96.2, 96.7,
 * 96.7, 96.5% test accuracy in purediff). Glorot-uniform kernels from the bench's LCG (fans from the window, as Keras), zero
 * biases: every library starts from the same numbers.
 *
 * - `cnn-step`: one training step (forward, backward, Adam, the loss read back) on the first 64
 *   training digits, in ms. purediff: `sequential(conv2d, relu, maxPool2d, …)` + `trainStep`;
 *   TF.js cpu: `tf.conv2d`/`tf.maxPool` + `optimizer.minimize`; jax-js: the whole step under one
 *   `jit`. TF.js wasm cannot: it has no Conv2DBackpropFilter kernel, so the gradient throws.
 * - `cnn-mnist-*`: 3 epochs of batches of 64 on the 8,000/2,000 split of mnist.ts (the digits in
 *   the same LCG order in every library), then the test accuracy; wall time as in mnist.ts.
 *   jax-js only with --full (≈ 2.5 min); TF.js cpu never (≈ 8 s a step: ≈ 50 min).
 *
 * jax-js takes NCHW inputs and OIHW kernels: its kernels are the same numbers transposed, and its
 * dense kernel's rows are permuted to the NCHW flatten order (c·16 + h·4 + w instead of
 * (h·4 + w)·16 + c), all outside the timing, so it computes the same function. Its 2×2 max pool
 * is a reshape to [n, c, h/2, 2, w/2, 2] and a max over the two window axes (jax-js has no
 * maxPool; the windows do not overlap, so this is the same pool).
 */
import type * as TF from '@tensorflow/tfjs'
import type * as JAX from '@jax-js/jax'
import * as P from '../src/index.js'
import { type EmptyParams, type ParamsOf, accuracy, conv2d, dense, flatten, losses, maxPool2d, relu, sequential } from '../src/nn/index.js'
import { adam } from '../src/optim/index.js'
import { initTrainState, trainStep } from '../src/train/index.js'
import { type Mnist, loadMnist } from './mnist.js'
import type { Env, Jax, Outcome, RowSpec, Task, Tf } from './model.js'
import { must, permutation, timeStep, uniformF32 } from './util.js'

export const CNN_BATCH = 64
const EPOCHS = 3
export const CNN_LR = 5e-3
const B1 = 0.9,
  B2 = 0.999,
  EPS = 1e-7
const D = 784
const N_TRAIN = 8000
const N_TEST = 2000
export const NA_TFJS_WASM_CONV_GRAD = 'TF.js wasm has no Conv2DBackpropFilter kernel: the gradient of tf.conv2d throws there'

interface CnnWeights {
  /** [5,5,1,6], [6], [5,5,6,16], [16], [256,10], [10] */
  readonly w1: Float32Array
  readonly b1: Float32Array
  readonly w2: Float32Array
  readonly b2: Float32Array
  readonly w3: Float32Array
  readonly b3: Float32Array
}

function glorot(n: number, fanIn: number, fanOut: number, seed: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut))
  const w = uniformF32(n, seed)
  for (let i = 0; i < n; i++) w[i] *= 2 * limit
  return w
}

export function cnnWeights(): CnnWeights {
  return {
    w1: glorot(150, 25, 150, 51),
    b1: new Float32Array(6),
    w2: glorot(2400, 150, 400, 52),
    b2: new Float32Array(16),
    w3: glorot(2560, 256, 10, 53),
    b3: new Float32Array(10),
  }
}

/** HWIO → OIHW. */
function oihw(w: Float32Array, k: number, ci: number, co: number): Float32Array {
  const out = new Float32Array(w.length)
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * ci + i) * k + a) * k + b] = w[((a * k + b) * ci + i) * co + o]
  return out
}

/** The dense kernel's rows from the NHWC flatten order ((h·4 + w)·16 + c) to NCHW's (c·16 + h·4 + w). */
function chwRows(w3: Float32Array): Float32Array {
  const out = new Float32Array(w3.length)
  for (let hw = 0; hw < 16; hw++) for (let c = 0; c < 16; c++) out.set(w3.subarray((hw * 16 + c) * 10, (hw * 16 + c + 1) * 10), (c * 16 + hw) * 10)
  return out
}

interface Trainer {
  /** One step on a batch of `rows` digits (x [rows, 784] in [0, 1], y one-hot [rows, 10]); returns its loss. */
  readonly step: (x: Float32Array, y: Float32Array, rows: number) => number
  readonly accuracy: (d: Mnist) => number
  readonly flush?: () => Promise<void>
  readonly dispose?: () => void
}

function pdTrainer(w: CnnWeights): Trainer {
  const model = sequential(conv2d(6, 5), relu(), maxPool2d(2), conv2d(16, 5), relu(), maxPool2d(2), flatten(), dense(10))
  const t = (a: Float32Array, shape: number[]) => P.fromArray(a, shape)
  const none: EmptyParams = {}
  const params: ParamsOf<typeof model> = [
    { w: t(w.w1, [5, 5, 1, 6]), b: t(w.b1, [6]) },
    none,
    none,
    { w: t(w.w2, [5, 5, 6, 16]), b: t(w.b2, [16]) },
    none,
    none,
    none,
    { w: t(w.w3, [256, 10]), b: t(w.b3, [10]) },
  ]
  const optimizer = adam(CNN_LR, { profile: 'tfjs' })
  const step = trainStep({ model, optimizer, loss: losses.softmaxCrossEntropy })
  let state = initTrainState(params, optimizer, P.random.key(1))
  return {
    step: (x, y, rows) => {
      state = step(state, { x: P.fromArray(x, [rows, 28, 28, 1]), y: P.fromArray(y, [rows, 10]) })
      return state.loss
    },
    accuracy: (d) => accuracy(model.apply(state.params, P.fromArray(d.testX, [N_TEST, 28, 28, 1])), P.fromArray(oneHot(d.testLabels), [N_TEST, 10])),
  }
}

function tfTrainer(tf: Tf, w: CnnWeights): Trainer {
  const vars = tf.tidy(() => [
    tf.variable(tf.tensor4d(w.w1, [5, 5, 1, 6])),
    tf.variable(tf.tensor1d(w.b1)),
    tf.variable(tf.tensor4d(w.w2, [5, 5, 6, 16])),
    tf.variable(tf.tensor1d(w.b2)),
    tf.variable(tf.tensor2d(w.w3, [256, 10])),
    tf.variable(tf.tensor1d(w.b3)),
  ])
  const [W1, B1v, W2, B2v, W3, B3v] = vars
  const forward = (x: TF.Tensor4D): TF.Tensor => {
    let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, W1 as TF.Tensor4D, 1, 'valid'), B1v)) as TF.Tensor4D, 2, 2, 'valid')
    h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, W2 as TF.Tensor4D, 1, 'valid'), B2v)) as TF.Tensor4D, 2, 2, 'valid')
    return tf.add(tf.matMul(tf.reshape(h, [x.shape[0], 256]), W3), B3v)
  }
  const opt = tf.train.adam(CNN_LR, B1, B2)
  return {
    step: (x, y, rows) =>
      tf.tidy(() => {
        const X = tf.tensor4d(x, [rows, 28, 28, 1]),
          Y = tf.tensor2d(y, [rows, 10])
        return must(
          opt.minimize(() => tf.losses.softmaxCrossEntropy(Y, forward(X)) as TF.Scalar, true, vars),
          'the loss',
        ).dataSync()[0]
      }),
    accuracy: (d) =>
      tf.tidy(() =>
        hits(
          forward(tf.tensor4d(d.testX, [N_TEST, 28, 28, 1]))
            .argMax(1)
            .dataSync(),
          d.testLabels,
        ),
      ),
    dispose: () => {
      tf.dispose(vars)
      opt.dispose()
    },
  }
}

type JParams = { W1: JAX.Array; b1: JAX.Array; W2: JAX.Array; b2: JAX.Array; W3: JAX.Array; b3: JAX.Array }

function jaxTrainer(jax: Jax, w: CnnWeights): Trainer {
  const { numpy: np, nn, lax, tree } = jax
  const pool = (h: JAX.Array): JAX.Array => {
    const [n, c, hh, ww] = h.shape
    return np.max(h.reshape([n, c, hh / 2, 2, ww / 2, 2]), [3, 5])
  }
  const forward = (p: JParams, x: JAX.Array): JAX.Array => {
    const n = x.shape[0]
    let h = pool(nn.relu(lax.conv(x, p.W1, [1, 1], 'VALID').add(p.b1.reshape([6, 1, 1]))))
    h = pool(nn.relu(lax.conv(h, p.W2, [1, 1], 'VALID').add(p.b2.reshape([16, 1, 1]))))
    return np.matmul(h.reshape([n, 256]), p.W3).add(p.b3)
  }
  const loss = (p: JParams, x: JAX.Array, y: JAX.Array): JAX.Array => nn.logSoftmax(forward(p, x)).mul(y).sum(-1).mean().neg()
  // Adam as mlp.ts writes it for jax-js (TF.js's formula); c1, c2 = 1/(1 − βᵗ)
  const step = jax.jit((p: JParams, m: JParams, v: JParams, x: JAX.Array, y: JAX.Array, c1: JAX.Array, c2: JAX.Array) => {
    const [l, g] = jax.valueAndGrad(loss)(tree.ref(p), x, y)
    const m2 = tree.map((mi: JAX.Array, gi: JAX.Array) => mi.mul(B1).add(gi.mul(1 - B1)), m, tree.ref(g)) as JParams
    const v2 = tree.map((vi: JAX.Array, gi: JAX.Array) => vi.mul(B2).add(gi.ref.mul(gi).mul(1 - B2)), v, g) as JParams
    const p2 = tree.map(
      (pi: JAX.Array, mi: JAX.Array, vi: JAX.Array) =>
        pi.sub(
          mi
            .mul(c1.ref)
            .div(np.sqrt(vi.mul(c2.ref)).add(EPS))
            .mul(CNN_LR),
        ),
      p,
      tree.ref(m2),
      tree.ref(v2),
    ) as JParams
    c1.dispose()
    c2.dispose()
    return [l, p2, m2, v2] as [JAX.Array, JParams, JParams, JParams]
  })
  const predictJit = jax.jit((p: JParams, x: JAX.Array) => forward(p, x))
  const arr = (data: Float32Array, shape: number[]) => np.array(data, { shape })
  let p: JParams = {
    W1: arr(oihw(w.w1, 5, 1, 6), [6, 1, 5, 5]),
    b1: arr(w.b1, [6]),
    W2: arr(oihw(w.w2, 5, 6, 16), [16, 6, 5, 5]),
    b2: arr(w.b2, [16]),
    W3: arr(chwRows(w.w3), [256, 10]),
    b3: arr(w.b3, [10]),
  }
  let m = tree.map((a: JAX.Array) => np.zerosLike(a.ref), p) as JParams
  let v = tree.map((a: JAX.Array) => np.zerosLike(a.ref), p) as JParams
  let t = 0
  return {
    // [rows, 28, 28, 1] and [rows, 1, 28, 28] are the same numbers in the same order
    step: (x, y, rows) => {
      t++
      const [l, p2, m2, v2] = step(p, m, v, arr(x, [rows, 1, 28, 28]), arr(y, [rows, 10]), 1 / (1 - B1 ** t), 1 / (1 - B2 ** t))
      p = p2
      m = m2
      v = v2
      return l.item()
    },
    accuracy: (d) => hits(np.argmax(predictJit(tree.ref(p), arr(d.testX, [N_TEST, 1, 28, 28])), 1).dataSync(), d.testLabels),
    flush: async () => {
      await jax.blockUntilReady([p, m, v])
    },
    dispose: () => {
      tree.dispose([p, m, v])
      step.dispose()
      predictJit.dispose()
    },
  }
}

function trainer(env: Env, w: CnnWeights): Trainer {
  if (env.lib === 'purediff' || env.lib === 'purediff-js') return pdTrainer(w)
  if (env.tf) return tfTrainer(env.tf, w)
  return jaxTrainer(must(env.jax, 'jax-js'), w)
}

function oneHot(labels: Uint8Array): Float32Array {
  const y = new Float32Array(labels.length * 10)
  for (let i = 0; i < labels.length; i++) y[i * 10 + labels[i]] = 1
  return y
}

function hits(pred: ArrayLike<number>, labels: Uint8Array): number {
  let h = 0
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) h++
  return h / labels.length
}

/** Rows `order[start…end)` of the training set: inputs and one-hot labels, fresh arrays. */
function batchOf(d: Mnist, order: Int32Array, start: number, end: number): { x: Float32Array; y: Float32Array } {
  const rows = end - start
  const x = new Float32Array(rows * D),
    y = new Float32Array(rows * 10)
  for (let i = 0; i < rows; i++) {
    const s = order[start + i]
    x.set(d.trainX.subarray(s * D, (s + 1) * D), i * D)
    y[i * 10 + d.trainLabels[s]] = 1
  }
  return { x, y }
}

const applies = (lib: string, tfjsCpu: true | string): true | string => {
  if (lib === 'purediff' || lib === 'jax-wasm') return true
  if (lib === 'tfjs-wasm') return NA_TFJS_WASM_CONV_GRAD
  if (lib === 'tfjs-cpu') return tfjsCpu
  if (lib === 'purediff-js') return 'the js column is reported for the matmul, einsum, MLP and per-example gradient rows only'
  return 'jax-js cpu is an interpreter for debugging: far too slow'
}

function stepTask(): Task {
  const w = cnnWeights()
  return {
    group: 'cnn',
    rows: [{ id: 'cnn-step', group: 'cnn', workload: `LeNet CNN step b${CNN_BATCH} Adam (MNIST digits)`, unit: 'ms/step', better: 'lower', compare: 'ratio' }],
    // Adam's first update moves every parameter by ≈ ±lr whatever its gradient's size, so an entry
    // near 0 whose sign depends on the order of a sum (jax-js sums NCHW) moves 2·lr apart: the
    // step-2 loss agrees to ~2e-4 (TF.js cpu: to the last digit printed)
    agreeTol: 1e-3,
    agreeWhat: 'loss of steps 1 and 2',
    applies: (lib) => applies(lib, true),
    run: async (env): Promise<Outcome> => {
      const { x, y } = batchOf(loadMnist(), permutation(N_TRAIN, 1000), 0, CNN_BATCH)
      const tr = trainer(env, w)
      const agree = [tr.step(x, y, CNN_BATCH), tr.step(x, y, CNN_BATCH)]
      const t = await timeStep({ run: () => void tr.step(x, y, CNN_BATCH), flush: tr.flush }, env.timer)
      tr.dispose?.()
      return { values: [t.ms], agree, runs: t.runs }
    },
  }
}

function mnistTask(full: boolean): Task {
  const what = `LeNet CNN, MNIST 8000/2000, ${EPOCHS} epochs b${CNN_BATCH}`
  const rows: RowSpec[] = [
    { id: 'cnn-mnist-time', group: 'cnn', workload: `${what}: wall time`, unit: 's', better: 'lower', compare: 'ratio' },
    { id: 'cnn-mnist-accuracy', group: 'cnn', workload: `${what}: test accuracy`, unit: '%', better: 'higher', compare: 'difference' },
  ]
  return {
    group: 'cnn',
    label: `${what} training`,
    rows,
    agreeTol: null,
    agreeWhat: 'loss of the first and of the last training batch (same weights, same order: close, not bit-equal after hundreds of steps)',
    applies: (lib) => {
      if (lib === 'jax-wasm') return full ? true : "not run by default (its step is ≈ 20× purediff's: ≈ 2.5 min for the 375 steps): `npm run bench -- --full` runs it"
      if (lib === 'tfjs-cpu') return 'its step takes ≈ 8 s (Conv2DBackpropFilter on cpu): the 375 steps would take ≈ 50 min'
      return applies(lib, true)
    },
    run: async (env): Promise<Outcome> => {
      const d = loadMnist()
      const orders = Array.from({ length: EPOCHS }, (_, e) => permutation(N_TRAIN, 1000 + e))
      const tr = trainer(env, cnnWeights())
      const ls: number[] = []
      const t0 = performance.now()
      for (const order of orders) {
        for (let start = 0; start < N_TRAIN; start += CNN_BATCH) {
          const end = Math.min(N_TRAIN, start + CNN_BATCH)
          const { x, y } = batchOf(d, order, start, end)
          ls.push(tr.step(x, y, end - start))
        }
        if (tr.flush) await tr.flush()
      }
      const acc = tr.accuracy(d)
      const seconds = (performance.now() - t0) / 1000
      tr.dispose?.()
      return { values: [seconds, acc * 100], agree: [ls[0], ls[ls.length - 1]], details: { epochs: EPOCHS, batch: CNN_BATCH } }
    },
  }
}

export function cnnTasks(full: boolean): Task[] {
  return [stepTask(), mnistTask(full)]
}

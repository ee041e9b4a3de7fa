/**
 * The MLP training step: a 784-256-128-10 MLP (relu or sigmoid hidden layers, optionally
 * inverted dropout p = 0.5 after each hidden activation), softmax cross-entropy (mean over the
 * batch), Adam(1e-3, β 0.9/0.999, ε 1e-7: TF.js's formula, which purediff's 'tfjs' profile and the
 * jax-js version below reproduce). One step = forward, backward, optimizer update, and the loss
 * read back as a number (what a training loop does).
 *
 * Every library starts from the same Glorot-uniform weights (the bench's LCG, zero biases) on
 * the same batch, so the losses of the first two steps agree (up to float32 rounding) — except
 * with dropout, where each library draws its own masks from its own generator.
 *
 * The trainers are shared with the MNIST and RSS workloads (mnist.ts).
 */
import type * as TF from '@tensorflow/tfjs'
import type * as JAX from '@jax-js/jax'
import * as P from '../src/index.js'
import { type DenseParams, type EmptyParams, dense, dropout, losses, relu, sequential, sigmoid } from '../src/nn/index.js'
import { adam } from '../src/optim/index.js'
import { type Data, initTrainState, trainStep } from '../src/train/index.js'
import { type Jax, type Task, type Tf, timedTask } from './model.js'
import { must, uniformF32 } from './util.js'

export const LAYERS = [784, 256, 128, 10] as const
export const BATCH = 128
export const LR = 1e-3
const B1 = 0.9,
  B2 = 0.999,
  EPS = 1e-7

export interface MlpConfig {
  readonly act: 'relu' | 'sigmoid'
  /** Drop probability after each hidden activation (inverted dropout); 0 for none. */
  readonly dropout: number
}

export interface LayerWeights {
  readonly w: Float32Array
  readonly b: Float32Array
  readonly fanIn: number
  readonly fanOut: number
}

/** Glorot-uniform kernels (limit √(6/(fanIn+fanOut))) from the LCG, zero biases. */
export function mlpWeights(seed = 10): LayerWeights[] {
  return LAYERS.slice(1).map((fanOut, l) => {
    const fanIn = LAYERS[l]
    const limit = Math.sqrt(6 / (fanIn + fanOut))
    const w = uniformF32(fanIn * fanOut, seed + l)
    for (let i = 0; i < w.length; i++) w[i] *= 2 * limit
    return { w, b: new Float32Array(fanOut), fanIn, fanOut }
  })
}

/** The synthetic batch of the MLP rows: inputs uniform in [-0.5, 0.5), label of row i is i mod 10. */
export function syntheticBatch(): { x: Float32Array; y: Float32Array } {
  const y = new Float32Array(BATCH * 10)
  for (let i = 0; i < BATCH; i++) y[i * 10 + (i % 10)] = 1
  return { x: uniformF32(BATCH * LAYERS[0], 99), y }
}

// --- purediff: the public nn / optim / train API, as a user writes it

export interface PdTrainer {
  /** One training step on a batch; returns its loss (computed before the update). */
  readonly step: (batch: Data) => number
  /** Logits in test mode (no dropout). */
  readonly predict: (x: P.Tensor) => P.Tensor
}

export function pdTrainer(cfg: MlpConfig, weights: readonly LayerWeights[]): PdTrainer {
  const act = cfg.act === 'relu' ? relu : sigmoid
  const hidden = (units: number) => (cfg.dropout > 0 ? [dense(units), act(), dropout(cfg.dropout)] : [dense(units), act()])
  const layers = [...hidden(256), ...hidden(128), dense(10)]
  const model = sequential(...layers)
  // the dense layers take the shared weights; activations and dropout have no parameters
  let next = 0
  const params = layers.map((l): DenseParams | EmptyParams => {
    if (!(l.name ?? '').startsWith('dense')) return {}
    const { w, b, fanIn, fanOut } = weights[next++]
    return { w: P.fromArray(w, [fanIn, fanOut]), b: P.fromArray(b, [fanOut]) }
  })
  const optimizer = adam(LR, { profile: 'tfjs' })
  const step = trainStep({ model, optimizer, loss: losses.softmaxCrossEntropy })
  let state = initTrainState(params, optimizer, P.random.key(1))
  return {
    step: (batch) => {
      state = step(state, batch)
      return state.loss
    },
    predict: (x) => model.apply(state.params, x),
  }
}

// --- TF.js: tf.variable, tf.train.adam, optimizer.minimize, tf.dropout, inside tf.tidy

export interface TfTrainer {
  readonly step: (x: TF.Tensor, y: TF.Tensor) => number
  /** Logits in test mode; the caller disposes them. */
  readonly predict: (x: TF.Tensor) => TF.Tensor
  readonly dispose: () => void
}

export function tfTrainer(tf: Tf, cfg: MlpConfig, weights: readonly LayerWeights[]): TfTrainer {
  // inside tidy: tf.variable keeps its initial tensor alive otherwise
  const vars = tf.tidy(() => weights.flatMap((l) => [tf.variable(tf.tensor2d(l.w, [l.fanIn, l.fanOut])), tf.variable(tf.tensor1d(l.b))]))
  const [W1, b1, W2, b2, W3, b3] = vars
  const act = cfg.act === 'relu' ? tf.relu : tf.sigmoid
  const forward = (x: TF.Tensor, train: boolean): TF.Tensor => {
    let h = act(tf.add(tf.matMul(x, W1), b1))
    if (train && cfg.dropout > 0) h = tf.dropout(h, cfg.dropout)
    h = act(tf.add(tf.matMul(h, W2), b2))
    if (train && cfg.dropout > 0) h = tf.dropout(h, cfg.dropout)
    return tf.add(tf.matMul(h, W3), b3)
  }
  const opt = tf.train.adam(LR, B1, B2)
  return {
    step: (x, y) =>
      tf.tidy(
        () =>
          must(
            opt.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x, true)) as TF.Scalar, true, vars),
            'the loss',
          ).dataSync()[0],
      ),
    predict: (x) => tf.tidy(() => forward(x, false)),
    dispose: () => {
      tf.dispose(vars)
      opt.dispose()
    },
  }
}

// --- jax-js: the whole step (loss, grad, Adam) under one jit; arrays are reference-counted

type JParams = { W1: JAX.Array; b1: JAX.Array; W2: JAX.Array; b2: JAX.Array; W3: JAX.Array; b3: JAX.Array }

export interface JaxTrainer {
  /** One step; consumes x and y. */
  readonly step: (x: JAX.Array, y: JAX.Array) => number
  /** Logits in test mode; consumes x. */
  readonly predict: (x: JAX.Array) => JAX.Array
  /** Waits until the state's pending work is done. */
  readonly flush: () => Promise<void>
  readonly dispose: () => void
}

export function jaxTrainer(jax: Jax, cfg: MlpConfig, weights: readonly LayerWeights[], device: 'wasm' | 'cpu' = 'wasm'): JaxTrainer {
  const { numpy: np, nn, random, tree } = jax
  const act = cfg.act === 'relu' ? nn.relu : nn.sigmoid
  const keep = 1 - cfg.dropout
  // Every jax-js function consumes its array arguments (refcount − 1); `.ref` / tree.ref keeps one.
  const forward = (p: JParams, x: JAX.Array, key: JAX.Array | null): JAX.Array => {
    let h = act(np.matmul(x, p.W1).add(p.b1))
    let k2: JAX.Array | null = null
    if (key !== null) {
      const [k1, k] = random.split(key)
      k2 = k
      h = h.mul(random.bernoulli(k1, keep, h.shape)).mul(1 / keep)
    }
    h = act(np.matmul(h, p.W2).add(p.b2))
    if (k2 !== null) h = h.mul(random.bernoulli(k2, keep, h.shape)).mul(1 / keep)
    return np.matmul(h, p.W3).add(p.b3)
  }
  const loss = (p: JParams, x: JAX.Array, y: JAX.Array, key: JAX.Array): JAX.Array => {
    if (cfg.dropout === 0) key.dispose()
    return nn
      .logSoftmax(forward(p, x, cfg.dropout > 0 ? key : null))
      .mul(y)
      .sum(-1)
      .mean()
      .neg()
  }
  // Adam as TF.js writes it: m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ), p ← p − η·m̂/(√v̂ + ε); c1, c2 = 1/(1 − βᵗ)
  const step = jax.jit((p: JParams, m: JParams, v: JParams, x: JAX.Array, y: JAX.Array, key: JAX.Array, c1: JAX.Array, c2: JAX.Array) => {
    const [l, g] = jax.valueAndGrad(loss)(tree.ref(p), x, y, key)
    const m2 = tree.map((mi: JAX.Array, gi: JAX.Array) => mi.mul(B1).add(gi.mul(1 - B1)), m, tree.ref(g)) as JParams
    const v2 = tree.map((vi: JAX.Array, gi: JAX.Array) => vi.mul(B2).add(gi.ref.mul(gi).mul(1 - B2)), v, g) as JParams
    const p2 = tree.map(
      (pi: JAX.Array, mi: JAX.Array, vi: JAX.Array) =>
        pi.sub(
          mi
            .mul(c1.ref)
            .div(np.sqrt(vi.mul(c2.ref)).add(EPS))
            .mul(LR),
        ),
      p,
      tree.ref(m2),
      tree.ref(v2),
    ) as JParams
    c1.dispose()
    c2.dispose()
    return [l, p2, m2, v2] as [JAX.Array, JParams, JParams, JParams]
  })
  const predictJit = jax.jit((p: JParams, x: JAX.Array) => forward(p, x, null))
  const arr = (data: Float32Array, shape: number[]) => np.array(data, { shape, device })
  let p: JParams = {
    W1: arr(weights[0].w, [784, 256]),
    b1: arr(weights[0].b, [256]),
    W2: arr(weights[1].w, [256, 128]),
    b2: arr(weights[1].b, [128]),
    W3: arr(weights[2].w, [128, 10]),
    b3: arr(weights[2].b, [10]),
  }
  let m = tree.map((a: JAX.Array) => np.zerosLike(a.ref), p) as JParams
  let v = tree.map((a: JAX.Array) => np.zerosLike(a.ref), p) as JParams
  let key = random.key(1)
  let t = 0
  return {
    step: (x, y) => {
      t++
      const [k, sub] = random.split(key)
      key = k
      const [l, p2, m2, v2] = step(p, m, v, x, y, sub, 1 / (1 - B1 ** t), 1 / (1 - B2 ** t))
      p = p2
      m = m2
      v = v2
      return l.item()
    },
    predict: (x) => predictJit(tree.ref(p), x),
    flush: async () => {
      await jax.blockUntilReady([p, m, v, key])
    },
    dispose: () => {
      tree.dispose([p, m, v, key])
      step.dispose()
      predictJit.dispose()
    },
  }
}

// --- the rows

const VARIANTS: readonly { readonly id: string; readonly label: string; readonly cfg: MlpConfig }[] = [
  { id: 'relu', label: 'relu', cfg: { act: 'relu', dropout: 0 } },
  { id: 'sigmoid', label: 'sigmoid', cfg: { act: 'sigmoid', dropout: 0 } },
  { id: 'relu-dropout', label: 'relu + dropout 0.5', cfg: { act: 'relu', dropout: 0.5 } },
]

export function mlpTasks(quick: boolean): Task[] {
  const weights = mlpWeights()
  const data = syntheticBatch()
  return VARIANTS.filter((v) => !quick || v.id !== 'sigmoid').map(({ id, label, cfg }) =>
    timedTask({
      row: { id: `mlp-${id}`, group: 'mlp', workload: `MLP step 784-256-128-10 b${BATCH} Adam, ${label}`, unit: 'ms/step', better: 'lower', compare: 'ratio' },
      report: (ms) => ms,
      jsColumn: true,
      agreeTol: cfg.dropout > 0 ? null : 1e-4,
      agreeWhat: cfg.dropout > 0 ? 'loss of steps 1 and 2 (each library draws its own dropout masks: close, not equal)' : 'loss of steps 1 and 2',
      impl: {
        purediff: () => {
          const tr = pdTrainer(cfg, weights)
          const batch = { x: P.fromArray(data.x, [BATCH, 784]), y: P.fromArray(data.y, [BATCH, 10]) }
          return {
            run: () => {
              tr.step(batch)
            },
            agree: () => [tr.step(batch), tr.step(batch)],
          }
        },
        tfjs: (tf) => {
          const tr = tfTrainer(tf, cfg, weights)
          const x = tf.tensor2d(data.x, [BATCH, 784]),
            y = tf.tensor2d(data.y, [BATCH, 10])
          return {
            run: () => {
              tr.step(x, y)
            },
            agree: () => [tr.step(x, y), tr.step(x, y)],
            dispose: () => {
              tr.dispose()
              tf.dispose([x, y])
            },
          }
        },
        jax: (jax, device) => {
          const tr = jaxTrainer(jax, cfg, weights, device)
          const x = jax.numpy.array(data.x, { shape: [BATCH, 784], device }),
            y = jax.numpy.array(data.y, { shape: [BATCH, 10], device })
          return {
            run: () => {
              tr.step(x.ref, y.ref)
            },
            flush: tr.flush,
            agree: () => [tr.step(x.ref, y.ref), tr.step(x.ref, y.ref)],
            dispose: () => {
              tr.dispose()
              x.dispose()
              y.dispose()
            },
          }
        },
      },
    }),
  )
}

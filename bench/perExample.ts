/**
 * perexample: per-example gradients of the 784-256-128-10 relu MLP (mlp.ts's weights and
 * synthetic batch of 128, float32), with `loss` the softmax cross-entropy of ONE example (the
 * example made a batch of 1 with expandDims, so the same formula as the MLP rows):
 * - `vmap(grad)`: purediff `vmap(grad(loss), { inAxes: [null, 0, 0] })(params, x, y)`; jax-js
 *   `jit(vmap(grad(loss), [null, 0, 0]))`; TF.js has no vmap. The result holds 128 gradients,
 *   30.1M floats (the W1 leaf alone is 128×784×256, 103 MB).
 * - the loop: purediff's `grad(loss)` called once per example (the examples sliced beforehand,
 *   outside the timing, so the loop pays for nothing but its gradients).
 * - the batched gradient of the mean loss over the 128 examples (purediff `grad`, jax-js
 *   `jit(grad)`): one gradient, what the per-example rows are compared with.
 * - the floor (plain JavaScript): a fresh Float32Array as large as the 128 gradients, filled once.
 * Every side is forced the same way: one entry of each gradient leaf is read back as a number
 * (jax-js is lazy; purediff is eager and its results are typed arrays already), never a whole
 * 100 MB leaf (a copy out of WebAssembly memory would be timed instead of the gradients).
 */
import type * as JAX from '@jax-js/jax'
import * as P from '../src/index.js'
import { losses } from '../src/nn/index.js'
import { type LayerWeights, BATCH, mlpWeights, syntheticBatch } from './mlp.js'
import type { Jax, RowSpec, Task } from './model.js'
import { timedTask } from './model.js'

/** The example whose gradient entry the libraries must agree on. */
const EX = 5
/** The W1 entry read back (row 3 = input 3, column 232 = hidden unit 232: non-zero for example 5). */
const W1_AT = [3, 232] as const

type PdParams = { W1: P.Tensor; b1: P.Tensor; W2: P.Tensor; b2: P.Tensor; W3: P.Tensor; b3: P.Tensor }
type JParams = { W1: JAX.Array; b1: JAX.Array; W2: JAX.Array; b2: JAX.Array; W3: JAX.Array; b3: JAX.Array }
const KEYS = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'] as const

/** Where each leaf is read: W1 at W1_AT, every other leaf at its first entry (after the batch index, if any). */
function indexOf(key: (typeof KEYS)[number], batched: boolean): number[] {
  const at = key === 'W1' ? [...W1_AT] : key.startsWith('W') ? [0, 0] : [0]
  return batched ? [EX, ...at] : at
}

function row(id: string, workload: string): RowSpec {
  return { id, group: 'perexample', workload, unit: 'ms', better: 'lower', compare: 'ratio' }
}

export const VMAP_ROW = row('perexample-vmap', `per-example grads b${BATCH}: vmap(grad)`)
export const LOOP_ROW = row('perexample-loop', `per-example grads b${BATCH}: a loop of ${BATCH} grads`)
export const BATCHED_ROW = row('perexample-batched', `batched grad b${BATCH} (mean loss)`)
/** Floats in 128 per-example gradients of the MLP: 128 × (784·256 + 256 + 256·128 + 128 + 128·10 + 10). */
const PER_EXAMPLE_FLOATS = BATCH * (784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10)
export const FLOOR_ROW: RowSpec = {
  id: 'perexample-floor',
  group: 'perexample',
  workload: `floor: fill fresh memory for ${BATCH} gradients (${(PER_EXAMPLE_FLOATS / 1e6).toFixed(1)}M f32, ${((PER_EXAMPLE_FLOATS * 4) / 1e6).toFixed(0)} MB)`,
  unit: 'ms',
  better: 'lower',
  compare: 'none',
}

// --- purediff

function pdParams(w: readonly LayerWeights[]): PdParams {
  const W = (l: number) => P.fromArray(w[l].w, [w[l].fanIn, w[l].fanOut])
  const b = (l: number) => P.fromArray(w[l].b, [w[l].fanOut])
  return { W1: W(0), b1: b(0), W2: W(1), b2: b(1), W3: W(2), b3: b(2) }
}

const pdForward = (p: PdParams, x: P.Tensor): P.Tensor => P.add(P.matmul(P.relu(P.add(P.matmul(P.relu(P.add(P.matmul(x, p.W1), p.b1)), p.W2), p.b2)), p.W3), p.b3)
/** One example's loss: x [784], y [10] one-hot. */
const pdLoss = (p: PdParams, x: P.Tensor, y: P.Tensor): P.Tensor => losses.softmaxCrossEntropy(pdForward(p, P.expandDims(x, 0)), P.expandDims(y, 0))
/** The mean loss of a batch: x [B, 784], y [B, 10]. */
const pdBatchLoss = (p: PdParams, x: P.Tensor, y: P.Tensor): P.Tensor => losses.softmaxCrossEntropy(pdForward(p, x), y)

/** One entry of a purediff tensor, read through a 1-element slice (what a user would write). */
function pdEntry(t: P.Tensor, at: readonly number[]): number {
  const one = at.map(() => 1)
  return P.toFlatArray(P.slice(t, at, one))[0]
}

/** Reads one entry of every leaf (the forcing read); returns the W1 entry. */
function pdRead(g: PdParams, batched: boolean): number {
  let w1 = 0
  for (const k of KEYS) {
    const v = pdEntry(g[k], indexOf(k, batched))
    if (k === 'W1') w1 = v
  }
  return w1
}

// --- jax-js: every function consumes its array arguments; `.ref` / tree.ref keeps ours

function jaxSide(jax: Jax, w: readonly LayerWeights[], device: 'wasm' | 'cpu') {
  const { numpy: np, nn, tree } = jax
  const arr = (data: Float32Array, shape: number[]) => np.array(data, { shape, device })
  const p: JParams = {
    W1: arr(w[0].w, [784, 256]),
    b1: arr(w[0].b, [256]),
    W2: arr(w[1].w, [256, 128]),
    b2: arr(w[1].b, [128]),
    W3: arr(w[2].w, [128, 10]),
    b3: arr(w[2].b, [10]),
  }
  const forward = (q: JParams, x: JAX.Array): JAX.Array => {
    const h = nn.relu(np.matmul(x, q.W1).add(q.b1))
    return np.matmul(nn.relu(np.matmul(h, q.W2).add(q.b2)), q.W3).add(q.b3)
  }
  const batchLoss = (q: JParams, x: JAX.Array, y: JAX.Array): JAX.Array => nn.logSoftmax(forward(q, x)).mul(y).sum(-1).mean().neg()
  const loss = (q: JParams, x: JAX.Array, y: JAX.Array): JAX.Array => batchLoss(q, np.expandDims(x, 0), np.expandDims(y, 0))
  /** Reads one entry of every leaf of a gradient tree (consuming it); returns the W1 entry. */
  const read = (g: JParams, batched: boolean): number => {
    let w1 = 0
    for (const k of KEYS) {
      const v = g[k].slice(...indexOf(k, batched)).item()
      if (k === 'W1') w1 = v
    }
    return w1
  }
  return { np, tree, p, loss, batchLoss, read }
}

// --- the rows

export function perExampleTasks(): Task[] {
  const weights = mlpWeights()
  const data = syntheticBatch()
  const agreeWhat = `dW1[${EX}, ${W1_AT.join(', ')}]: the gradient of example ${EX}'s loss`
  const vmapTask = timedTask({
    row: VMAP_ROW,
    report: (ms) => ms,
    agreeTol: 1e-4,
    agreeWhat,
    jsColumn: true,
    na: { tfjs: 'TF.js has no vmap' },
    impl: {
      purediff: () => {
        const p = pdParams(weights)
        const x = P.fromArray(data.x, [BATCH, 784]),
          y = P.fromArray(data.y, [BATCH, 10])
        const perExample = P.vmap(P.grad(pdLoss), { inAxes: [null, 0, 0] })
        const once = () => pdRead(perExample(p, x, y), true)
        return { run: once, agree: () => [once()] }
      },
      jax: (jax, device) => {
        const s = jaxSide(jax, weights, device)
        const x = s.np.array(data.x, { shape: [BATCH, 784], device }),
          y = s.np.array(data.y, { shape: [BATCH, 10], device })
        const f = jax.jit(jax.vmap(jax.grad(s.loss), [null, 0, 0]))
        const once = () => s.read(f(s.tree.ref(s.p), x.ref, y.ref) as JParams, true)
        return {
          run: once,
          agree: () => [once()],
          dispose: () => {
            s.tree.dispose([s.p, x, y])
            f.dispose()
          },
        }
      },
    },
  })
  const loopTask = timedTask({
    row: LOOP_ROW,
    report: (ms) => ms,
    agreeTol: 1e-4,
    agreeWhat,
    na: { tfjs: 'a purediff-only row (the loop vmap replaces)', jax: 'a purediff-only row (the loop vmap replaces)' },
    impl: {
      purediff: () => {
        const p = pdParams(weights)
        const xs = Array.from({ length: BATCH }, (_, i) => P.fromArray(data.x.subarray(i * 784, (i + 1) * 784), [784]))
        const ys = Array.from({ length: BATCH }, (_, i) => P.fromArray(data.y.subarray(i * 10, (i + 1) * 10), [10]))
        const g = P.grad(pdLoss)
        // purediff is eager: each gradient is computed when grad returns; one read per leaf of
        // the example EX forces nothing more (and costs the loop what it costs the vmap row)
        const once = () => {
          let w1 = 0
          for (let i = 0; i < BATCH; i++) {
            const gi = g(p, xs[i], ys[i]) as PdParams
            if (i === EX) w1 = pdRead(gi, false)
          }
          return w1
        }
        return { run: once, agree: () => [once()] }
      },
    },
  })
  const batchedTask = timedTask({
    row: BATCHED_ROW,
    report: (ms) => ms,
    agreeTol: 1e-4,
    agreeWhat: `dW1[${W1_AT.join(', ')}] of the mean loss`,
    jsColumn: true,
    na: { tfjs: 'a reference row for the vmap rows, which TF.js cannot run' },
    impl: {
      purediff: () => {
        const p = pdParams(weights)
        const x = P.fromArray(data.x, [BATCH, 784]),
          y = P.fromArray(data.y, [BATCH, 10])
        const g = P.grad(pdBatchLoss)
        const once = () => pdRead(g(p, x, y) as PdParams, false)
        return { run: once, agree: () => [once()] }
      },
      jax: (jax, device) => {
        const s = jaxSide(jax, weights, device)
        const x = s.np.array(data.x, { shape: [BATCH, 784], device }),
          y = s.np.array(data.y, { shape: [BATCH, 10], device })
        const f = jax.jit(jax.grad(s.batchLoss))
        const once = () => s.read(f(s.tree.ref(s.p), x.ref, y.ref) as JParams, false)
        return {
          run: once,
          agree: () => [once()],
          dispose: () => {
            s.tree.dispose([s.p, x, y])
            f.dispose()
          },
        }
      },
    },
  })
  // What any result of this size costs in JavaScript before a single product: a new typed array
  // written once (the first write of each page faults it in; the allocation itself is lazy).
  const floorTask = timedTask({
    row: FLOOR_ROW,
    report: (ms) => ms,
    agreeTol: null,
    agreeWhat: 'the number of floats written',
    na: { tfjs: 'plain JavaScript, no library: the purediff column only', jax: 'plain JavaScript, no library: the purediff column only' },
    impl: {
      purediff: () => {
        const once = () => new Float32Array(PER_EXAMPLE_FLOATS).fill(1).length
        return { run: once, agree: () => [once()] }
      },
    },
  })
  return [vmapTask, loopTask, batchedTask, floorTask]
}

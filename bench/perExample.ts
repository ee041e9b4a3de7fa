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
 * The same three rows for a small MLP, 16-32-32-4 at a batch of 64 (`perexample-small-*`): its
 * 64 gradients are 92k floats (0.4 MB), so what they measure is the per-call work that vmap
 * removes from the loop, not memory traffic.
 * Every side is forced the same way: one entry of each gradient leaf is read back as a number
 * (jax-js is lazy; purediff is eager and its results are typed arrays already), never a whole
 * 100 MB leaf (a copy out of WebAssembly memory would be timed instead of the gradients).
 */
import type * as JAX from '@jax-js/jax'
import * as P from '../src/index.js'
import { losses } from '../src/nn/index.js'
import { type LayerWeights, BATCH, LAYERS, mlpWeights, syntheticBatch } from './mlp.js'
import type { Jax, RowSpec, Task } from './model.js'
import { timedTask } from './model.js'
import { uniformF32 } from './util.js'

/** The example whose gradient entry the libraries must agree on. */
const EX = 5

/** One MLP of the per-example rows: its layer sizes, batch, weights, data and the W1 entry read back. */
interface Family {
  /** '' for the 784-256-128-10 MLP, 'small-' for the small one (row ids `perexample-${prefix}…`). */
  readonly prefix: string
  readonly layers: readonly [number, number, number, number]
  readonly batch: number
  readonly weights: () => LayerWeights[]
  readonly data: () => { x: Float32Array; y: Float32Array }
  /** The W1 entry read back (input, hidden unit): non-zero for example EX. */
  readonly w1At: readonly [number, number]
}

/** The MLP of issue 14's targets (row 3 = input 3, column 232 = hidden unit 232: non-zero for example 5). */
const BIG: Family = { prefix: '', layers: [...LAYERS], batch: BATCH, weights: () => mlpWeights(), data: syntheticBatch, w1At: [3, 232] }

const SMALL_LAYERS = [16, 32, 32, 4] as const
const SMALL_BATCH = 64
/** A small MLP: Glorot-uniform weights from the bench's LCG, inputs uniform in [-0.5, 0.5), label i mod 4. */
const SMALL: Family = {
  prefix: 'small-',
  layers: [...SMALL_LAYERS],
  batch: SMALL_BATCH,
  weights: () =>
    SMALL_LAYERS.slice(1).map((fanOut, l) => {
      const fanIn = SMALL_LAYERS[l]
      const limit = Math.sqrt(6 / (fanIn + fanOut))
      const w = uniformF32(fanIn * fanOut, 40 + l)
      for (let i = 0; i < w.length; i++) w[i] *= 2 * limit
      return { w, b: new Float32Array(fanOut), fanIn, fanOut }
    }),
  data: () => {
    const y = new Float32Array(SMALL_BATCH * 4)
    for (let i = 0; i < SMALL_BATCH; i++) y[i * 4 + (i % 4)] = 1
    return { x: uniformF32(SMALL_BATCH * 16, 98), y }
  },
  w1At: [3, 5],
}

type PdParams = { W1: P.Tensor; b1: P.Tensor; W2: P.Tensor; b2: P.Tensor; W3: P.Tensor; b3: P.Tensor }
type JParams = { W1: JAX.Array; b1: JAX.Array; W2: JAX.Array; b2: JAX.Array; W3: JAX.Array; b3: JAX.Array }
const KEYS = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'] as const

/** Where each leaf is read: W1 at `w1At`, every other leaf at its first entry (after the batch index, if any). */
function indexOf(f: Family, key: (typeof KEYS)[number], batched: boolean): number[] {
  const at = key === 'W1' ? [...f.w1At] : key.startsWith('W') ? [0, 0] : [0]
  return batched ? [EX, ...at] : at
}

function row(id: string, workload: string): RowSpec {
  return { id, group: 'perexample', workload, unit: 'ms', better: 'lower', compare: 'ratio' }
}

/** The vmap, loop and batched rows of a family. */
function rowsOf(f: Family): { vmap: RowSpec; loop: RowSpec; batched: RowSpec } {
  const b = f.batch
  const what = f.prefix === '' ? '' : ` (${f.layers.join('-')} MLP)`
  return {
    vmap: row(`perexample-${f.prefix}vmap`, `per-example grads b${b}${what}: vmap(grad)`),
    loop: row(`perexample-${f.prefix}loop`, `per-example grads b${b}${what}: a loop of ${b} grads`),
    batched: row(`perexample-${f.prefix}batched`, `batched grad b${b}${what} (mean loss)`),
  }
}
const BIG_ROWS = rowsOf(BIG)
export const VMAP_ROW = BIG_ROWS.vmap
export const LOOP_ROW = BIG_ROWS.loop
export const BATCHED_ROW = BIG_ROWS.batched
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
/** One example's loss: x [in], y [out] one-hot. */
const pdLoss = (p: PdParams, x: P.Tensor, y: P.Tensor): P.Tensor => losses.softmaxCrossEntropy(pdForward(p, P.expandDims(x, 0)), P.expandDims(y, 0))
/** The mean loss of a batch: x [B, in], y [B, out]. */
const pdBatchLoss = (p: PdParams, x: P.Tensor, y: P.Tensor): P.Tensor => losses.softmaxCrossEntropy(pdForward(p, x), y)

/** One entry of a purediff tensor, read through a 1-element slice (what a user would write). */
function pdEntry(t: P.Tensor, at: readonly number[]): number {
  const one = at.map(() => 1)
  return P.toFlatArray(P.slice(t, at, one))[0]
}

/** Reads one entry of every leaf (the forcing read); returns the W1 entry. */
function pdRead(f: Family, g: PdParams, batched: boolean): number {
  let w1 = 0
  for (const k of KEYS) {
    const v = pdEntry(g[k], indexOf(f, k, batched))
    if (k === 'W1') w1 = v
  }
  return w1
}

// --- jax-js: every function consumes its array arguments; `.ref` / tree.ref keeps ours

function jaxSide(jax: Jax, f: Family, w: readonly LayerWeights[], device: 'wasm' | 'cpu') {
  const { numpy: np, nn, tree } = jax
  const arr = (data: Float32Array, shape: number[]) => np.array(data, { shape, device })
  const [d0, d1, d2, d3] = f.layers
  const p: JParams = {
    W1: arr(w[0].w, [d0, d1]),
    b1: arr(w[0].b, [d1]),
    W2: arr(w[1].w, [d1, d2]),
    b2: arr(w[1].b, [d2]),
    W3: arr(w[2].w, [d2, d3]),
    b3: arr(w[2].b, [d3]),
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
      const v = g[k].slice(...indexOf(f, k, batched)).item()
      if (k === 'W1') w1 = v
    }
    return w1
  }
  return { np, tree, p, loss, batchLoss, read }
}

// --- the rows

export function perExampleTasks(): Task[] {
  return [...familyTasks(BIG), floorTask(), ...familyTasks(SMALL)]
}

/** The vmap, loop and batched rows of one MLP. */
function familyTasks(fam: Family): Task[] {
  const weights = fam.weights()
  const data = fam.data()
  const BATCH = fam.batch
  const [IN, , , OUT] = fam.layers
  const rows = rowsOf(fam)
  const agreeWhat = `dW1[${EX}, ${fam.w1At.join(', ')}]: the gradient of example ${EX}'s loss`
  const vmapTask = timedTask({
    row: rows.vmap,
    report: (ms) => ms,
    agreeTol: 1e-4,
    agreeWhat,
    jsColumn: true,
    na: { tfjs: 'TF.js has no vmap' },
    impl: {
      purediff: () => {
        const p = pdParams(weights)
        const x = P.fromArray(data.x, [BATCH, IN]),
          y = P.fromArray(data.y, [BATCH, OUT])
        const perExample = P.vmap(P.grad(pdLoss), { inAxes: [null, 0, 0] })
        const once = () => pdRead(fam, perExample(p, x, y), true)
        return { run: once, agree: () => [once()] }
      },
      jax: (jax, device) => {
        const s = jaxSide(jax, fam, weights, device)
        const x = s.np.array(data.x, { shape: [BATCH, IN], device }),
          y = s.np.array(data.y, { shape: [BATCH, OUT], device })
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
    row: rows.loop,
    report: (ms) => ms,
    agreeTol: 1e-4,
    agreeWhat,
    na: { tfjs: 'a purediff-only row (the loop vmap replaces)', jax: 'a purediff-only row (the loop vmap replaces)' },
    impl: {
      purediff: () => {
        const p = pdParams(weights)
        const xs = Array.from({ length: BATCH }, (_, i) => P.fromArray(data.x.subarray(i * IN, (i + 1) * IN), [IN]))
        const ys = Array.from({ length: BATCH }, (_, i) => P.fromArray(data.y.subarray(i * OUT, (i + 1) * OUT), [OUT]))
        const g = P.grad(pdLoss)
        // purediff is eager: each gradient is computed when grad returns; one read per leaf of
        // the example EX forces nothing more (and costs the loop what it costs the vmap row)
        const once = () => {
          let w1 = 0
          for (let i = 0; i < BATCH; i++) {
            const gi = g(p, xs[i], ys[i]) as PdParams
            if (i === EX) w1 = pdRead(fam, gi, false)
          }
          return w1
        }
        return { run: once, agree: () => [once()] }
      },
    },
  })
  const batchedTask = timedTask({
    row: rows.batched,
    report: (ms) => ms,
    agreeTol: 1e-4,
    agreeWhat: `dW1[${fam.w1At.join(', ')}] of the mean loss`,
    jsColumn: true,
    na: { tfjs: 'a reference row for the vmap rows, which TF.js cannot run' },
    impl: {
      purediff: () => {
        const p = pdParams(weights)
        const x = P.fromArray(data.x, [BATCH, IN]),
          y = P.fromArray(data.y, [BATCH, OUT])
        const g = P.grad(pdBatchLoss)
        const once = () => pdRead(fam, g(p, x, y) as PdParams, false)
        return { run: once, agree: () => [once()] }
      },
      jax: (jax, device) => {
        const s = jaxSide(jax, fam, weights, device)
        const x = s.np.array(data.x, { shape: [BATCH, IN], device }),
          y = s.np.array(data.y, { shape: [BATCH, OUT], device })
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
  return [vmapTask, loopTask, batchedTask]
}

/**
 * What any result of the 128 gradients' size costs in JavaScript before a single product: a new
 * typed array written once (the first write of each page faults it in; the allocation is lazy).
 */
function floorTask(): Task {
  return timedTask({
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
}

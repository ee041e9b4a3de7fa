/**
 * embedding: an embedding lookup and its backward, on a 50,000×256 float32 table (uniform in
 * [−0.5, 0.5)) and 4,096 int32 ids drawn from the LCG (repeats included, as in real batches).
 * - lookup: purediff's `take(table, ids)`, TF.js's `tf.gather`, jax-js's `np.take` under jit;
 *   the 4096×256 result is read back where that is a copy (TF.js `dataSync`, jax-js `dataSync`
 *   out of WebAssembly memory), as in the matmul rows.
 * - backward: the gradient of the lookup with respect to the table for a given 4096×256 cotangent
 *   g, i.e. g's rows scatter-added into a zero 50,000×256 table (repeated ids add up). purediff:
 *   the pullback of `take` (its rule, the scatter-add into zeros); TF.js: `tf.scatterND` (which
 *   sums duplicates; the gradient TF.js registers for gather is `unsortedSegmentSum`, whose cpu
 *   kernel loops over all 50,000 segments with a full-size mask each, minutes per call); jax-js:
 *   `vjp` of `np.take` under jit. The 51 MB result is NOT read back (a copy out of WebAssembly
 *   memory would cost more than the scatter): one row is (a slice), which forces the work.
 */
import type * as JAX from '@jax-js/jax'
import * as P from '../src/index.js'
import type { RowSpec, Task } from './model.js'
import { timedTask } from './model.js'
import { uniformF32 } from './util.js'

const VOCAB = 50000
const DIM = 256
const BATCH = 4096

/** 4096 ids in [0, 50000) from the LCG (about 160 repeated pairs: 4096²/(2·50000)). */
function idsOf(seed: number): Int32Array {
  const out = new Int32Array(BATCH)
  let s = seed >>> 0
  for (let i = 0; i < BATCH; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    out[i] = s % VOCAB
  }
  return out
}

function row(id: string, workload: string): RowSpec {
  return { id, group: 'embedding', workload, unit: 'ms', better: 'lower', compare: 'ratio' }
}

const LOOKUP = row('embedding-lookup', `embedding lookup: take ${BATCH} ids from ${VOCAB}×${DIM} f32`)
const BACKWARD = row('embedding-backward', `embedding backward: scatter-add ${BATCH}×${DIM} into zeros ${VOCAB}×${DIM} f32`)

export function embeddingTasks(): Task[] {
  const table = uniformF32(VOCAB * DIM, 11)
  const ids = idsOf(12)
  const g = uniformF32(BATCH * DIM, 13)
  // the agreement entries: the first and last looked-up values; in the backward, row ids[0]
  // (the sum of g's rows that name it) at columns 0 and DIM − 1
  const r0 = ids[0]
  const lookup = timedTask({
    row: LOOKUP,
    report: (ms) => ms,
    agreeTol: 0,
    agreeWhat: 'y[0,0] and y[4095,255]',
    impl: {
      purediff: () => {
        const T = P.fromArray(table, [VOCAB, DIM]),
          I = P.fromArray(ids, [BATCH], 'int32')
        return {
          run: () => {
            P.take(T, I)
          },
          agree: () => {
            const y = P.toFlatArray(P.take(T, I))
            return [y[0], y[y.length - 1]]
          },
        }
      },
      tfjs: (tf) => {
        const T = tf.tensor2d(table, [VOCAB, DIM]),
          I = tf.tensor1d(ids, 'int32')
        return {
          run: () => {
            tf.tidy(() => {
              tf.gather(T, I).dataSync()
            })
          },
          agree: () =>
            tf.tidy(() => {
              const y = tf.gather(T, I).dataSync()
              return [y[0], y[y.length - 1]]
            }),
          dispose: () => tf.dispose([T, I]),
        }
      },
      jax: (jax) => {
        const np = jax.numpy
        const T = np.array(table, { shape: [VOCAB, DIM] }),
          I = np.array(ids, { shape: [BATCH], dtype: np.int32 })
        // every jax-js call consumes its arguments: `.ref` keeps ours alive
        const f = jax.jit((t: JAX.Array, i: JAX.Array) => np.take(t, i, 0))
        return {
          run: () => {
            f(T.ref, I.ref).dataSync()
          },
          agree: () => {
            const y = f(T.ref, I.ref).dataSync()
            return [y[0], y[y.length - 1]]
          },
          dispose: () => {
            T.dispose()
            I.dispose()
            f.dispose()
          },
        }
      },
    },
  })
  const backward = timedTask({
    row: BACKWARD,
    report: (ms) => ms,
    agreeTol: 1e-6,
    agreeWhat: `dT[ids[0], 0] and dT[ids[0], ${DIM - 1}]`,
    impl: {
      purediff: () => {
        const T = P.fromArray(table, [VOCAB, DIM]),
          I = P.fromArray(ids, [BATCH], 'int32'),
          G = P.fromArray(g, [BATCH, DIM])
        const [, pull] = P.vjp((t: P.Tensor) => P.take(t, I), T)
        return {
          run: () => {
            pull(G)
          },
          agree: () => P.toFlatArray(P.slice(pull(G), [r0, 0], [1, DIM])).filter((_, j) => j === 0 || j === DIM - 1),
        }
      },
      tfjs: (tf) => {
        const I = tf.tensor2d(ids, [BATCH, 1], 'int32'),
          G = tf.tensor2d(g, [BATCH, DIM])
        const rowOf = (): Float32Array => tf.tidy(() => tf.slice(tf.scatterND(I, G, [VOCAB, DIM]), [r0, 0], [1, DIM]).dataSync() as Float32Array)
        return {
          run: () => {
            rowOf()
          },
          agree: () => {
            const y = rowOf()
            return [y[0], y[DIM - 1]]
          },
          dispose: () => tf.dispose([I, G]),
        }
      },
      jax: (jax) => {
        const np = jax.numpy
        const T = np.array(table, { shape: [VOCAB, DIM] }),
          I = np.array(ids, { shape: [BATCH], dtype: np.int32 }),
          G = np.array(g, { shape: [BATCH, DIM] })
        const f = jax.jit((t: JAX.Array, i: JAX.Array, u: JAX.Array) => {
          const [y, pull] = jax.vjp((tt: JAX.Array) => np.take(tt, i, 0), [t])
          y.dispose()
          return pull(u)[0]
        })
        const rowOf = () => f(T.ref, I.ref, G.ref).slice(r0).dataSync()
        return {
          run: () => {
            rowOf()
          },
          agree: () => {
            const y = rowOf()
            return [y[0], y[DIM - 1]]
          },
          dispose: () => {
            T.dispose()
            I.dispose()
            G.dispose()
            f.dispose()
          },
        }
      },
    },
  })
  return [lookup, backward]
}

/**
 * einsum: C = einsum('bij,bjk->bik', A, B), a batch of N×N products, A and B uniform in
 * [-0.5, 0.5) float32; 2·B·N³ flops per call, reported in GFLOP/s. purediff's `einsum` (which
 * lowers this spec to its batched matmul) against TF.js's batched `tf.matMul` and jax-js's
 * batched `np.matmul` under jit (its `np.einsum` needs iterator helpers Node 20 lacks). Results are read back where that is a copy, as in the matmul rows.
 */
import type * as JAX from '@jax-js/jax'
import * as P from '../src/index.js'
import type { RowSpec, Task } from './model.js'
import { timedTask } from './model.js'
import { uniformF32 } from './util.js'

const SPEC = 'bij,bjk->bik'

function row(b: number, n: number): RowSpec {
  return {
    id: `einsum-bij-f32-${b}x${n}`,
    group: 'einsum',
    workload: `einsum '${SPEC}' ${b}×${n}×${n} f32`,
    unit: 'GFLOP/s',
    better: 'higher',
    compare: 'ratio',
  }
}

/** One batched product of `b` matrices of n×n, every library; agreement on C[0,0,0] and the last entry. */
export function einsumTask(b: number, n: number): Task {
  const size = b * n * n
  const a = uniformF32(size, 3),
    c = uniformF32(size, 4)
  const shape = [b, n, n]
  return timedTask({
    row: row(b, n),
    report: (ms) => (2 * b * n * n * n) / (ms * 1e6),
    jsColumn: true,
    agreeTol: 1e-4,
    agreeWhat: 'C[0,0,0] and C[B−1,N−1,N−1]',
    impl: {
      purediff: () => {
        const A = P.fromArray(a, shape),
          B = P.fromArray(c, shape)
        return {
          run: () => {
            P.einsum(SPEC, A, B)
          },
          agree: () => {
            const r = P.toFlatArray(P.einsum(SPEC, A, B))
            return [r[0], r[size - 1]]
          },
        }
      },
      tfjs: (tf) => {
        const A = tf.tensor3d(a, [b, n, n]),
          B = tf.tensor3d(c, [b, n, n])
        return {
          run: () => {
            tf.tidy(() => {
              tf.matMul(A, B).dataSync()
            })
          },
          agree: () =>
            tf.tidy(() => {
              const r = tf.matMul(A, B).dataSync()
              return [r[0], r[size - 1]]
            }),
          dispose: () => tf.dispose([A, B]),
        }
      },
      jax: (jax) => {
        const np = jax.numpy
        const A = np.array(a, { shape }),
          B = np.array(c, { shape })
        // jax-js's np.einsum parses the spec with iterator helpers (`matchAll(…).map`) that Node 20
        // lacks, so its column is the batched np.matmul under jit: the same product.
        // Every jax-js call consumes its arguments: `.ref` keeps ours alive.
        const f = jax.jit((x: JAX.Array, y: JAX.Array) => np.matmul(x, y))
        return {
          run: () => {
            f(A.ref, B.ref).dataSync()
          },
          agree: () => {
            const r = f(A.ref, B.ref).dataSync()
            return [r[0], r[size - 1]]
          },
          dispose: () => {
            A.dispose()
            B.dispose()
            f.dispose()
          },
        }
      },
    },
  })
}

export function einsumTasks(quick: boolean): Task[] {
  return quick ? [einsumTask(32, 64)] : [einsumTask(64, 32), einsumTask(32, 64), einsumTask(8, 128)]
}

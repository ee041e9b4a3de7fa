/**
 * matmul: C = A·B for N×N matrices, A and B uniform in [-0.5, 0.5), float32 and float64;
 * 2N³ flops per product, reported in GFLOP/s. Each library's result is read back where that is a
 * copy (TF.js `dataSync`, jax-js `dataSync`: out of WebAssembly memory), so copies are counted;
 * a purediff result is already a JavaScript typed array.
 *
 * purediff also gets the transposed products Aᵀ·B and A·Bᵀ, through the internal `mm` with
 * transpose flags (the backward pass of a product calls exactly these; the public
 * `matmul(transpose(a), b)` would materialise the transpose instead).
 */
import type * as JAX from '@jax-js/jax'
import * as P from '../src/index.js'
import { mm } from '../src/ops/linalg.js'
import { type Jax, type RowSpec, type Task, NA_TFJS_F64, timedTask } from './model.js'
import { uniformF32 } from './util.js'

export type Dt = 'f32' | 'f64'

const gflops = (n: number) => (ms: number) => (2 * n * n * n) / (ms * 1e6)

function row(n: number, dt: Dt, variant: '' | 'AtB' | 'ABt'): RowSpec {
  const label = variant === 'AtB' ? ' Aᵀ·B' : variant === 'ABt' ? ' A·Bᵀ' : ''
  return {
    id: `matmul-${dt}-${n}${variant === '' ? '' : `-${variant}`}`,
    group: 'matmul',
    workload: `matmul ${n}×${n} ${dt}${label}`,
    unit: 'GFLOP/s',
    better: 'higher',
    compare: 'ratio',
  }
}

/** jax-js on Node 20 cannot take a Float64Array (its check names Float16Array, which Node 20 lacks), so float64 arrays are cast from float32 ones: the same numbers. */
function jaxArray(jax: Jax, data: Float32Array, shape: number[], dt: Dt) {
  const a = jax.numpy.array(data, { shape })
  return dt === 'f32' ? a : a.astype(jax.numpy.float64)
}

/** The plain product, every library. */
export function matmulTask(n: number, dt: Dt): Task {
  const a = uniformF32(n * n, 1),
    b = uniformF32(n * n, 2)
  const dtype = dt === 'f32' ? 'float32' : 'float64'
  return timedTask({
    row: row(n, dt, ''),
    report: gflops(n),
    jsColumn: true,
    jaxCpu: n <= 64,
    na: { tfjs: dt === 'f64' ? NA_TFJS_F64 : undefined },
    agreeTol: dt === 'f32' ? 1e-4 : 1e-9,
    agreeWhat: 'C[0,0] and C[N−1,N−1]',
    impl: {
      purediff: () => {
        const A = P.fromArray(a, [n, n], dtype),
          B = P.fromArray(b, [n, n], dtype)
        return {
          run: () => {
            P.matmul(A, B)
          },
          agree: () => {
            const c = P.toFlatArray(P.matmul(A, B))
            return [c[0], c[n * n - 1]]
          },
        }
      },
      tfjs:
        dt === 'f64'
          ? undefined
          : (tf) => {
              const A = tf.tensor2d(a, [n, n]),
                B = tf.tensor2d(b, [n, n])
              return {
                run: () => {
                  tf.tidy(() => {
                    tf.matMul(A, B).dataSync()
                  })
                },
                agree: () =>
                  tf.tidy(() => {
                    const c = tf.matMul(A, B).dataSync()
                    return [c[0], c[n * n - 1]]
                  }),
                dispose: () => tf.dispose([A, B]),
              }
            },
      jax: (jax, _device) => {
        const np = jax.numpy
        const A = jaxArray(jax, a, [n, n], dt),
          B = jaxArray(jax, b, [n, n], dt)
        // jax-js arrays are reference-counted and every call consumes its arguments: `.ref` keeps ours
        const f = jax.jit((x: JAX.Array, y: JAX.Array) => np.matmul(x, y))
        return {
          run: () => {
            f(A.ref, B.ref).dataSync()
          },
          agree: () => {
            const c = f(A.ref, B.ref).dataSync()
            return [c[0], c[n * n - 1]]
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

/** purediff's transposed products: Aᵀ·B or A·Bᵀ, through the internal `mm(a, b, ta, tb)`. */
export function transposedTask(n: number, dt: Dt, variant: 'AtB' | 'ABt'): Task {
  const a = uniformF32(n * n, 1),
    b = uniformF32(n * n, 2)
  const dtype = dt === 'f32' ? 'float32' : 'float64'
  const ta = variant === 'AtB',
    tb = variant === 'ABt'
  return timedTask({
    row: row(n, dt, variant),
    report: gflops(n),
    jsColumn: true,
    agreeTol: null,
    agreeWhat: 'C[0,0] (purediff only)',
    impl: {
      purediff: () => {
        const A = P.fromArray(a, [n, n], dtype),
          B = P.fromArray(b, [n, n], dtype)
        return {
          run: () => {
            mm(A, B, ta, tb)
          },
          agree: () => [P.toFlatArray(mm(A, B, ta, tb))[0]],
        }
      },
    },
  })
}

export function matmulTasks(quick: boolean): Task[] {
  const sizes = quick ? [64, 256, 512] : [64, 128, 256, 512, 1024]
  const tSizes = quick ? [256] : [256, 512]
  const out: Task[] = []
  for (const dt of ['f32', 'f64'] as const) {
    for (const n of sizes) out.push(matmulTask(n, dt))
    for (const n of tSizes) out.push(transposedTask(n, dt, 'AtB'), transposedTask(n, dt, 'ABt'))
  }
  return out
}

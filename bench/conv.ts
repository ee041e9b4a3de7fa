/**
 * conv: 2-D convolutions of issue 15, float32, stride 1, channels-last, in GFLOP/s
 * (2·N·Ho·Wo·Kh·Kw·Cin·Cout flops forward; 3× that forward + backward):
 * - a: x [32, 28, 28, 1], kernel 5×5×1×32, VALID (the first layer of a LeNet-style MNIST CNN);
 * - b: x [32, 14, 14, 32], kernel 3×3×32×64, SAME (a second layer).
 * Forward: purediff `conv(x, k, { padding })`, TF.js `tf.conv2d`, jax-js `lax.convGeneralDilated`
 * under jit. Forward + backward: the output and both cotangents (input and kernel) for a given
 * output cotangent g — purediff `vjp`, TF.js `tf.grads`, jax-js `vjp` under jit.
 *
 * Layouts: purediff and TF.js take NHWC inputs and HWIO kernels; jax-js takes NCHW and OIHW, so
 * its copies of the same numbers are transposed once, outside the timing. Results are read back
 * where that is a copy (TF.js and jax-js `dataSync`); purediff's are typed arrays already.
 */
import type * as JAX from '@jax-js/jax'
import * as P from '../src/index.js'
import type { RowSpec, Task } from './model.js'
import { timedTask } from './model.js'
import { uniformF32 } from './util.js'

interface Case {
  readonly id: 'a' | 'b'
  readonly n: number
  readonly h: number
  readonly cin: number
  readonly k: number
  readonly cout: number
  readonly padding: 'VALID' | 'SAME'
}

const CASES: readonly Case[] = [
  { id: 'a', n: 32, h: 28, cin: 1, k: 5, cout: 32, padding: 'VALID' },
  { id: 'b', n: 32, h: 14, cin: 32, k: 3, cout: 64, padding: 'SAME' },
]

const outSize = (c: Case): number => (c.padding === 'SAME' ? c.h : c.h - c.k + 1)
const flops = (c: Case): number => 2 * c.n * outSize(c) ** 2 * c.k * c.k * c.cin * c.cout
const label = (c: Case): string => `conv2d [${c.n},${c.h},${c.h},${c.cin}]→${c.k}×${c.k}×${c.cout} ${c.padding}`

function row(c: Case, pass: 'fwd' | 'fwdbwd'): RowSpec {
  return {
    id: `conv2d-${c.id}-${pass}`,
    group: 'conv',
    workload: `${label(c)}${pass === 'fwd' ? ' forward' : ' forward + backward'}`,
    unit: 'GFLOP/s',
    better: 'higher',
    compare: 'ratio',
  }
}

/** NHWC → NCHW, or HWIO → OIHW: a plain transposed copy (outside the timing). */
function toChannelsFirst(data: Float32Array, shape: readonly number[], kernel: boolean): Float32Array {
  const out = new Float32Array(data.length)
  if (kernel) {
    const [kh, kw, ci, co] = shape
    for (let a = 0; a < kh; a++)
      for (let b = 0; b < kw; b++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * ci + i) * kh + a) * kw + b] = data[((a * kw + b) * ci + i) * co + o]
  } else {
    const [n, h, w, c] = shape
    for (let s = 0; s < n; s++)
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[((s * c + ch) * h + y) * w + x] = data[((s * h + y) * w + x) * c + ch]
  }
  return out
}

function caseTasks(c: Case): Task[] {
  const ho = outSize(c)
  const xShape = [c.n, c.h, c.h, c.cin],
    kShape = [c.k, c.k, c.cin, c.cout],
    gShape = [c.n, ho, ho, c.cout]
  const x = uniformF32(c.n * c.h * c.h * c.cin, 31)
  const k = uniformF32(c.k * c.k * c.cin * c.cout, 32)
  const g = uniformF32(c.n * ho * ho * c.cout, 33)
  const gflops = (mult: number) => (ms: number) => (mult * flops(c)) / (ms * 1e6)
  const tfPad = c.padding === 'SAME' ? 'same' : 'valid'

  const forward = timedTask({
    row: row(c, 'fwd'),
    report: gflops(1),
    jsColumn: true,
    agreeTol: 1e-4,
    agreeWhat: 'y[0,0,0,0] and the last entry of y',
    impl: {
      purediff: () => {
        const X = P.fromArray(x, xShape),
          K = P.fromArray(k, kShape)
        const f = () => P.conv(X, K, { padding: c.padding })
        return {
          run: () => {
            f()
          },
          agree: () => {
            const y = P.toFlatArray(f())
            return [y[0], y[y.length - 1]]
          },
        }
      },
      tfjs: (tf) => {
        const X = tf.tensor4d(x, xShape as [number, number, number, number]),
          K = tf.tensor4d(k, kShape as [number, number, number, number])
        // tf.tidy walks what its function returns looking for tensors (every entry of a typed
        // array: 100× the convolution's time here), so the data leaves through a closure
        const f = (): Float32Array<ArrayBufferLike> => {
          let y: Float32Array<ArrayBufferLike> = new Float32Array(0)
          tf.tidy(() => {
            y = tf.conv2d(X, K, 1, tfPad).dataSync() as Float32Array
          })
          return y
        }
        return {
          run: () => {
            f()
          },
          agree: () => {
            const y = f()
            return [y[0], y[y.length - 1]]
          },
          dispose: () => tf.dispose([X, K]),
        }
      },
      jax: (jax) => {
        const np = jax.numpy
        const X = np.array(toChannelsFirst(x, xShape, false), { shape: [c.n, c.cin, c.h, c.h] }),
          K = np.array(toChannelsFirst(k, kShape, true), { shape: [c.cout, c.cin, c.k, c.k] })
        const f = jax.jit((a: JAX.Array, b: JAX.Array) => jax.lax.convGeneralDilated(a, b, [1, 1], c.padding))
        return {
          run: () => {
            f(X.ref, K.ref).dataSync()
          },
          agree: () => {
            const y = f(X.ref, K.ref).dataSync()
            return [y[0], y[y.length - 1]]
          },
          dispose: () => {
            X.dispose()
            K.dispose()
            f.dispose()
          },
        }
      },
    },
  })

  const backward = timedTask({
    row: row(c, 'fwdbwd'),
    report: gflops(3),
    jsColumn: true,
    agreeTol: 1e-3,
    agreeWhat: 'dx[0,0,0,0] and dk[0,0,0,0]',
    impl: {
      purediff: () => {
        const X = P.fromArray(x, xShape),
          K = P.fromArray(k, kShape),
          G = P.fromArray(g, gShape)
        // both cotangents: the pullback of conv with respect to the pair { x, k }
        const f = (): [P.Tensor, P.Tensor] => {
          const [, pull] = P.vjp((p: { x: P.Tensor; k: P.Tensor }) => P.conv(p.x, p.k, { padding: c.padding }), { x: X, k: K })
          const d = pull(G)
          return [d.x, d.k]
        }
        return {
          run: () => {
            f()
          },
          agree: () => {
            const [dx, dk] = f()
            return [P.toFlatArray(dx)[0], P.toFlatArray(dk)[0]]
          },
        }
      },
      tfjs: (tf) => {
        const X = tf.tensor4d(x, xShape as [number, number, number, number]),
          K = tf.tensor4d(k, kShape as [number, number, number, number]),
          G = tf.tensor4d(g, gShape as [number, number, number, number])
        const grads = tf.grads((a: TfTensor, b: TfTensor) => tf.conv2d(a as TfTensor4, b as TfTensor4, 1, tfPad))
        const f = (): Float32Array<ArrayBufferLike>[] => {
          let out: Float32Array<ArrayBufferLike>[] = []
          tf.tidy(() => {
            const [dx, dk] = grads([X, K], G)
            out = [dx.dataSync() as Float32Array, dk.dataSync() as Float32Array]
          })
          return out
        }
        return {
          run: () => {
            f()
          },
          agree: () => {
            const [dx, dk] = f()
            return [dx[0], dk[0]]
          },
          dispose: () => tf.dispose([X, K, G]),
        }
      },
      jax: (jax) => {
        const np = jax.numpy
        const X = np.array(toChannelsFirst(x, xShape, false), { shape: [c.n, c.cin, c.h, c.h] }),
          K = np.array(toChannelsFirst(k, kShape, true), { shape: [c.cout, c.cin, c.k, c.k] }),
          G = np.array(toChannelsFirst(g, gShape, false), { shape: [c.n, c.cout, ho, ho] })
        const f = jax.jit((a: JAX.Array, b: JAX.Array, u: JAX.Array) => {
          const [y, pull] = jax.vjp((aa: JAX.Array, bb: JAX.Array) => jax.lax.convGeneralDilated(aa, bb, [1, 1], c.padding), [a, b])
          y.dispose()
          return pull(u)
        })
        const both = () => {
          const [dx, dk] = f(X.ref, K.ref, G.ref) as JAX.Array[]
          return [dx.dataSync(), dk.dataSync()]
        }
        return {
          run: () => {
            both()
          },
          agree: () => {
            const [dx, dk] = both()
            return [dx[0], dk[0]]
          },
          dispose: () => {
            X.dispose()
            K.dispose()
            G.dispose()
            f.dispose()
          },
        }
      },
    },
  })
  return [forward, backward]
}

type TfTensor = import('@tensorflow/tfjs').Tensor
type TfTensor4 = import('@tensorflow/tfjs').Tensor4D

export function convTasks(): Task[] {
  return CASES.flatMap(caseTasks)
}

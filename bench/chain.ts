/**
 * The 200-op chain: the gradient of Σ f(x) on a length-10 vector, where f is 200 elementwise ops
 * cycling sin, ·0.9, +0.1, tanh. Ten numbers per op cost nothing, so this measures what one op
 * costs the engine (tensor creation, tracing, the backward pass's bookkeeping, the vjp rules' own
 * ops), reported per chain op, forward and backward together.
 */
import type * as TF from '@tensorflow/tfjs'
import type * as JAX from '@jax-js/jax'
import * as P from '../src/index.js'
import { type Task, timedTask } from './model.js'
import { uniformF32 } from './util.js'

const OPS = 200
const LENGTH = 10

function pdChain(x: P.Tensor): P.Tensor {
  let t = x
  for (let i = 0; i < OPS; i++) {
    const r = i % 4
    t = r === 0 ? P.sin(t) : r === 1 ? P.mul(t, 0.9) : r === 2 ? P.add(t, 0.1) : P.tanh(t)
  }
  return P.sum(t)
}

function tfChain(tf: typeof TF, x: TF.Tensor): TF.Scalar {
  let t = x
  for (let i = 0; i < OPS; i++) {
    const r = i % 4
    t = r === 0 ? tf.sin(t) : r === 1 ? tf.mul(t, 0.9) : r === 2 ? tf.add(t, 0.1) : tf.tanh(t)
  }
  return tf.sum(t)
}

function jaxChain(jax: typeof JAX, x: JAX.Array): JAX.Array {
  const np = jax.numpy
  let t = x
  for (let i = 0; i < OPS; i++) {
    const r = i % 4
    t = r === 0 ? np.sin(t) : r === 1 ? t.mul(0.9) : r === 2 ? t.add(0.1) : np.tanh(t)
  }
  return t.sum()
}

export function chainTask(): Task {
  const x = uniformF32(LENGTH, 5)
  return timedTask({
    row: { id: 'chain', group: 'chain', workload: `grad of ${OPS}-op elementwise chain, length ${LENGTH}`, unit: 'µs/op', better: 'lower', compare: 'ratio' },
    report: (ms) => (ms * 1000) / OPS,
    jaxCpu: true,
    agreeTol: 1e-4,
    agreeWhat: 'first gradient entry',
    impl: {
      purediff: () => {
        const X = P.fromArray(x, [LENGTH])
        const g = P.grad(pdChain)
        return {
          run: () => {
            g(X)
          },
          agree: () => [P.toFlatArray(g(X))[0]],
        }
      },
      tfjs: (tf) => {
        const X = tf.tensor1d(x)
        const g = tf.grad((t: TF.Tensor) => tfChain(tf, t))
        return {
          run: () => {
            tf.tidy(() => {
              g(X).dataSync()
            })
          },
          agree: () => tf.tidy(() => [g(X).dataSync()[0]]),
          dispose: () => X.dispose(),
        }
      },
      jax: (jax, device) => {
        const X = jax.numpy.array(x)
        const g = jax.grad((t: JAX.Array) => jaxChain(jax, t))
        // jit turns 200 tiny kernels into one; on the cpu device jit of this chain did not finish in 5 min, so eager there
        const jitted = device === 'wasm' ? jax.jit(g) : null
        const f = jitted ?? g
        return {
          run: () => {
            f(X.ref).dataSync()
          },
          agree: () => [f(X.ref).dataSync()[0]],
          dispose: () => {
            X.dispose()
            jitted?.dispose()
          },
        }
      },
    },
  })
}

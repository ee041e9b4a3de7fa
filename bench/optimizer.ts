/**
 * The optimizer update alone: one step of ≈ 1M float32 parameters in 6 tensors (the shapes of a
 * 1024-512-512-416 MLP) with fixed gradients. purediff: `opt.update(grads, state, params)` then
 * `applyUpdates`, a new params tree and a new state every step (nothing is written in place), with
 * the 'tfjs' profile so that all compute TF.js's formulas. TF.js: `optimizer.applyGradients` on
 * `tf.variable`s (assigned in place; its kernels run synchronously, so nothing needs reading
 * back). jax-js: the same formulas under one jit, params and state replaced every step. The
 * agreement numbers are how far the first parameter moved in three steps.
 */
import type * as TF from '@tensorflow/tfjs'
import type * as JAX from '@jax-js/jax'
import * as P from '../src/index.js'
import * as O from '../src/optim/index.js'
import type { GradientTransformation } from '../src/optim/index.js'
import { type Jax, type Prepared, type Task, type Tf, timedTask } from './model.js'
import { uniformF32 } from './util.js'

const SHAPES: readonly (readonly number[])[] = [[1024, 512], [512], [512, 512], [512], [512, 416], [416]]
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1)
const TOTAL = SHAPES.reduce((n, s) => n + size(s), 0)
const LR = 0.001
const STEPS_AGREE = 3

type Kind = 'adam' | 'momentum'

const params0 = () => SHAPES.map((s, i) => uniformF32(size(s), 200 + i))
const grads0 = () => SHAPES.map((s, i) => uniformF32(size(s), 300 + i))

function purediff(kind: Kind): Prepared {
  const opt: GradientTransformation<unknown> = kind === 'adam' ? O.adam(LR, { profile: 'tfjs' }) : O.momentum(LR, { beta: 0.9, profile: 'tfjs' })
  const start = params0()
  let params = start.map((v, i) => P.fromArray(v, SHAPES[i]))
  const grads = grads0().map((v, i) => P.fromArray(v, SHAPES[i]))
  let state = opt.init(params)
  const run = () => {
    const [u, s] = opt.update(grads, state, params)
    params = O.applyUpdates(params, u)
    state = s
  }
  return {
    run,
    agree: () => {
      for (let i = 0; i < STEPS_AGREE; i++) run()
      return [P.toFlatArray(params[0])[0] - start[0][0]]
    },
  }
}

function tfjs(tf: Tf, kind: Kind): Prepared {
  const opt = kind === 'adam' ? tf.train.adam(LR, 0.9, 0.999) : tf.train.momentum(LR, 0.9)
  const start = params0()
  // inside tidy: tf.variable keeps its initial tensor alive otherwise
  const vars = tf.tidy(() => start.map((v, i) => tf.variable(tf.tensor(v, [...SHAPES[i]]))))
  const grads: { name: string; tensor: TF.Tensor }[] = grads0().map((g, i) => ({ name: vars[i].name, tensor: tf.tensor(g, [...SHAPES[i]]) }))
  const run = () => opt.applyGradients(grads)
  return {
    run,
    agree: () => {
      for (let i = 0; i < STEPS_AGREE; i++) run()
      return [vars[0].dataSync()[0] - start[0][0]]
    },
    dispose: () => {
      tf.dispose([...vars, ...grads.map((g) => g.tensor)])
      opt.dispose()
    },
  }
}

function jax(jx: Jax, kind: Kind): Prepared {
  const { numpy: np, tree } = jx
  const start = params0()
  let p = start.map((v, i) => np.array(v, { shape: [...SHAPES[i]] }))
  const g = grads0().map((v, i) => np.array(v, { shape: [...SHAPES[i]] }))
  let m = p.map((a) => np.zerosLike(a.ref))
  let v = p.map((a) => np.zerosLike(a.ref))
  let t = 0
  // TF.js's formulas; every argument is consumed, so the fixed gradients go in as tree.ref(g)
  const adamStep = jx.jit((p: JAX.Array[], m: JAX.Array[], v: JAX.Array[], g: JAX.Array[], c1: JAX.Array, c2: JAX.Array) => {
    const m2 = m.map((mi, i) => mi.mul(0.9).add(g[i].ref.mul(0.1)))
    const v2 = v.map((vi, i) => vi.mul(0.999).add(g[i].ref.mul(g[i]).mul(0.001)))
    const p2 = p.map((pi, i) =>
      pi.sub(
        m2[i].ref
          .mul(c1.ref)
          .div(np.sqrt(v2[i].ref.mul(c2.ref)).add(1e-7))
          .mul(LR),
      ),
    )
    c1.dispose()
    c2.dispose()
    return [p2, m2, v2] as [JAX.Array[], JAX.Array[], JAX.Array[]]
  })
  const momentumStep = jx.jit((p: JAX.Array[], m: JAX.Array[], g: JAX.Array[]) => {
    const m2 = m.map((mi, i) => mi.mul(0.9).add(g[i]))
    const p2 = p.map((pi, i) => pi.sub(m2[i].ref.mul(LR)))
    return [p2, m2] as [JAX.Array[], JAX.Array[]]
  })
  const run = () => {
    t++
    if (kind === 'adam') [p, m, v] = adamStep(p, m, v, tree.ref(g), 1 / (1 - 0.9 ** t), 1 / (1 - 0.999 ** t))
    else [p, m] = momentumStep(p, m, tree.ref(g))
  }
  return {
    run,
    flush: async () => {
      await jx.blockUntilReady([p, m, v])
    },
    agree: () => {
      for (let i = 0; i < STEPS_AGREE; i++) run()
      return [p[0].ref.dataSync()[0] - start[0][0]]
    },
    dispose: () => {
      tree.dispose([p, m, v, g])
      adamStep.dispose()
      momentumStep.dispose()
    },
  }
}

export function optimizerTask(kind: Kind): Task {
  const label = kind === 'adam' ? 'Adam' : 'SGD momentum 0.9'
  return timedTask({
    row: {
      id: `optim-${kind}`,
      group: 'optim',
      workload: `${label} update, ${(TOTAL / 1e6).toFixed(2)}M f32 params in ${SHAPES.length} tensors`,
      unit: 'ms/step',
      better: 'lower',
      compare: 'ratio',
    },
    report: (ms) => ms,
    agreeTol: 1e-3,
    agreeWhat: `movement of the first parameter in ${STEPS_AGREE} steps`,
    impl: { purediff: () => purediff(kind), tfjs: (tf) => tfjs(tf, kind), jax: (jx) => jax(jx, kind) },
  })
}

/**
 * The optimizer-update workload, written twice side by side: one update of ≈ 1M float32
 * parameters in 6 tensors (the shapes of a 1024-512-512-416 MLP), with fixed gradients.
 * purediff: `opt.update(grads, state, params)` then `applyUpdates`, a new params tree and a new
 * state every step (nothing is written in place). TF.js: `optimizer.applyGradients` on
 * `tf.variable`s, which assigns in place, then `dataSync()` on every variable. Both use the
 * same formulas (purediff's 'tfjs' profile), so the agreement check compares how far the first
 * parameter moved in three steps.
 */
import type * as TF from '@tensorflow/tfjs'
import * as P from '../src/index.js'
import * as O from '../src/optim/index.js'
import type { GradientTransformation } from '../src/optim/index.js'
import type { Tf, Workload } from './workloads.js'
import { uniformArray } from './util.js'

const SHAPES: readonly (readonly number[])[] = [[1024, 512], [512], [512, 512], [512], [512, 416], [416]]
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1)
const TOTAL = SHAPES.reduce((n, s) => n + size(s), 0)
const LR = 0.001

interface Kind {
  readonly label: string
  readonly pd: () => GradientTransformation<unknown>
  readonly tf: (tf: Tf) => TF.Optimizer
}

const KINDS: Readonly<Record<'adam' | 'momentum', Kind>> = {
  adam: { label: 'Adam', pd: () => O.adam(LR, { profile: 'tfjs' }), tf: (tf) => tf.train.adam(LR, 0.9, 0.999) },
  momentum: { label: 'SGD momentum 0.9', pd: () => O.momentum(LR, { beta: 0.9, profile: 'tfjs' }), tf: (tf) => tf.train.momentum(LR, 0.9) },
}

interface Data {
  readonly params: readonly number[][]
  readonly grads: readonly number[][]
}

function data(): Data {
  return { params: SHAPES.map((s, i) => uniformArray(size(s), 200 + i)), grads: SHAPES.map((s, i) => uniformArray(size(s), 300 + i)) }
}

function pdSetup(d: Data) {
  return { params: d.params.map((v, i) => P.fromArray(v, SHAPES[i])), grads: d.grads.map((v, i) => P.fromArray(v, SHAPES[i])) }
}

function tfSetup(tf: Tf, d: Data, tag: string) {
  const vars = d.params.map((v, i) => tf.tidy(() => tf.variable(tf.tensor(v, [...SHAPES[i]]), true, `bench_${tag}_${i}_${Math.random().toString(36).slice(2)}`)))
  const grads: TF.NamedTensorMap = {}
  vars.forEach((v, i) => { grads[v.name] = tf.tensor(d.grads[i], [...SHAPES[i]]) })
  return { vars, grads }
}

/** One optimizer update of ≈ 1M float32 parameters in 6 tensors. */
export function optimizerWorkload(kind: 'adam' | 'momentum'): Workload {
  const k = KINDS[kind]
  const d = data()
  return {
    name: `${k.label} update, ${(TOTAL / 1e6).toFixed(2)}M float32 params in ${SHAPES.length} tensors`,
    unit: 'ms/step',
    report: (ms) => ms,
    purediff: () => {
      const opt = k.pd()
      let { params } = pdSetup(d)
      const { grads } = pdSetup(d)
      let state = opt.init(params)
      return () => {
        const [u, s] = opt.update(grads, state, params)
        params = O.applyUpdates(params, u)
        state = s
      }
    },
    tfjs: (tf) => {
      const opt = k.tf(tf)
      const { vars, grads } = tfSetup(tf, d, kind)
      return () => {
        opt.applyGradients(grads)
        for (const v of vars) v.dataSync()
      }
    },
    check: (tf) => {
      const opt = k.pd()
      let { params } = pdSetup(d)
      const { grads } = pdSetup(d)
      let state = opt.init(params)
      for (let i = 0; i < 3; i++) { const [u, s] = opt.update(grads, state, params); params = O.applyUpdates(params, u); state = s }
      const topt = k.tf(tf)
      const t = tfSetup(tf, d, `${kind}_check`)
      for (let i = 0; i < 3; i++) topt.applyGradients(t.grads)
      const want = t.vars[0].dataSync()[0]
      tf.dispose([...t.vars, ...Object.values(t.grads)])
      topt.dispose()
      // the movement of the first parameter over three steps (≈ −3·lr), which is what the two compute
      const start = Math.fround(d.params[0][0])
      return [P.toFlatArray(params[0])[0] - start, want - start]
    },
  }
}

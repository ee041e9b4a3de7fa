/**
 * Outside oracle for the 'tfjs' profile: trajectories of purediff's adagrad, rmsprop, adam and
 * momentum (plain and Nesterov) against tfjs-core's own optimizers (`tf.train.*`,
 * `applyGradients` on `tf.variable`s, CPU backend), on the same float32 params and gradients.
 *
 * Tolerance. Both compute in float32 (ε₃₂ = 2⁻²⁴ ≈ 6e-8 per rounding) but not in the same
 * order: purediff fuses each update into one float64 expression rounded once on storing, TF.js
 * rounds after each of its ~10 ops, and its Adam keeps βᵗ as a float32 product (1 − β2ᵗ is off
 * by up to ≈ 1.3e-5 relative at t = 1). Each step moves a param by at most ≈ η·few (≤ 0.3 here),
 * so the per-step difference is below ≈ 1e-6; over ≤ 8 steps we allow |Δ| ≤ 1e-5·(1 + |θ|),
 * ten times that and still far below any real mistake (a missing bias correction, ε on the
 * wrong side of the root, a wrong initial accumulator: each moves θ by ≥ 1e-3 here, which the
 * last test checks).
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import * as O from '../../src/optim/index.js'
import type { GradientTransformation } from '../../src/optim/index.js'

// Quiet: tfjs-backend-cpu prints an "install our node backend" banner on first use unless IS_TEST
// (or PROD) is set; IS_TEST keeps TF.js's own argument checks on, unlike enableProdMode.
tf.env().set('IS_TEST', true)

const RTOL = 1e-5
const RUNS = 100

beforeAll(async () => {
  await tf.setBackend('cpu')
})

// --- plain data: what fast-check generates

interface Case {
  readonly shapes: readonly number[][]
  readonly params: readonly number[][]
  readonly grads: readonly (readonly number[][])[] // grads[step][leaf]
  readonly lr: number
}

const f32 = (min: number, max: number) => fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true })
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1)

const caseArb: fc.Arbitrary<Case> = fc.array(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 2 }), { minLength: 1, maxLength: 3 }).chain((shapes) => {
  const leaves = (min: number, max: number) => fc.tuple(...shapes.map((s) => fc.array(f32(min, max), { minLength: size(s), maxLength: size(s) })))
  return fc.record({
    shapes: fc.constant(shapes),
    params: leaves(-2, 2),
    grads: fc.array(leaves(-3, 3), { minLength: 1, maxLength: 8 }),
    lr: fc.constantFrom(0.001, 0.01, 0.1),
  })
})

// --- the two runs

type TfOptimizer = tf.Optimizer

function runPurediff(opt: GradientTransformation<unknown>, c: Case): number[][] {
  let p = c.params.map((v, i) => P.fromArray(v, c.shapes[i], 'float32'))
  let s = opt.init(p)
  for (const g of c.grads) {
    const [u, next] = opt.update(
      g.map((v, i) => P.fromArray(v, c.shapes[i], 'float32')),
      s,
      p,
    )
    p = O.applyUpdates(p, u)
    s = next
  }
  return p.map(P.toFlatArray)
}

let nameCounter = 0
/**
 * TF.js's run; throws if it leaks tensors per step. (`dispose()` of a TF.js optimizer leaves its
 * −lr scalar, and momentum's also its β scalar, undisposed: at most 2 per optimizer, whatever
 * the number of steps; everything made here is disposed.)
 */
function runTf(make: () => TfOptimizer, c: Case): number[][] {
  const before = tf.memory().numTensors
  const initial = c.params.map((v, i) => tf.tensor(v, c.shapes[i], 'float32'))
  const vars = initial.map((t) => tf.variable(t, true, `optim_oracle_${nameCounter++}`))
  tf.dispose(initial)
  const opt = make()
  for (const g of c.grads) {
    const named: tf.NamedTensorMap = {}
    const ts = g.map((v, i) => tf.tensor(v, c.shapes[i], 'float32'))
    vars.forEach((v, i) => {
      named[v.name] = ts[i]
    })
    opt.applyGradients(named)
    tf.dispose(ts)
  }
  const out = vars.map((v) => Array.from(v.dataSync()))
  tf.dispose(vars)
  opt.dispose()
  const leaked = tf.memory().numTensors - before
  if (leaked > 2) throw new Error(`TF.js run leaked ${leaked} tensors over ${c.grads.length} steps`)
  return out
}

function mismatch(got: number[][], want: number[][]): string | null {
  for (let i = 0; i < want.length; i++) {
    for (let j = 0; j < want[i].length; j++) {
      const a = got[i][j],
        b = want[i][j]
      if (!(Math.abs(a - b) <= RTOL * (1 + Math.abs(b)))) return `leaf ${i} index ${j}: purediff ${a}, tfjs ${b}`
    }
  }
  return null
}

// --- the rows

interface OracleRow {
  readonly name: string
  readonly pd: (lr: number) => GradientTransformation<unknown>
  readonly tf: (lr: number) => TfOptimizer
}

const rows: readonly OracleRow[] = [
  { name: 'adagrad (tf.train.adagrad, initialAccumulatorValue 0.1)', pd: (lr) => O.adagrad(lr, { profile: 'tfjs' }), tf: (lr) => tf.train.adagrad(lr) },
  { name: 'rmsprop (tf.train.rmsprop, decay 0.9)', pd: (lr) => O.rmsprop(lr, { profile: 'tfjs' }), tf: (lr) => tf.train.rmsprop(lr) },
  { name: 'rmsprop decay 0.95', pd: (lr) => O.rmsprop(lr, { profile: 'tfjs', decay: 0.95 }), tf: (lr) => tf.train.rmsprop(lr, 0.95) },
  { name: 'adam (tf.train.adam, 0.9, 0.999)', pd: (lr) => O.adam(lr, { profile: 'tfjs' }), tf: (lr) => tf.train.adam(lr, 0.9, 0.999) },
  { name: 'adam b1 0.8, b2 0.99', pd: (lr) => O.adam(lr, { profile: 'tfjs', b1: 0.8, b2: 0.99 }), tf: (lr) => tf.train.adam(lr, 0.8, 0.99) },
  { name: 'momentum (tf.train.momentum, 0.9)', pd: (lr) => O.momentum(lr, { profile: 'tfjs', beta: 0.9 }), tf: (lr) => tf.train.momentum(lr, 0.9) },
  { name: 'momentum nesterov', pd: (lr) => O.momentum(lr, { profile: 'tfjs', beta: 0.9, nesterov: true }), tf: (lr) => tf.train.momentum(lr, 0.9, true) },
  { name: 'sgd (tf.train.sgd)', pd: (lr) => O.sgd(lr), tf: (lr) => tf.train.sgd(lr) },
]

describe("oracle: the 'tfjs' profile reproduces tfjs-core's optimizers (float32, cpu backend)", () => {
  for (const r of rows) {
    it(r.name, () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const m = mismatch(
            runPurediff(r.pd(c.lr), c),
            runTf(() => r.tf(c.lr), c),
          )
          if (m !== null) throw new Error(m)
        }),
        { numRuns: RUNS },
      )
    })
  }
  it("the tolerance separates the profiles: the other profiles are NOT TF.js's trajectories", () => {
    const c: Case = { shapes: [[2]], params: [[1, -1]], grads: [[[0.5, -2]], [[0.5, -2]], [[0.5, -2]]], lr: 0.1 }
    const want = runTf(() => tf.train.adagrad(0.1), c)
    expect(mismatch(runPurediff(O.adagrad(0.1, { profile: 'tfjs' }), c), want)).toBeNull()
    expect(mismatch(runPurediff(O.adagrad(0.1, { profile: 'pytorch' }), c), want)).not.toBeNull()
    expect(mismatch(runPurediff(O.adagrad(0.1, { profile: 'optax' }), c), want)).toBeNull() // Optax's Adagrad is TF.js's
    // ε placement shows where ν is comparable to ε: gradients of order 1e-3 (ν ≈ 1e-7)
    const small: Case = { ...c, grads: c.grads.map((g) => g.map((v) => v.map((x) => Math.fround(x / 1000)))) }
    const wantRms = runTf(() => tf.train.rmsprop(0.1), small)
    expect(mismatch(runPurediff(O.rmsprop(0.1, { profile: 'tfjs' }), small), wantRms)).toBeNull()
    expect(mismatch(runPurediff(O.rmsprop(0.1, { profile: 'pytorch', decay: 0.9 }), small), wantRms)).not.toBeNull()
    expect(mismatch(runPurediff(O.rmsprop(0.1, { profile: 'optax' }), small), wantRms)).not.toBeNull()
    expect(mismatch(runPurediff(O.rmsprop(0.1, { profile: 'lecture' }), small), wantRms)).not.toBeNull()
    const wantAdam = runTf(() => tf.train.adam(0.1, 0.9, 0.999), small)
    expect(mismatch(runPurediff(O.adam(0.1, { profile: 'tfjs' }), small), wantAdam)).toBeNull()
    expect(mismatch(runPurediff(O.adam(0.1, { profile: 'pytorch' }), small), wantAdam)).not.toBeNull()
  })
})

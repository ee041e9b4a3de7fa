/**
 * Outside oracle: purediff against TensorFlow.js (CPU backend, float32).
 *
 * 1. forward values of every op in `OPS` (ops.ts) on fast-check inputs with broadcastable
 *    shapes, each inside its valid domain;
 * 2. the gradient of Σ w ⊙ op(x…) with respect to every differentiable input, against
 *    `tf.grads` (broadcast shapes, so un-broadcasting of cotangents is checked too);
 * 3. random expression trees (expr.ts) over 1–3 inputs: value and gradients with respect to
 *    every input.
 *
 * Tolerances. Both libraries compute in float32 (ε = 2⁻²⁴ ≈ 6e-8 per rounding) on the SAME
 * float32 inputs, so any two correct implementations differ by a few roundings (the largest
 * difference seen over thousands of cases was ≈ 2e-7 relative, 5e-7 absolute).
 * - A single op: |Δ| ≤ 1e-4 + 1e-4·|want|, more than 100× the float32 error of one op,
 *   still far below any real mistake (a wrong sign, a missing factor or term).
 * - A gradient adds the sum over broadcast axes (≤ 64 terms, summed in a different order by
 *   each library), so its error scales with the size of the terms, not of the sum. We allow
 *   in addition GRAD_NORM·‖g‖∞ with GRAD_NORM = 1e-5 (≈ 64 terms · 2 roundings · ε, rounded up).
 * - A composition of depth ≤ 4 has ≤ 15 ops forward and about twice that backward; every menu
 *   entry is Lipschitz with a small constant on the values reached (intermediate values are
 *   capped at BOUND = 100, kinks avoided by MARGIN), so rounding errors grow at most linearly
 *   in the op count and the scale of the values: we allow 1e-4·(1 + |want|) + 1e-4·‖want‖∞ for
 *   values and 1e-3·(|g| + ‖g‖∞) + 1e-4 for gradients, i.e. ≈ 30 ops × a few ε × BOUND.
 * None of these was loosened to make a failure pass.
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Tensor, fromArray, grad, mul, sum, toFlatArray } from '../../src/index.js'
import { BOUND, evalPd, evalTf, exprArb, hazard, show, usedInputs } from './expr.js'
import {
  type Instance,
  type Result,
  broadcastFamily,
  inputsArb,
  maxAbs,
  mismatch,
  pdForward,
  pdGrads,
  seedArb,
  tfForward,
  tfGrads,
  toPd,
  toTf,
  uniform,
  weights,
} from './harness.js'
import { OPS } from './ops.js'

const VALUE_ATOL = 1e-4
const VALUE_RTOL = 1e-4
const GRAD_NORM = 1e-5
const FORWARD_RUNS = 100
const GRAD_RUNS = 100
const COMPOSITION_RUNS = 1000

let tensorsBefore = 0

beforeAll(async () => {
  await tf.setBackend('cpu')
  tensorsBefore = tf.memory().numTensors
})

afterAll(() => {
  // Every TF.js call runs in tf.tidy: nothing may leak.
  expect(tf.memory().numTensors).toBe(tensorsBefore)
})

function sameShape(got: Result, want: Result): void {
  if (got.shape.join() !== want.shape.join()) throw new Error(`shape: purediff [${got.shape}] vs tfjs [${want.shape}]`)
}

describe('oracle: forward values match TF.js', () => {
  for (const row of OPS) {
    it(row.name, () => {
      fc.assert(
        fc.property(row.forward, (inst: Instance) => {
          const got = pdForward(inst)
          const want = tfForward(inst)
          sameShape(got, want)
          const m = mismatch(got.data, want.data, VALUE_ATOL, VALUE_RTOL)
          if (m !== null) throw new Error(`value ${m}`)
        }),
        { numRuns: FORWARD_RUNS },
      )
    })
  }
})

describe('oracle: gradients of Σ w ⊙ op(x) match tf.grads', () => {
  for (const row of OPS) {
    const g = row.grad
    if (g === undefined) continue
    it(`${row.name} (wrt inputs ${g.wrt.join(', ')})`, () => {
      fc.assert(
        fc.property(g.arb, seedArb, (inst: Instance, seed: number) => {
          const got = pdGrads(inst, seed, g.wrt)
          const want = tfGrads(inst, seed, g.wrt)
          g.wrt.forEach((input, j) => {
            const m = mismatch(got[j], want[j], VALUE_ATOL + GRAD_NORM * maxAbs(want[j]), VALUE_RTOL)
            if (m !== null) throw new Error(`gradient wrt input ${input}: ${m}`)
          })
        }),
        { numRuns: GRAD_RUNS },
      )
    })
  }
})

describe('oracle: random compositions match TF.js in value and gradient', () => {
  const cases = fc.integer({ min: 1, max: 3 }).chain((n) =>
    fc.tuple(
      exprArb(n),
      broadcastFamily(n, { minRank: 1 }).chain((ss) => inputsArb(ss, [uniform(-2, 2)])),
      seedArb,
    ),
  )

  it(`trees of depth ≤ 4 over 1–3 inputs (${COMPOSITION_RUNS} cases, inputs in [−2, 2], values capped at ${BOUND})`, () => {
    let compared = 0
    fc.assert(
      fc.property(cases, ([e, inputs, seed]) => {
        const xs = inputs.map(toPd)
        const why = hazard(e, xs)
        fc.pre(why === null)
        const tree = show(e)

        // value
        const y = evalPd(e, xs)
        const want = tf.tidy(() => {
          const t = evalTf(e, inputs.map(toTf))
          return { shape: t.shape.slice(), data: Array.from(t.dataSync()) }
        })
        if (y.shape.join() !== want.shape.join()) throw new Error(`${tree}: shape [${y.shape}] vs tfjs [${want.shape}]`)
        const vm = mismatch(toFlatArray(y), want.data, 1e-4 + 1e-4 * maxAbs(want.data), 1e-4)
        if (vm !== null) throw new Error(`${tree}: value ${vm}`)

        // gradients with respect to every input
        const ws = weights(seed, y.size)
        const w = fromArray(ws, y.shape, 'float32')
        const got = grad((vs: Tensor[]) => sum(mul(w, evalPd(e, vs))))(xs).map((g) => toFlatArray(g))
        const used = [...usedInputs(e)].sort((a, b) => a - b)
        const wantG = tf.tidy(() => {
          const ts = inputs.map(toTf)
          const wt = tf.tensor(ws, want.shape, 'float32')
          const f = (...vs: tf.Tensor[]): tf.Scalar => {
            const all = ts.slice()
            used.forEach((i, j) => {
              all[i] = vs[j]
            })
            return tf.sum(tf.mul(wt, evalTf(e, all)))
          }
          return tf
            .grads(f)(used.map((i) => ts[i]))
            .map((g) => Array.from(g.dataSync()))
        })
        got.forEach((g, i) => {
          const j = used.indexOf(i)
          // An input the tree never reads has gradient exactly 0 (TF.js refuses to differentiate it).
          const expected = j < 0 ? g.map(() => 0) : wantG[j]
          const m = mismatch(g, expected, 1e-4 + 1e-3 * maxAbs(expected), 1e-3)
          if (m !== null) throw new Error(`${tree}: gradient wrt x${i} ${m}`)
        })
        compared++
      }),
      { numRuns: COMPOSITION_RUNS },
    )
    expect(compared).toBeGreaterThanOrEqual(100)
  })
})

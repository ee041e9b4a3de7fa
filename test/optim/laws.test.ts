/**
 * Every row of the optimizer registry (test/specs/optimizers.ts) obeys every optimizer law,
 * 50 random cases each: random param trees of float32 and float64 leaves, 1–4 steps. And the
 * laws judge correctly: each one FAILS for a transform built to break it.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import * as O from '../../src/optim/index.js'
import type { GradientTransformation } from '../../src/optim/index.js'
import { type OptimizerCase, checkInitMirrors, checkPurity, checkResume, checkStateRoundTrip, checkZeroGradientFixedPoint, optimizerLaws } from '../../laws/index.js'
import { optimizerRows } from '../specs/optimizers.js'

// No pinned seed: every law is bit-exact (no float tolerance to be flaky), so each run draws new
// cases, and fast-check prints the seed and the counterexample of any failure.
const RUNS = 50

describe('optimizerLaws hold for every registry row', () => {
  for (const r of optimizerRows) {
    describe(r.name, () => {
      const laws = optimizerLaws({ name: r.name, transform: r.make(), decays: r.decays })
      for (const [name, property] of Object.entries(laws)) {
        it(name, () => {
          fc.assert(property, { numRuns: RUNS })
        })
      }
      it(r.decays === true ? 'decays: the fixed-point law is left out' : 'includes the fixed-point law', () => {
        expect('a zero gradient is a fixed point' in laws).toBe(r.decays !== true)
      })
    })
  }
})

// --- fixtures that break one law each

const t64 = (v: number[]) => P.tensor(v, 'float64')
const c: OptimizerCase = { params: { w: t64([1, -2]) }, grads: [{ w: t64([0.5, 1]) }, { w: t64([-1, 2]) }, { w: t64([3, 0]) }], split: 1 }

/** The storage of a tensor (fixture only: simulates a transform that writes its input). */
const storage = (x: Tensor): Float32Array | Float64Array => (x as unknown as { _data: Float32Array | Float64Array })._data

// hidden mutable state in a closure: outputs depend on how often it was called
let calls = 0
const impure: GradientTransformation<unknown> = {
  init: () => ({}),
  update: (u, s) => [P.tree.map((x: Tensor) => P.mul(x, ++calls), u), s],
}
const writesGrads: GradientTransformation<unknown> = {
  init: () => ({}),
  update: (u, s) => {
    for (const l of P.tree.leaves(u)) storage(l)[0] += 1
    return [u, s]
  },
}
const castsTo32: GradientTransformation<unknown> = {
  init: () => ({}),
  update: (u, s) => [P.tree.map((x: Tensor) => P.cast(x, 'float32'), u), s],
}
const strayLeaf: GradientTransformation<unknown> = { init: () => ({ junk: P.zeros([7]) }), update: (u, s) => [u, s] }
const numberInState: GradientTransformation<unknown> = {
  init: () => ({ count: 0 }),
  update: (u, s) => [u, { count: (s as { count: number }).count + 1 }],
}
// a state that loses information in JSON: a float32 count that should have been float64 is fine,
// but a count kept OUTSIDE the state (in a closure) is lost when resuming
const hiddenCount = (): GradientTransformation<unknown> => {
  const seen = new WeakSet<object>()
  let n = 0
  return {
    init: () => ({}),
    update: (u, s) => {
      if (!seen.has(s as object)) n = 0
      n++
      const next = {}
      seen.add(next)
      return [P.tree.map((x: Tensor) => P.mul(x, -1 / n), u), next]
    },
  }
}

describe('each law fails for a transform that breaks it', () => {
  it('purity: hidden mutable state, or writing the grads', () => {
    expect(checkPurity(impure, c).ok).toBe(false)
    const r = checkPurity(writesGrads, { ...c, grads: c.grads.map((g) => P.tree.map((x: Tensor) => P.add(x, 0), g)) })
    expect(r.ok).toBe(false)
    expect(r.detail).toMatch(/changed its input/)
  })
  it('init mirrors: a stray state leaf, or updates in another dtype', () => {
    expect(checkInitMirrors(strayLeaf, c).detail).toMatch(/\.junk.*neither a scalar count/)
    expect(checkInitMirrors(castsTo32, c).detail).toMatch(/dtypes/)
    expect(checkInitMirrors(O.adam(0.1), c).ok).toBe(true)
  })
  it('fixed point: L1 and weight decay move params under a zero gradient', () => {
    expect(checkZeroGradientFixedPoint(O.chain(O.addL1(0.1), O.sgd(0.1)), c).ok).toBe(false)
    expect(checkZeroGradientFixedPoint(O.adamw(0.1), c).detail).toMatch(/zero gradient gave the update/)
  })
  it('JSON round trip: a state that is not a pytree of tensors', () => {
    expect(checkStateRoundTrip(numberInState, c).ok).toBe(false)
  })
  it('resume: state kept outside the state', () => {
    const t = hiddenCount()
    expect(checkPurity(t, c).ok).toBe(true) // pure from the outside…
    expect(checkResume(t, c).ok).toBe(false) // …but not resumable
  })
  it('the JSON round trip is lossless for float64, NaN, ±Infinity, −0 and subnormals', () => {
    const special = [NaN, Infinity, -Infinity, -0, 5e-324, 0.1 + 0.2, -1 / 3, 1.7976931348623157e308]
    const carries: GradientTransformation<unknown> = {
      init: () => ({ s: P.fromArray(special, [8], 'float64'), f: P.fromArray([Math.fround(0.1), -0], [2], 'float32'), n: P.scalar(3, 'float64') }),
      update: (u, s) => [u, s],
    }
    expect(checkStateRoundTrip(carries, { ...c, split: 0 }).ok).toBe(true)
    expect(checkStateRoundTrip(carries, c).ok).toBe(true)
  })
})

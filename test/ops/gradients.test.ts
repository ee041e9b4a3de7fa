/**
 * Every row of the op registry (test/specs/ops.ts) through the law suites of `purediff/laws`:
 * numeric agreement with float64 central differences, linearity of the pullback, the chain
 * rule, vjp/jvp adjointness ⟨u, J v⟩ = ⟨Jᵀu, v⟩, and immutability — at least 100 random cases
 * each, broadcasting shapes included. Rows of order 2 also check the second derivative: the
 * gradient of x ↦ Σ w ⊙ ∇(Σ v ⊙ f)(x) against central differences.
 */
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { type Tensor, add, fromArray, grad, mul, sum } from '../../src/index.js'
import { checkGrad, formatGradCheck } from '../../src/testing/index.js'
import { gradientLaws, immutabilityLaws } from '../../laws/index.js'
import { opRows } from '../specs/ops.js'

const RUNS = 100

/** Weights of the output's shape in [−1, 1], derived from a seed without any randomness source. */
function weights(t: Tensor, seed: number): Tensor {
  const n = t.size
  const w = new Array<number>(n)
  for (let i = 0; i < n; i++) w[i] = Math.sin(seed * 12.9898 + i * 78.233) // in [−1, 1], varied per element
  return fromArray(w, t.shape, 'float64')
}

describe.each(opRows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
  const laws = { ...gradientLaws(row), ...immutabilityLaws(row) }
  for (const [law, property] of Object.entries(laws)) {
    it(law, () => {
      fc.assert(property, { numRuns: RUNS })
    })
  }
  if (row.order === 2) {
    it('second derivative agrees with central differences', () => {
      fc.assert(
        fc.property(row.args, fc.integer({ min: 1, max: 1000 }), (args, seed) => {
          const y = row.f(...args)
          const v = weights(y, seed)
          // g(x) = ∇ₓ Σ v ⊙ f(x): a pytree like the argument list
          const g = grad((xs: Tensor[]) => sum(mul(v, row.f(...xs))))
          // h(x) = Σᵢ Σ wᵢ ⊙ gᵢ(x): a scalar whose gradient involves every second derivative
          const outer = (xs: Tensor[]) =>
            g(xs)
              .map((gi, i) => sum(mul(weights(gi, seed + i + 1), gi)))
              .reduce((a, b) => add(a, b))
          const r = checkGrad(outer, args)
          if (!r.ok) throw new Error(formatGradCheck(r))
          return true
        }),
        { numRuns: RUNS },
      )
    })
  }
})

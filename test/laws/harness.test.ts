/**
 * The law suites of purediff/laws judge correctly: every gradient law holds for correct ops
 * (mul with broadcasting, sin, batched matmul) and the numeric-agreement, chain-rule and
 * adjointness laws each FAIL for a subject with a wrong rule (built with customVjp); the
 * immutability laws hold for ops and fail for fixtures that write into their inputs. The suites
 * only build properties; these tests run them with fc.check and a few runs.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { arb } from '../../src/testing/index.js'
import { dataOf } from '../../src/tensor/Tensor.js'
import {
  type OpSubject,
  checkAdjointness,
  checkChainRule,
  checkLinearity,
  checkNumericAgreement,
  gradientLaws,
  immutabilityLaws,
  opCase,
  snapshot,
  unchanged,
} from '../../laws/index.js'

const runs = { numRuns: 30 }
const t64 = (v: number[]) => P.tensor(v, 'float64')

// --- subjects

const unary = (name: string, f: (x: Tensor) => Tensor): OpSubject => ({ name, f, args: arb.tensor().map((x) => [x]) })

const mulSubject: OpSubject = {
  name: 'mul',
  f: P.mul,
  args: arb.broadcastableShapes().chain(([a, b]) => fc.tuple(arb.tensor({ shape: a }), arb.tensor({ shape: b }))),
}

const matmulSubject: OpSubject = {
  name: 'matmul',
  f: P.matmul,
  args: fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }))
    .chain(([m, k, n, batch]) => fc.tuple(arb.tensor({ shape: batch > 0 ? [batch, m, k] : [m, k] }), arb.tensor({ shape: [k, n] }))),
}

const correct: OpSubject[] = [mulSubject, unary('sin', P.sin), matmulSubject, unary('exp', P.exp)]

// sin whose rule forgets the incoming cotangent: cos(x) instead of g·cos(x). Its pullback is
// not even linear. (jvp has no custom rule to use, so it differentiates sin itself: J·v is right.)
const sinForgetsG = unary(
  'sin (rule forgets g)',
  P.customVjp(
    (x: Tensor) => P.sin(x),
    (x: Tensor) => [P.sin(x), x] as const,
    (x: Tensor, _g: Tensor) => [P.cos(x)],
  ),
)

// sin whose rule is linear but twice too big: 2·g·cos(x)
const sinTwice = unary(
  'sin (rule doubled)',
  P.customVjp(
    (x: Tensor) => P.sin(x),
    (x: Tensor) => [P.sin(x), x] as const,
    (x: Tensor, g: Tensor) => [P.mul(P.mul(g, P.cos(x)), 2)],
  ),
)

/** The storage of the concrete value under any trace (test fixtures only). */
function storage(x: Tensor): ReturnType<typeof dataOf> {
  // test fixture only: reaching the private storage to simulate an op that writes its input
  return dataOf(x)
}

// neg that bumps its input's first element: the bug the immutability laws exist for
const mutatingNeg: OpSubject = {
  name: 'neg (writes its input)',
  f: (x: Tensor) => {
    const d = storage(x)
    if (d.length > 0) d[0] += 1
    return P.neg(x)
  },
  args: arb.tensor({ shape: [3] }).map((x) => [x]),
}

// square whose rule writes into the cotangent it receives
const mutatingRule: OpSubject = {
  name: 'square (rule writes the cotangent)',
  f: P.customVjp(
    (x: Tensor) => P.square(x),
    (x: Tensor) => [P.square(x), x] as const,
    (x: Tensor, g: Tensor) => {
      storage(g)[0] = 42
      return [P.mul(P.mul(g, x), 2)]
    },
  ),
  args: arb.tensor({ shape: [2] }).map((x) => [x]),
}

// --- gradient laws

describe('gradientLaws', () => {
  it('has exactly the four named properties', () => {
    expect(Object.keys(gradientLaws(mulSubject)).sort()).toEqual(['adjointness', 'chain rule', 'linearity', 'numeric agreement'])
  })

  for (const subject of correct) {
    for (const [name, property] of Object.entries(gradientLaws(subject))) {
      it(`'${name}' holds for ${subject.name}`, () => {
        const r = fc.check(property, runs)
        expect(r.failed, String(r.errorInstance)).toBe(false)
      })
    }
  }

  for (const name of ['numeric agreement', 'chain rule', 'adjointness', 'linearity']) {
    it(`'${name}' fails for a rule that forgets the cotangent, naming the subject`, () => {
      const r = fc.check(gradientLaws(sinForgetsG)[name], runs)
      expect(r.failed).toBe(true)
      expect(String(r.errorInstance)).toContain('sin (rule forgets g)')
    })
  }

  // Forward mode uses its own rules, so adjointness catches a wrong reverse rule even when it is linear.
  for (const name of ['numeric agreement', 'chain rule', 'adjointness']) {
    it(`'${name}' fails for a linear but doubled rule`, () => {
      expect(fc.check(gradientLaws(sinTwice)[name], runs).failed).toBe(true)
    })
  }

  it('takes tolerances as options', () => {
    // a doubled rule is within a relative tolerance of 100%
    const loose = gradientLaws(sinTwice, { rtol: 1, atol: 1 })
    expect(fc.check(loose['numeric agreement'], runs).failed).toBe(false)
  })
})

describe('the pure gradient checkers', () => {
  const x = [t64([0.3, -1.2, 2])]
  const w = t64([1, -2, 0.5])
  const v = [t64([0.5, 0.25, -1])]

  it('accept correct ops', () => {
    expect(checkNumericAgreement(P.sin, { args: x, w }).ok).toBe(true)
    expect(checkLinearity(P.sin, { args: x, u1: w, u2: t64([3, 1, -1]), alpha: 0.5, beta: -2 }).ok).toBe(true)
    expect(checkChainRule(P.sin, { args: x, w, v }).ok).toBe(true)
    expect(checkAdjointness(P.sin, { args: x, u: w, v }).ok).toBe(true)
  })

  it('reject a wrong rule with the offending values in the detail', () => {
    const f = sinForgetsG.f
    const agreement = checkNumericAgreement(f, { args: x, w })
    expect(agreement.ok).toBe(false)
    expect(agreement.detail).toMatch(/\[0\] index \d: analytic .*, numeric /)
    const linearity = checkLinearity(f, { args: x, u1: w, u2: t64([3, 1, -1]), alpha: 0.5, beta: -2 })
    expect(linearity.ok).toBe(false)
    expect(linearity.detail).toMatch(/α = 0\.5, β = -2: worst at argument \[0\] index \d: lhs .*, rhs /)
    const chain = checkChainRule(f, { args: x, w, v })
    expect(chain.ok).toBe(false)
    expect(chain.detail).toMatch(/chain rule along v: .* vs .*\|diff\| = /)
    const adjoint = checkAdjointness(f, { args: x, u: w, v })
    expect(adjoint.ok).toBe(false)
    // J·v = ⟨w, cos(x) ⊙ v⟩ from the true derivative; the wrong rule's side differs
    const jv = [0.3, -1.2, 2].reduce((s, xi, i) => s + [1, -2, 0.5][i] * Math.cos(xi) * [0.5, 0.25, -1][i], 0)
    expect(adjoint.detail).toContain(`⟨u, J·v⟩ = ${jv} (jvp)`)
  })

  it('central differences along a tiny v at a large x: the step is relative to x (a seed’s counterexample)', () => {
    // logSigmoid at |x| up to 964 with v ~ 1e-6: a step of eps·v moved x by a few ulps and the
    // chain rule along v was off by 2% (fast-check seed -1674828751 of the registry row
    // "logSigmoid (saturated, |x| 300–1000)"); the step is now eps·max(1, ‖x‖∞) along v.
    const args = [
      P.tensor(
        [
          [912.4412536621094, 313.36261441044013],
          [300, -300],
          [-847.7208137512207, -774.7852195279023],
          [-964.4391059875488, -838.1531715393066],
        ],
        'float64',
      ),
    ]
    const w2 = P.tensor(
      [
        [0, 0],
        [0, 0],
        [0.9191780090332031, 1.7221412658691406],
        [0, 1.17559814453125],
      ],
      'float64',
    )
    const v2 = [
      P.tensor(
        [
          [0, 0],
          [0, 0],
          [-0.0000057220458984375, -0.00001621246337890625],
          [0, 9.5367431640625e-7],
        ],
        'float64',
      ),
    ]
    const r = checkChainRule(P.logSigmoid, { args, w: w2, v: v2 })
    expect(r.ok, r.detail).toBe(true)
    // and a wrong rule is still caught at that scale
    expect(checkChainRule(sinForgetsG.f, { args: [P.mul(args[0], 0.001)], w: w2, v: v2 }).ok).toBe(false)
  })
})

// --- immutability laws

describe('immutabilityLaws', () => {
  it('has the two named properties, one without transforms', () => {
    expect(Object.keys(immutabilityLaws(mulSubject))).toEqual(['op leaves its inputs unchanged', 'grad/vjp/jvp leave their inputs unchanged'])
    expect(Object.keys(immutabilityLaws(mulSubject, { transforms: false }))).toEqual(['op leaves its inputs unchanged'])
  })

  for (const subject of correct) {
    for (const [name, property] of Object.entries(immutabilityLaws(subject))) {
      it(`'${name}' holds for ${subject.name}`, () => {
        const r = fc.check(property, runs)
        expect(r.failed, String(r.errorInstance)).toBe(false)
      })
    }
  }

  it('both fail for an op that writes its input', () => {
    const laws = immutabilityLaws(mutatingNeg)
    const op = fc.check(laws['op leaves its inputs unchanged'], runs)
    expect(op.failed).toBe(true)
    expect(String(op.errorInstance)).toMatch(/the op changed its input: the value at \.args\[0\] index 0 changed/)
    expect(fc.check(laws['grad/vjp/jvp leave their inputs unchanged'], runs).failed).toBe(true)
  })

  it('catch a rule that writes the cotangent, in the pullback step', () => {
    const laws = immutabilityLaws(mutatingRule)
    expect(fc.check(laws['op leaves its inputs unchanged'], runs).failed).toBe(false)
    const r = fc.check(laws['grad/vjp/jvp leave their inputs unchanged'], runs)
    expect(r.failed).toBe(true)
    expect(String(r.errorInstance)).toMatch(/the vjp pullback changed its input: the value at \.u1 index 0/)
  })
})

describe('snapshot, unchanged and opCase', () => {
  it('compare bit for bit: NaN equals NaN, −0 differs from +0', () => {
    const x = { a: t64([Number.NaN, 0]) }
    const before = snapshot(x)
    expect(unchanged(before, x).ok).toBe(true)
    storage(x.a)[1] = -0 // test fixture only: a write that == cannot see
    const r = unchanged(before, x)
    expect(r.ok).toBe(false)
    expect(r.detail).toContain('changed from 0 to -0')
  })

  it('detect replaced leaves, dtype, shape and structure changes', () => {
    const a = t64([1, 2])
    const before = snapshot([a])
    expect(unchanged(before, [a]).ok).toBe(true)
    expect(unchanged(before, [t64([1, 2])]).detail).toContain('replaced')
    expect(unchanged(before, [a, a]).detail).toContain('structure')
    expect(unchanged(before, 'not a tree').ok).toBe(false)
  })

  it('generates cotangents shaped like the output and tangents like the arguments', () => {
    fc.assert(
      fc.property(opCase(matmulSubject), (c) => {
        const y = P.matmul(c.args[0], c.args[1])
        expect(c.u1.shape).toEqual(y.shape)
        expect(c.u2.shape).toEqual(y.shape)
        expect(c.v.map((t) => t.shape)).toEqual(c.args.map((t) => t.shape))
      }),
      { numRuns: 20 },
    )
  })
})

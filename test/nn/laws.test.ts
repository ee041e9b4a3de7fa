/**
 * The layer and dropout law suites judge correctly: each layer law FAILS for a fixture layer
 * that breaks exactly that law (an init that ignores its key, an apply that writes into its
 * input or reads a hidden counter, a declared shape that lies, a wrong gradient rule), and the
 * all-masks checker fails for a network that is not linear in the dropped units. The suites only
 * build properties; these tests run them with fc.check.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import * as nn from '../../src/nn/index.js'
import type { Layer } from '../../src/nn/index.js'
import { dataOf } from '../../src/tensor/Tensor.js'
import { checkAllMasks, checkApplyPure, checkInitDeterministic, checkLayerGradient, checkOutputShape, checkReluJensen, dropoutLaws, layerLaws } from '../../laws/index.js'

const runs = { numRuns: 20 }
const failing = <P>(layer: Layer<P>, shape: number[]) =>
  Object.entries(layerLaws(layer, shape))
    .filter(([, p]) => fc.check(p, runs).failed)
    .map(([name]) => name)

// --- fixtures, each breaking one law of a dense(2) layer on [3]

const base = nn.dense(2, { dtype: 'float64' })
let calls = 0
const fixtures: Record<string, Layer<nn.DenseParams>> = {
  // init draws from a hidden counter instead of the key
  'init is deterministic in the key': { ...base, init: (_k, s) => base.init(P.random.key(calls++), s) },
  // apply adds a hidden counter: same arguments, different outputs
  'apply is pure': { ...base, apply: (p, x) => P.add(base.apply(p, x), calls++) },
  // init declares 3 outputs, apply gives 2
  'output shape as declared': { ...base, init: (k, s) => ({ ...base.init(k, s), outputShape: [3] }) },
  // the rule of the kernel's product is doubled; x's is right
  'gradient w.r.t. params checks numerically': {
    ...base,
    apply: (p, x) =>
      P.add(
        P.customVjp(
          (w: Tensor, u: Tensor) => P.matmul(u, w),
          (w: Tensor, u: Tensor) => [P.matmul(u, w), [w, u]] as const,
          ([w, u]: readonly [Tensor, Tensor], g: Tensor) => [P.mul(P.matmul(P.transpose(u), g), 2), P.matmul(g, P.transpose(w))],
        )(p.w, x),
        p.b ?? 0,
      ),
  },
  'gradient w.r.t. inputs checks numerically': {
    ...base,
    apply: (p, x) =>
      P.add(
        P.customVjp(
          (u: Tensor, w: Tensor) => P.matmul(u, w),
          (u: Tensor, w: Tensor) => [P.matmul(u, w), [u, w]] as const,
          ([u, w]: readonly [Tensor, Tensor], g: Tensor) => [P.mul(P.matmul(g, P.transpose(w)), -1), P.matmul(P.transpose(u), g)],
        )(x, p.w),
        p.b ?? 0,
      ),
  },
}

describe('layerLaws', () => {
  it('hold for a correct layer', () => {
    expect(failing(base, [3])).toEqual([])
  })
  // Breaking purity or the declared shape also spoils the gradient checks (a hidden counter moves
  // the central differences; the output weights are built for the declared shape): expected.
  const alsoFailing: Record<string, string[]> = {
    'apply is pure': ['gradient w.r.t. params checks numerically', 'gradient w.r.t. inputs checks numerically'],
    'output shape as declared': ['gradient w.r.t. params checks numerically', 'gradient w.r.t. inputs checks numerically'],
  }
  for (const [law, fixture] of Object.entries(fixtures)) {
    it(`'${law}' fails for a layer that breaks it`, () => {
      expect(failing(fixture, [3])).toEqual([law, ...(alsoFailing[law] ?? [])])
    })
  }
  it('integerInputs: the suite has no gradient law w.r.t. the inputs (ids), and the others hold for an embedding', () => {
    const layer = nn.embedding(6, 2)
    const ids = (_p: unknown, batch: number) =>
      fc.array(fc.integer({ min: -6, max: 5 }), { minLength: batch * 3, maxLength: batch * 3 }).map((v) => P.fromArray(v, [batch, 3], 'int32'))
    const suite = layerLaws(layer, [3], { inputs: ids, integerInputs: true })
    expect(Object.keys(suite)).toEqual(['init is deterministic in the key', 'apply is pure', 'output shape as declared', 'gradient w.r.t. params checks numerically'])
    expect(Object.entries(suite).filter(([, p]) => fc.check(p, runs).failed)).toEqual([])
    // without the option, the input-gradient law is there, and an int32 input cannot pass it
    const plain = layerLaws(layer, [3], { inputs: ids })
    expect(fc.check(plain['gradient w.r.t. inputs checks numerically'], runs).failed).toBe(true)
  })
  it('apply writing into its input is caught', () => {
    const writes: Layer<nn.DenseParams> = {
      ...base,
      apply: (p, x) => {
        // test fixture only: reach the storage of the concrete value to simulate a mutating layer
        dataOf(p.w)[0] += 1
        return base.apply(p, x)
      },
    }
    const { params } = base.init(P.random.key(0), [3])
    const r = checkApplyPure(writes, params, P.ones([1, 3], 'float64'))
    expect(r.ok).toBe(false)
    expect(r.detail).toContain('apply changed its input: the value at .params.w index 0 changed')
  })
  it('the checkers report what they compared', () => {
    const { params, outputShape } = base.init(P.random.key(0), [3])
    const x = P.ones([2, 3], 'float64')
    expect(checkInitDeterministic(base, P.random.key(0), [3]).detail).toContain('the same 2 parameter leaves twice')
    expect(checkOutputShape(base, params, x, [5]).detail).toContain('expected [2,5]')
    expect(checkOutputShape(base, params, x, outputShape).ok).toBe(true)
    expect(checkLayerGradient(base, { params, x, w: P.ones([2, 2], 'float64'), ctx: {} }, 'inputs').detail).toContain('checkGrad passed')
  })
})

describe('dropoutLaws', () => {
  it('hold', () => {
    for (const [name, p] of Object.entries(dropoutLaws({ maxUnits: 6 }))) expect([name, fc.check(p, runs).failed]).toEqual([name, false])
  })
  it('the all-masks checker fails for a network that is not linear in the dropped units', () => {
    const x = P.tensor([[1, -2, 0.5, 1.5]], 'float64')
    const square = (u: Tensor) => P.sum(P.square(u), 1, true) // Σuᵢ²: E[(x·m)²] ≠ (E[x·m])²
    for (const mode of ['inverted', 'scaleAtTest'] as const) {
      const r = checkAllMasks(square, x, 0.5, mode)
      expect(r.ok).toBe(false)
      expect(r.detail).toContain('> 1e-10')
      expect(r.maxDeviation).toBeGreaterThan(0.1)
    }
    expect(checkAllMasks((u) => P.matmul(u, P.ones([4, 1], 'float64')), x, 0.5, 'inverted').ok).toBe(true)
  })
  it('Jensen: relu(E z) never exceeds E relu(z); a concave net would break the checker, so it is really checking the sign', () => {
    const d1 = {
      w: P.tensor(
        [
          [1, -1],
          [-1, 1],
          [0.5, 0.5],
        ],
        'float64',
      ),
      b: P.tensor([0, 0.1], 'float64'),
    }
    const r = checkReluJensen(d1, P.tensor([[1, 1, -1]], 'float64'), 0.5, 'inverted')
    expect(r.ok).toBe(true)
    expect(Math.max(...r.deviation)).toBeGreaterThan(0.1)
    // the same comparison for −relu (concave) gives deviations ≤ 0: what the checker would reject
    const neg = checkAllMasks((u) => P.neg(nn.relu().apply({}, nn.dense(2).apply(d1, u))), P.tensor([[1, 1, -1]], 'float64'), 0.5, 'inverted')
    expect(Math.min(...neg.deviation)).toBeLessThan(-0.1)
  })
})

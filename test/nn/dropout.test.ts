/**
 * Dropout: the all-masks laws (purediff/laws `dropoutLaws`, 100 random cases each, n ≤ 12), an
 * exhaustive sweep over n = 1…12 and p ∈ {0.1, 0.25, 0.5, 0.75, 0.9} in both modes, the ReLU
 * counterexample with its measured gap, the deterministic core `dropoutWithMask`, and the layer:
 * modes, keys, statistics of the mask, gradients and errors.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { type DropoutMode, dense, dropout, dropoutWithMask, relu, sequential } from '../../src/nn/index.js'
import { compareAllMasks, dropoutLaws } from '../../laws/index.js'
import { thrown } from '../helpers/errors.js'

const RUNS = 100
const modes: readonly DropoutMode[] = ['inverted', 'scaleAtTest']
const rates = [0.1, 0.25, 0.5, 0.75, 0.9]
/** Deterministic values in [−1, 1] without a random source. */
const vals = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233))
const t64 = (v: number[], s: number[]) => P.fromArray(v, s, 'float64')

describe('dropoutLaws', () => {
  for (const [law, property] of Object.entries(dropoutLaws())) {
    it(law, () => {
      fc.assert(property, { numRuns: RUNS })
    })
  }
})

/** A fixed network of n inputs, 3 hidden and 2 output units, built from `vals`. */
function fixedNet(n: number) {
  const h = 3,
    k = 2
  const x = t64(vals(n, n), [1, n])
  const d1 = { w: t64(vals(n * h, n + 1), [n, h]), b: t64(vals(h, n + 2), [h]) }
  const d2 = { w: t64(vals(h * k, n + 3), [h, k]), b: t64(vals(k, n + 4), [k]) }
  const l1 = dense(h),
    l2 = dense(k),
    act = relu()
  return {
    x,
    linear1: (u: Tensor) => l1.apply(d1, u),
    linear2: (u: Tensor) => l2.apply(d2, l1.apply(d1, u)),
    withRelu: (u: Tensor) => l2.apply(d2, act.apply({}, l1.apply(d1, u))),
  }
}

describe('all 2ⁿ masks, exhaustively', () => {
  it('n = 1…12, p ∈ {0.1, 0.25, 0.5, 0.75, 0.9}, both modes: the weighted average is the test-time output to 1e-10', () => {
    // Measured: the largest |average − test-time output| over these 240 comparisons (2 networks
    // × 12 n × 5 p × 2 modes, up to 4096 masks each) is 8.9e-16, i.e. a few float64 roundings.
    let worst = 0
    for (let n = 1; n <= 12; n++) {
      const net = fixedNet(n)
      for (const p of rates)
        for (const mode of modes) {
          for (const f of [net.linear1, net.linear2]) {
            const r = compareAllMasks(f, net.x, p, mode)
            expect(r.masks).toBe(2 ** n)
            worst = Math.max(worst, r.maxDeviation)
          }
        }
    }
    expect(worst).toBeLessThanOrEqual(1e-10)
  })
  it('with a ReLU between the two layers the average is NOT the test-time output', () => {
    // Measured for n = 12 (max |average − test time| over the 2 outputs):
    //   inverted:    p 0.1 → 0.0908, 0.25 → 0.3304, 0.5 → 0.8889, 0.75 → 1.9429, 0.9 → 3.4436
    //   scaleAtTest: p 0.1 → 0.1025, 0.25 → 0.3385, 0.5 → 0.6706, 0.75 → 0.4369, 0.9 → 0.1570
    // against 1e-16-level deviations for the same network without the ReLU.
    const net = fixedNet(12)
    const want: Record<DropoutMode, number[]> = { inverted: [0.0908, 0.3304, 0.8889, 1.9429, 3.4436], scaleAtTest: [0.1025, 0.3385, 0.6706, 0.4369, 0.157] }
    for (const mode of modes) {
      rates.forEach((p, i) => {
        const gap = compareAllMasks(net.withRelu, net.x, p, mode).maxDeviation
        expect(Math.abs(gap - want[mode][i])).toBeLessThan(5e-5) // the 4 digits recorded above
      })
    }
  })
  it('a plain (unweighted) average over the masks equals the test output only at p = ½', () => {
    // At p = ½ every mask has probability 2⁻ⁿ, so the weighted average IS the plain one.
    const w = t64([0.5, -1, 2], [3, 1]),
      x = t64([1, 2, -1], [1, 3])
    const net = (u: Tensor) => P.matmul(u, w)
    const masks = Array.from({ length: 8 }, (_, i) => [0, 1, 2].map((j) => (i >> j) & 1))
    const plain = (p: number) => masks.reduce((s, m) => s + P.item(net(dropoutWithMask(x, t64(m, [1, 3]), p, 'scaleAtTest'))), 0) / 8
    const test = (p: number) => P.item(net(dropout(p, { mode: 'scaleAtTest' }).apply({}, x)))
    expect(Math.abs(plain(0.5) - test(0.5))).toBeLessThan(1e-15)
    // at p = 0.2 the plain average is still Σ/2 = ½(0.5 − 2 − 2) = −1.75, the test output 0.8·(−3.5)
    expect(plain(0.2)).toBeCloseTo(-1.75, 14)
    expect(test(0.2)).toBeCloseTo(-2.8, 14)
  })
})

describe('dropoutWithMask: the deterministic core', () => {
  const x = t64([2, -4, 6, 8], [1, 4]),
    m = t64([1, 0, 1, 1], [1, 4])
  it('inverted: x·m/(1 − p); scaleAtTest: x·m', () => {
    expect(P.toFlatArray(dropoutWithMask(x, m, 0.75))).toEqual([8, -0, 24, 32]) // −4·0 = −0
    expect(P.toFlatArray(dropoutWithMask(x, m, 0.75, 'scaleAtTest'))).toEqual([2, -0, 6, 8])
  })
  it('a mask broadcasts over the batch, never widens x', () => {
    const xb = t64([1, 2, 3, 4, 5, 6, 7, 8], [2, 4])
    expect(P.toFlatArray(dropoutWithMask(xb, m, 0.5, 'scaleAtTest'))).toEqual([1, 0, 3, 4, 5, 0, 7, 8])
    const e = thrown(() => dropoutWithMask(x, t64(new Array(8).fill(1), [2, 4]), 0.5))
    expect(e).toBeInstanceOf(P.ShapeError)
    expect(e.message).toMatch(/dropoutWithMask.*\[2,4\].*\[1,4\]/)
  })
  it('rejects a rate outside [0, 1) and an unknown mode', () => {
    for (const r of [1, -0.1, 1.5, NaN]) expect(thrown(() => dropoutWithMask(x, m, r)).message).toContain(`got number ${r}`)
    expect(thrown(() => dropoutWithMask(x, m, 0.5, 'train' as never)).message).toContain("mode must be 'inverted' or 'scaleAtTest'")
  })
})

describe('the dropout layer', () => {
  const x = P.ones([4, 2500], 'float64')
  it('test mode (the default): x inverted, x·(1 − p) scaleAtTest', () => {
    const xs = t64([1, -2, 3], [1, 3])
    expect(dropout(0.4).apply({}, xs)).toBe(xs)
    expect(P.toFlatArray(dropout(0.5, { mode: 'scaleAtTest' }).apply({}, xs))).toEqual([0.5, -1, 1.5])
    expect(P.toFlatArray(dropout(0.5, { mode: 'scaleAtTest' }).apply({}, xs, { train: false, key: P.random.key(0) }))).toEqual([0.5, -1, 1.5])
  })
  it('rate 0 is the identity in both modes, train and test', () => {
    for (const mode of modes) {
      const layer = dropout(0, { mode })
      expect(layer.apply({}, x)).toBe(x)
      expect(layer.apply({}, x, { train: true, key: P.random.key(1) })).toBe(x)
    }
  })
  it('train: m ~ Bernoulli(1 − p) per element, a fresh mask per key, the same mask for the same key', () => {
    for (const p of [0.2, 0.5, 0.9]) {
      const y = P.toFlatArray(dropout(p, { mode: 'scaleAtTest' }).apply({}, x, { train: true, key: P.random.key(7) }))
      const kept = y.filter((v) => v === 1).length / y.length
      // 10000 Bernoulli(1 − p) draws: standard error √(p(1 − p)/10000) ≤ 0.005; allow 5 of them
      expect(Math.abs(kept - (1 - p))).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / y.length))
      expect(y.every((v) => v === 0 || v === 1)).toBe(true)
    }
    const layer = dropout(0.5)
    const a = P.toFlatArray(layer.apply({}, x, { train: true, key: P.random.key(1) }))
    const b = P.toFlatArray(layer.apply({}, x, { train: true, key: P.random.key(1) }))
    const c = P.toFlatArray(layer.apply({}, x, { train: true, key: P.random.key(2) }))
    expect(a).toEqual(b)
    expect(a.filter((v, i) => v !== c[i]).length).toBeGreaterThan(1000) // independent masks differ in about half the places
  })
  it('inverted train output has the test-time mean: E[x·m/(1 − p)] = x', () => {
    const y = P.toFlatArray(dropout(0.3).apply({}, x, { train: true, key: P.random.key(3) }))
    const mean = y.reduce((s, v) => s + v, 0) / y.length
    // each element is 0 or 1/0.7 with mean 1 and variance 0.3/0.7; standard error √(0.3/0.7/10000)
    expect(Math.abs(mean - 1)).toBeLessThan(5 * Math.sqrt(0.3 / 0.7 / y.length))
  })
  it('its gradient in train mode is the mask (scaled by 1/(1 − p) when inverted)', () => {
    const key = P.random.key(4),
      xs = t64(vals(20, 1), [2, 10])
    for (const mode of modes) {
      const layer = dropout(0.5, { mode })
      const y = P.toFlatArray(layer.apply({}, xs, { train: true, key }))
      const g = P.toFlatArray(P.grad((u: Tensor) => P.sum(layer.apply({}, u, { train: true, key })))(xs))
      const scale = mode === 'inverted' ? 2 : 1
      g.forEach((v, i) => {
        expect(v).toBe(y[i] === 0 ? 0 : scale)
      })
    }
  })
  it('sequential passes each dropout its own split of ctx.key', () => {
    const key = P.random.key(9),
      xs = P.ones([1, 64], 'float64')
    const model = sequential(dropout(0.5), dropout(0.5))
    const [k0, k1] = P.random.split(key, 2)
    const manual = dropout(0.5).apply({}, dropout(0.5).apply({}, xs, { train: true, key: k0 }), { train: true, key: k1 })
    expect(P.toFlatArray(model.apply([{}, {}], xs, { train: true, key }))).toEqual(P.toFlatArray(manual))
  })
  it('errors say what is wrong: train without a key, a bad key, a rate outside [0, 1), a bad mode', () => {
    const e = thrown(() => dropout(0.5).apply({}, x, { train: true }))
    expect(e).toBeInstanceOf(P.ArgumentError)
    expect(e.message).toMatch(/dropout\(0\.5, 'inverted'\).*train mode needs a random key/)
    expect(thrown(() => dropout(0.5).apply({}, x, { train: true, key: 7 as never })).message).toContain('ctx.key must be a random key')
    for (const r of [1, 1.5, -0.25, NaN, Infinity]) {
      const err = thrown(() => dropout(r))
      expect(err).toBeInstanceOf(P.ArgumentError)
      expect(err.message).toMatch(new RegExp(`^dropout: rate must be a number in \\[0, 1\\).*got number ${r}`))
    }
    expect(thrown(() => dropout('0.5' as never)).message).toContain('got string 0.5')
    expect(thrown(() => dropout(0.5, { mode: 'test' as never })).message).toContain("dropout: mode must be 'inverted' or 'scaleAtTest'")
  })
})

/**
 * `diagnose` reads the recipe off crafted histories, and `gradientNorms` gives one L2 norm per
 * layer, showing the vanishing gradient of a deep sigmoid network.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { dense, losses, relu, sequential, sigmoid } from '../../src/nn/index.js'
import { diagnose, gradientNorms, testingAdvice, trainingAdvice } from '../../src/train/index.js'

const one = (ta: number, va: number, tl = 0.3, vl = 0.4) => ({ trainLoss: [tl], trainAccuracy: [ta], validationLoss: [vl], validationAccuracy: [va] })

describe('diagnose', () => {
  it('gives the lecture\'s verdicts on its MNIST table', () => {
    // sigmoid + MSE: stuck at 0.1127 / 0.1135 — a training problem, not overfitting
    const stuck = diagnose(one(0.1127, 0.1135))
    expect(stuck.problem).toBe('training')
    expect(stuck.advice).toEqual(trainingAdvice)
    expect(stuck.advice.join(' ')).toMatch(/ReLU/)
    expect(stuck.advice.join(' ')).toMatch(/Maxout/)
    expect(stuck.advice.join(' ')).toMatch(/Adam/)
    expect(stuck.evidence.trainAccuracy).toBe(0.1127)
    // ReLU + Adam on the noisy test set: 1.000 / 0.475 — a testing problem
    const noisy = diagnose(one(1, 0.475))
    expect(noisy.problem).toBe('testing')
    expect(noisy.advice).toEqual(testingAdvice)
    for (const w of ['early stopping', 'regularisation', 'dropout', 'more']) expect(noisy.advice.some((a) => a.startsWith(w))).toBe(true)
    expect(noisy.evidence.summary).toMatch(/overfitting/)
    // 0.9978 / 0.9564 with a 5% gap allowed — fine
    expect(diagnose(one(0.9978, 0.9564)).problem).toBe('none')
    expect(diagnose(one(0.9978, 0.9564)).advice).toEqual([])
  })

  it('follows the thresholds: training first, then testing, then none', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }),
      (ta, va, minTrainAccuracy, maxAccuracyGap) => {
        const d = diagnose(one(ta, va), { minTrainAccuracy, maxAccuracyGap })
        expect(d.problem).toBe(ta < minTrainAccuracy ? 'training' : ta - va > maxAccuracyGap ? 'testing' : 'none')
      }))
  })

  it('judges regression (NaN accuracies) on the losses, ignores missing validation, and reads the chosen epoch', () => {
    const reg = { trainLoss: [5, 0.1], trainAccuracy: [NaN, NaN], validationLoss: [5, 2], validationAccuracy: [NaN, NaN] }
    expect(diagnose(reg, { maxTrainLoss: 1 }).problem).toBe('none')
    expect(diagnose(reg, { maxTrainLoss: 1, maxLossGap: 0.5 }).problem).toBe('testing')
    expect(diagnose(reg, { maxTrainLoss: 1, epoch: 0 }).problem).toBe('training')
    const noVal = { trainLoss: [0.1], trainAccuracy: [0.99], validationLoss: [NaN], validationAccuracy: [NaN] }
    expect(diagnose(noVal).problem).toBe('none')
    expect(() => diagnose({ trainLoss: [], trainAccuracy: [], validationLoss: [], validationAccuracy: [] })).toThrow(P.ArgumentError)
    expect(() => diagnose(noVal, { epoch: 3 })).toThrow(/epoch/)
  })
})

describe('gradientNorms', () => {
  it('is the L2 norm of each entry\'s leaves, 0 for entries without params', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { maxLength: 5 }), { maxLength: 3 }), { maxLength: 5 }), (entries) => {
      const grads = entries.map((leaves) => Object.fromEntries(leaves.map((v, i) => [`p${i}`, P.tensor(v, 'float64')])))
      const norms = gradientNorms(grads)
      expect(norms.length).toBe(entries.length)
      norms.forEach((n, i) => {
        const expected = Math.sqrt(entries[i].flat().reduce((a, v) => a + v * v, 0))
        expect(Math.abs(n - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, expected))
      })
    }))
    expect(() => gradientNorms({ w: P.tensor([1]) } as never)).toThrow(P.ArgumentError)
  })

  it('shows the vanishing gradient: in a deep sigmoid network the first layer gets far less than the last; with ReLU it does not', () => {
    const deep = (act: () => ReturnType<typeof sigmoid>) => sequential(...Array.from({ length: 8 }, () => [dense(32, { dtype: 'float64' }), act()]).flat(), dense(10, { dtype: 'float64' }))
    const x = P.random.normal(P.random.key(1), [16, 32], { dtype: 'float64' })
    const y = P.oneHot(Array.from({ length: 16 }, (_, i) => i % 10), 10, 'float64')
    const ratio = (model: ReturnType<typeof deep>) => {
      const { params } = model.init(P.random.key(0), [32])
      const g = P.grad((p: typeof params) => losses.softmaxCrossEntropy(model.apply(p, x), y))(params)
      const norms = gradientNorms(g)
      expect(norms.length).toBe(17)
      expect(norms.filter((_, i) => i % 2 === 1).every((n) => n === 0)).toBe(true) // activations
      return norms[0] / norms[16]
    }
    expect(ratio(deep(sigmoid))).toBeLessThan(1e-3)
    expect(ratio(deep(relu))).toBeGreaterThan(1e-2)
  })
})

/**
 * `diagnose`'s advice fits the model it is told about: the activation advice for each activation
 * family (saturating sigmoid/tanh, dying ReLU, non-saturating Leaky/Parametric ReLU, ELU, Maxout,
 * none at all), the learning-rate advice for adaptive optimizers; `diagnose(history)` alone keeps
 * the lecture's advice.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { diagnose, testingAdvice, trainingAdvice, trainingAdviceFor } from '../../src/train/index.js'

/** A history whose last epoch is bad on the training data (10% accuracy: the sigmoid collapse). */
const bad = { trainLoss: [2.3], trainAccuracy: [0.1], validationLoss: [2.3], validationAccuracy: [0.1] }
/** Good on the training data, much worse on the validation data. */
const overfit = { trainLoss: [0.01], trainAccuracy: [1], validationLoss: [1.5], validationAccuracy: [0.6] }

const advice = (layers?: string[], optimizer?: string) => diagnose(bad, { layers, optimizer }).advice.join(' | ')

describe('diagnose with the model as context', () => {
  it("without context: the lecture's advice, unchanged", () => {
    expect(diagnose(bad).advice).toEqual(trainingAdvice)
    expect(diagnose(bad, {}).advice).toEqual(trainingAdvice)
    expect(diagnose(overfit).advice).toEqual(testingAdvice)
  })

  it('sigmoid: ReLU or Maxout instead of sigmoid', () => {
    expect(diagnose(bad, { layers: ['dense', 'sigmoid', 'dense', 'sigmoid', 'dense'] }).advice).toEqual(trainingAdvice)
    expect(advice(['dense', 'sigmoid', 'dense'])).toMatch(/ReLU .* instead of sigmoid/)
  })

  it('tanh: instead of tanh, never a word about sigmoid', () => {
    const a = advice(['dense', 'tanh', 'dense'])
    expect(a).toMatch(/ReLU \(or Leaky\/Parametric ReLU\) or Maxout instead of tanh/)
    expect(a).not.toMatch(/sigmoid/)
    expect(advice(['dense', 'sigmoid', 'dense', 'tanh', 'dense'])).toMatch(/instead of sigmoid and tanh/)
  })

  it('ReLU (and softplus): no "try ReLU"; dying units, Leaky/Parametric ReLU or Maxout', () => {
    for (const act of ['relu', 'softplus']) {
      const a = advice(['dense', act, 'dense'])
      expect(a).not.toMatch(/instead of|sigmoid|tanh/)
      expect(a).toMatch(/can die .* Leaky ReLU or Parametric ReLU \(or Maxout\)/)
    }
  })

  it('Leaky/Parametric ReLU, ELU, Maxout: the activation is not the first suspect', () => {
    for (const act of ['leakyRelu', 'prelu', 'elu', 'maxout']) {
      const a = advice(act === 'maxout' ? ['maxout', 'dense'] : ['dense', act, 'dense'])
      expect(a).not.toMatch(/instead of|can die|sigmoid/)
      expect(a).toMatch(/do not saturate/)
    }
  })

  it('no activation: the model is linear', () => {
    expect(advice(['dense'])).toMatch(/no activation function .* linear/)
    expect(advice(['dense', 'dropout', 'dense'])).toMatch(/linear/)
  })

  it('an adaptive optimizer is not advised again; plain SGD is told to use one', () => {
    for (const o of ['adam', 'adamw', 'rmsprop', 'adagrad']) {
      const a = advice(['dense', 'relu', 'dense'], o)
      expect(a).not.toMatch(/use an adaptive learning rate/)
      expect(a).toContain(`the optimizer (${o}) already adapts its learning rate`)
    }
    for (const o of ['sgd', 'momentum']) expect(advice(['dense', 'relu', 'dense'], o)).toMatch(/use an adaptive learning rate: Adam or RMSprop/)
  })

  it('the advice only names activations the model has: "instead of X" implies X is a layer of the model', () => {
    const names = ['dense', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'prelu', 'elu', 'softplus', 'maxout', 'dropout', 'flatten']
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...names), { maxLength: 8 }), (layers) => {
        const a = trainingAdviceFor(layers).join(' | ')
        const replaced = /instead of ([a-z]+(?: and [a-z]+)?)/.exec(a)?.[1].split(' and ') ?? []
        for (const r of replaced) expect(layers).toContain(r)
        if (!layers.includes('sigmoid') && !layers.includes('tanh')) expect(a).not.toMatch(/instead of/)
        expect(diagnose(overfit, { layers }).advice).toEqual(testingAdvice) // testing advice does not depend on the activation
      }),
      { numRuns: 100 },
    )
  })

  it('bad context is an ArgumentError', () => {
    expect(() => diagnose(bad, { layers: 'relu' as never })).toThrow(/diagnose: layers must be an array of layer type names/)
    expect(() => diagnose(bad, { optimizer: 3 as never })).toThrow(/diagnose: optimizer must be the optimizer's name/)
  })
})

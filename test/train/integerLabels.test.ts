/**
 * Integer labels through training: `batches` keeps an int32 `y` int32 (rows with their x),
 * `trainStep`, `fit` and `evaluate` with int32 class indices and
 * losses.softmaxCrossEntropyWithIntegerLabels follow the same path as one-hot labels with
 * softmaxCrossEntropy (the same loss mathematically: equal histories up to rounding, equal
 * accuracies).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { dense, dropout, losses, relu, sequential } from '../../src/nn/index.js'
import { adam } from '../../src/optim/index.js'
import { batches, evaluate, fit, initTrainState, trainStep } from '../../src/train/index.js'

/** n points in [−1, 1]², class (x₀ > 0) + (x₁ > 0) ∈ {0, 1, 2}: both label forms. */
function problem(seed: number, n: number) {
  const x = P.random.uniform(P.random.key(seed), [n, 2], { min: -1, max: 1, dtype: 'float64' })
  const pts = P.toArray(x) as number[][]
  const cls = pts.map(([a, b]) => +(a > 0) + +(b > 0))
  return { x, labels: P.tensor(cls, 'int32'), oneHot: P.oneHot(cls, 3, 'float64'), cls }
}

const close = (a: readonly number[], b: readonly number[]) => {
  expect(a.length).toBe(b.length)
  for (const [i, v] of a.entries()) expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(b[i])))
}

describe('integer labels in training', () => {
  it('batches keep an int32 y int32, each label with its row of x', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 8 }), fc.nat(1000), (n, bs, seed) => {
        // x row i is [i], y row i is i: a batch keeps them together
        const data = {
          x: P.fromArray(
            Array.from({ length: n }, (_, i) => i),
            [n, 1],
            'float64',
          ),
          y: P.fromArray(
            Array.from({ length: n }, (_, i) => i),
            [n],
            'int32',
          ),
        }
        const out = batches(P.random.key(seed), data, bs)
        for (const b of out) {
          expect(b.y.dtype).toBe('int32')
          expect(b.y.shape).toEqual([b.x.shape[0]])
          expect(P.toFlatArray(b.y)).toEqual(P.toFlatArray(b.x))
        }
        expect(
          out
            .flatMap((b) => P.toFlatArray(b.y))
            .sort((a, b) => a - b)
            .join(),
        ).toBe(Array.from({ length: n }, (_, i) => i).join())
      }),
      { numRuns: 20 },
    )
  })

  it('trainStep with int32 labels is the one-hot step up to rounding (dropout included)', () => {
    const model = sequential(dense(8), relu(), dropout(0.2), dense(3))
    const optimizer = adam(0.01)
    const { x, labels, oneHot } = problem(1, 12)
    const params = model.init(P.random.key(0), [2]).params
    const a = trainStep({ model, optimizer, loss: losses.softmaxCrossEntropyWithIntegerLabels })
    const b = trainStep({ model, optimizer, loss: losses.softmaxCrossEntropy })
    let sa = initTrainState(params, optimizer, P.random.key(3))
    let sb = sa
    for (let i = 0; i < 3; i++) {
      sa = a(sa, { x, y: labels })
      sb = b(sb, { x, y: oneHot })
    }
    const la = P.tree.leaves(sa.params),
      lb = P.tree.leaves(sb.params)
    for (const [i, t] of la.entries()) close(P.toFlatArray(t), P.toFlatArray(lb[i]))
  })

  it('fit and evaluate with int32 labels: the history of the one-hot run, accuracies exactly', () => {
    const model = sequential(dense(16), relu(), dense(3))
    const train = problem(2, 48),
      validation = problem(3, 40)
    const run = (y: 'labels' | 'oneHot') =>
      fit({
        model,
        params: model.init(P.random.key(0), [2]).params,
        optimizer: adam(0.05),
        loss: y === 'labels' ? losses.softmaxCrossEntropyWithIntegerLabels : losses.softmaxCrossEntropy,
        train: { x: train.x, y: train[y] },
        validation: { x: validation.x, y: validation[y] },
        epochs: 6,
        batchSize: 10,
        key: P.random.key(4),
      })
    const a = run('labels'),
      b = run('oneHot')
    close(a.history.trainLoss, b.history.trainLoss)
    close(a.history.validationLoss, b.history.validationLoss)
    expect(a.history.trainAccuracy).toEqual(b.history.trainAccuracy)
    expect(a.history.validationAccuracy).toEqual(b.history.validationAccuracy)
    expect(a.history.trainAccuracy.every((v) => v >= 0 && v <= 1)).toBe(true)
    // the model learns: the last epoch beats chance (1/3) clearly on this easy problem
    expect(a.history.trainAccuracy[5]).toBeGreaterThan(0.6)
    const ea = evaluate(model, a.params, { x: validation.x, y: validation.labels }, losses.softmaxCrossEntropyWithIntegerLabels, { batchSize: 7 })
    const eb = evaluate(model, a.params, { x: validation.x, y: validation.oneHot }, losses.softmaxCrossEntropy, { batchSize: 7 })
    expect(ea.accuracy).toBe(eb.accuracy)
    close([ea.loss], [eb.loss])
    // accuracy counted by hand from the logits
    const logits = P.toArray(model.apply(a.params, validation.x, { train: false })) as number[][]
    const hits = logits.filter((row, i) => row.indexOf(Math.max(...row)) === validation.cls[i]).length
    expect(ea.accuracy).toBe(hits / 40)
  })
})

/**
 * `fit` and `trainStep` on small synthetic problems: a linearly separable problem reaches 100%
 * training accuracy; on a problem built to overfit, early stopping stops and returns params
 * whose validation loss is the history's minimum (also when the epochs run out first); a
 * diverging run stops with a report of where and which params; the step is pure and draws a
 * fresh dropout mask per step.
 */
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { dense, dropout, losses, relu, sequential } from '../../src/nn/index.js'
import { adagrad, adam, chain, clipByGlobalNorm, sgd } from '../../src/optim/index.js'
import { TrainingDivergedError, evaluate, fit, initTrainState, trainStep } from '../../src/train/index.js'

/** n points in [−1, 1]², class 1 when x₀ + 2x₁ > 0, away from the line by at least 0.1. */
function separable(seed: number, n: number) {
  const pts = P.toArray(P.random.uniform(P.random.key(seed), [4 * n, 2], { min: -1, max: 1 })) as number[][]
  const kept = pts.filter(([a, b]) => Math.abs(a + 2 * b) > 0.1).slice(0, n)
  return {
    x: P.tensor(kept),
    y: P.oneHot(
      kept.map(([a, b]) => (a + 2 * b > 0 ? 1 : 0)),
      2,
    ),
  }
}

/** Few training points with 30% flipped labels, and a clean validation set: made to overfit. */
function overfit() {
  const train = separable(1, 24)
  const labels = P.toArray(P.argmax(train.y, 1)) as number[]
  const flips = P.toFlatArray(P.random.bernoulli(P.random.key(2), 0.3, [24]))
  const noisy = {
    x: train.x,
    y: P.oneHot(
      labels.map((l, i) => (flips[i] === 1 ? 1 - l : l)),
      2,
    ),
  }
  return { train: noisy, validation: separable(3, 200) }
}

const big = sequential(dense(64), relu(), dense(64), relu(), dense(2))

describe('fit', () => {
  it('reaches 100% training accuracy on a linearly separable 2-D problem, deterministically in the key', () => {
    const train = separable(0, 64)
    const model = dense(2)
    const run = () =>
      fit({
        model,
        params: model.init(P.random.key(0), [2]).params,
        optimizer: adam(0.1),
        loss: losses.softmaxCrossEntropy,
        train,
        validation: separable(9, 64),
        epochs: 40,
        batchSize: 16,
        key: P.random.key(5),
      })
    const r = run()
    expect(r.history.trainAccuracy[39]).toBe(1)
    expect(r.history.trainLoss.length).toBe(40)
    expect(r.stoppedEpoch).toBeNull()
    expect(r.state.step).toBe(40 * 4)
    expect(run().history).toEqual(r.history)
    expect(evaluate(model, r.params, train, losses.softmaxCrossEntropy).accuracy).toBe(1)
  })

  it('early stopping stops an overfitting run and restores the params of the minimum validation loss', () => {
    const { train, validation } = overfit()
    const epochsSeen: number[] = []
    const r = fit({
      model: big,
      params: big.init(P.random.key(0), [2]).params,
      optimizer: adam(0.01),
      loss: losses.softmaxCrossEntropy,
      train,
      validation,
      epochs: 300,
      batchSize: 8,
      key: P.random.key(1),
      earlyStopping: { patience: 5 },
      onEpoch: (log) => {
        epochsSeen.push(log.epoch)
        expect(log.state.params).toBe(log.params)
      },
    })
    expect(r.stoppedEpoch).not.toBeNull()
    const stopped = r.stoppedEpoch as number
    expect(stopped).toBeLessThan(299)
    expect(epochsSeen).toEqual(Array.from({ length: stopped + 1 }, (_, i) => i))
    const vl = r.history.validationLoss
    expect(r.bestEpoch).toBe(vl.indexOf(Math.min(...vl)))
    expect(stopped).toBe(r.bestEpoch + 5)
    // overfitting: training loss kept falling after the best epoch
    expect(r.history.trainLoss[stopped]).toBeLessThan(r.history.trainLoss[r.bestEpoch])
    expect(evaluate(big, r.params, validation, losses.softmaxCrossEntropy).loss).toBe(Math.min(...vl))
    expect(evaluate(big, r.state.params, validation, losses.softmaxCrossEntropy).loss).toBe(vl[stopped])
  })

  it('restoreBest restores the best params also when the epochs run out first (unlike Keras); restoreBest: false does not', () => {
    const { train, validation } = overfit()
    const opts = {
      model: big,
      params: big.init(P.random.key(0), [2]).params,
      optimizer: adam(0.01),
      loss: losses.softmaxCrossEntropy,
      train,
      validation,
      epochs: 40,
      batchSize: 8,
      key: P.random.key(1),
    }
    const r = fit({ ...opts, earlyStopping: { patience: 1000 } })
    const vl = r.history.validationLoss
    expect(r.stoppedEpoch).toBeNull()
    expect(r.bestEpoch).toBeLessThan(39) // the problem overfits within 40 epochs
    expect(evaluate(big, r.params, validation, losses.softmaxCrossEntropy).loss).toBe(Math.min(...vl))
    const last = fit({ ...opts, earlyStopping: { patience: 1000, restoreBest: false } })
    expect(last.params).toBe(last.state.params)
    expect(last.history).toEqual(r.history)
  })

  it('a diverging run throws TrainingDivergedError with the epoch, step, batch and the non-finite params', () => {
    // one example, so the shuffle is trivial and a hand-written loop sees the same steps
    const model = sequential(dense(1))
    const params = model.init(P.random.key(0), [1]).params
    const data = { x: P.tensor([[10]]), y: P.tensor([[1]]) }
    const optimizer = sgd(10) // w ← w − 10·2·(wx+b−y)·x: the error grows ×2000 per step
    let caught: unknown
    try {
      fit({ model, params, optimizer, loss: losses.mse, train: data, epochs: 100, batchSize: 1, key: P.random.key(1) })
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(TrainingDivergedError)
    expect(caught).toBeInstanceOf(P.PurediffError)
    const err = caught as TrainingDivergedError
    // the reference: step by hand until the loss or a param is not finite
    const step = trainStep({ model, optimizer, loss: losses.mse })
    let s = initTrainState(params, optimizer, P.random.split(P.random.key(1))[1])
    let expected = -1
    let expectedPaths: string[] = []
    for (let i = 0; i < 100 && expected < 0; i++) {
      const next = step(s, data)
      const finite = (t: P.Tensor | undefined) => t !== undefined && P.toFlatArray(t).every(Number.isFinite)
      const paths = [...(finite(next.params[0].w) ? [] : ['[0].w']), ...(finite(next.params[0].b) ? [] : ['[0].b'])]
      if (!Number.isFinite(next.loss) || paths.length > 0) {
        expected = i
        expectedPaths = paths
      } else s = next
    }
    expect(expected).toBeGreaterThan(0)
    expect([err.epoch, err.step, err.batch]).toEqual([expected, expected, 0])
    expect(err.paths).toEqual(expectedPaths)
    expect(err.paths.length > 0 || !Number.isFinite(err.loss)).toBe(true)
    expect(err.message).toMatch(/epoch \d+, step \d+/)
    // the params it carries are the last finite ones
    expect(P.tree.leaves(err.params).every((t) => P.toFlatArray(t).every(Number.isFinite))).toBe(true)
  })

  it('names exactly the params that went non-finite (here the kernel, not the bias) when the loss was still finite', () => {
    // loss = mean(logits) = w·x + b: ∂/∂w = x = 10, ∂/∂b = 1; one step of 1e38 overflows float32
    // for w (1e39 > 3.4e38) but not for b (1e38)
    const model = sequential(dense(1))
    const params = model.init(P.random.key(0), [1]).params
    let caught: unknown
    try {
      fit({
        model,
        params,
        optimizer: sgd(1e38),
        loss: (logits) => P.mean(logits),
        train: { x: P.tensor([[10], [10]]), y: P.tensor([[0], [0]]) },
        epochs: 3,
        batchSize: 2,
        key: P.random.key(0),
      })
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(TrainingDivergedError)
    const err = caught as TrainingDivergedError
    expect([err.epoch, err.step, err.batch, err.paths]).toEqual([0, 0, 0, ['[0].w']])
    expect(Number.isFinite(err.loss)).toBe(true)
    expect(err.params).toBe(params)
    expect(err.message).toContain('[0].w')
  })

  it('a finite but huge gradient that overflows an adaptive accumulator is divergence, not a silently frozen weight', () => {
    // loss = 1e19·mean(w·x + b) with x = 10: ∂/∂w = 1e20, ∂/∂b = 1e19. Adagrad adds g² to its
    // float32 accumulator: (1e20)² = 1e40 overflows float32 (max ≈ 3.4e38) to +Infinity, so w's
    // update is g/√∞ = 0 and w stays finite forever; (1e19)² = 1e38 still fits, so b is fine.
    const model = sequential(dense(1))
    const params = model.init(P.random.key(0), [1]).params
    const train = { x: P.tensor([[10], [10]]), y: P.tensor([[0], [0]]) }
    let caught: unknown
    try {
      fit({ model, params, optimizer: adagrad(0.1), loss: (logits) => P.mul(P.mean(logits), 1e19), train, epochs: 3, batchSize: 2, key: P.random.key(0) })
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(TrainingDivergedError)
    const err = caught as TrainingDivergedError
    expect(err.epoch).toBe(0)
    expect(err.paths).toEqual([]) // the params themselves stayed finite…
    expect(P.tree.leaves(err.params).every((t) => P.toFlatArray(t).every(Number.isFinite))).toBe(true)
    expect(err.statePaths.length).toBeGreaterThan(0) // …but the state did not, for w only
    expect(err.statePaths.every((p) => p.endsWith('[0].w'))).toBe(true)
    expect(err.message).toMatch(/optimizer state is non-finite/)
    // the same run with the gradient clipped first trains without error
    const clipped = fit({
      model,
      params,
      optimizer: chain(clipByGlobalNorm(1), adagrad(0.1)),
      loss: (logits) => P.mul(P.mean(logits), 1e19),
      train,
      epochs: 3,
      batchSize: 2,
      key: P.random.key(0),
    })
    expect(clipped.history.trainLoss).toHaveLength(3)
  })

  it('refuses bad options: early stopping without validation data, a bad epoch count', () => {
    const model = dense(2)
    const base = {
      model,
      params: model.init(P.random.key(0), [2]).params,
      optimizer: sgd(0.1),
      loss: losses.softmaxCrossEntropy,
      train: separable(0, 8),
      epochs: 2,
      batchSize: 4,
      key: P.random.key(0),
    }
    expect(() => fit({ ...base, earlyStopping: { patience: 2 } })).toThrow(/validation/)
    expect(() => fit({ ...base, epochs: -1 })).toThrow(P.ArgumentError)
    const r = fit(base)
    expect(r.bestEpoch).toBe(-1)
    expect(r.history.validationLoss.every(Number.isNaN)).toBe(true)
  })
})

describe('trainStep', () => {
  const model = sequential(dense(8), dropout(0.5), dense(1))
  const params = model.init(P.random.key(0), [3]).params
  const batch = {
    x: P.tensor([
      [1, 2, 3],
      [-1, 0, 2],
    ]),
    y: P.tensor([[1], [0]]),
  }

  it('is pure: the same state gives the same next state, the input state is unchanged', () => {
    const step = trainStep({ model, optimizer: adam(0.01), loss: losses.mse })
    const s0 = initTrainState(params, adam(0.01), P.random.key(3))
    const before = P.tree.leaves(s0.params).map(P.toFlatArray)
    const a = step(s0, batch),
      b = step(s0, batch)
    expect(P.tree.leaves(a.params).map(P.toFlatArray)).toEqual(P.tree.leaves(b.params).map(P.toFlatArray))
    expect(a.loss).toBe(b.loss)
    expect([s0.step, a.step]).toEqual([0, 1])
    expect(P.tree.leaves(s0.params).map(P.toFlatArray)).toEqual(before)
  })

  it("draws a fresh dropout mask per step (train mode), from the state's key", () => {
    // learning rate 0: the params never move, so a different loss means a different mask
    const step = trainStep({ model, optimizer: sgd(0), loss: losses.mse })
    let s = initTrainState(params, sgd(0), P.random.key(3))
    const seen = new Set<number>()
    for (let i = 0; i < 6; i++) {
      s = step(s, batch)
      seen.add(s.loss)
    }
    expect(seen.size).toBeGreaterThan(1)
    const test = losses.mse(model.apply(params, batch.x), batch.y)
    expect(seen.has(P.item(test))).toBe(false)
  })
})

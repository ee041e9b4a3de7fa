/**
 * `evaluate`'s contract where mutation testing found it unobserved: the model check, the NaN
 * accuracy of regression targets (rank 1, or logits of another shape), the one-column binary
 * rule, and the data checks it shares with `batches`. Expected values are counted by hand.
 */
import { describe, expect, it } from 'vitest'
import { ArgumentError, ShapeError, scalar, tensor } from '../../src/index.js'
import { dense, losses } from '../../src/nn/index.js'
import { evaluate } from '../../src/train/index.js'

// logits = x·w + b with w = [[1, −1, 0]], b = 0: row x gives [x, −x, 0].
const model = dense(3)
const params = { w: tensor([[1, -1, 0]], 'float64'), b: tensor([0, 0, 0], 'float64') }
const x = tensor([[1], [-1], [2], [0.5]], 'float64')
const mse = losses.mse

describe('evaluate', () => {
  it('refuses a model that is not a layer, naming it', () => {
    for (const bad of [null, 3, {}, { apply: 1 }]) {
      expect(() => evaluate(bad as never, params, { x, y: x }, mse)).toThrow(ArgumentError)
      expect(() => evaluate(bad as never, params, { x, y: x }, mse)).toThrow(/^evaluate: model must be a layer/)
    }
  })
  it('accuracy is NaN when the targets are not class labels of the logits’ shape', () => {
    // rank-1 targets (regression), and [4, 2] targets against [4, 3] logits
    for (const y of [
      tensor([1, 2, 3, 4], 'float64'),
      tensor(
        [
          [1, 0],
          [0, 1],
          [1, 0],
          [1, 0],
        ],
        'float64',
      ),
    ]) {
      const r = evaluate(model, params, { x, y }, (l) => losses.mse(l, l))
      expect(r.accuracy).toBeNaN()
      expect(r.loss).toBe(0)
    }
  })
  it('one-hot targets: argmax agreement, over batches of any size', () => {
    // argmax rows: x=1 → 0, x=−1 → 1, x=2 → 0, x=0.5 → 0; targets 0, 1, 1, 0 → 3 of 4 right
    const y = tensor(
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 1, 0],
        [1, 0, 0],
      ],
      'float64',
    )
    for (const batchSize of [1, 3, 4, 100]) expect(evaluate(model, params, { x, y }, mse, { batchSize }).accuracy).toBe(0.75)
  })
  it('rows wider than one column, over batches that split the data', () => {
    // w = [[1, 0, 0], [0, 1, 0]]: the logits are the rows themselves padded with 0; argmax per
    // row [3, 1] → 0, [0, 2] → 1, [−1, −2] → 2, [5, 4] → 0; targets 0, 1, 2, 1 → 3 of 4 right
    const wide = tensor(
      [
        [3, 1],
        [0, 2],
        [-1, -2],
        [5, 4],
      ],
      'float64',
    )
    const p = {
      w: tensor(
        [
          [1, 0, 0],
          [0, 1, 0],
        ],
        'float64',
      ),
      b: tensor([0, 0, 0], 'float64'),
    }
    const y = tensor(
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [0, 1, 0],
      ],
      'float64',
    )
    for (const batchSize of [1, 3, 4]) expect(evaluate(model, p, { x: wide, y }, mse, { batchSize }).accuracy).toBe(0.75)
  })
  it('one column: logit > 0 ⇔ target > 0.5', () => {
    const one = dense(1)
    const p = { w: tensor([[1]], 'float64'), b: tensor([0], 'float64') }
    // logits 1, −1, 2, 0.5 → positive, negative, positive, positive; targets 1, 1, 0, 0.9 → 2 of 4
    const y = tensor([[1], [1], [0], [0.9]], 'float64')
    expect(evaluate(one, p, { x, y }, mse).accuracy).toBe(0.5)
  })
  it('data checks: rows on axis 0, the same count, named', () => {
    expect(() => evaluate(model, params, { x: scalar(1, 'float64'), y: tensor([1], 'float64') }, mse)).toThrow(ShapeError)
    expect(() => evaluate(model, params, { x, y: scalar(1, 'float64') }, mse)).toThrow(/need the examples on axis 0/)
    expect(() => evaluate(model, params, { x, y: 'labels' } as never, mse)).toThrow(/^evaluate: argument 'data\.y'/)
    expect(() => evaluate(model, params, null as never, mse)).toThrow(/^evaluate: data must be an object \{ x, y \}, got null/)
    expect(() => evaluate(model, params, { x, y: tensor([1, 2], 'float64') }, mse)).toThrow(/data\.x has 4 examples but data\.y has 2/)
  })
})

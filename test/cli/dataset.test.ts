/**
 * The CLI's datasets become int32 class indices, not one-hot rows: `toData` and `rows` give y as
 * int32 `[n]` holding the labels, and the CLI's loss (`crossEntropy`, the integer-label loss) is
 * the one-hot softmax cross-entropy, value for value, so every run means what it meant before.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { losses } from '../../src/nn/index.js'
import { type Dataset, crossEntropy, rows, toData } from '../../src/cli/dataset.js'

const datasetArb = fc
  .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }))
  .chain(([n, d, classes]) =>
    fc.tuple(
      fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -10, max: 10 }), { minLength: n * d, maxLength: n * d }),
      fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: n, maxLength: n }),
      fc.constant({ n, d, classes }),
    ),
  )
  .map(([x, y, { n, d, classes }]): Dataset => ({ x: Float32Array.from(x), y, n, d, classes }))

describe('CLI datasets as int32 labels', () => {
  it('toData and rows give y as int32 class indices, x unchanged', () => {
    fc.assert(
      fc.property(datasetArb, fc.nat(), (data, seed) => {
        const all = toData(data)
        expect([all.y.dtype, all.y.shape]).toEqual(['int32', [data.n]])
        expect(P.toFlatArray(all.y)).toEqual(data.y)
        expect(P.toFlatArray(all.x)).toEqual(Array.from(data.x))
        const idx = P.random.permutation(P.random.key(seed), data.n).slice(0, Math.max(1, data.n - 1))
        const some = rows(data, idx)
        expect([some.y.dtype, some.y.shape]).toEqual(['int32', [idx.length]])
        expect(P.toFlatArray(some.y)).toEqual(idx.map((r) => data.y[r]))
      }),
      { numRuns: 20 },
    )
  })

  it('the CLI loss on int32 labels is the one-hot softmax cross-entropy (the same float32 value, up to the sign of a zero)', () => {
    fc.assert(
      fc.property(datasetArb, fc.nat(), (data, seed) => {
        const logits = P.random.normal(P.random.key(seed), [data.n, data.classes], { std: 3 })
        const { y } = toData(data)
        // === : the one-hot form gives −0 where the loss is exactly 0 (one class), this one +0
        expect(P.item(crossEntropy(logits, y)) === P.item(losses.softmaxCrossEntropy(logits, P.oneHot(data.y, data.classes)))).toBe(true)
      }),
      { numRuns: 20 },
    )
  })
})

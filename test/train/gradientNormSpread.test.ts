/**
 * gradientNormSpread: per layer, each example's gradient norm (Math.hypot over that example's
 * entries of every leaf of the layer) and their min, median, max and mean, computed here from
 * plain numbers, and the layer's number of params.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { gradientNormSpread } from '../../src/train/index.js'
import { expectError } from '../helpers/errors.js'

describe('gradientNormSpread', () => {
  it('reports each example’s norm per layer and their spread; a layer without params is all 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.infiniteStream(fc.double({ min: -5, max: 5, noNaN: true })), (b, n, vals) => {
        const it = vals[Symbol.iterator]()
        const take = (k: number) => Array.from({ length: k }, () => it.next().value as number)
        const w = take(b * n)
        const bias = take(b)
        const spread = gradientNormSpread([{ w: P.fromArray(w, [b, n], 'float64'), b: P.fromArray(bias, [b], 'float64') }, {}])
        const want = Array.from({ length: b }, (_, k) => Math.hypot(...w.slice(k * n, (k + 1) * n), bias[k]))
        spread[0].norms.forEach((v, k) => {
          expect(v).toBeCloseTo(want[k], 12)
        })
        const sorted = [...want].sort((x, y) => x - y)
        const median = b % 2 ? sorted[b >> 1] : (sorted[b / 2 - 1] + sorted[b / 2]) / 2
        expect(spread[0].min).toBeCloseTo(sorted[0], 12)
        expect(spread[0].max).toBeCloseTo(sorted[b - 1], 12)
        expect(spread[0].median).toBeCloseTo(median, 12)
        expect(spread[0].mean).toBeCloseTo(want.reduce((x, y) => x + y, 0) / b, 12)
        expect(spread[1].norms).toEqual(new Array(b).fill(0))
        // the params of one example: n kernel entries and one bias; none for the activation
        expect(spread.map((l) => l.params)).toEqual([n + 1, 0])
      }),
      { numRuns: 30 },
    )
  })
  it('refuses what is not per-example grads of a sequential model', () => {
    expectError(() => gradientNormSpread({} as never), P.ArgumentError, 'gradientNormSpread', 'an array')
    expectError(() => gradientNormSpread([{}]), P.ArgumentError, 'no layer has params')
  })
})

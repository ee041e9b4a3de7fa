/**
 * `arb.params(layer, inputShape)`: parameters exactly as `init` makes them for a random key, in
 * the requested dtype, and reproducible from fast-check's seed.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { dense, maxout, prelu, relu, sequential } from '../../src/nn/index.js'
import { arb } from '../../src/testing/index.js'

describe('arb.params', () => {
  const model = sequential(dense(3), relu(), maxout({ units: 2, pieces: 2 }), prelu())
  it('has the structure, shapes and dtypes of init', () => {
    const like = model.init(P.random.key(0), [4]).params
    fc.assert(
      fc.property(arb.params(model, [4]), (p) => {
        expect(P.tree.structureEquals(p, like)).toBe(true)
      }),
      { numRuns: 30 },
    )
  })
  it('casts every leaf with { dtype }', () => {
    fc.assert(
      fc.property(arb.params(model, [4], { dtype: 'float64' }), (p) => {
        expect(P.tree.leaves(p).every((l) => l.dtype === 'float64')).toBe(true)
      }),
      { numRuns: 10 },
    )
  })
  it('is init for some key: the same seed, the same params', () => {
    const a = fc.sample(arb.params(dense(2), [3]), { numRuns: 3, seed: 9 })
    const b = fc.sample(arb.params(dense(2), [3]), { numRuns: 3, seed: 9 })
    expect(a.map((p) => P.toFlatArray(p.w))).toEqual(b.map((p) => P.toFlatArray(p.w)))
    const keys = fc.sample(arb.key(), { numRuns: 3, seed: 9 })
    expect(a.map((p) => P.toFlatArray(p.w))).toEqual(keys.map((k) => P.toFlatArray(dense(2).init(k, [3]).params.w)))
  })
  it('refuses a shape the layer cannot take, and a bad dtype, at once', () => {
    expect(() => arb.params(dense(2), [])).toThrow(/dense\(2\): inputShape must have rank ≥ 1/)
    expect(() => arb.params(dense(2), [3], { dtype: 'int8' as never })).toThrow(/arb\.params: dtype/)
  })
})

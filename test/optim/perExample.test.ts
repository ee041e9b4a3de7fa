/**
 * Per-example clipping (DP-SGD's clipping step) against a reference written with plain
 * numbers: each example's norm by Math.hypot over all its entries, its scale min(1, c/‖gᵦ‖),
 * then the mean over examples.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { perExampleClip, perExampleGlobalNorms } from '../../src/optim/index.js'
import { expectError } from '../helpers/errors.js'

const B = fc.integer({ min: 1, max: 4 })
const leafShape = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 })
const entry = fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constant(0))
/** per-example gradients: two leaves, each [B, ...shape], and their rows as plain numbers */
const grads = fc.tuple(B, leafShape, leafShape).chain(([b, s1, s2]) => {
  const n = (s: number[]) => s.reduce((x, y) => x * y, 1)
  return fc.tuple(fc.array(entry, { minLength: b * n(s1), maxLength: b * n(s1) }), fc.array(entry, { minLength: b * n(s2), maxLength: b * n(s2) })).map(([v1, v2]) => ({
    b,
    tree: { w: P.fromArray(v1, [b, ...s1], 'float64'), v: [P.fromArray(v2, [b, ...s2], 'float64')] },
    rows: Array.from({ length: b }, (_, k) => [...v1.slice((k * v1.length) / b, ((k + 1) * v1.length) / b), ...v2.slice((k * v2.length) / b, ((k + 1) * v2.length) / b)]),
  }))
})

describe('perExampleGlobalNorms and perExampleClip', () => {
  it('norms are each example’s Math.hypot over every leaf', () => {
    fc.assert(
      fc.property(grads, ({ tree, rows }) => {
        const got = P.toFlatArray(perExampleGlobalNorms(tree))
        rows.forEach((r, k) => {
          expect(got[k]).toBeCloseTo(Math.hypot(...r), 12)
        })
      }),
      { numRuns: 40 },
    )
  })
  it('clips each example to the norm, then averages; examples under it pass unchanged', () => {
    fc.assert(
      fc.property(grads, fc.double({ min: 0.1, max: 20, noNaN: true }), ({ b, tree, rows }, c) => {
        const t = perExampleClip(c)
        const before = P.toFlatArray(tree.w)
        const [u] = t.update(tree, t.init(tree))
        expect(P.toFlatArray(tree.w)).toEqual(before) // nothing mutated
        const scales = rows.map((r) => Math.min(1, c / Math.max(Math.hypot(...r), Number.MIN_VALUE)))
        const want = rows[0].map((_, j) => rows.reduce((s, r, k) => s + r[j] * scales[k], 0) / b)
        const got = [...P.toFlatArray(u.w), ...P.toFlatArray(u.v[0])]
        got.forEach((v, j) => {
          expect(v).toBeCloseTo(want[j], 10)
        })
        expect(u.w.shape).toEqual(tree.w.shape.slice(1))
      }),
      { numRuns: 40 },
    )
  })
  it('huge gradients are clipped, not zeroed: the norm is scaled before squaring', () => {
    const t = perExampleClip(1)
    const [u] = t.update({ g: P.tensor([[3e200, 4e200]], 'float64') }, {})
    const v = P.toFlatArray(u.g)
    expect(v[0]).toBeCloseTo(0.6, 12)
    expect(v[1]).toBeCloseTo(0.8, 12)
  })
  it('refuses a bad norm and leaves without one batch axis', () => {
    expectError(() => perExampleClip(0), P.ArgumentError, 'perExampleClip', 'maxNorm')
    expectError(() => perExampleGlobalNorms({ a: P.zeros([2, 3]), b: P.zeros([3]) }), P.ShapeError, 'perExampleGlobalNorms', 'leaf 1', 'size 2')
  })
})

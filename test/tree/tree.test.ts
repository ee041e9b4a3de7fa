/**
 * Pytrees: plain objects and arrays of tensors; depth-first leaf order; map over several trees;
 * anything else as a leaf is an error naming its path.
 */
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'

const s = (x: number) => P.scalar(x)

describe('tree', () => {
  it('leaves are depth first: arrays by index, objects by key insertion order', () => {
    const t = { b: [s(1), { z: s(2), a: s(3) }], a: s(4) }
    expect(P.tree.leaves(t).map(P.item)).toEqual([1, 2, 3, 4])
    expect(P.tree.leaves(s(7)).map(P.item)).toEqual([7])
    expect(P.tree.leaves({})).toEqual([])
  })
  it('map keeps the structure and zips several trees', () => {
    const a = { w: [s(1), s(2)], b: s(3) }
    const b = { w: [s(10), s(20)], b: s(30) }
    const c = P.tree.map((x: Tensor, y: Tensor) => P.add(x, y), a, b)
    expect(P.tree.leaves(c).map(P.item)).toEqual([11, 22, 33])
    expect(Object.keys(c)).toEqual(['w', 'b'])
    expect(Array.isArray(c.w)).toBe(true)
  })
  it('reduce folds in leaf order; zerosLike keeps shapes and dtypes', () => {
    const t = [P.ones([2, 2], 'float64'), { k: P.ones([3]) }]
    expect(P.tree.reduce((acc: string, l: Tensor) => `${acc}${l.size}`, '', t)).toBe('43')
    const z = P.tree.zerosLike(t)
    expect(P.tree.structureEquals(z, t)).toBe(true)
    expect(P.tree.leaves(z).flatMap(P.toFlatArray).every((v) => v === 0)).toBe(true)
    expect((z[0] as Tensor).dtype).toBe('float64')
  })
  it('structureEquals compares keys, order, lengths, shapes and dtypes, and never throws', () => {
    expect(P.tree.structureEquals({ a: s(1), b: s(2) }, { a: s(5), b: s(6) })).toBe(true)
    expect(P.tree.structureEquals({ a: s(1), b: s(2) }, { b: s(1), a: s(2) })).toBe(false)
    expect(P.tree.structureEquals([s(1)], [s(1), s(2)])).toBe(false)
    expect(P.tree.structureEquals([s(1)], [P.scalar(1, 'float64')])).toBe(false)
    expect(P.tree.structureEquals([s(1)], [3])).toBe(false)
  })
  it('non-tensor leaves are errors naming the path', () => {
    expect(() => P.tree.leaves({ a: [s(1), null] })).toThrow(/tree\.leaves.*\.a\[1\].*null/)
    expect(() => P.tree.leaves({ a: new Map() })).toThrow(/\.a.*Map/)
    expect(() => P.tree.zerosLike([undefined])).toThrow(/\[0\].*undefined/)
  })
  it('does not change its inputs', () => {
    const t = { w: [s(1)] }
    P.tree.map((x: Tensor) => P.mul(x, 2), t)
    expect(P.item(t.w[0])).toBe(1)
    expect(t.w.length).toBe(1)
  })
})

/**
 * Tensors are immutable: readers hand out copies, shapes are frozen, views share storage
 * safely; dtypes are kept through ops and gradients; cast is differentiable.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'

describe('constructors', () => {
  it('tensor infers the shape of nested arrays; scalars have rank 0', () => {
    const t = P.tensor([
      [[1], [2]],
      [[3], [4]],
    ])
    expect([t.shape, t.rank, t.size, t.dtype]).toEqual([[2, 2, 1], 3, 4, 'float32'])
    expect(P.scalar(5).shape).toEqual([])
    expect(P.tensor(5).rank).toBe(0)
    expect(P.tensor([]).shape).toEqual([0])
  })
  it('full, zeros, ones, arange, eye, fromArray in both dtypes', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      expect(P.toFlatArray(P.full([2], 0.5, dtype))).toEqual([0.5, 0.5])
      // a fill of −0 keeps its sign (found by the indexing helper: the zero-filled result skipped it)
      expect(P.toFlatArray(P.full([2], -0, dtype)).every((v) => Object.is(v, -0))).toBe(true)
      expect(P.zeros([2, 0], dtype).size).toBe(0)
      expect(P.toArray(P.eye(3, dtype))).toEqual([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ])
      expect(P.arange(3, dtype).dtype).toBe(dtype)
      expect(P.toArray(P.fromArray(new Float64Array([1, 2, 3, 4]), [2, 2], dtype))).toEqual([
        [1, 2],
        [3, 4],
      ])
    }
  })
  it('float32 storage rounds and float64 keeps every bit', () => {
    expect(P.toFlatArray(P.tensor([0.1]))[0]).toBe(Math.fround(0.1))
    fc.assert(fc.property(fc.double(), (v) => Object.is(P.toFlatArray(P.tensor([v], 'float64'))[0], v)))
  })
})

describe('immutability', () => {
  it('shapes are frozen and readers return copies', () => {
    const src = [1, 2, 3, 4]
    const t = P.fromArray(src, [2, 2])
    src[0] = 99 // the tensor copied its input
    expect(Object.isFrozen(t.shape)).toBe(true)
    expect(() => {
      ;(t.shape as number[])[0] = 7
    }).toThrow()
    const flat = P.toFlatArray(t)
    flat[0] = 42
    const nested = P.toArray(t) as number[][]
    nested[0][0] = 42
    expect(P.toFlatArray(t)).toEqual([1, 2, 3, 4])
  })
  it('tensors are frozen: no field can be reassigned, not even through a cast', () => {
    const t = P.tensor([1, 2, 3])
    const u = P.grad((x: Tensor) => P.sum(P.mul(x, x)))(t)
    for (const x of [t, u, P.reshape(t, [3, 1])]) {
      expect(Object.isFrozen(x)).toBe(true)
      expect(() => {
        ;(x as unknown as { shape: number[] }).shape = [9]
      }).toThrow(TypeError)
      expect(() => {
        ;(x as unknown as { dtype: string }).dtype = 'float64'
      }).toThrow(TypeError)
      expect(() => {
        ;(x as unknown as { extra: number }).extra = 1
      }).toThrow(TypeError)
    }
    expect(P.toFlatArray(t)).toEqual([1, 2, 3])
  })
  it('reshape shares storage, which is safe because nothing can write it', () => {
    const a = P.arange(6)
    const b = P.reshape(a, [2, 3])
    const c = P.add(b, 1)
    expect(P.toFlatArray(a)).toEqual([0, 1, 2, 3, 4, 5])
    expect(P.toArray(c)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ])
  })
  it('no op changes its inputs (property over broadcast ops and transforms)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 6, maxLength: 6 }), (v) => {
        const x = P.fromArray(v, [2, 3], 'float64')
        const y = P.fromArray(v.slice(0, 3), [3], 'float64')
        const f = (a: Tensor) => P.sum(P.mul(P.softmax(P.matmul(a, P.transpose(P.broadcastTo(y, [2, 3])))), P.sin(a.shape[0] === 2 ? P.slice(a, [0, 0], [2, 2]) : a)))
        P.grad(f)(x)
        P.jvp(f, [x], [x])
        P.hessian((a: Tensor) => P.sum(P.square(a)))(y)
        return P.toFlatArray(x).every((e, i) => Object.is(e, v[i])) && P.toFlatArray(y).every((e, i) => Object.is(e, v[i]))
      }),
      { numRuns: 30 },
    )
  })
})

describe('dtypes through ops and gradients', () => {
  it('float64 in, float64 out, float64 gradients; float32 stays float32', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = P.tensor([0.5, 1.5], dtype)
      const g = P.grad((t: Tensor) => P.sum(P.mul(P.exp(t), 2)))(x)
      expect(g.dtype).toBe(dtype)
      expect(P.softmax(x).dtype).toBe(dtype)
      expect(P.matmul(P.reshape(x, [1, 2]), P.reshape(x, [2, 1])).dtype).toBe(dtype)
    }
  })
  it('gradients mirror a mixed-dtype pytree exactly (structure, shapes, dtypes)', () => {
    const params = { w: P.zeros([2, 3]), b: P.zeros([3], 'float64'), extra: [P.scalar(1), { deep: P.ones([1, 1], 'float64') }] as const }
    const g = P.grad((p: typeof params) => P.sum(P.add(P.matmul(P.ones([1, 2]), p.w), p.b)))(params)
    expect(P.tree.structureEquals(g, params)).toBe(true)
    expect(g.w.dtype).toBe('float32')
    expect(P.toFlatArray(g.b)).toEqual([1, 1, 1])
    // leaves with no path to the output get zeros of their own dtype
    expect(g.extra[1].deep.dtype).toBe('float64')
    expect(P.toFlatArray(g.extra[0])).toEqual([0])
  })
  it('cast is differentiable: the gradient is exactly 1, in the input dtype', () => {
    const g = P.grad((t: Tensor) => P.sum(P.mul(P.cast(t, 'float64'), 3)))(P.tensor([1, 2]))
    expect(g.dtype).toBe('float32')
    expect(P.toFlatArray(g)).toEqual([3, 3])
    const h = P.grad((t: Tensor) => P.sum(P.cast(t, 'float32')))(P.tensor([1, 2], 'float64'))
    expect([h.dtype, ...P.toFlatArray(h)]).toEqual(['float64', 1, 1])
    const t = P.tensor([1])
    expect(P.cast(t, 'float32')).toBe(t) // same dtype: the input itself, no copy
  })
})

describe('non-differentiable ops have zero gradient', () => {
  it('comparisons, sign, argmax, and where’s condition', () => {
    const x = P.tensor([-1.5, 0.5, 2], 'float64')
    const f = (t: Tensor) => P.sum(P.add(P.add(P.mul(P.greater(t, 0), t), P.sign(t)), P.add(P.less(t, 1), P.equal(t, 2))))
    // only the mul by the 0/1 mask carries a gradient: d/dt [t·(t > 0)] = (t > 0)
    expect(P.toFlatArray(P.grad(f)(x))).toEqual([0, 1, 1])
    expect(P.toFlatArray(P.grad((t: Tensor) => P.sum(P.argmax(P.reshape(t, [1, 3]), 1)))(x))).toEqual([0, 0, 0])
  })
  it('subgradient conventions: relu′(0) = 0, |x|′(0) = 0, max ties go to the first maximum', () => {
    expect(P.toFlatArray(P.grad((t: Tensor) => P.sum(P.relu(t)))(P.tensor([0, 1])))).toEqual([0, 1])
    expect(P.toFlatArray(P.grad((t: Tensor) => P.sum(P.abs(t)))(P.tensor([0, -1])))).toEqual([0, -1])
    expect(P.toFlatArray(P.grad((t: Tensor) => P.max(t))(P.tensor([3, 1, 3])))).toEqual([1, 0, 0])
    expect(P.toFlatArray(P.grad((t: Tensor) => P.min(t))(P.tensor([1, 1, 3])))).toEqual([1, 0, 0])
    const [ga, gb] = P.grad((p: Tensor[]) => P.sum(P.maximum(p[0], p[1])))([P.tensor([2, 1]), P.tensor([2, 5])])
    expect([P.toFlatArray(ga), P.toFlatArray(gb)]).toEqual([
      [1, 0],
      [0, 1],
    ])
  })
})

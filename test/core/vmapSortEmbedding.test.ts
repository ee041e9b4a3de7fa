/**
 * vmap of the sorting ops and of embedding lookups, and out-of-range indices under vmap: argsort
 * and topK batched along any axis (the last one too) equal stacking them; embeddings with shared
 * or per-example tables and their per-example table gradients (closed forms); an index out of
 * range for its example is an ArgumentError naming it and the example's bound n, even where it
 * would fit the batch's B·n entries — it never reads another example's data.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import * as nn from '../../src/nn/index.js'
import { expectError, thrown } from '../helpers/errors.js'
import { batchAxis, checkStacking, examples, shapeOf, size } from '../helpers/vmapStacking.js'

const RUNS = { numRuns: 25 }

// --- sorting

describe('argsort and topK indices under vmap', () => {
  const withTies = (shape: readonly number[]) =>
    fc.array(fc.integer({ min: -3, max: 3 }), { minLength: size(shape), maxLength: size(shape) }).map((v) => P.fromArray(v, shape, 'float64'))

  it('argsort along a random axis, batched along a random axis (the last one too), ties stable', () => {
    const arb = fc.record({ xs: shapeOf(1, 3), count: fc.integer({ min: 1, max: 3 }) }).chain(({ xs, count }) =>
      fc.record({
        x: examples(withTies(xs), count),
        axis: fc.integer({ min: 0, max: xs.length - 1 }),
        dx: batchAxis(xs.length, false),
        o: fc.nat(xs.length),
      }),
    )
    fc.assert(
      fc.property(arb, ({ x, axis, dx, o }) => {
        checkStacking((a) => P.argsort(a, axis), [x], [dx], o)
      }),
      RUNS,
    )
  })

  it('topK values and indices for a random k, batched along a random axis', () => {
    const arb = fc.record({ xs: shapeOf(1, 3), count: fc.integer({ min: 1, max: 3 }) }).chain(({ xs, count }) =>
      fc.record({
        x: examples(withTies(xs), count),
        k: fc.integer({ min: 0, max: xs[xs.length - 1] }),
        dx: batchAxis(xs.length, false),
        o: fc.nat(xs.length),
      }),
    )
    fc.assert(
      fc.property(arb, ({ x, k, dx, o }) => {
        checkStacking((a) => P.topK(a, k)[1], [x], [dx], o)
        checkStacking((a) => P.topK(a, k)[0], [x], [dx], o)
      }),
      RUNS,
    )
  })

  it('a batch of rows sorts each row: argsort of [[3, 1, 2], [0, 0, -1]] (by hand)', () => {
    const i = P.vmap((r: Tensor) => P.argsort(r))(
      P.tensor(
        [
          [3, 1, 2],
          [0, 0, -1],
        ],
        'float64',
      ),
    )
    expect(P.toArray(i)).toEqual([
      [1, 2, 0],
      [2, 0, 1],
    ])
  })
})

// --- embeddings

describe('nn.embedding under vmap', () => {
  const layer = nn.embedding(4, 2)
  // row k of the table is [k, 10k]
  const table = P.tensor(
    [
      [0, 0],
      [1, 10],
      [2, 20],
      [3, 30],
    ],
    'float64',
  )
  const ids = P.tensor(
    [
      [3, 0, 3],
      [1, -1, 2],
    ],
    'int32',
  )

  it('looks up each example’s ids in a shared table', () => {
    const y = P.vmap((i: Tensor) => layer.apply({ table }, i))(ids)
    // row k = [k, 10k], and −1 is row 3
    expect(P.toArray(y)).toEqual([
      [
        [3, 30],
        [0, 0],
        [3, 30],
      ],
      [
        [1, 10],
        [3, 30],
        [2, 20],
      ],
    ])
  })

  it('looks up each example’s ids in its own table (an ensemble), ids batched on axis 1', () => {
    const tables = P.stack([table, P.neg(table)])
    const y = P.vmap((t: Tensor, i: Tensor) => layer.apply({ table: t }, i), { inAxes: [0, 1] })(tables, P.transpose(ids))
    expect(P.toArray(y)).toEqual([
      [
        [3, 30],
        [0, 0],
        [3, 30],
      ],
      [
        [-1, -10],
        [-3, -30],
        [-2, -20],
      ],
    ])
  })

  it('per-example gradients of the table count each example’s ids (closed form)', () => {
    // d/dtable Σ_j Σ_d y[j, d] = the number of times each id occurs, in every column
    const loss = (p: { table: Tensor }, i: Tensor) => P.sum(layer.apply(p, i))
    const g = P.vmap((i: Tensor) => P.grad(loss)({ table }, i).table)(ids)
    expect(P.toArray(g)).toEqual([
      [
        [1, 1],
        [0, 0],
        [0, 0],
        [2, 2],
      ],
      [
        [0, 0],
        [1, 1],
        [1, 1],
        [1, 1],
      ],
    ])
  })
})

// --- out-of-range indices

describe('out-of-range indices under vmap are an ArgumentError naming the index and the example’s bound', () => {
  // Two examples of x: [3] each. Index 3 (or −4) is out of range for n = 3 but would be inside
  // a merged axis of 2·3 = 6: it must never read the other example's row.
  const xs = P.tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    'float64',
  )
  const notMerged = (m: string) => !m.includes('[-6, 6)')
  const thrownMessage = (f: () => unknown) => thrown(f).message

  for (const bad of [3, -4]) {
    it(`take, data and indices batched: index ${bad}`, () => {
      const idx = P.tensor(
        [
          [0, 1],
          [bad, 0],
        ],
        'int32',
      )
      const f = () => P.vmap((x: Tensor, i: Tensor) => P.take(x, i))(xs, idx)
      expectError(f, P.ArgumentError, 'take', `index ${bad}`, '[-3, 3)', 'length 3')
      expect(notMerged(thrownMessage(f))).toBe(true)
    })
  }

  it('take, shared data, batched indices; data batched, shared indices', () => {
    const idx = P.tensor([[0], [3]], 'int32')
    expectError(() => P.vmap((i: Tensor) => P.take(P.tensor([1, 2, 3]), i))(idx), P.ArgumentError, 'take', 'index 3', '[-3, 3)')
    expectError(() => P.vmap((x: Tensor) => P.take(x, P.tensor([3], 'int32')))(xs), P.ArgumentError, 'take', 'index 3', '[-3, 3)')
  })

  it('scatterAdd and takeAlongAxis with batched indices', () => {
    const idx = P.tensor([[1], [3]], 'int32')
    const s = () => P.vmap((t: Tensor, i: Tensor) => P.scatterAdd(t, i, P.tensor([1], 'float64')))(xs, idx)
    expectError(s, P.ArgumentError, 'scatterAdd', 'index 3', '[-3, 3)')
    expect(notMerged(thrownMessage(s))).toBe(true)
    const a = () => P.vmap((x: Tensor, i: Tensor) => P.takeAlongAxis(x, i, 0))(xs, idx)
    expectError(a, P.ArgumentError, 'takeAlongAxis', 'index 3', '[-3, 3)')
  })

  it('vmap(grad) through take', () => {
    const idx = P.tensor([[2], [-4]], 'int32')
    const f = () => P.vmap((x: Tensor, i: Tensor) => P.grad((z: Tensor) => P.sum(P.take(z, i)))(x))(xs, idx)
    expectError(f, P.ArgumentError, 'take', 'index -4', '[-3, 3)')
    expect(notMerged(thrownMessage(f))).toBe(true)
  })
})

/**
 * nn.embedding: rows of the table by id, its gradient a scatter-add (the table's rows get the
 * count of their ids; a recording trace sees take and its transpose, never a matmul or a
 * one-hot), its default initialiser N(0, 1/dim), and errors naming the layer. (The layer laws:
 * its rows in test/nn/specs.ts; the spec: test/nn/spec.test.ts.)
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import * as nn from '../../src/nn/index.js'
import type { Primitive } from '../../src/engine/primitive.js'
import { type Trace, bind, isTracerOf, newLevel, newTracer } from '../../src/engine/trace.js'
import { adam } from '../../src/optim/index.js'
import { initTrainState, trainStep } from '../../src/train/index.js'
import { expectError } from '../helpers/errors.js'

/** Ids as the layer takes them. */
const ids = (flat: readonly number[], shape: readonly number[]) => P.fromArray(flat, shape, 'int32')

/** A trace kind that lists the primitives applied to its tracers (see test/core/traceKind.test.ts). */
class RecordTrace implements Trace {
  readonly level = newLevel()
  readonly names: string[] = []
  process<Q>(prim: Primitive<Q>, inputs: readonly Tensor[], params: Q): Tensor {
    this.names.push(prim.name)
    const out = bind(
      prim,
      inputs.map((x) => (isTracerOf<null>(this, x) ? x._primal : x)),
      params,
    )
    return newTracer(this, out, out, null, 0)
  }
  wrap(x: Tensor): Tensor {
    return newTracer(this, x, x, null, 0)
  }
}

describe('embedding', () => {
  it('looks up table[id] for ids of any shape: [batch, …] → [batch, …, dim] (definition)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((vocab) =>
          fc.record({
            vocab: fc.constant(vocab),
            dim: fc.integer({ min: 1, max: 4 }),
            shape: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
            seed: fc.integer({ min: 0, max: 1000 }),
          }),
        ),
        ({ vocab, dim, shape, seed }) => {
          const layer = nn.embedding(vocab, dim)
          const { params, outputShape } = layer.init(P.random.key(seed), shape.slice(1))
          expect(outputShape).toEqual([...shape.slice(1), dim])
          const n = shape.reduce((a, b) => a * b, 1)
          const flat = Array.from({ length: n }, (_, i) => ((i * 7 + seed) % (2 * vocab)) - vocab)
          const y = layer.apply(params, ids(flat, shape))
          expect(y.shape).toEqual([...shape, dim])
          const table = P.toArray(params.table) as number[][]
          expect(P.toFlatArray(y)).toEqual(flat.flatMap((k) => table[k < 0 ? k + vocab : k]))
        },
      ),
      { numRuns: 30 },
    )
  })

  it('on a 50,000×8 table, the gradient of a sum over 4 ids is each row’s id count (a scatter-add, no dense one-hot)', () => {
    const layer = nn.embedding(50000, 8)
    const { params } = layer.init(P.random.key(0), [4])
    // ids 3, 49999, 3 and −1 (= 49999): rows 3 and 49999 are each looked up twice
    const x = ids([3, 49999, 3, -1], [1, 4])
    const g = P.grad((p: nn.EmbeddingParams) => P.sum(layer.apply(p, x)))(params).table
    expect(g.shape).toEqual([50000, 8])
    const gs = P.toFlatArray(g)
    const want = new Array<number>(50000 * 8).fill(0)
    for (const row of [3, 49999]) for (let j = 0; j < 8; j++) want[row * 8 + j] = 2
    expect(gs).toEqual(want)
  })

  it('a recording trace sees take forward and its transpose backward, never matmul or a one-hot', () => {
    const layer = nn.embedding(1000, 4)
    const { params } = layer.init(P.random.key(1), [3])
    const x = ids([5, 999, 5, 0, 1, 2], [2, 3])
    const rec = new RecordTrace()
    const [, pull] = P.vjp((t: Tensor) => layer.apply({ table: t }, x), rec.wrap(params.table))
    pull(rec.wrap(P.ones([2, 3, 4])))
    expect(rec.names).toEqual(['take', 'takeTranspose'])
  })

  it('trains through trainStep on int32 ids; rows of ids never looked up stay bit-identical (their gradient is exactly 0)', () => {
    // 64 sequences of 3 ids in [0, 16) of a vocabulary of 20: label 1 when ≥ 2 ids are below 8
    const flat: number[] = []
    const labels: number[] = []
    let s = 1
    for (let i = 0; i < 64; i++) {
      const row: number[] = []
      for (let j = 0; j < 3; j++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0
        row.push(s % 16)
      }
      flat.push(...row)
      const low = row.filter((k) => k < 8).length >= 2
      labels.push(low ? 1 : 0, low ? 0 : 1)
    }
    const model = nn.sequential(nn.embedding(20, 4), nn.flatten(), nn.dense(2))
    const optimizer = adam(0.05)
    const step = trainStep({ model, optimizer, loss: nn.losses.softmaxCrossEntropy })
    const params0 = model.init(P.random.key(0), [3]).params
    let state = initTrainState(params0, optimizer, P.random.key(1))
    const batch = { x: ids(flat, [64, 3]), y: P.fromArray(labels, [64, 2]) }
    const first = step(state, batch).loss
    for (let i = 0; i < 60; i++) state = step(state, batch)
    expect(state.loss).toBeLessThan(first / 10)
    const before = P.toArray((params0[0] as nn.EmbeddingParams).table) as number[][]
    const after = P.toArray((state.params[0] as nn.EmbeddingParams).table) as number[][]
    expect(after.slice(16)).toEqual(before.slice(16))
    expect(after.slice(0, 16)).not.toEqual(before.slice(0, 16))
  })

  it('starts from N(0, 1/dim) (Flax’s default): mean ≈ 0, variance ≈ 1/dim, deterministic in the key', () => {
    const layer = nn.embedding(2000, 16, { dtype: 'float64' })
    const a = P.toFlatArray(layer.init(P.random.key(3), []).params.table)
    const b = P.toFlatArray(layer.init(P.random.key(3), []).params.table)
    expect(a).toEqual(b)
    const mean = a.reduce((s, v) => s + v, 0) / a.length
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length
    // 32,000 draws: the standard error of the mean is 0.25/√32000 ≈ 1.4e-3, of the variance
    // (1/16)·√(2/32000) ≈ 4.9e-4; 5 standard errors each
    expect(Math.abs(mean)).toBeLessThan(7e-3)
    expect(Math.abs(variance - 1 / 16)).toBeLessThan(2.5e-3)
  })

  it('refuses bad arguments, naming the layer', () => {
    expectError(() => nn.embedding(0, 3), P.ArgumentError, 'embedding', 'vocab must be a positive integer')
    expectError(() => nn.embedding(3, 1.5), P.ArgumentError, 'embedding', 'dim must be a positive integer')
    expectError(() => nn.embedding(3, 2, { init: 'normal' as never }), P.ArgumentError, 'embedding(3, 2)', 'init must be an initialiser')
    expectError(() => nn.embedding(3, 2, { init: (k) => P.random.normal(k, [2, 3]) }).init(P.random.key(0), []), P.ShapeError, 'embedding(3, 2)', 'expected float32 [3,2]')
    const layer = nn.embedding(5, 2)
    const { params } = layer.init(P.random.key(0), [2])
    expectError(() => layer.apply(params, ids([0, 5], [1, 2])), P.ArgumentError, 'embedding(5, 2)', 'index 5', 'indices[0,1]', 'length 5', '[-5, 5)')
    expectError(() => layer.apply({ table: P.zeros([5, 3]) }, ids([0], [1])), P.ShapeError, 'embedding(5, 2)', 'params.table must have shape [5,2]', '[5,3]')
    expectError(() => layer.apply({} as never, ids([0], [1])), P.ArgumentError, 'embedding(5, 2)', 'params.table must be a Tensor')
  })
})

/**
 * The batching rule of matmul (transpose flags; either operand batched or both; leading axes of
 * different ranks; an unbatched operand of higher rank; the fold of the batch into rows or
 * columns when one operand is unbatched), vmap nested over a chain of structural ops, and empty
 * batches. Properties as in vmapStructural.test.ts (test/helpers/vmapStacking.ts): vmap(f)(xs)
 * equals stacking f over slices, bit for bit on small-integer data.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { mm } from '../../src/ops/linalg.js'
import { RUNS, batchedArb, example, shapeArb, sizeArb, stacks, unbatchedArb } from '../helpers/vmapBatched.js'

// --- matmul

/** Example shapes of op(a)·op(b) with m, k, n and leading batch axes (a's and b's broadcast together). */
const productArb = fc.record({
  m: fc.integer({ min: 1, max: 3 }),
  k: fc.integer({ min: 1, max: 3 }),
  n: fc.integer({ min: 1, max: 3 }),
  lead: shapeArb(0, 2),
  cutA: fc.nat(2),
  cutB: fc.nat(2),
  onesA: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  onesB: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  ta: fc.boolean(),
  tb: fc.boolean(),
  batchA: fc.boolean(),
  batchB: fc.boolean(),
  size: sizeArb,
})

describe('vmap of matmul', () => {
  it('with transpose flags, either operand batched or both, and leading axes of different ranks broadcasting', () => {
    const arb = productArb.chain(({ m, k, n, lead, cutA, cutB, onesA, onesB, ta, tb, batchA, batchB, size }) => {
      // Each operand's leading axes are a suffix of one shape, some widened to 1: they broadcast.
      const suffix = (cut: number, ones: readonly boolean[]) => lead.slice(Math.min(cut, lead.length)).map((d, i) => (ones[i] ? 1 : d))
      const la = suffix(cutA, onesA)
      const lb = suffix(cutB, onesB)
      const sa = [...la, ...(ta ? [k, m] : [m, k])]
      const sb = [...lb, ...(tb ? [n, k] : [k, n])]
      return fc.tuple(
        batchA || !batchB ? batchedArb(sa, size) : unbatchedArb(sa),
        batchB ? batchedArb(sb, size) : unbatchedArb(sb),
        fc.constant({ ta, tb, size }),
        fc.nat(lead.length + 2),
      )
    })
    fc.assert(
      fc.property(arb, ([a, b, { ta, tb, size }, o]) => {
        const outRank = mm(example(a, 0), example(b, 0), ta, tb).rank
        stacks((x, y) => mm(x, y, ta, tb), [a, b], size, o % (outRank + 1))
      }),
      RUNS,
    )
  })

  it('an unbatched operand of higher rank lines up from the right (public matmul, vectors included)', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), shapeArb(1, 2), sizeArb, fc.boolean(), fc.boolean())
      .chain(([m, k, n, lead, size, batchedLeft, vector]) => {
        // The batched operand is a matrix (or a vector); the unbatched one has extra leading axes.
        const small = vector ? [k] : batchedLeft ? [m, k] : [k, n]
        const big = batchedLeft ? [...lead, k, n] : [...lead, m, k]
        const args = batchedLeft ? fc.tuple(batchedArb(small, size), unbatchedArb(big)) : fc.tuple(unbatchedArb(big), batchedArb(small, size))
        return fc.tuple(args, fc.constant(size), fc.nat(lead.length + 2))
      })
    fc.assert(
      fc.property(arb, ([[a, b], size, o]) => {
        const outRank = P.matmul(example(a, 0), example(b, 0)).rank
        stacks(P.matmul, [a, b], size, o % (outRank + 1))
      }),
      RUNS,
    )
  })

  it('per-example gradients of a dense layer (matmul folded over the batch) equal the gradients of each example', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), sizeArb)
      .chain(([inN, outN, rows, size]) => fc.tuple(unbatchedArb([inN, outN]), batchedArb([rows, inN], size), fc.constant(size), fc.nat(2)))
    fc.assert(
      fc.property(arb, ([w, x, size, o]) => {
        const perExample = (wt: Tensor, xt: Tensor) => P.grad((v: Tensor) => P.sum(P.square(P.matmul(xt, v))))(wt)
        stacks(perExample, [w, x], size, o)
      }),
      RUNS,
    )
  })

  it('nested vmap of matmul: two batch axes, each anywhere', () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), sizeArb, sizeArb, fc.nat(2), fc.nat(2)).chain(([m, k, s1, s2, i1, i2]) => {
      const shape = [m, k]
      shape.splice(i1, 0, s2)
      return fc.tuple(batchedArb(shape, s1), unbatchedArb([k, 2]), fc.constant({ s1, s2, i1, i2 }))
    })
    fc.assert(
      fc.property(arb, ([a, b, { s1, i1, i2 }]) => {
        const inner = P.vmap((x: Tensor) => P.matmul(x, b.value), { inAxes: i1, outAxes: i2 })
        stacks(inner, [a], s1, 0)
      }),
      RUNS,
    )
  })
})

describe('nested vmap', () => {
  it('vmap(vmap(f)) of a chain of reductions, shape and movement ops and products, every batch axis anywhere', () => {
    // f on one [2, 3] example: every rule of this module meets a value batched twice, at two axes.
    const w = P.fromArray([1, -2, 0, 3, 1, -1], [3, 2], 'float64')
    const f = (t: Tensor) => {
      const p = P.matmul(t, w) // [2, 2]
      const c = P.concat([P.cumsum(t, -1), P.flip(P.transpose(p), 0)], 1) // [2, 5]
      const r = P.reshape(
        P.pad(
          P.slice(c, [0, 1], [2, 3]),
          [
            [1, 0],
            [0, 0],
          ],
          2,
        ),
        [-1],
      ) // [9]
      return P.add(P.broadcastTo(P.sum(r, 0, true), [2, 9]), P.max(P.oneHot(P.argmax(t, 1), 9, 'float64'), 0, true)) // [2, 9]
    }
    const arb = fc.tuple(sizeArb, sizeArb, fc.nat(2), fc.nat(2), fc.nat(3)).chain(([s1, s2, i1, o1, o0]) => {
      const shape = [2, 3]
      shape.splice(i1, 0, s2)
      return fc.tuple(batchedArb(shape, s1), fc.constant({ s1, i1, o1, o0 }))
    })
    fc.assert(
      fc.property(arb, ([x, { s1, i1, o1, o0 }]) => {
        stacks(P.vmap(f, { inAxes: i1, outAxes: o1 }), [x], s1, o0)
      }),
      RUNS,
    )
  })
})

describe('vmap over an empty batch', () => {
  it("gives a result with a batch axis of size 0 and each example's shape (no rule divides by the batch size)", () => {
    // Example shapes come from calling f on one example of zeros; the batch of 0 examples is [0, ...].
    const x = P.zeros([0, 2, 3], 'float64')
    const w = P.zeros([3, 4], 'float64')
    const cases: [string, (t: Tensor) => Tensor][] = [
      ['matmul (a batched)', (t) => P.matmul(t, w)],
      ['matmul (b batched)', (t) => P.matmul(P.zeros([5, 2], 'float64'), t)],
      ['sum', (t) => P.sum(t, -1)],
      ['argmax', (t) => P.argmax(t, 0)],
      ['reshape', (t) => P.reshape(t, [-1])],
      ['concat', (t) => P.concat([t, P.zeros([2, 1], 'float64')], 1)],
      ['transpose', (t) => P.transpose(t)],
    ]
    for (const [name, f] of cases) {
      const one = f(P.zeros([2, 3], 'float64'))
      expect(P.vmap(f)(x).shape, name).toEqual([0, ...one.shape])
    }
  })
})

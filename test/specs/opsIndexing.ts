/**
 * Registry rows (see ops.ts) for take, takeAlongAxis and scatterAdd. A row's `f` takes tensors
 * only and the law suites differentiate in every argument, so the indices cannot be an
 * argument: each row derives them from the shape of its first argument (`indicesFor`), so they
 * vary with the generated shapes. Every list holds a negative index and a duplicate by
 * construction (it starts with −1 and ends with n − 1, the same entry), plus 0–3 entries drawn
 * from a 32-bit LCG seeded by the shape; axis 0 and another axis, 1-d and 2-d index arrays.
 *
 * A function, not a constant: ops.ts spreads `indexingRows()` into its registry, and this module
 * uses ops.ts's arbitraries, which exist only once ops.ts has run.
 */
import fc from 'fast-check'
import * as P from '../../src/index.js'
import { type OpRow, shapeArb, tensorOf } from './ops.js'

/** A seed from a shape and an axis (FNV-style mixing: different shapes, different indices). */
function seedOf(shape: readonly number[], axis: number): number {
  let h = 2166136261 ^ (axis + 7)
  for (const d of shape) h = Math.imul(h ^ d, 16777619)
  return h >>> 0
}

/**
 * Valid indices into an axis of length n: [−1, r…, n − 1] with 0–3 draws r in [−n, n) from the
 * seed, so always a negative entry and a duplicate.
 */
export function indicesFor(shape: readonly number[], axis: number): number[] {
  const a = axis < 0 ? axis + shape.length : axis
  const n = shape[a]
  let s = seedOf(shape, a)
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s
  }
  const extra = next() % 4
  const out = [-1]
  for (let k = 0; k < extra; k++) out.push((next() % (2 * n)) - n)
  out.push(n - 1)
  return out
}

/** The same indices as a 2-d array [[…], […]] (duplicated so both rows exist): a rank-2 index. */
const indices2d = (shape: readonly number[], axis: number): number[][] => {
  const i = indicesFor(shape, axis)
  return [i, i.map((k) => (k === -1 ? 0 : k))]
}

/** takeAlongAxis indices: x's shape with `count` at the axis, entries from the seed in [−n, n). */
function alongFor(shape: readonly number[], axis: number, broadcastAxis: number | null): P.Tensor {
  const a = axis < 0 ? axis + shape.length : axis
  const n = shape[a]
  const ishape = shape.map((d, i) => (i === a ? 3 : i === broadcastAxis ? 1 : d))
  let s = seedOf(shape, a + 100)
  const flat = Array.from({ length: ishape.reduce((p, d) => p * d, 1) }, (_, k) => {
    if (k === 0) return -1 // a negative index, always
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return (s % (2 * n)) - n
  })
  return P.fromArray(flat, ishape, 'int32')
}

const row = (op: string, name: string, f: (...a: P.Tensor[]) => P.Tensor, args: fc.Arbitrary<P.Tensor[]>): OpRow => ({ op, name, f, args, order: 2 })

/** Shapes of rank minRank..3 (axes 1..4). */
const shapes = (minRank: number) => shapeArb(minRank)

/** A target of the shape and updates shaped target[:axis] + indices + target[axis+1:]. */
function scatterArgs(minRank: number, axis: number, twoD: boolean): fc.Arbitrary<P.Tensor[]> {
  return shapes(minRank).chain((s) => {
    const a = axis < 0 ? axis + s.length : axis
    const ishape = twoD ? [2, indicesFor(s, a).length] : [indicesFor(s, a).length]
    return fc.tuple(tensorOf(s), tensorOf([...s.slice(0, a), ...ishape, ...s.slice(a + 1)]))
  })
}

export function indexingRows(): OpRow[] {
  return [
    row(
      'take',
      'take (axis 0, indices with −1 and a duplicate)',
      (x) => P.take(x, indicesFor(x.shape, 0)),
      shapes(1).chain((s) => tensorOf(s).map((x) => [x])),
    ),
    row(
      'take',
      'take (last axis, 2-d indices)',
      (x) => P.take(x, indices2d(x.shape, -1), -1),
      shapes(2).chain((s) => tensorOf(s).map((x) => [x])),
    ),
    row('scatterAdd', 'scatterAdd (axis 0)', (t, u) => P.scatterAdd(t, indicesFor(t.shape, 0), u), scatterArgs(1, 0, false)),
    row('scatterAdd', 'scatterAdd (axis 1, 2-d indices)', (t, u) => P.scatterAdd(t, indices2d(t.shape, 1), u, 1), scatterArgs(2, 1, true)),
    row(
      'takeAlongAxis',
      'takeAlongAxis (last axis)',
      (x) => P.takeAlongAxis(x, alongFor(x.shape, -1, null), -1),
      shapes(1).chain((s) => tensorOf(s).map((x) => [x])),
    ),
    row(
      'takeAlongAxis',
      'takeAlongAxis (axis 0, indices broadcast on axis 1)',
      (x) => P.takeAlongAxis(x, alongFor(x.shape, 0, 1), 0),
      shapes(2).chain((s) => tensorOf(s).map((x) => [x])),
    ),
  ]
}

/**
 * Registry rows (see ops.ts) for maxPool and avgPool. A row's `f` takes tensors only, so the
 * window, strides and padding cannot be arguments: each row derives them from the shape of its
 * input (`poolOptionsFor`, a 32-bit LCG seeded by the shape), so they vary with the generated
 * shapes — 1, 2 or 3 spatial axes, windows 1–3 per axis, strides 1–3 (overlapping windows when
 * a stride is below its window, gaps when above), and one row per padding kind. Shapes are tiny
 * (batch 1–2, spatial axes of 1–4, channels 1–2): the gradient laws run 100 cases per row.
 *
 * maxPool's inputs are `distinct` (any two values ≥ 0.2 apart), so no window has a tie within
 * reach of a central difference's step: the argmax is the same at x ± eps, and the gradient
 * laws see the function where it is smooth. avgPool is linear: any values.
 *
 * Functions, not constants: ops.ts spreads `poolRows()` into its registry while this module may
 * still be loading (the two import each other), and this module uses ops.ts's arbitraries,
 * which exist only once ops.ts has run.
 */
import fc from 'fast-check'
import * as P from '../../src/index.js'
import type { PoolOptions } from '../../src/index.js'
import { type OpRow, tensorOf } from './ops.js'

export type PadKind = 'VALID' | 'SAME' | 'explicit'

/** A seed from a shape and a salt (FNV-style mixing: different shapes, different options). */
function seedOf(shape: readonly number[], salt: number): number {
  let h = 2166136261 ^ (salt + 11)
  for (const d of shape) h = Math.imul(h ^ d, 16777619)
  return h >>> 0
}

/**
 * The window and options that a row uses for an input of `shape` ([batch, ...spatial, C]):
 * per spatial axis of length n, a window k in 1..3 and a stride in 1..3; VALID keeps k ≤ n,
 * explicit pads are in [0, k) with k ≤ n + lo + hi, so the output is never empty.
 */
export function poolOptionsFor(shape: readonly number[], kind: PadKind): { window: number[]; options: PoolOptions } {
  let s = seedOf(shape, kind.length)
  const next = (m: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return (s >>> 8) % m
  }
  const spatial = shape.slice(1, -1)
  const window: number[] = []
  const strides: number[] = []
  const pads: [number, number][] = []
  for (const n of spatial) {
    let k = 1 + next(3)
    if (kind === 'VALID') k = Math.min(k, n)
    const lo = kind === 'explicit' ? next(k) : 0
    const hi = kind === 'explicit' ? next(k) : 0
    window.push(Math.min(k, n + lo + hi))
    strides.push(1 + next(3))
    pads.push([lo, hi])
  }
  const padding = kind === 'explicit' ? pads : kind
  return { window, options: { strides, padding } }
}

/** [batch, ...spatial, channels] with 1–3 spatial axes: batch 1–2, spatial 1–4 (1–3 in 3-D), channels 1–2. */
export function poolShapeArb(): fc.Arbitrary<number[]> {
  return fc
    .integer({ min: 1, max: 3 })
    .chain((d) => fc.tuple(fc.integer({ min: 1, max: 2 }), fc.array(fc.integer({ min: 1, max: d === 3 ? 3 : 4 }), { minLength: d, maxLength: d }), fc.integer({ min: 1, max: 2 })))
    .map(([b, sp, c]) => [b, ...sp, c])
}

/** The op with the window and options `poolOptionsFor` derives from its input's shape. */
export function pooled(op: typeof P.maxPool, kind: PadKind): (x: P.Tensor) => P.Tensor {
  return (x) => {
    const { window, options } = poolOptionsFor(x.shape, kind)
    return op(x, window, options)
  }
}

export function poolRows(): OpRow[] {
  const row = (op: 'maxPool' | 'avgPool', kind: PadKind): OpRow => ({
    op,
    name: `${op} (${kind} padding; 1–3 spatial axes, windows and strides 1–3 from the shape)`,
    f: pooled(op === 'maxPool' ? P.maxPool : P.avgPool, kind),
    args: poolShapeArb()
      .chain((s) => tensorOf(s, op === 'maxPool' ? 'distinct' : 'any'))
      .map((x) => [x]),
    order: 2,
  })
  return (['VALID', 'SAME', 'explicit'] as const).flatMap((kind) => [row('maxPool', kind), row('avgPool', kind)])
}

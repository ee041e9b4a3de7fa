/**
 * Registry rows (see ops.ts) for `conv`. A row's `f` takes tensors only, and under vmap and grad
 * it sees slices and traced values, so its options cannot travel beside the arguments: they are
 * derived from the kernel's shape and the batch size (`optionsFor`, a 32-bit LCG seeded by
 * them), and the arbitrary builds x's spatial lengths so that the output is never empty under
 * those options. Strides, kernel and input dilation 1–2, padding VALID, SAME or explicit pairs in
 * [−1, 2] (negative: a crop), groups 1–2 (or depthwise); shapes stay tiny so the law suites run
 * fast (central differences touch every input element).
 *
 * A function, not a constant: ops.ts spreads `convRows()` into its registry, and this module
 * uses ops.ts's arbitraries, which exist only once ops.ts has run.
 */
import fc from 'fast-check'
import * as P from '../../src/index.js'
import { type OpRow, tensorOf } from './ops.js'

/** conv's options as a function of the kernel's shape and the batch size (see the module comment). */
export function optionsFor(kernel: readonly number[], batch: number, depthwise: boolean): P.ConvOptions {
  let s = 2166136261 ^ batch
  for (const d of kernel) s = Math.imul(s ^ d, 16777619)
  const next = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return (s >>> 8) % n
  }
  const r = kernel.length - 2
  const outC = kernel[r + 1]
  const per = () => Array.from({ length: r }, () => 1 + next(2))
  const kind = next(3)
  const padding = kind === 0 ? 'VALID' : kind === 1 ? 'SAME' : Array.from({ length: r }, () => [next(4) - 1, next(4) - 1] as [number, number])
  // depthwise (groups = inC): multiplier 1 for an odd outC, 2 for an even one; else 2 groups when outC allows
  const groups = depthwise ? (outC % 2 === 1 ? outC : outC / 2) : outC % 2 === 0 && next(2) === 1 ? 2 : 1
  return { strides: per(), dilation: per(), lhsDilation: per(), padding, groups }
}

const dilated = (n: number, step: number) => (n - 1) * step + 1

/**
 * [x, kernel] for `r` spatial axes: window lengths 1..maxK, channels per group 1..2, and per
 * axis the shortest input whose output is not empty under `optionsFor`, plus 0..extra.
 */
function convArgs(r: number, maxK: number, extra: number, depthwise: boolean): fc.Arbitrary<P.Tensor[]> {
  const small = (max: number) => fc.integer({ min: 1, max })
  return fc
    .tuple(small(2), fc.array(small(maxK), { minLength: r, maxLength: r }), small(2), small(4), fc.array(fc.integer({ min: 0, max: extra }), { minLength: r, maxLength: r }))
    .chain(([batch, win, cgRaw, outC, more]) => {
      const cg = depthwise ? 1 : cgRaw
      const ks = [...win, cg, outC]
      const o = optionsFor(ks, batch, depthwise)
      const g = o.groups as number
      const n = win.map((k, a) => {
        const kd = dilated(k, (o.dilation as number[])[a])
        const ld = (o.lhsDilation as number[])[a]
        const pads = Array.isArray(o.padding) ? o.padding[a][0] + o.padding[a][1] : 0
        // VALID/explicit need n' + pads ≥ k'; SAME never empties (n ≥ 1 suffices).
        const need = o.padding === 'SAME' ? 1 : kd - pads
        const least = need <= 1 ? 1 : Math.ceil((need - 1) / ld) + 1
        return least + more[a]
      })
      return fc.tuple(tensorOf([batch, ...n, cg * g]), tensorOf(ks))
    })
}

/** The function of a row: conv with the options its shapes determine. */
const convOf = (depthwise: boolean) => (x: P.Tensor, k: P.Tensor) => P.conv(x, k, optionsFor(k.shape, x.shape[0], depthwise))

/** The registry rows of conv: 1-D, 2-D and 3-D with random options, and depthwise. */
export const convRows = (): OpRow[] => [
  { op: 'conv', name: 'conv (1-D, random options)', f: convOf(false), args: convArgs(1, 3, 2, false), order: 2 },
  { op: 'conv', name: 'conv (2-D, random options)', f: convOf(false), args: convArgs(2, 2, 1, false), order: 2 },
  { op: 'conv', name: 'conv (3-D, random options)', f: convOf(false), args: convArgs(3, 2, 0, false), order: 1 },
  { op: 'conv', name: 'conv (2-D depthwise, random options)', f: convOf(true), args: convArgs(2, 2, 1, true), order: 2 },
]

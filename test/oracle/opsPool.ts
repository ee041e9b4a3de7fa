/**
 * The TF.js oracle's rows for maxPool and avgPool: `tf.maxPool`/`tf.avgPool` for 1-D (a 2-D
 * pool over a unit axis) and 2-D inputs, `tf.maxPool3d`/`tf.avgPool3d` for 3-D, with random
 * windows (1–3), strides (1–3, so windows overlap or skip) and padding ('VALID', 'SAME', or
 * explicit [lo, hi] pairs, which TF.js pools do not take: there the TF.js side pads first, with
 * −∞ for max, and pools 'VALID').
 *
 * maxPool inputs are distinct (gap 1e-3): TF.js and purediff may break ties differently.
 *
 * TF.js's avgPool GRADIENT is wrong wherever a window overlaps the padding: its AvgPoolGrad
 * divides by the full window size, not by the in-bounds count its own forward divides by
 * (checked: d/dx Σ avgPool([1,3,2,6,10], 3, stride 1, 'same') is [2/3, 1, 1, 1, 2/3] in TF.js;
 * the true derivative is [5/6, 7/6, 1, 7/6, 5/6]). So for padded averages the gradient is
 * compared with a TF.js composition of the same function whose gradients TF.js gets right:
 * avgPool_pad(x) = avgPool_VALID(pad(x, 0)) / avgPool_VALID(pad(1, 0)), the in-bounds sum over
 * the in-bounds count. The forward values are compared with TF.js's own 'same' pool.
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import * as pd from '../../src/index.js'
import { type Input, distinct, inputsArb } from './harness.js'
import { ANY, type OpRow, bind } from './row.js'

type Kind = 'VALID' | 'SAME' | 'explicit'

interface PoolCase {
  readonly window: number[]
  readonly strides: number[]
  readonly kind: Kind
  /** explicit pads (for 'SAME': TF's split, computed here from its formula; for 'VALID': zeros) */
  readonly pads: [number, number][]
}

/** The TF 'SAME' split of one axis: total = max((⌈n/s⌉ − 1)·s + k − n, 0), the extra on the high side. */
function samePads(n: number, k: number, s: number): [number, number] {
  const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0)
  return [Math.floor(total / 2), total - Math.floor(total / 2)]
}

/**
 * Where TF.js 4.22's 3-D pools are wrong, kept out of reach by construction:
 * - 3-D 'SAME' does not clamp a negative total padding to 0 (conv_util's get3DPadAndOutInfo; the
 *   2-D version does), so a stride above the window shifts its windows: with `tf3d`, 'SAME'
 *   cases keep stride ≤ window, where the total is (⌈n/s⌉ − 1)·s + k − n ≥ k − s ≥ 0;
 * - maxPool3d's gradient records a window position as row·filterHeight + col (it must be
 *   row·filterWidth + col), so it is right only for square height×width windows: `squareHW`.
 */
interface GenOpts {
  readonly tf3d: boolean
  readonly squareHW: boolean
}

/** x of [batch 1–2, d spatial axes of 1–5 (1–4 in 3-D), channels 1–3] and a random pooling case. */
function gen(d: 1 | 2 | 3, valuesOf: typeof ANY, { tf3d, squareHW }: GenOpts = { tf3d: false, squareHW: false }): fc.Arbitrary<readonly [Input[], PoolCase]> {
  const axis = fc.record({ n: fc.integer({ min: 1, max: d === 3 ? 4 : 5 }), k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), lo: fc.nat(2), hi: fc.nat(2) })
  return fc
    .tuple(fc.integer({ min: 1, max: 2 }), fc.array(axis, { minLength: d, maxLength: d }), fc.integer({ min: 1, max: 3 }), fc.constantFrom<Kind>('VALID', 'SAME', 'explicit'))
    .chain(([b, axes, c, kind]) => {
      // windows that fit: VALID k ≤ n; explicit pads < k and k ≤ n + lo + hi
      const window = axes.map(({ n, k, lo, hi }) => (kind === 'VALID' ? Math.min(k, n) : kind === 'explicit' ? Math.min(k, n + Math.min(lo, k - 1) + Math.min(hi, k - 1)) : k))
      if (squareHW) window[1] = window[2] = Math.min(window[1], window[2])
      const strides = axes.map(({ s }, a) => (tf3d && kind === 'SAME' ? Math.min(s, window[a]) : s))
      const pads = axes.map(({ n, lo, hi }, a): [number, number] =>
        kind === 'VALID' ? [0, 0] : kind === 'SAME' ? samePads(n, window[a], strides[a]) : [Math.min(lo, window[a] - 1), Math.min(hi, window[a] - 1)],
      )
      const shape = [b, ...axes.map((a) => a.n), c]
      return inputsArb([shape], [valuesOf]).map((xs) => [xs, { window, strides, kind, pads }] as const)
    })
}

const pdPadding = (p: PoolCase): pd.PoolPadding => (p.kind === 'explicit' ? p.pads : p.kind)

/** Runs a TF.js pool of rank 2 or 3 on x [B, ...spatial, C]; 1-D goes through a unit axis. */
function tfPool(x: tf.Tensor, p: PoolCase, f2: typeof tf.maxPool, f3: typeof tf.maxPool3d, pad: 'valid' | 'same'): tf.Tensor {
  const d = x.rank - 2
  if (d === 3) return f3(x as tf.Tensor5D, p.window as [number, number, number], p.strides as [number, number, number], pad)
  if (d === 2) return f2(x as tf.Tensor4D, p.window as [number, number], p.strides as [number, number], pad)
  const [b, n, c] = x.shape
  const y = f2(tf.reshape(x, [b, 1, n, c]) as tf.Tensor4D, [1, p.window[0]], [1, p.strides[0]], pad)
  return tf.reshape(y, [b, y.shape[2], c])
}

const tfPadded = (x: tf.Tensor, p: PoolCase, value: number) => tf.pad(x, [[0, 0], ...p.pads, [0, 0]], value)

function tfMax(x: tf.Tensor, p: PoolCase): tf.Tensor {
  if (p.kind === 'explicit') return tfPool(tfPadded(x, p, Number.NEGATIVE_INFINITY), p, tf.maxPool, tf.maxPool3d, 'valid')
  return tfPool(x, p, tf.maxPool, tf.maxPool3d, p.kind === 'SAME' ? 'same' : 'valid')
}

/** The in-bounds average as a sum over a count, both by VALID pools of zero-padded tensors. */
function tfAvgByCounts(x: tf.Tensor, p: PoolCase): tf.Tensor {
  const sums = tfPool(tfPadded(x, p, 0), p, tf.avgPool, tf.avgPool3d, 'valid')
  const counts = tfPool(tfPadded(tf.onesLike(x), p, 0), p, tf.avgPool, tf.avgPool3d, 'valid')
  return tf.div(sums, counts)
}

function tfAvgForward(x: tf.Tensor, p: PoolCase): tf.Tensor {
  if (p.kind === 'explicit') return tfAvgByCounts(x, p)
  return tfPool(x, p, tf.avgPool, tf.avgPool3d, p.kind === 'SAME' ? 'same' : 'valid')
}

const tfAvgGrad = (x: tf.Tensor, p: PoolCase): tf.Tensor => (p.kind === 'VALID' ? tfPool(x, p, tf.avgPool, tf.avgPool3d, 'valid') : tfAvgByCounts(x, p))

const MAX_VALUES = distinct(-5, 5, 1e-3)

function rows(d: 1 | 2 | 3): OpRow[] {
  const tfName = d === 3 ? '3d' : ''
  const label = `${d}-D, VALID/SAME/explicit, strides 1–3`
  const tf3d = d === 3
  const maxOf = bind<PoolCase>(
    'maxPool',
    ([x], p) => pd.maxPool(x, p.window, { strides: p.strides, padding: pdPadding(p) }),
    ([x], p) => tfMax(x, p),
  )
  const pdAvg = ([x]: readonly pd.Tensor[], p: PoolCase) => pd.avgPool(x, p.window, { strides: p.strides, padding: pdPadding(p) })
  return [
    {
      name: `maxPool ${label} (vs tf.maxPool${tfName})`,
      forward: maxOf(gen(d, MAX_VALUES, { tf3d, squareHW: false })),
      grad: { arb: maxOf(gen(d, MAX_VALUES, { tf3d, squareHW: tf3d })), wrt: [0] },
    },
    {
      name: `avgPool ${label} (vs tf.avgPool${tfName}; gradient vs a padded sum over a count where padded)`,
      forward: bind<PoolCase>('avgPool', pdAvg, ([x], p) => tfAvgForward(x, p))(gen(d, ANY, { tf3d, squareHW: false })),
      grad: { arb: bind<PoolCase>('avgPool', pdAvg, ([x], p) => tfAvgGrad(x, p))(gen(d, ANY, { tf3d, squareHW: false })), wrt: [0] },
    },
  ]
}

export const poolOps: OpRow[] = [...rows(1), ...rows(2), ...rows(3)]

/**
 * Outside oracle for `conv`: values and gradients against TF.js (CPU backend, float32) on random
 * shapes and options, through each TF.js entry point that conv covers:
 * - tf.conv1d, tf.conv2d (strides, SAME/VALID, dilations), tf.conv3d;
 * - tf.depthwiseConv2d: conv with groups = inC and the filter [h, w, inC, m] seen as
 *   [h, w, 1, inC·m] (output channel c·m + j in both);
 * - tf.conv2dTranspose via lhsDilation: conv2dTranspose(x, f, [b, H, W, o], s, pad) is the
 *   input cotangent of conv2d(·, f, s, pad) from [b, H, W, o], which src/ops/conv.ts derives as
 *   conv(x, f with its window flipped and its channel axes swapped, lhsDilation s, padding
 *   [k − 1 − lo, H + lo − ((h − 1)·s + 1)]) with lo the forward conv's low padding.
 * TF.js refuses strides and dilations both above 1, and has no gradient of a dilated conv2d or
 * depthwiseConv2d: the generators respect the first; gradients are compared where TF.js has them
 * (dilated gradients are checked against central differences by the registry rows instead).
 * TF.js's conv3d breaks TF's SAME rule when its pad total is negative (see the generator):
 * those cases are left out.
 *
 * Tolerances as in tfjs.test.ts: |Δ| ≤ 1e-4 + 1e-4·|want| for values (sums of ≤ 3·3·3·4 = 108
 * float32 products of values in [−1, 1]: their rounding is ≈ 1e-5 at worst), plus 1e-5·‖g‖∞
 * for gradients, which sum over every output position in another order than TF.js.
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as pd from '../../src/index.js'
import { type Input, type Instance, inputsArb, maxAbs, mismatch, pdForward, pdGrads, seedArb, tfForward, tfGrads, uniform } from './harness.js'

const ATOL = 1e-4
const RTOL = 1e-4
const GRAD_NORM = 1e-5
const RUNS = 100

let tensorsBefore = 0
beforeAll(async () => {
  await tf.setBackend('cpu')
  tensorsBefore = tf.memory().numTensors
})
afterAll(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore)
})

/** One generated comparison: the instance and whether TF.js has its gradient. */
interface Case {
  readonly inst: Instance
  readonly grads: boolean
}

const V = uniform(-1, 1)
const int = (min: number, max: number) => fc.integer({ min, max })
const padArb = fc.constantFrom<'SAME' | 'VALID'>('SAME', 'VALID')
const lower = (p: 'SAME' | 'VALID') => (p === 'SAME' ? 'same' : 'valid')
const dil = (n: number, s: number) => (n - 1) * s + 1

/** Strides and dilations for r axes, never both above 1 (TF.js refuses that). */
const stepsArb = (r: number) =>
  fc.tuple(fc.boolean(), fc.array(int(1, 3), { minLength: r, maxLength: r })).map(([strided, v]) => (strided ? { s: v, d: v.map(() => 1) } : { s: v.map(() => 1), d: v }))

/** Spatial lengths long enough for a VALID window of dilated length k' on each axis. */
const lengthsArb = (kd: readonly number[]) => fc.tuple(...kd.map((k) => int(k, k + 4)))

/** x and kernel for r spatial axes (channels 1..3 in, 1..3 out). */
function plain(r: number, maxK: number) {
  return fc.tuple(int(1, 2), fc.array(int(1, maxK), { minLength: r, maxLength: r }), int(1, 3), int(1, 3), stepsArb(r), padArb).chain(([b, k, c, o, st, pad]) =>
    lengthsArb(k.map((kk, a) => dil(kk, st.d[a]))).chain((n) =>
      inputsArb(
        [
          [b, ...n, c],
          [...k, c, o],
        ],
        [V],
      ).map((inputs) => ({ inputs, st, pad })),
    ),
  )
}

const conv1d = plain(1, 4).map(
  ({ inputs, st, pad }): Case => ({
    inst: {
      inputs,
      params: { st, pad },
      pd: ([x, k]) => pd.conv(x, k, { strides: st.s, dilation: st.d, padding: pad }),
      tf: ([x, k]) => tf.conv1d(x as tf.Tensor3D, k as tf.Tensor3D, st.s[0], lower(pad), 'NWC', st.d[0]),
    },
    grads: st.d[0] === 1,
  }),
)

const conv2d = plain(2, 3).map(
  ({ inputs, st, pad }): Case => ({
    inst: {
      inputs,
      params: { st, pad },
      pd: ([x, k]) => pd.conv(x, k, { strides: st.s, dilation: st.d, padding: pad }),
      tf: ([x, k]) => tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, st.s as [number, number], lower(pad), 'NHWC', st.d as [number, number]),
    },
    grads: st.d.every((d) => d === 1),
  }),
)

const conv3d = fc
  .tuple(int(1, 2), fc.array(int(1, 2), { minLength: 3, maxLength: 3 }), int(1, 2), int(1, 3), fc.array(int(1, 2), { minLength: 3, maxLength: 3 }), padArb)
  .chain(([b, k, c, o, s, pad]) => lengthsArb(k).map((n) => ({ b, k, c, o, s, pad, n })))
  // TF.js's conv3d does not clamp a negative SAME total: for n = 2, s = 2, k = 1 TF's rule pads
  // max(0·2 + 1 − 2, 0) = 0 and reads x[0] (as tf.conv2d does), TF.js's conv3d reads x[1].
  // Those cases are not TF's rule, so they are left out here (conv2d covers them).
  .filter(({ k, s, pad, n }) => pad === 'VALID' || s.every((sv, a) => (Math.ceil(n[a] / sv) - 1) * sv + k[a] - n[a] >= 0))
  .chain(({ b, k, c, o, s, pad, n }) =>
    inputsArb(
      [
        [b, ...n, c],
        [...k, c, o],
      ],
      [V],
    ).map(
      (inputs): Case => ({
        inst: {
          inputs,
          params: { s, pad },
          pd: ([x, w]) => pd.conv(x, w, { strides: s, padding: pad }),
          tf: ([x, w]) => tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, s as [number, number, number], lower(pad)),
        },
        grads: true,
      }),
    ),
  )

const depthwise = fc.tuple(int(1, 2), fc.array(int(1, 3), { minLength: 2, maxLength: 2 }), int(1, 3), int(1, 2), stepsArb(2), padArb).chain(([b, k, c, m, st, pad]) =>
  lengthsArb(k.map((kk, a) => dil(kk, st.d[a]))).chain((n) =>
    inputsArb(
      [
        [b, ...n, c],
        [...k, c, m],
      ],
      [V],
    ).map(
      (inputs): Case => ({
        inst: {
          inputs,
          params: { st, pad, m },
          pd: ([x, f]) => pd.conv(x, pd.reshape(f, [k[0], k[1], 1, c * m]), { strides: st.s, dilation: st.d, padding: pad, groups: c }),
          tf: ([x, f]) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, st.s as [number, number], lower(pad), 'NHWC', st.d as [number, number]),
        },
        grads: st.d.every((d) => d === 1),
      }),
    ),
  ),
)

/** Low padding of the forward conv from H with window k and stride s (TF's SAME rule, or 0). */
const forwardLo = (H: number, k: number, s: number, pad: 'SAME' | 'VALID') => (pad === 'VALID' ? 0 : Math.floor(Math.max((Math.ceil(H / s) - 1) * s + k - H, 0) / 2))

/**
 * conv2dTranspose: the output size [H, W] is drawn first, the input size h is what the forward
 * conv makes of it (⌈H/s⌉ for SAME, ⌊(H − k)/s⌋ + 1 for VALID).
 */
const transpose = fc
  .tuple(int(1, 2), fc.array(int(1, 3), { minLength: 2, maxLength: 2 }), int(1, 3), int(1, 3), fc.array(int(1, 3), { minLength: 2, maxLength: 2 }), padArb)
  .chain(([b, k, cin, cout, s, pad]) =>
    fc.tuple(...k.map((kk) => int(kk, kk + 5))).chain((H) => {
      const h = H.map((HH, a) => (pad === 'SAME' ? Math.ceil(HH / s[a]) : Math.floor((HH - k[a]) / s[a]) + 1))
      const padding = H.map((HH, a) => {
        const lo = forwardLo(HH, k[a], s[a], pad)
        return [k[a] - 1 - lo, HH + lo - dil(h[a], s[a])] as [number, number]
      })
      return inputsArb(
        [
          [b, ...h, cin],
          [...k, cout, cin],
        ],
        [V],
      ).map(
        (inputs): Case => ({
          inst: {
            inputs,
            params: { H, s, pad, padding },
            pd: ([x, f]) => pd.conv(x, pd.flip(pd.transpose(f, [0, 1, 3, 2]), [0, 1]), { lhsDilation: s, padding }),
            tf: ([x, f]) => tf.conv2dTranspose(x as tf.Tensor4D, f as tf.Tensor4D, [b, H[0], H[1], cout], s as [number, number], lower(pad)),
          },
          grads: true,
        }),
      )
    }),
  )

const CASES: readonly (readonly [string, fc.Arbitrary<Case>])[] = [
  ['tf.conv1d', conv1d],
  ['tf.conv2d', conv2d],
  ['tf.conv3d', conv3d],
  ['tf.depthwiseConv2d (groups = inC)', depthwise],
  ['tf.conv2dTranspose (lhsDilation)', transpose],
]

const show = (inputs: readonly Input[]) => inputs.map((i) => `[${i.shape}]`).join(' ')

describe('oracle: conv against TF.js, values and gradients', () => {
  for (const [name, arb] of CASES) {
    it(name, () => {
      fc.assert(
        fc.property(arb, seedArb, ({ inst, grads }, seed) => {
          const got = pdForward(inst)
          const want = tfForward(inst)
          const where = `${show(inst.inputs)} ${JSON.stringify(inst.params)}`
          if (got.shape.join() !== want.shape.join()) throw new Error(`shape: purediff [${got.shape}] vs tfjs [${want.shape}] for ${where}`)
          const m = mismatch(got.data, want.data, ATOL, RTOL)
          if (m !== null) throw new Error(`value ${m} for ${where}`)
          if (!grads) return
          const g = pdGrads(inst, seed, [0, 1])
          const t = tfGrads(inst, seed, [0, 1])
          for (const j of [0, 1]) {
            const e = mismatch(g[j], t[j], ATOL + GRAD_NORM * maxAbs(t[j]), RTOL)
            if (e !== null) throw new Error(`gradient wrt input ${j}: ${e} for ${where}`)
          }
        }),
        { numRuns: RUNS },
      )
    })
  }
})

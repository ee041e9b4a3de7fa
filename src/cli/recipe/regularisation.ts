/**
 * (f) No penalty vs L1 vs L2 with plain SGD: test accuracy and the histogram of the first layer's
 * weights. L1 is the truncated gradient (`addL1(η·λ, { truncate: true })` after the learning
 * rate: a weight the pull would carry across 0 stops at exactly 0) and leaves many exact zeros;
 * L2 (`addDecayedWeights`) many small weights. Both penalise the kernels only (`masked`), as the
 * lecture does: the biases are not decayed.
 *
 * @internal
 */
import { type Tensor, toFlatArray, random } from '../../index.js'
import { dense, relu, sequential } from '../../nn/index.js'
import { type GradientTransformation, type Mask, addDecayedWeights, addL1, chain, masked, sgd } from '../../optim/index.js'
import { type Context, type Result, f4, train } from './common.js'
import { regularisationDiffers } from './lecture.js'
import { weightsSpec } from './plots.js'

const LR = 0.1
const L1 = 1e-3
const L2 = 1e-2

/** The kernels of a sequential's dense layers (not their biases; activations have no params). */
const kernels = (params: unknown): Mask => (params as object[]).map((layer) => ('w' in layer ? { w: true, b: false } : false))

/** Runs (f). */
export function regularisation(ctx: Context): Result {
  const epochs = ctx.size.epochs
  const model = sequential(dense(64), relu(), dense(10))
  const runs: { name: string; opt: GradientTransformation<unknown>; desc: string }[] = [
    { name: 'none', opt: sgd(LR), desc: `sgd(${LR})` },
    { name: 'L1', opt: chain(sgd(LR), masked(addL1(LR * L1, { truncate: true }), kernels)), desc: `chain(sgd(${LR}), masked(addL1(${LR} · ${L1}, { truncate: true }), kernels))` },
    { name: 'L2', opt: chain(masked(addDecayedWeights(L2), kernels), sgd(LR)), desc: `chain(masked(addDecayedWeights(${L2}), kernels), sgd(${LR}))` },
  ]
  const results = runs.map((r) => {
    const { params, history } = train({ model, optimizer: r.opt, data: ctx.train, validation: ctx.test, epochs, key: random.key(ctx.seed + 6), progress: ctx.progress(r.name) })
    const w = toFlatArray((params as { w: Tensor }[])[0].w)
    const last = history[history.length - 1]
    const meanAbs = w.reduce((a, v) => a + Math.abs(v), 0) / w.length
    return {
      name: r.name,
      w,
      zeros: w.filter((v) => v === 0).length,
      small: w.filter((v) => Math.abs(v) < 1e-3).length,
      meanAbs,
      trainAccuracy: last.trainAccuracy,
      testAccuracy: last.validationAccuracy,
    }
  })
  const summary = (name: string) => {
    const r = results.find((x) => x.name === name) as (typeof results)[number]
    return { trainAccuracy: r.trainAccuracy, testAccuracy: r.testAccuracy, exactZeros: r.zeros, belowOneThousandth: r.small, meanAbs: r.meanAbs, weights: r.w.length }
  }
  const numbers = { none: summary('none'), L1: summary('L1'), L2: summary('L2') }
  return {
    id: 'f',
    title: 'regularisation: L1 vs L2',
    config: `784→64→10 ReLU (Glorot), cross-entropy, batch 100, ${epochs} epochs, ${ctx.train.n} train / ${ctx.test.n} test digits; ${runs.map((r) => `${r.name}: ${r.desc}`).join('; ')}`,
    header: ['penalty', 'train acc', 'test acc', 'exact zeros (layer 1)', '|w| < 1e-3', 'mean |w|', 'weights'],
    rows: results.map((r) => [r.name, f4(r.trainAccuracy), f4(r.testAccuracy), r.zeros, r.small, f4(r.meanAbs), r.w.length]),
    numbers,
    plots: [{ name: 'f-weights', spec: weightsSpec(results.map((r) => ({ series: r.name, weights: r.w }))) }],
    lecture: 'L1 drives many weights to exactly zero (sparse); L2 keeps many small weights',
    differs: regularisationDiffers(numbers),
  }
}

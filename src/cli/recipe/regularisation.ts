/**
 * (f) No penalty vs L1 vs L2 with plain SGD: test accuracy and the histogram of the first layer's
 * weights. L1 (`addL1`, truncated at zero: a weight whose L1 step would cross 0 stops at exactly
 * 0, as in truncated-gradient L1) leaves many exact zeros; L2 (`addDecayedWeights`) many small
 * weights.
 *
 * @internal
 */
import { type Tensor, greater, mul, random, sign, toFlatArray, where, zeros } from '../../index.js'
import { dense, relu, sequential } from '../../nn/index.js'
import { type GradientTransformation, addDecayedWeights, addL1, chain, sgd } from '../../optim/index.js'
import { type Context, type Result, f4, train } from './common.js'
import { regularisationDiffers } from './lecture.js'
import { weightsSpec } from './plots.js'

const LR = 0.1
const L1 = 1e-3
const L2 = 1e-2

/** Sets to 0 every kernel weight that changed sign (or reached 0) in this step. */
function truncate(before: unknown, after: unknown): unknown {
  return (after as Record<string, Tensor>[]).map((layer, i) => {
    if (!('w' in layer)) return layer
    // Keep w where sign(after)·sign(before) > 0 (exact: the signs are ±1 or 0), with tensor ops,
    // several times faster than a loop over the 50,176 weights in JavaScript at every step.
    const same = greater(mul(sign(layer.w), sign((before as Record<string, Tensor>[])[i].w)), 0)
    return { ...layer, w: where(same, layer.w, zeros(layer.w.shape, layer.w.dtype)) }
  })
}

/** Runs (f). */
export function regularisation(ctx: Context): Result {
  const epochs = ctx.size.epochs
  const model = sequential(dense(64), relu(), dense(10))
  const runs: { name: string; opt: GradientTransformation<any>; desc: string; project?: (b: unknown, a: unknown) => unknown }[] = [
    { name: 'none', opt: sgd(LR), desc: `sgd(${LR})` },
    { name: 'L1', opt: chain(addL1(L1), sgd(LR)), desc: `chain(addL1(${L1}), sgd(${LR})), truncated at 0`, project: truncate },
    { name: 'L2', opt: chain(addDecayedWeights(L2), sgd(LR)), desc: `chain(addDecayedWeights(${L2}), sgd(${LR}))` },
  ]
  const results = runs.map((r) => {
    const { params, history } = train({ model, optimizer: r.opt, data: ctx.train, validation: ctx.test, epochs, key: random.key(ctx.seed + 6), project: r.project, progress: ctx.progress(r.name) })
    const w = toFlatArray((params as { w: Tensor }[])[0].w)
    const last = history[history.length - 1]
    const meanAbs = w.reduce((a, v) => a + Math.abs(v), 0) / w.length
    return { name: r.name, w, zeros: w.filter((v) => v === 0).length, small: w.filter((v) => Math.abs(v) < 1e-3).length, meanAbs, trainAccuracy: last.trainAccuracy, testAccuracy: last.validationAccuracy }
  })
  const summary = (name: string) => {
    const r = results.find((x) => x.name === name) as (typeof results)[number]
    return { trainAccuracy: r.trainAccuracy, testAccuracy: r.testAccuracy, exactZeros: r.zeros, belowOneThousandth: r.small, meanAbs: r.meanAbs, weights: r.w.length }
  }
  const numbers = { none: summary('none'), L1: summary('L1'), L2: summary('L2') }
  return {
    id: 'f', title: 'regularisation: L1 vs L2',
    config: `784→64→10 ReLU (Glorot), cross-entropy, batch 100, ${epochs} epochs, ${ctx.train.n} train / ${ctx.test.n} test digits; ${runs.map((r) => `${r.name}: ${r.desc}`).join('; ')}`,
    header: ['penalty', 'train acc', 'test acc', 'exact zeros (layer 1)', '|w| < 1e-3', 'mean |w|', 'weights'],
    rows: results.map((r) => [r.name, f4(r.trainAccuracy), f4(r.testAccuracy), r.zeros, r.small, f4(r.meanAbs), r.w.length]),
    numbers,
    plots: [{ name: 'f-weights', spec: weightsSpec(results.map((r) => ({ series: r.name, weights: r.w }))) }],
    lecture: 'L1 drives many weights to exactly zero (sparse); L2 keeps many small weights',
    differs: regularisationDiffers(numbers),
  }
}

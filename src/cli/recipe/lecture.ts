/**
 * Where a run's numbers contradict the lecture. Each function reads one experiment's numbers and
 * returns plain sentences (empty when the run agrees), which the recipe prints under the table
 * as "differs from the lecture: …". Decided from the numbers of the run, never hard-coded: a
 * quick run can miss what a full one shows, and the output must say so.
 *
 * The thresholds are the lecture's qualitative claims made checkable; each is stated beside it.
 *
 * @internal
 */

const f4 = (n: number): string => n.toFixed(4)

/** Train accuracy under which a 10-class model has not learned (chance is 0.1). */
export const NEAR_CHANCE = 0.2
/** Train accuracy under which a model "did not train": five times chance. */
export const TRAINS = 0.5
/** Train accuracy the lecture's deep ReLU network reaches (0.9978), loosely: it fits the data. */
export const FITS = 0.9

/** (a) The deep sigmoid network stays near chance on the training data; deep ReLU fits it. */
export function sigmoidVsReluDiffers(n: { trainAccuracy: { sigmoid: number; relu: number }; epochs: number }): string[] {
  const { sigmoid, relu } = n.trainAccuracy
  const out: string[] = []
  if (sigmoid >= NEAR_CHANCE) out.push(`the deep sigmoid network learned (train acc ${f4(sigmoid)} ≥ ${NEAR_CHANCE}); the lecture's stays near chance (0.1127)`)
  if (relu < FITS) out.push(`deep ReLU reaches only ${f4(relu)} train acc in ${n.epochs} epochs (lecture: 0.9978); it needs more epochs or digits`)
  if (relu <= sigmoid) out.push(`ReLU did not beat sigmoid on the training data (${f4(relu)} vs ${f4(sigmoid)})`)
  return out
}

/** (b) Layers near the input of a deep sigmoid network get tiny gradients (first/last < 1/100); ReLU's less so. */
export function gradientNormsDiffers(n: { firstOverLast: { sigmoid: number; relu: number } }): string[] {
  const { sigmoid, relu } = n.firstOverLast
  const out: string[] = []
  if (!(sigmoid < 0.01)) out.push(`the sigmoid network's first layer gets ${sigmoid.toExponential(2)} of its last layer's gradient norm: not vanishing (< 1e-2)`)
  if (!(relu > sigmoid)) out.push(`ReLU's gradients vanish as much as sigmoid's (first/last ${relu.toExponential(2)} vs ${sigmoid.toExponential(2)})`)
  return out
}

/** (c) Adam gets further than plain SGD in the same epochs. */
export function optimizersDiffers(n: { finalTrainLoss: Record<string, number> }): string[] {
  const { adam, sgd } = n.finalTrainLoss
  return adam < sgd ? [] : [`Adam did not get ahead of SGD: final train loss ${f4(adam)} vs ${f4(sgd)}`]
}

/** (d) Every ReLU variant and Maxout trains the deep network (train acc ≥ 0.5). */
export function activationsDiffers(n: Record<string, { trainAccuracy: number }>): string[] {
  return Object.entries(n)
    .filter(([, r]) => !(r.trainAccuracy >= TRAINS))
    .map(([name, r]) => `${name} did not train the network (train acc ${f4(r.trainAccuracy)} < ${TRAINS})`)
}

/** (e) The validation loss turns up, and the params of its lowest point test better than the last epoch's. */
export function earlyStoppingDiffers(n: { bestEpoch: number; epochs: number; testAccuracyRestored: number; testAccuracyLastEpoch: number }): string[] {
  const out: string[] = []
  if (n.bestEpoch >= n.epochs) out.push(`the validation loss was still falling at epoch ${n.epochs}: nothing to stop yet`)
  else if (!(n.testAccuracyRestored > n.testAccuracyLastEpoch)) {
    out.push(
      `early stopping did not improve test accuracy: ${f4(n.testAccuracyRestored)} with the params of epoch ${n.bestEpoch}, ${f4(n.testAccuracyLastEpoch)} after all ${n.epochs} epochs; the lowest validation loss did not give the most correct answers`,
    )
  }
  return out
}

/** (f) L1 leaves more exact zeros than no penalty and L2; L2 shrinks the weights (mean |w| below no penalty's). */
export function regularisationDiffers(n: Record<'none' | 'L1' | 'L2', { exactZeros: number; meanAbs: number }>): string[] {
  const out: string[] = []
  const others = Math.max(n.none.exactZeros, n.L2.exactZeros)
  if (!(n.L1.exactZeros > others)) out.push(`L1 left no more exact zeros than the others (${n.L1.exactZeros} vs ${others}): not sparse`)
  if (!(n.L2.meanAbs < n.none.meanAbs)) out.push(`L2 did not shrink the weights: mean |w| ${f4(n.L2.meanAbs)} vs ${f4(n.none.meanAbs)} without a penalty`)
  return out
}

/** (g) Dropout (either mode) scores higher than no dropout on the noisy test images. */
export function dropoutDiffers(n: Record<string, { noisyAccuracy: number }>, epochs: number): string[] {
  const none = n.none.noisyAccuracy
  return Object.entries(n)
    .filter(([name, r]) => name !== 'none' && !(r.noisyAccuracy > none))
    .map(([name, r]) => `dropout ('${name}') did not help on noisy images: ${f4(r.noisyAccuracy)} vs ${f4(none)} without, after ${epochs} epochs`)
}

/** (h) The all-masks average equals the test-time output (to rounding: 1e-9). */
export function allMasksDiffers(n: Record<string, { maxAbsDiff: number }>): string[] {
  return Object.entries(n)
    .filter(([, r]) => !(r.maxAbsDiff <= 1e-9))
    .map(([mode, r]) => `'${mode}': the average over all masks is ${r.maxAbsDiff.toExponential(2)} away from the test-time output`)
}

/** (i) At the same parameter budget (within 5%), the CNN scores higher on the test digits than the MLP. */
export function cnnDiffers(n: Record<'cnn' | 'mlp', { params: number; testAccuracy: number }>, epochs: number): string[] {
  const out: string[] = []
  const gap = Math.abs(n.cnn.params - n.mlp.params) / n.cnn.params
  if (!(gap <= 0.05)) out.push(`the budgets are ${(100 * gap).toFixed(1)}% apart (${n.cnn.params} vs ${n.mlp.params} params): not the same budget`)
  if (!(n.cnn.testAccuracy > n.mlp.testAccuracy))
    out.push(`the CNN did not beat the MLP of the same budget on the test digits: ${f4(n.cnn.testAccuracy)} vs ${f4(n.mlp.testAccuracy)} after ${epochs} epochs`)
  return out
}

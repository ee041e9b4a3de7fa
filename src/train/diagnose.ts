/**
 * The lecture's recipe (docs/guide/recipe.md) as a function: first ask whether training worked on the
 * TRAINING data, and only then whether it generalises to the validation data. Do not blame
 * overfitting for a network that was not trained well.
 *
 * @since 0.1.0
 */
import { ArgumentError } from '../index.js'
import { describe } from '../tensor/checks.js'
import type { NormSpread } from './gradientNorms.js'
import { MAX_NORM_RATIO, VANISHING_RATIO, checkSpread, readSpread } from './spreadAdvice.js'

// --- model

/**
 * Per-epoch metrics of a run, one entry per epoch (epoch i at index i). `trainLoss` and
 * `trainAccuracy` are measured on the training data in test mode after the epoch; validation
 * entries are NaN when there was no validation data, accuracies NaN for regression targets.
 *
 * @category model
 * @since 0.1.0
 */
export interface History {
  readonly trainLoss: readonly number[]
  readonly trainAccuracy: readonly number[]
  readonly validationLoss: readonly number[]
  readonly validationAccuracy: readonly number[]
}

/**
 * Thresholds of `diagnose`, with defaults: `minTrainAccuracy` 0.9 (training is good when the
 * training accuracy reaches it), `maxTrainLoss` Infinity (and the training loss is at most this),
 * `maxAccuracyGap` 0.05 (validation is "much worse" when its accuracy is lower by more than this),
 * `maxLossGap` Infinity (or its loss higher by more than this), `epoch` (default: the last).
 * The context of the run makes the advice fit it: `layers`, the model's layer types (the
 * `type`s of a ModelSpec, or `name`s of layers: `['dense', 'tanh', 'dense']`), and
 * `optimizer`, the optimizer's name (`'adam'`, as in an OptimizerConfig). Without them the
 * advice is the lecture's, for a sigmoid network trained with plain SGD.
 *
 * `gradientSpread` is the spread of per-example gradient norms on a batch of the training data,
 * `gradientNormSpread(vmap(grad(loss), { inAxes: [null, 0, 0] })(params, x, y))` (see
 * `diagnose`); `maxNormRatio` (default 10) and `vanishingRatio` (default 1e-3) are the
 * thresholds of the advice read from it.
 *
 * @category model
 * @since 0.1.0
 */
export interface DiagnoseOptions {
  readonly minTrainAccuracy?: number
  readonly maxTrainLoss?: number
  readonly maxAccuracyGap?: number
  readonly maxLossGap?: number
  readonly epoch?: number
  readonly layers?: readonly string[]
  readonly optimizer?: string
  /** @since 0.3.0 */
  readonly gradientSpread?: readonly NormSpread[]
  /** A layer's max/median per-example norm above this is a heavy tail (default 10). @since 0.3.0 */
  readonly maxNormRatio?: number
  /** The first layer's median norm below this times the last's is a vanishing gradient (default 1e-3). @since 0.3.0 */
  readonly vanishingRatio?: number
}

/**
 * The spread of per-example gradient norms of one layer with params, as `diagnose` reports it:
 * its index in the sequential, the min, median and max of the examples' norms, `ratio` =
 * max/median (Infinity when the median is 0 and the max is not; 1 when every norm is 0) and
 * `maxExample`, the batch index of the largest norm (the first on ties).
 *
 * @category model
 * @since 0.3.0
 */
export interface SpreadEvidence {
  readonly layer: number
  readonly min: number
  readonly median: number
  readonly max: number
  readonly ratio: number
  readonly maxExample: number
}

/**
 * The verdict: which data the problem is on, the numbers it rests on, and what to try.
 *
 * @category model
 * @since 0.1.0
 */
export interface Diagnosis {
  readonly problem: 'training' | 'testing' | 'none'
  readonly evidence: {
    readonly epoch: number
    readonly trainLoss: number
    readonly trainAccuracy: number
    readonly validationLoss: number
    readonly validationAccuracy: number
    readonly summary: string
    /** Only with the `gradientSpread` option: one entry per layer with params. @since 0.3.0 */
    readonly gradientSpread?: readonly SpreadEvidence[]
  }
  readonly advice: readonly string[]
}

/**
 * The lecture's advice for a problem on the training data.
 *
 * @example
 * import { trainingAdvice } from 'purediff/train'
 * if (!trainingAdvice.some((a) => a.includes('ReLU')) || !trainingAdvice.some((a) => a.includes('RMSprop'))) throw new Error()
 * @category model
 * @since 0.1.0
 */
export const trainingAdvice: readonly string[] = Object.freeze([
  'use a new activation function: ReLU (or Leaky/Parametric ReLU) or Maxout instead of sigmoid, against the vanishing gradient',
  'use an adaptive learning rate: Adam or RMSprop (or Adagrad, momentum)',
  'do not blame overfitting: the network is not even good on its training data (change the network, or train longer)',
])

/**
 * The advice for a problem on the training data, for a model with these layer types (see
 * `DiagnoseOptions.layers`) trained by this optimizer (its name). The activation advice follows
 * the model: sigmoid or tanh units saturate (use ReLU, Leaky/Parametric ReLU or Maxout instead
 * of them); plain ReLU units can die (try Leaky/Parametric ReLU or Maxout); Leaky/Parametric
 * ReLU, ELU and Maxout do not saturate (the activation is not the first suspect); no activation
 * at all makes the model linear. An adaptive optimizer (adam, adamw, rmsprop, adagrad) is not
 * advised again. With neither given, it is `trainingAdvice`.
 *
 * @example
 * import { trainingAdviceFor, trainingAdvice } from 'purediff/train'
 * if (trainingAdviceFor(['dense', 'sigmoid', 'dense']).join() !== trainingAdvice.join()) throw new Error()
 * const tanh = trainingAdviceFor(['dense', 'tanh', 'dense'])
 * if (tanh.some((a) => a.includes('sigmoid')) || !tanh[0].includes('instead of tanh')) throw new Error()
 * if (trainingAdviceFor(['dense', 'relu', 'dense'], 'adam').some((a) => a.includes('instead of') || a.includes('use an adaptive'))) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function trainingAdviceFor(layers?: readonly string[], optimizer?: string): readonly string[] {
  const has = (...names: string[]) => layers !== undefined && names.some((n) => layers.includes(n))
  const saturating = ['sigmoid', 'tanh'].filter((n) => has(n))
  let activation: string
  if (layers === undefined || (saturating.length === 1 && saturating[0] === 'sigmoid')) activation = trainingAdvice[0]
  else if (saturating.length > 0)
    activation = `use a new activation function: ReLU (or Leaky/Parametric ReLU) or Maxout instead of ${saturating.join(' and ')}, against the vanishing gradient (${saturating.join(' and ')} saturate${saturating.length === 1 ? 's' : ''}: the gradient fades for large inputs)`
  else if (has('relu', 'softplus')) activation = 'ReLU units can die (a unit stuck at 0 passes no gradient): try Leaky ReLU or Parametric ReLU (or Maxout), with He initialisation'
  else if (has('leakyRelu', 'prelu', 'elu', 'maxout'))
    activation = 'the activations do not saturate, so look elsewhere first: the initialisation (He for ReLU-like units), the learning rate, a bigger network'
  else activation = 'the model has no activation function between its layers, so it is linear: add hidden layers with ReLU (or Maxout)'
  const adaptive = optimizer !== undefined && ['adam', 'adamw', 'rmsprop', 'adagrad'].includes(optimizer)
  const rate = adaptive ? `the optimizer (${optimizer}) already adapts its learning rate: try another base learning rate (often smaller), or train longer` : trainingAdvice[1]
  return Object.freeze([activation, rate, trainingAdvice[2]])
}

/**
 * The lecture's advice for a problem on the testing (validation) data.
 *
 * @example
 * import { testingAdvice } from 'purediff/train'
 * if (!['early stopping', 'regularisation', 'dropout', 'more'].every((w) => testingAdvice.some((a) => a.startsWith(w)))) throw new Error()
 * @category model
 * @since 0.1.0
 */
export const testingAdvice: readonly string[] = Object.freeze([
  'early stopping: keep the params of the lowest validation loss',
  'regularisation: L2 (weight decay) or L1',
  'dropout',
  'more (or augmented) training data',
])

// --- operations

/**
 * The recipe's verdict on a history, at `options.epoch` (default the last epoch):
 * 1. training accuracy < `minTrainAccuracy` or training loss > `maxTrainLoss` → `'training'`
 *    (NaN accuracies — regression — are judged on the loss alone), advice
 *    `trainingAdviceFor(options.layers, options.optimizer)` (`trainingAdvice` without them);
 * 2. else validation accuracy < training accuracy − `maxAccuracyGap`, or validation loss >
 *    training loss + `maxLossGap` → `'testing'`, advice `testingAdvice`;
 * 3. else `'none'` (no advice). Without validation data (NaN), step 2 never fires.
 * Throws an ArgumentError for an empty history or an epoch out of range.
 *
 * With `options.gradientSpread` — per layer, the gradient norm nᵦ of each example b of a batch of
 * the training data — the Diagnosis also reports, for each layer with params, the min, median
 * and max of the nᵦ, ratio = max/median and the example of the max (`evidence.gradientSpread`,
 * and a line of `evidence.summary`), and appends to the verdict's advice, in this order:
 * - a dead layer: a layer with params whose nᵦ are all 0 (dead units, or cut off from the loss);
 * - the vanishing gradient, only when the problem is 'training': the median of the first layer
 *   with params < `vanishingRatio` × the median of the last;
 * - a heavy tail: max/median > `maxNormRatio` in some layer — a few examples dominate the
 *   gradient: clip per example (`perExampleClip`) or the global norm, and inspect the examples
 *   named (the max of each such layer).
 * The verdict does not depend on the spread; without it, nothing changes. Throws an
 * ArgumentError for a malformed spread (not an array, norms not numbers ≥ 0, layers of different
 * batch sizes, norms for a layer without params), `maxNormRatio` < 1 or `vanishingRatio`
 * outside (0, 1).
 *
 * @example
 * import { diagnose } from 'purediff/train'
 * const h = (ta: number, va: number) => ({ trainLoss: [0.5], trainAccuracy: [ta], validationLoss: [0.6], validationAccuracy: [va] })
 * if (diagnose(h(0.11, 0.11)).problem !== 'training') throw new Error()  // the sigmoid collapse
 * if (diagnose(h(1.0, 0.47)).problem !== 'testing') throw new Error()    // overfitting
 * if (diagnose(h(0.97, 0.95)).problem !== 'none') throw new Error()
 * if (!diagnose(h(0.11, 0.11)).advice.some((a) => a.includes('Adam'))) throw new Error()
 * // the advice fits the model: no "instead of sigmoid" for a tanh network
 * if (diagnose(h(0.11, 0.11), { layers: ['dense', 'tanh', 'dense'] }).advice.some((a) => a.includes('sigmoid'))) throw new Error()
 * @example
 * import { tensor } from 'purediff'
 * import { diagnose, gradientNormSpread } from 'purediff/train'
 * const bad = { trainLoss: [2.3], trainAccuracy: [0.1], validationLoss: [2.3], validationAccuracy: [0.1] }
 * // per-example norms of three examples: layer 0 (1e-5, 2e-5, 1e-5), layer 1 no params, layer 2 (1, 1, 30)
 * const w = (...n: number[]) => ({ w: tensor(n.map((v) => [v]), 'float64') })
 * const gradientSpread = gradientNormSpread([w(1e-5, 2e-5, 1e-5), {}, w(1, 1, 30)])
 * const d = diagnose(bad, { gradientSpread })
 * const [l0, l2] = d.evidence.gradientSpread ?? []
 * if (l0.median !== 1e-5 || l2.layer !== 2 || l2.ratio !== 30 || l2.maxExample !== 2) throw new Error()
 * // after the recipe's three: vanishing (1e-5 < 1e-3 × 1), then the heavy tail (30 > 10) of example 2
 * const extra = d.advice.slice(3)
 * if (extra.length !== 2 || !extra[0].includes('vanishing') || !extra[1].includes('inspect example 2 ')) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function diagnose(history: History, options: DiagnoseOptions = {}): Diagnosis {
  const op = 'diagnose'
  if (history === null || typeof history !== 'object' || !Array.isArray(history.trainLoss)) {
    throw new ArgumentError(op, `expected a history { trainLoss, trainAccuracy, validationLoss, validationAccuracy }, got ${describe(history)}`)
  }
  const n = history.trainLoss.length
  if (n === 0) throw new ArgumentError(op, 'the history is empty: train for at least one epoch')
  const { minTrainAccuracy = 0.9, maxTrainLoss = Infinity, maxAccuracyGap = 0.05, maxLossGap = Infinity, epoch = n - 1, layers, optimizer } = options
  if (layers !== undefined && (!Array.isArray(layers) || layers.some((l) => typeof l !== 'string')))
    throw new ArgumentError(op, `layers must be an array of layer type names, got ${describe(layers)}`)
  if (optimizer !== undefined && typeof optimizer !== 'string') throw new ArgumentError(op, `optimizer must be the optimizer's name, got ${describe(optimizer)}`)
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= n) throw new ArgumentError(op, `epoch must be an integer in [0, ${n - 1}], got ${describe(epoch)}`)
  const { gradientSpread, maxNormRatio = MAX_NORM_RATIO, vanishingRatio = VANISHING_RATIO } = options
  // max/median ≥ 1 always, so a threshold below 1 would call every batch heavy-tailed
  if (typeof maxNormRatio !== 'number' || !(maxNormRatio >= 1)) throw new ArgumentError(op, `maxNormRatio must be a number ≥ 1 (max/median), got ${describe(maxNormRatio)}`)
  if (typeof vanishingRatio !== 'number' || !(vanishingRatio > 0 && vanishingRatio < 1))
    throw new ArgumentError(op, `vanishingRatio must be a number in (0, 1) (first layer's median norm over the last's), got ${describe(vanishingRatio)}`)
  const spread = gradientSpread === undefined ? undefined : checkSpread(op, gradientSpread)
  const at = (xs: readonly number[] | undefined): number => (xs !== undefined && epoch < xs.length ? xs[epoch] : NaN)
  const e = {
    epoch,
    trainLoss: at(history.trainLoss),
    trainAccuracy: at(history.trainAccuracy),
    validationLoss: at(history.validationLoss),
    validationAccuracy: at(history.validationAccuracy),
  }
  const verdict = recipe(e, { minTrainAccuracy, maxTrainLoss, maxAccuracyGap, maxLossGap, layers, optimizer })
  if (spread === undefined) return { problem: verdict.problem, evidence: { ...e, summary: verdict.summary }, advice: verdict.advice }
  const read = readSpread(spread, verdict.problem, maxNormRatio, vanishingRatio)
  return {
    problem: verdict.problem,
    evidence: { ...e, summary: `${verdict.summary}\n${read.line}`, gradientSpread: read.evidence },
    advice: Object.freeze([...verdict.advice, ...read.advice]),
  }
}

/** The recipe's verdict on the numbers of one epoch (steps 1–3 of `diagnose`). */
function recipe(
  e: Omit<Diagnosis['evidence'], 'summary'>,
  o: Required<Pick<DiagnoseOptions, 'minTrainAccuracy' | 'maxTrainLoss' | 'maxAccuracyGap' | 'maxLossGap'>> & Pick<DiagnoseOptions, 'layers' | 'optimizer'>,
): Pick<Diagnosis, 'problem' | 'advice'> & { summary: string } {
  const { epoch } = e
  const { minTrainAccuracy, maxTrainLoss, maxAccuracyGap, maxLossGap } = o
  const f = (x: number) => (Number.isNaN(x) ? 'NaN' : x.toFixed(4))
  const accBad = e.trainAccuracy < minTrainAccuracy
  const lossBad = !(e.trainLoss <= maxTrainLoss)
  if (accBad || lossBad) {
    const why = accBad ? `training accuracy ${f(e.trainAccuracy)} < ${minTrainAccuracy}` : `training loss ${f(e.trainLoss)} > ${maxTrainLoss}`
    return { problem: 'training', summary: `epoch ${epoch}: ${why}: the problem is on the training data`, advice: trainingAdviceFor(o.layers, o.optimizer) }
  }
  const accGap = e.trainAccuracy - e.validationAccuracy
  const lossGap = e.validationLoss - e.trainLoss
  if (accGap > maxAccuracyGap || lossGap > maxLossGap) {
    const why =
      accGap > maxAccuracyGap
        ? `validation accuracy ${f(e.validationAccuracy)} is ${f(accGap)} below training accuracy ${f(e.trainAccuracy)} (more than ${maxAccuracyGap})`
        : `validation loss ${f(e.validationLoss)} is ${f(lossGap)} above training loss ${f(e.trainLoss)} (more than ${maxLossGap})`
    return { problem: 'testing', summary: `epoch ${epoch}: good on the training data, but ${why}: overfitting`, advice: testingAdvice }
  }
  return { problem: 'none', summary: `epoch ${epoch}: good on the training data and on the validation data`, advice: [] }
}

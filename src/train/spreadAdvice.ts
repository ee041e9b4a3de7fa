/**
 * What `diagnose` reads in the spread of per-example gradient norms (`gradientNormSpread`): the
 * check of its `gradientSpread` option, the evidence per layer, and the advice that follows
 * from the numbers — a heavy tail, a vanishing gradient, a dead layer.
 *
 * @internal
 */
import { ArgumentError } from '../tensor/errors.js'
import { describe } from '../tensor/checks.js'
import type { NormSpread } from './gradientNorms.js'
import type { SpreadEvidence } from './diagnose.js'

// --- model

/**
 * Default `maxNormRatio`. The median example is a typical one; an example whose gradient norm is
 * 10× the median pulls the mean gradient of the batch as hard as ten typical examples together,
 * so in a batch of a few dozen it alone sets much of the step. The norms of ordinary examples
 * differ by a factor of a few, not ten, so 10 singles out outliers without firing on the usual
 * variation (untrained sigmoid and ReLU MLPs on random inputs showed 2 to 6 over batches of 32;
 * test/train/diagnoseSpread.test.ts checks that the defaults stay quiet on such a run).
 */
export const MAX_NORM_RATIO = 10

/**
 * Default `vanishingRatio`: three orders of magnitude between the first layer's median norm and
 * the last's. σ′ ≤ 1/4, so five sigmoid layers alone can shrink the gradient by 4⁵ ≈ 10³ (the
 * lecture's picture), while in a network that trains the layers' norms differ by a factor of
 * a few.
 */
export const VANISHING_RATIO = 1e-3

/** What diagnose adds to its Diagnosis from a spread. */
export interface SpreadReading {
  readonly evidence: readonly SpreadEvidence[]
  /** One line for `evidence.summary`. */
  readonly line: string
  readonly advice: readonly string[]
}

// --- operations

const expected = 'the output of gradientNormSpread (an array with one { norms, params, min, median, max, mean } per layer of a sequential model)'

/** Throws an ArgumentError (for `op`) unless `spread` is well-formed output of gradientNormSpread. */
export function checkSpread(op: string, spread: unknown): readonly NormSpread[] {
  if (!Array.isArray(spread)) throw new ArgumentError(op, `gradientSpread must be ${expected}, got ${describe(spread)}`)
  if (spread.length === 0) throw new ArgumentError(op, `gradientSpread is empty; expected ${expected}`)
  const size = (spread[0] as Partial<NormSpread> | null)?.norms?.length
  spread.forEach((s: unknown, i) => {
    const at = `gradientSpread[${i}]`
    if (s === null || typeof s !== 'object') throw new ArgumentError(op, `${at} must be a NormSpread { norms, params, … } of ${expected}, got ${describe(s)}`)
    const { norms, params } = s as Partial<NormSpread>
    if (!Array.isArray(norms) || norms.length === 0) throw new ArgumentError(op, `${at}.norms must be a non-empty array of per-example gradient norms, got ${describe(norms)}`)
    const bad = norms.findIndex((v) => typeof v !== 'number' || !(v >= 0))
    if (bad >= 0) {
      // why: a NaN norm is a diverged run; its median means nothing, and the history already tells
      const nan = Number.isNaN(norms[bad]) ? ' (the gradient is NaN: the run diverged; diagnose its history without gradientSpread)' : ''
      throw new ArgumentError(op, `${at}.norms[${bad}] must be a gradient norm (a number ≥ 0), got ${describe(norms[bad])}${nan}`)
    }
    if (norms.length !== size)
      throw new ArgumentError(op, `${at}.norms has ${norms.length} examples but gradientSpread[0].norms has ${size}: expected every layer measured on the same batch`)
    if (typeof params !== 'number' || !Number.isInteger(params) || params < 0)
      throw new ArgumentError(op, `${at}.params must be the layer's number of params (an integer ≥ 0), got ${describe(params)}`)
    if (params === 0 && norms.some((v) => v !== 0)) throw new ArgumentError(op, `${at} has no params (params 0) but a nonzero gradient norm; expected every norm 0`)
  })
  if (spread.every((s: NormSpread) => s.params === 0)) throw new ArgumentError(op, `gradientSpread has no layer with params; expected ${expected}`)
  return spread as readonly NormSpread[]
}

/** The evidence of one layer: min, median and max recomputed from its norms (so they agree). */
function evidenceOf(layer: number, norms: readonly number[]): SpreadEvidence {
  const sorted = [...norms].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  const max = sorted[sorted.length - 1]
  // 0/0 for an all-zero layer: no spread at all, so 1; x/0 with x > 0 is Infinity, a tail indeed
  return { layer, min: sorted[0], median, max, ratio: max === 0 ? 1 : max / median, maxExample: norms.indexOf(max) }
}

const e = (x: number) => x.toExponential(2)
const r = (x: number) => (x === Infinity ? '∞' : x.toFixed(1))
const plural = (xs: readonly unknown[], one: string, many: string) => (xs.length === 1 ? `${one} ${xs[0]}` : `${many} ${xs.join(', ')}`)

/**
 * The evidence of a checked spread (the layers with params), its summary line, and the advice in
 * this order: dead layers, the vanishing gradient (only when `problem` is 'training'), the heavy
 * tail.
 */
export function readSpread(spread: readonly NormSpread[], problem: string, maxNormRatio: number, vanishingRatio: number): SpreadReading {
  const evidence = spread.flatMap((s, i) => (s.params > 0 ? [evidenceOf(i, s.norms)] : []))
  const line = `per-example gradient norms of ${spread[0].norms.length} examples (median, max/median): ${evidence.map((l) => `layer ${l.layer} ${e(l.median)}, ${r(l.ratio)}×`).join('; ')}`
  const advice: string[] = []
  const dead = evidence.filter((l) => l.max === 0)
  if (dead.length > 0)
    advice.push(
      `${plural(
        dead.map((l) => l.layer),
        'layer',
        'layers',
      )}: the gradient is 0 for every example: dead units (ReLU units at 0 for every input) or a layer cut off from the loss (unused, or behind stopGradient); check its activations and initialisation`,
    )
  const first = evidence[0]
  const last = evidence[evidence.length - 1]
  if (problem === 'training' && evidence.length > 1 && first.median < vanishingRatio * last.median)
    advice.push(
      `the first layers barely learn: the median per-example gradient norm of layer ${first.layer} (${e(first.median)}) is ${e(first.median / last.median)} of layer ${last.layer}'s (${e(last.median)}), below ${vanishingRatio}: the vanishing gradient; use ReLU or Maxout units, whose gradient does not fade layer after layer as sigmoid's (σ′ ≤ 1/4) does`,
    )
  const heavy = evidence.filter((l) => l.max > 0 && l.ratio > maxNormRatio)
  if (heavy.length > 0) {
    const examples = [...new Set(heavy.map((l) => l.maxExample))].sort((a, b) => a - b)
    advice.push(
      `a few examples dominate the gradient: the largest per-example gradient norm is more than ${maxNormRatio}× the median in ${heavy
        .map((l) => `layer ${l.layer} (${r(l.ratio)}×, example ${l.maxExample})`)
        .join(
          ', ',
        )}; clip each example's gradient (perExampleClip in purediff/optim) or the global norm, and inspect ${plural(examples, 'example', 'examples')} of the batch: mislabelled or outlier data?`,
    )
  }
  return { evidence, line, advice }
}

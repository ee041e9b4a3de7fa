/**
 * Learning-rate schedules: plain functions `(step) => rate` of the 0-based count of updates
 * done so far, as Optax's. Pass one wherever a learning rate goes (`adam(cosineDecay(…))`);
 * the transform that applies it keeps the step count in its state, so a checkpoint resumes
 * the schedule where it stopped. Options are plain data, so configs can describe them.
 *
 * @since 0.1.0
 */
import { ArgumentError } from '../tensor/errors.js'
import { describe } from '../tensor/checks.js'
import type { Schedule } from './GradientTransformation.js'
import { checkNumber } from './leaves.js'

// --- model

/**
 * Options of `exponentialDecay`: rate(t) = initValue·decayRate^((t − transitionBegin)/transitionSteps)
 * (the exponent floored with `staircase`; initValue before transitionBegin), bounded by
 * `endValue` when given. Defaults transitionBegin = 0, staircase = false.
 *
 * @category model
 * @since 0.1.0
 */
export interface ExponentialDecayOptions {
  readonly initValue: number
  readonly transitionSteps: number
  readonly decayRate: number
  readonly transitionBegin?: number
  readonly staircase?: boolean
  readonly endValue?: number
}

/** Options of `cosineDecay`; defaults alpha = 0, exponent = 1. @category model @since 0.1.0 */
export interface CosineDecayOptions {
  readonly initValue: number
  readonly decaySteps: number
  readonly alpha?: number
  readonly exponent?: number
}

/** Options of `warmupCosine`; defaults endValue = 0, exponent = 1. `decaySteps` counts the warm-up too. @category model @since 0.1.0 */
export interface WarmupCosineOptions {
  readonly initValue: number
  readonly peakValue: number
  readonly warmupSteps: number
  readonly decaySteps: number
  readonly endValue?: number
  readonly exponent?: number
}

// --- constructors

/**
 * The same rate at every step: rate(t) = value.
 *
 * @example
 * import { constantSchedule } from 'purediff/optim'
 * const s = constantSchedule(0.01)
 * if (s(0) !== 0.01 || s(1e6) !== 0.01) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function constantSchedule(value: number): Schedule {
  checkNumber('constantSchedule', 'value', value, 0)
  return () => value
}

/**
 * Exponential decay (Optax `exponential_decay`): rate(t) = initValue·decayRate^p with
 * p = (t − transitionBegin)/transitionSteps, floored when `staircase`; rate = initValue for
 * t < transitionBegin; clipped below (decayRate < 1) or above (decayRate > 1) at `endValue`.
 *
 * @example
 * import { exponentialDecay } from 'purediff/optim'
 * const s = exponentialDecay({ initValue: 1, transitionSteps: 10, decayRate: 0.5 })
 * if (s(0) !== 1 || s(10) !== 0.5 || s(20) !== 0.25 || Math.abs(s(5) - Math.SQRT1_2) > 1e-15) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function exponentialDecay(opts: ExponentialDecayOptions): Schedule {
  const op = 'exponentialDecay'
  checkOptions(op, opts)
  const init = checkNumber(op, 'initValue', opts.initValue, 0)
  const steps = checkNumber(op, 'transitionSteps', opts.transitionSteps, 0, true)
  const rate = checkNumber(op, 'decayRate', opts.decayRate, 0, true)
  const begin = checkNumber(op, 'transitionBegin', opts.transitionBegin ?? 0, 0)
  const staircase = opts.staircase ?? false
  const end = opts.endValue === undefined ? undefined : checkNumber(op, 'endValue', opts.endValue, 0)
  return (step) => {
    const t = step - begin
    if (t <= 0) return init
    const p = staircase ? Math.floor(t / steps) : t / steps
    const v = init * rate ** p
    if (end === undefined) return v
    return rate < 1 ? Math.max(v, end) : Math.min(v, end)
  }
}

/**
 * Cosine decay (Optax `cosine_decay_schedule`, Loshchilov & Hutter without restarts):
 * rate(t) = initValue·((1 − alpha)·c^exponent + alpha) with c = ½(1 + cos(π·min(t, decaySteps)/decaySteps)),
 * so it falls from initValue to alpha·initValue at decaySteps and stays there.
 *
 * @example
 * import { cosineDecay } from 'purediff/optim'
 * const s = cosineDecay({ initValue: 1, decaySteps: 100, alpha: 0.1 })
 * if (s(0) !== 1 || Math.abs(s(50) - 0.55) > 1e-15 || s(100) !== 0.1 || s(500) !== 0.1) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function cosineDecay(opts: CosineDecayOptions): Schedule {
  const op = 'cosineDecay'
  checkOptions(op, opts)
  const init = checkNumber(op, 'initValue', opts.initValue, 0)
  const steps = checkNumber(op, 'decaySteps', opts.decaySteps, 0, true)
  const alpha = checkNumber(op, 'alpha', opts.alpha ?? 0, 0)
  if (alpha > 1) throw new ArgumentError(op, `alpha must be in [0, 1], got ${alpha}`)
  const exponent = checkNumber(op, 'exponent', opts.exponent ?? 1, 0, true)
  return (step) => {
    const t = Math.min(Math.max(step, 0), steps)
    const c = 0.5 * (1 + Math.cos((Math.PI * t) / steps))
    return init * ((1 - alpha) * c ** exponent + alpha)
  }
}

/**
 * Linear warm-up, then cosine decay (Optax `warmup_cosine_decay_schedule`): from initValue to
 * peakValue linearly over warmupSteps, then from peakValue down to endValue over the remaining
 * decaySteps − warmupSteps steps along ½(1 + cos), raised to `exponent`; endValue afterwards.
 *
 * @example
 * import { warmupCosine } from 'purediff/optim'
 * const s = warmupCosine({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 110 })
 * if (s(0) !== 0 || s(5) !== 0.5 || s(10) !== 1 || Math.abs(s(60) - 0.5) > 1e-15 || s(110) !== 0) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function warmupCosine(opts: WarmupCosineOptions): Schedule {
  const op = 'warmupCosine'
  checkOptions(op, opts)
  const init = checkNumber(op, 'initValue', opts.initValue, 0)
  const peak = checkNumber(op, 'peakValue', opts.peakValue, 0)
  const warmup = checkNumber(op, 'warmupSteps', opts.warmupSteps, 0)
  const total = checkNumber(op, 'decaySteps', opts.decaySteps, 0, true)
  if (warmup >= total) throw new ArgumentError(op, `warmupSteps (${warmup}) must be less than decaySteps (${total}), which counts the warm-up too`)
  const end = checkNumber(op, 'endValue', opts.endValue ?? 0, 0)
  const exponent = checkNumber(op, 'exponent', opts.exponent ?? 1, 0, true)
  const decay = total - warmup
  return (step) => {
    if (step < warmup) return init + ((peak - init) * Math.max(step, 0)) / warmup
    const t = Math.min(step - warmup, decay)
    const c = 0.5 * (1 + Math.cos((Math.PI * t) / decay))
    return end + (peak - end) * c ** exponent
  }
}

// --- helpers

function checkOptions(op: string, opts: unknown): void {
  if (opts === null || typeof opts !== 'object') throw new ArgumentError(op, `expected an options object, got ${describe(opts)}`)
}

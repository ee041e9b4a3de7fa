/**
 * Early stopping (docs/guide/early-stopping.md) as a pure state machine: feed it each epoch's validation loss
 * and params, read `stop` and the best params back. Unlike TensorFlow.js (whose
 * `restoreBestWeights` is not implemented) and Keras (which restores the best weights only when
 * it actually stopped early), `restoreBest` here ALWAYS means the returned params are those of
 * the epoch with the lowest validation loss, also when the epochs ran out first.
 *
 * @since 0.1.0
 */
import { ArgumentError } from '../index.js'
import { describe } from '../tensor/checks.js'

// --- model

/**
 * Options: `patience` (epochs without a significant improvement before stopping, an integer ≥ 1),
 * `minDelta` (default 0: a loss must fall below the reference by MORE than this to count as an
 * improvement) and `restoreBest` (default true: keep the params of the lowest validation loss).
 *
 * @category model
 * @since 0.1.0
 */
export interface EarlyStoppingOptions {
  readonly patience: number
  readonly minDelta?: number
  readonly restoreBest?: boolean
}

/**
 * The state after `epoch` epochs: `bestLoss`/`bestEpoch`/`bestParams` are the lowest validation
 * loss seen, its epoch (−1 before any) and its params (kept only when `restoreBest`; first epoch
 * wins ties; NaN never wins); `reference` is the loss of the last SIGNIFICANT improvement
 * (by more than `minDelta`), `wait` the number of epochs since it, `stop` is `wait ≥ patience`.
 * Plain data, so a checkpoint holds it: without best params the `bestParams` key is absent (not
 * undefined), and `bestLoss`/`reference` are Infinity before any improvement.
 *
 * @category model
 * @since 0.1.0
 */
export interface EarlyStoppingState<P> {
  readonly epoch: number
  readonly bestLoss: number
  readonly bestEpoch: number
  readonly bestParams?: P
  readonly reference: number
  readonly wait: number
  readonly stop: boolean
}

/**
 * The machine: call it as `(state, valLoss, params) => state` (`state` undefined or `init()` for
 * the first epoch); `options` holds the options with their defaults filled in.
 *
 * @category model
 * @since 0.1.0
 */
export interface EarlyStopping {
  <P>(state: EarlyStoppingState<P> | undefined, valLoss: number, params: P): EarlyStoppingState<P>
  readonly init: <P>() => EarlyStoppingState<P>
  readonly options: Required<EarlyStoppingOptions>
}

// --- constructors

/**
 * Early stopping. Each call records one epoch: with `L` its validation loss,
 * - if `L < bestLoss`: the best becomes (`L`, this epoch, `params` when `restoreBest`);
 * - if `L < reference − minDelta` (significant): `reference = L`, `wait = 0`; else `wait + 1`;
 * - `stop = wait ≥ patience`.
 * So `minDelta` only decides WHEN to stop; the params kept are always those of the minimum.
 * A NaN loss is never an improvement. Pure: nothing is changed, a new state is returned. Throws
 * an ArgumentError for a patience that is not a positive integer or a negative/non-finite minDelta.
 *
 * @example
 * import { earlyStopping } from 'purediff/train'
 * const es = earlyStopping({ patience: 2 })
 * let s = es.init<string>()
 * for (const [loss, params] of [[3, 'a'], [1, 'b'], [2, 'c'], [1.5, 'd']] as const) s = es(s, loss, params)
 * if (!s.stop || s.bestEpoch !== 1 || s.bestParams !== 'b' || s.epoch !== 4) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function earlyStopping(options: EarlyStoppingOptions): EarlyStopping {
  const o = checkEarlyStoppingOptions('earlyStopping', options)
  const init = <P>(): EarlyStoppingState<P> => ({ epoch: 0, bestLoss: Infinity, bestEpoch: -1, reference: Infinity, wait: 0, stop: false })
  const machine = <P>(state: EarlyStoppingState<P> | undefined, valLoss: number, params: P): EarlyStoppingState<P> => {
    const s = state ?? init<P>()
    if (typeof valLoss !== 'number') throw new ArgumentError('earlyStopping', `valLoss must be a number, got ${describe(valLoss)}`)
    const better = valLoss < s.bestLoss || (s.bestEpoch < 0 && valLoss === Infinity)
    const significant = valLoss < s.reference - o.minDelta || (s.bestEpoch < 0 && !Number.isNaN(valLoss))
    const wait = significant ? 0 : s.wait + 1
    const bestParams = better && o.restoreBest ? params : s.bestParams
    return {
      epoch: s.epoch + 1,
      bestLoss: better ? valLoss : s.bestLoss,
      bestEpoch: better ? s.epoch : s.bestEpoch,
      ...(bestParams === undefined ? {} : { bestParams }),
      reference: significant ? valLoss : s.reference,
      wait,
      stop: wait >= o.patience,
    }
  }
  return Object.assign(machine, { init, options: o })
}

/** Validates the options and fills in defaults. @internal */
export function checkEarlyStoppingOptions(op: string, options: unknown): Required<EarlyStoppingOptions> {
  if (options === null || typeof options !== 'object') throw new ArgumentError(op, `expected options { patience, minDelta?, restoreBest? }, got ${describe(options)}`)
  const { patience, minDelta = 0, restoreBest = true } = options as EarlyStoppingOptions
  if (!Number.isSafeInteger(patience) || patience < 1) throw new ArgumentError(op, `patience must be a positive integer, got ${describe(patience)}`)
  if (typeof minDelta !== 'number' || !Number.isFinite(minDelta) || minDelta < 0) throw new ArgumentError(op, `minDelta must be a finite number ≥ 0, got ${describe(minDelta)}`)
  if (typeof restoreBest !== 'boolean') throw new ArgumentError(op, `restoreBest must be a boolean, got ${describe(restoreBest)}`)
  return Object.freeze({ patience, minDelta, restoreBest })
}

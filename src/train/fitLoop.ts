/**
 * The loop behind `fit` and `fitAsync`, written once as a generator: it yields `undefined` at
 * every pause point (after each training batch and each evaluation chunk) and a Promise when a
 * callback of `fitAsync` returned one. `fit` runs it straight through; `fitAsync` awaits each
 * yield. The signal is looked at after each pause point, so both stop at the same places.
 *
 * @internal
 */
import { type Key, ArgumentError, random } from '../index.js'
import { describe } from '../tensor/checks.js'
import { checkData, gatherRows } from './batches.js'
import type { History } from './diagnose.js'
import { TrainingDivergedError, nonFinitePaths, nonFiniteStatePaths } from './diverged.js'
import { type EarlyStoppingState, earlyStopping as makeEarlyStopping } from './earlyStopping.js'
import { evaluateChunk } from './evaluate.js'
import type { FitOptions, FitResult, FitResume } from './fit.js'
import { initTrainState, trainStep } from './trainStep.js'

/** What the loop yields: undefined at a pause point, or a callback's Promise to await. @internal */
export type FitYield = Promise<void> | undefined

/** The run of `fit(options)` (`op` names it in errors); `async` makes callbacks' Promises yielded. @internal */
export function* fitSteps<P, S>(op: string, options: FitOptions<P, S>, async: boolean): Generator<FitYield, FitResult<P, S>, void> {
  if (options === null || typeof options !== 'object') throw new ArgumentError(op, `expected options { model, params, optimizer, loss, train, … }, got ${describe(options)}`)
  const { model, optimizer, loss, penalty, train, validation, epochs, batchSize, key, onEpoch, onBatch, signal } = options
  const { x, y, n } = checkData(op, train, 'train')
  if (validation !== undefined) checkData(op, validation, 'validation')
  if (!Number.isSafeInteger(epochs) || epochs < 0) throw new ArgumentError(op, `epochs must be a non-negative integer, got ${describe(epochs)}`)
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ArgumentError(op, `batchSize must be a positive integer, got ${describe(batchSize)}`)
  const evalBatchSize = options.evalBatchSize ?? 1024
  if (!Number.isSafeInteger(evalBatchSize) || evalBatchSize < 1) throw new ArgumentError(op, `evalBatchSize must be a positive integer, got ${describe(evalBatchSize)}`)
  if (!random.isKey(key)) throw new ArgumentError(op, `key must be a random key, got ${describe(key)}`)
  if (onEpoch !== undefined && typeof onEpoch !== 'function') throw new ArgumentError(op, `onEpoch must be a function, got ${describe(onEpoch)}`)
  if (onBatch !== undefined && typeof onBatch !== 'function') throw new ArgumentError(op, `onBatch must be a function, got ${describe(onBatch)}`)
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof signal.aborted !== 'boolean'))
    throw new ArgumentError(op, `signal must be an AbortSignal, got ${describe(signal)}`)
  const stopper = options.earlyStopping === undefined ? undefined : makeEarlyStopping(options.earlyStopping)
  if (stopper !== undefined && validation === undefined)
    throw new ArgumentError(op, 'earlyStopping needs validation data: pass validation: { x, y } (split from the training data, never the test set)')

  const [shuffleKey, stepKey] = random.split(key)
  const step = trainStep({ model, optimizer, loss, ...(penalty === undefined ? {} : { penalty }) })
  const nb = Math.ceil(n / batchSize)
  const start = options.resume === undefined ? undefined : checkResume(op, options.resume, stepKey, stopper !== undefined, nb)
  let state = start?.state ?? initTrainState(options.params, optimizer, stepKey)
  let es: EarlyStoppingState<P> | undefined = start?.earlyStopping ?? stopper?.init<P>()
  const copy = (xs: readonly number[] | undefined) => (xs === undefined ? [] : [...xs])
  const history = {
    trainLoss: copy(start?.history.trainLoss),
    trainAccuracy: copy(start?.history.trainAccuracy),
    validationLoss: copy(start?.history.validationLoss),
    validationAccuracy: copy(start?.history.validationAccuracy),
  }
  let stoppedEpoch: number | null = es?.stop === true ? (start as FitResume<P, S>).epoch - 1 : null
  const snapshot = (epoch: number, batch = 0): FitResume<P, S> => ({
    epoch,
    ...(batch === 0 ? {} : { batch }),
    state,
    history: {
      trainLoss: [...history.trainLoss],
      trainAccuracy: [...history.trainAccuracy],
      validationLoss: [...history.validationLoss],
      validationAccuracy: [...history.validationAccuracy],
    },
    ...(es === undefined ? {} : { earlyStopping: es }),
  })
  const result = (resume: FitResume<P, S>, aborted: boolean): FitResult<P, S> => {
    const params = stopper?.options.restoreBest && es?.bestParams !== undefined ? es.bestParams : state.params
    return { params, history, bestEpoch: argmin(history.validationLoss), stoppedEpoch, state, resume, aborted }
  }
  const aborted = (): boolean => signal?.aborted === true
  /** Evaluation of `data` chunk by chunk (the sums `evaluate` makes), pausing after each; undefined once aborted. */
  function* measure(data: { x: typeof x; y: typeof y }): Generator<FitYield, { loss: number; accuracy: number } | undefined, void> {
    const m = data.x.shape[0]
    if (m === 0) return { loss: NaN, accuracy: NaN }
    let lossSum = 0,
      hits = 0,
      classified = true
    for (let s = 0; s < m; s += evalBatchSize) {
      const c = evaluateChunk(model, state.params, data.x, data.y, loss, s, Math.min(m, s + evalBatchSize))
      lossSum += c.lossSum
      if (c.hits === null) classified = false
      else hits += c.hits
      yield
      if (aborted()) return undefined
    }
    return { loss: lossSum / m, accuracy: classified ? hits / m : NaN }
  }

  let first = start?.batch ?? 0
  for (let epoch = start?.epoch ?? 0; epoch < epochs && stoppedEpoch === null; epoch++, first = 0) {
    if (aborted()) return result(snapshot(epoch, first), true)
    // the rows of batch b are those `batches(random.foldIn(shuffleKey, epoch), train, batchSize)` gives, gathered one batch at a time
    const order = random.permutation(random.foldIn(shuffleKey, epoch), n)
    for (let b = first; b < nb; b++) {
      const rows = order.slice(b * batchSize, Math.min(n, (b + 1) * batchSize))
      const next = step(state, { x: gatherRows(x, rows), y: gatherRows(y, rows) })
      const paths = nonFinitePaths(next.params)
      if (!Number.isFinite(next.loss) || paths.length > 0) {
        throw new TrainingDivergedError({ epoch, step: state.step, batch: b, loss: next.loss, paths, params: state.params })
      }
      state = next
      const done: unknown = onBatch?.({ epoch, batch: b, batches: nb, loss: next.loss, state })
      if (async && done instanceof Promise) yield done
      yield
      if (aborted()) return result(snapshot(epoch, b + 1), true)
    }
    // Checked once per epoch (a cheap pass): an accumulator that overflowed stays +Infinity, so
    // nothing is missed, and the per-step cost stays on the params alone.
    const statePaths = nonFiniteStatePaths(state.optState)
    if (statePaths.length > 0) {
      throw new TrainingDivergedError({ epoch, step: state.step - 1, batch: nb - 1, loss: state.loss, paths: [], statePaths, params: state.params })
    }
    const t = yield* measure(train)
    if (t === undefined) return result(snapshot(epoch, nb), true)
    const v = validation === undefined ? { loss: NaN, accuracy: NaN } : yield* measure(validation)
    if (v === undefined) return result(snapshot(epoch, nb), true)
    history.trainLoss.push(t.loss)
    history.trainAccuracy.push(t.accuracy)
    history.validationLoss.push(v.loss)
    history.validationAccuracy.push(v.accuracy)
    // the early-stopping state is updated before onEpoch, so the log's `resume` is complete
    if (stopper !== undefined) es = stopper(es, v.loss, state.params)
    const done: unknown = onEpoch?.({
      epoch,
      trainLoss: t.loss,
      trainAccuracy: t.accuracy,
      validationLoss: v.loss,
      validationAccuracy: v.accuracy,
      params: state.params,
      state,
      resume: snapshot(epoch + 1),
    })
    if (async && done instanceof Promise) yield done
    if (es?.stop === true) stoppedEpoch = epoch
  }
  // a resume past the last epoch runs nothing and keeps its point, mid-epoch or not
  const ran = history.trainLoss.length !== (start?.epoch ?? 0)
  return result(snapshot(history.trainLoss.length, ran ? 0 : first), false)
}

/** Checks a `resume` option against the run it claims to continue (`batches` per epoch). */
function checkResume<P, S>(op: string, r: FitResume<P, S>, stepKey: Key, withEarlyStopping: boolean, batches: number): FitResume<P, S> {
  if (r === null || typeof r !== 'object') throw new ArgumentError(op, `resume must be { epoch, batch?, state, history, earlyStopping? } (a FitResume), got ${describe(r)}`)
  const { epoch, batch, state, history, earlyStopping: es } = r
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new ArgumentError(op, `resume.epoch must be a non-negative integer, got ${describe(epoch)}`)
  if (batch !== undefined && !(Number.isSafeInteger(batch) && batch >= 0 && batch <= batches)) {
    throw new ArgumentError(
      op,
      `resume.batch must be an integer from 0 to ${batches} (the batches of an epoch), got ${describe(batch)}: resume with the data and batch size the run started with`,
    )
  }
  if (state === null || typeof state !== 'object' || !random.isKey(state.key) || !Number.isSafeInteger(state.step)) {
    throw new ArgumentError(op, `resume.state must be a TrainState { params, optState, key, step, loss }, got ${describe(state)}`)
  }
  const [a, b] = random.keyData(state.key),
    [c, d] = random.keyData(stepKey)
  if (a !== c || b !== d) throw new ArgumentError(op, `resume.state.key [${a}, ${b}] is not the step key of this key [${c}, ${d}]: resume with the key the run started with`)
  const names = ['trainLoss', 'trainAccuracy', 'validationLoss', 'validationAccuracy'] as const
  for (const k of names) {
    const xs = (history as Partial<History> | null)?.[k]
    if (!Array.isArray(xs) || xs.length !== epoch) throw new ArgumentError(op, `resume.history.${k} must hold one entry per epoch done (${epoch}), got ${describe(xs)}`)
  }
  if (withEarlyStopping !== (es !== undefined)) {
    throw new ArgumentError(
      op,
      withEarlyStopping
        ? 'resume has no earlyStopping state, but earlyStopping is given: resume from the same kind of run'
        : 'resume has an earlyStopping state, but no earlyStopping option is given: pass the options of the run it came from',
    )
  }
  if (es !== undefined && (es === null || typeof es !== 'object' || es.epoch !== epoch))
    throw new ArgumentError(op, `resume.earlyStopping must be the early-stopping state after epoch ${epoch} (its epoch ${epoch}), got ${describe(es)}`)
  // every step is one batch, so the step count pins the batches per epoch (and so the data and batch size)
  const expected = epoch * batches + (batch ?? 0)
  if (state.step !== expected) {
    throw new ArgumentError(
      op,
      `resume.state.step is ${state.step}, but ${epoch} epochs of ${batches} batches${batch ? ` and ${batch} more` : ''} make ${expected}: resume with the data and batch size the run started with`,
    )
  }
  return r
}

/** The index of the smallest non-NaN value (the first on ties), −1 if none. */
function argmin(xs: readonly number[]): number {
  let best = -1
  for (let i = 0; i < xs.length; i++) if (!Number.isNaN(xs[i]) && (best < 0 || xs[i] < xs[best])) best = i
  return best
}

/**
 * One step of gradient descent as a pure state transition: `trainStep({ model, optimizer, loss })`
 * returns `(state, batch) => state`. The state carries everything a step needs (params, the
 * optimizer's state, the random key, the step count), so a training run is a fold over batches
 * and can be stopped, saved and resumed anywhere.
 *
 * @since 0.1.0
 */
import { type Key, type Tensor, ArgumentError, add, item, random, valueAndGrad } from '../index.js'
import type { Layer } from '../nn/index.js'
import { type GradientTransformation, applyUpdates } from '../optim/index.js'
import { describe } from '../tensor/checks.js'
import { type Data, checkData } from './batches.js'

// --- model

/**
 * A loss: a scalar tensor from the model's outputs (logits) and the targets of a batch, e.g.
 * `losses.softmaxCrossEntropy`. `evaluate` and `fit` assume it is a MEAN over the batch.
 *
 * @category model
 * @since 0.1.0
 */
export type Loss = (logits: Tensor, y: Tensor) => Tensor

/**
 * The state of a training run: `params`, the optimizer's state `optState`, the base `key` (step
 * `s` draws its dropout masks from `random.foldIn(key, s)`; the key itself never changes), `step`
 * (the number of steps taken so far) and `loss` (the objective of the last step's batch — the
 * loss, plus the penalty when there is one —, computed before its update; NaN before the first
 * step). Plain data: a checkpoint carries it whole.
 *
 * @category model
 * @since 0.1.0
 */
export interface TrainState<P, S> {
  readonly params: P
  readonly optState: S
  readonly key: Key
  readonly step: number
  readonly loss: number
}

/**
 * A penalty on the params: a scalar tensor of the params alone (e.g. λ·Σ w² over the kernels),
 * added to the loss of every batch and differentiated with it. It sees the params the step is
 * taken from, so it can pick leaves (skip the biases) by their place in the tree.
 *
 * @example
 * import { mul, random, square, sum } from 'purediff'
 * import { dense } from 'purediff/nn'
 * import type { Penalty } from 'purediff/train'
 * type P = { w: import('purediff').Tensor; b: import('purediff').Tensor }
 * const l2: Penalty<P> = (p) => mul(1e-3, sum(square(p.w))) // the kernel only, not the bias
 * const { params } = dense(2).init(random.key(0), [3])
 * if (l2(params as P).rank !== 0) throw new Error()
 * @category model
 * @since 0.1.0
 */
export type Penalty<P> = (params: P) => Tensor

/**
 * What `trainStep` needs: the model, the optimizer and the loss; optionally a `penalty` on the
 * params, added to the loss (the objective is `loss(logits, y) + penalty(params)`).
 *
 * @category model
 * @since 0.1.0
 */
export interface TrainStepOptions<P, S> {
  readonly model: Layer<P>
  readonly optimizer: GradientTransformation<S>
  readonly loss: Loss
  readonly penalty?: Penalty<P>
}

// --- constructors

/**
 * The state before the first step: `{ params, optState: optimizer.init(params), key, step: 0,
 * loss: NaN }`.
 *
 * @example
 * import { random } from 'purediff'
 * import { dense } from 'purediff/nn'
 * import { sgd } from 'purediff/optim'
 * import { initTrainState } from 'purediff/train'
 * const { params } = dense(2).init(random.key(0), [3])
 * const s = initTrainState(params, sgd(0.1), random.key(1))
 * if (s.step !== 0 || s.params !== params || !Number.isNaN(s.loss)) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function initTrainState<P, S>(params: P, optimizer: GradientTransformation<S>, key: Key): TrainState<P, S> {
  checkOptimizer('initTrainState', optimizer)
  if (!random.isKey(key)) throw new ArgumentError('initTrainState', `key must be a random key, got ${describe(key)}`)
  return { params, optState: optimizer.init(params), key, step: 0, loss: NaN }
}

/**
 * The step function `(state, batch) => state` of gradient descent on `loss(model.apply(params,
 * batch.x, { train: true, key: random.foldIn(state.key, state.step) }), batch.y)` (plus
 * `penalty(params)` when given):
 * `[loss, g] = valueAndGrad(…)(params)`, `[updates, optState'] = optimizer.update(g, optState,
 * params)`, `params' = applyUpdates(params, updates)`, `step' = step + 1`. Train mode, with a
 * fresh dropout key per step derived from the state (so the run is reproducible from the key).
 * Pure: the input state is not changed. It does not check for non-finite values (`fit` does).
 *
 * @example
 * import { random, tensor } from 'purediff'
 * import { dense, losses } from 'purediff/nn'
 * import { sgd } from 'purediff/optim'
 * import { initTrainState, trainStep } from 'purediff/train'
 * const model = dense(1)
 * const step = trainStep({ model, optimizer: sgd(0.1), loss: losses.mse })
 * const batch = { x: tensor([[1], [2]]), y: tensor([[2], [4]]) }
 * let s = initTrainState(model.init(random.key(0), [1]).params, sgd(0.1), random.key(1))
 * const first = step(s, batch)
 * for (let i = 0; i < 50; i++) s = step(s, batch)
 * if (s.step !== 50 || !(s.loss < first.loss) || first.step !== 1) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function trainStep<P, S>(opts: TrainStepOptions<P, S>): (state: TrainState<P, S>, batch: Data) => TrainState<P, S> {
  const op = 'trainStep'
  if (opts === null || typeof opts !== 'object') throw new ArgumentError(op, `expected { model, optimizer, loss }, got ${describe(opts)}`)
  const { model, optimizer, loss, penalty } = opts
  if (model === null || typeof model !== 'object' || typeof model.apply !== 'function') throw new ArgumentError(op, `model must be a layer { init, apply }, got ${describe(model)}`)
  checkOptimizer(op, optimizer)
  if (typeof loss !== 'function') throw new ArgumentError(op, `loss must be a function (logits, y) => scalar tensor, got ${describe(loss)}`)
  if (penalty !== undefined && typeof penalty !== 'function') throw new ArgumentError(op, `penalty must be a function (params) => scalar tensor, got ${describe(penalty)}`)
  return (state, batch) => {
    const { x, y } = checkData(op, batch, 'batch')
    if (state === null || typeof state !== 'object' || !random.isKey(state.key) || !Number.isSafeInteger(state.step)) {
      throw new ArgumentError(op, `state must be a TrainState { params, optState, key, step, loss } (see initTrainState), got ${describe(state)}`)
    }
    const stepKey = random.foldIn(state.key, state.step % 2 ** 32)
    const objective =
      penalty === undefined
        ? (p: P): Tensor => loss(model.apply(p, x, { train: true, key: stepKey }), y)
        : (p: P): Tensor => add(loss(model.apply(p, x, { train: true, key: stepKey }), y), penalty(p))
    const [value, grads] = valueAndGrad(objective)(state.params)
    const [updates, optState] = optimizer.update(grads, state.optState, state.params)
    return { params: applyUpdates(state.params, updates), optState, key: state.key, step: state.step + 1, loss: item(value) }
  }
}

function checkOptimizer(op: string, optimizer: unknown): void {
  const o = optimizer as { init?: unknown; update?: unknown } | null
  if (o === null || typeof o !== 'object' || typeof o.init !== 'function' || typeof o.update !== 'function') {
    throw new ArgumentError(op, `optimizer must be a GradientTransformation { init, update }, got ${describe(optimizer)}`)
  }
}

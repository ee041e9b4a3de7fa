/**
 * The error `fit` throws when training diverges: a non-finite loss or non-finite params.
 *
 * @since 0.1.0
 */
import { PurediffError } from '../index.js'
import { flatten, leafPaths } from '../tree/index.js'
import { Tensor, dataOf } from '../tensor/Tensor.js'

// --- model

/**
 * Training diverged: the loss of a batch, or a parameter after its update, is NaN or ±Infinity.
 * `fit` throws it instead of training on garbage. Fields: `epoch` (0-based), `step` (the 0-based
 * index of the failing step since the start of the run), `batch` (its index in the epoch),
 * `loss` (the batch loss, computed before the update), `paths` (the pytree paths, as `[0].w`, of
 * the params that are non-finite AFTER the update; empty when only the loss was) and `params`
 * (the last finite params, from before the failing step: a safe point to resume from).
 *
 * @example
 * import { TrainingDivergedError } from 'purediff/train'
 * const e = new TrainingDivergedError({ epoch: 2, step: 17, batch: 1, loss: NaN, paths: ['[0].w'], params: [] })
 * if (!(e instanceof Error) || e.epoch !== 2 || !e.message.includes('[0].w') || e.op !== 'fit') throw new Error()
 * @category errors
 * @since 0.1.0
 */
export class TrainingDivergedError extends PurediffError {
  readonly epoch: number
  readonly step: number
  readonly batch: number
  readonly loss: number
  readonly paths: readonly string[]
  /** The paths (in the optimizer state) of non-finite state leaves; empty unless that is what diverged. */
  readonly statePaths: readonly string[]
  readonly params: unknown
  constructor(info: { epoch: number; step: number; batch: number; loss: number; paths: readonly string[]; statePaths?: readonly string[]; params: unknown }) {
    const statePaths = info.statePaths ?? []
    const which =
      info.paths.length > 0
        ? `non-finite params after the update at ${info.paths.join(', ')}`
        : statePaths.length > 0
          ? `the params stayed finite, but the optimizer state is non-finite at ${statePaths.join(', ')} ` +
            '(a gradient whose square overflows: an adaptive optimizer then freezes those weights at an update of 0)'
          : 'the params stayed finite'
    super(
      'fit',
      `training diverged at epoch ${info.epoch}, step ${info.step} (batch ${info.batch} of the epoch): loss ${info.loss}; ${which}. ` +
        'Try a smaller learning rate, gradient clipping (clipByGlobalNorm), Glorot initialisation, or scaled inputs',
    )
    this.epoch = info.epoch
    this.step = info.step
    this.batch = info.batch
    this.loss = info.loss
    this.paths = Object.freeze([...info.paths])
    this.statePaths = Object.freeze([...statePaths])
    this.params = info.params
  }
}

/** The pytree paths of the leaves holding a NaN or ±Infinity. @internal */
export function nonFinitePaths(params: unknown): string[] {
  const { leaves, structure } = flatten('fit', params)
  const paths = leafPaths(structure)
  return leaves.flatMap((leaf, i) => {
    const d = dataOf(leaf)
    for (let j = 0; j < d.length; j++) if (!Number.isFinite(d[j])) return [paths[i]]
    return []
  })
}

/**
 * The paths of the non-finite leaves of an optimizer state: tensors holding a NaN or ±Infinity,
 * and non-finite numbers; other leaves (strings, booleans, null) are skipped, since a state may
 * hold them. Why it exists: Adam's, RMSprop's and Adagrad's accumulators of g² overflow to
 * +Infinity for a finite but huge gradient, and the params then stay finite with an update of 0
 * on those weights — a run that looks healthy while part of the model has stopped learning. @internal
 */
export function nonFiniteStatePaths(state: unknown): string[] {
  const out: string[] = []
  const stack: [unknown, string][] = [[state, '']]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [x, path] = top
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) out.push(path || '<root>')
    } else if (x instanceof Tensor) {
      const d = dataOf(x)
      for (let j = 0; j < d.length; j++)
        if (!Number.isFinite(d[j])) {
          out.push(path || '<root>')
          break
        }
    } else if (Array.isArray(x)) {
      for (let i = x.length - 1; i >= 0; i--) stack.push([x[i], `${path}[${i}]`])
    } else if (x !== null && typeof x === 'object') {
      const keys = Object.keys(x)
      for (let i = keys.length - 1; i >= 0; i--) stack.push([(x as Record<string, unknown>)[keys[i]], `${path}.${keys[i]}`])
    }
  }
  return out
}

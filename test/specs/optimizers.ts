/**
 * ONE registry of the optimizers under test (the role of optax's `_OPTIMIZERS_UNDER_TEST`):
 * every transform, every profile, every schedule and wrapper appears in at least one row, and
 * `test/optim/laws.test.ts` runs `optimizerLaws` over every row. `covers` names the exports of
 * src/optim/index.ts a row exercises; `test/optim/completeness.test.ts` fails when an export
 * has neither a row nor a stated reason in `notTransforms`. `decays`: a zero gradient still moves
 * the params (weight decay, L1), so the fixed-point law does not apply.
 */
import { isRight } from 'fp-ts/lib/Either.js'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import * as O from '../../src/optim/index.js'
import type { GradientTransformation } from '../../src/optim/index.js'

// --- model

export interface OptimizerRow {
  readonly name: string
  readonly covers: readonly string[]
  readonly make: () => GradientTransformation<unknown>
  readonly decays?: boolean
}

const row = (name: string, covers: string[], make: () => GradientTransformation<unknown>, decays = false): OptimizerRow => ({ name, covers, make, decays })

const profiles = ['pytorch', 'optax', 'tfjs', 'lecture'] as const

// --- the registry

export const optimizerRows: readonly OptimizerRow[] = [
  // the model and combinators
  row('identity', ['identity'], () => O.identity()),
  row('chain(stateless(halve), sgd)', ['stateless', 'chain'], () =>
    O.chain(
      O.stateless((u: unknown) => P.tree.map((x: Tensor) => P.mul(x, 0.5), u)),
      O.sgd(0.1),
    ),
  ),
  // parts
  row('scaleByAdam', ['scaleByAdam'], () => O.scaleByAdam({ b1: 0.8, b2: 0.99, epsRoot: 1e-12 })),
  row('scaleByRss (ε inside)', ['scaleByRss'], () => O.scaleByRss({ initialAccumulator: 0.1, eps: 1e-7, epsInSqrt: true })),
  row('scaleByRms (lecture seed)', ['scaleByRms'], () => O.scaleByRms({ decay: 0.95, eps: 0, seedWithFirstGradient: true })),
  row('trace (nesterov)', ['trace'], () => O.trace({ decay: 0.7, nesterov: true })),
  row('scaleByLearningRate(exponentialDecay)', ['scaleByLearningRate', 'exponentialDecay'], () =>
    O.scaleByLearningRate(O.exponentialDecay({ initValue: 0.1, transitionSteps: 2, decayRate: 0.5, staircase: true })),
  ),
  row('L2: chain(addDecayedWeights, sgd)', ['addDecayedWeights'], () => O.chain(O.addDecayedWeights(0.01), O.sgd(0.1)), true),
  row('L1: chain(addL1, sgd)', ['addL1'], () => O.chain(O.addL1(0.01), O.sgd(0.1)), true),
  row('L1 truncated: chain(sgd, addL1(truncate))', ['addL1'], () => O.chain(O.sgd(0.1), O.addL1(0.001, { truncate: true })), true),
  row('chain(clipByGlobalNorm, adam)', ['clipByGlobalNorm'], () => O.chain(O.clipByGlobalNorm(1), O.adam(0.01))),
  // wrappers
  row('applyIfFinite(momentum)', ['applyIfFinite'], () => O.applyIfFinite(O.momentum(0.1), { maxConsecutiveErrors: 2 })),
  row('multiSteps(adam, 3)', ['multiSteps'], () => O.multiSteps(O.adam(0.01), 3)),
  // optimizers, every profile
  row('sgd', ['sgd'], () => O.sgd(0.1)),
  row('sgd(constantSchedule)', ['constantSchedule'], () => O.sgd(O.constantSchedule(0.05))),
  row('momentum', ['momentum'], () => O.momentum(0.1)),
  row('momentum (nesterov)', ['momentum'], () => O.momentum(0.1, { beta: 0.8, nesterov: true })),
  ...profiles.map((profile) =>
    row(`momentum (${profile}, cosineDecay)`, ['momentum', 'cosineDecay'], () => O.momentum(O.cosineDecay({ initValue: 0.1, decaySteps: 3 }), { profile })),
  ),
  row('adagrad', ['adagrad'], () => O.adagrad(0.1)),
  ...profiles.map((profile) => row(`adagrad (${profile})`, ['adagrad'], () => O.adagrad(0.1, { profile }))),
  row('rmsprop', ['rmsprop'], () => O.rmsprop(0.01)),
  ...profiles.map((profile) => row(`rmsprop (${profile})`, ['rmsprop'], () => O.rmsprop(0.01, { profile }))),
  row('adam', ['adam'], () => O.adam(0.01)),
  ...profiles.map((profile) =>
    row(`adam (${profile}, warmupCosine)`, ['adam', 'warmupCosine'], () => O.adam(O.warmupCosine({ initValue: 0, peakValue: 0.01, warmupSteps: 1, decaySteps: 4 }), { profile })),
  ),
  row('adamw', ['adamw'], () => O.adamw(0.01), true),
  row('fromConfig(chain: clip, rmsprop with a schedule)', ['fromConfig'], () => {
    const r = O.fromConfig({
      chain: [
        { name: 'clipByGlobalNorm', max: 2 },
        { name: 'rmsprop', learningRate: { schedule: 'cosineDecay', initValue: 0.01, decaySteps: 10 }, profile: 'optax' },
      ],
    })
    if (!isRight(r)) throw new Error(r.left.message)
    return r.right
  }),
]

/** Exports that are not transforms, with the reason they need no row. */
export const notTransforms: Readonly<Record<string, string>> = {
  applyUpdates: 'used by every law of every row (each trajectory applies its updates); test/optim/transforms.test.ts checks it directly',
  masked:
    'a wrapper whose state holds the selected leaves only (an array), so the law that state mirrors the params does not apply; test/optim/masked.test.ts runs the other laws on it and checks it against registry transforms',
  OptimizerConfig: 'a codec, not a transform: test/optim/config.test.ts decodes valid and invalid configs and round-trips an arbitrary',
  perExampleClip:
    'its gradients carry a batch axis the params do not have (it averages it away), so the laws over params-shaped gradients do not apply; test/optim/perExample.test.ts checks it against a per-example reference',
  perExampleGlobalNorms: 'a function of per-example gradients, not a transform: test/optim/perExample.test.ts checks it against Math.hypot',
}

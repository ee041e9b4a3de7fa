/**
 * purediff/optim: optimizers as pure state transitions (Optax style). This file only re-exports.
 *
 * @since 0.1.0
 */

// --- the model and its combinators
export { identity, stateless, chain, applyUpdates } from './GradientTransformation.js'
export type { GradientTransformation, StateOf, EmptyState, ChainState, Schedule, LearningRate, TransformFusion } from './GradientTransformation.js'

// --- parts
export { scaleByAdam, scaleByRss, scaleByRms, trace } from './transforms.js'
export type {
  ScaleByAdamState,
  ScaleByRssState,
  ScaleByRmsState,
  TraceState,
  ScaleByAdamOptions,
  ScaleByRssOptions,
  ScaleByRmsOptions,
  TraceOptions,
} from './transforms.js'
export { scaleByLearningRate, addDecayedWeights, addL1, clipByGlobalNorm } from './parts.js'
export { perExampleClip, perExampleGlobalNorms } from './perExample.js'
export type { ScaleByScheduleState, ScaleByLearningRateState, AddL1Options } from './parts.js'

// --- wrappers
export { applyIfFinite, multiSteps } from './wrappers.js'
export { masked } from './masked.js'
export type { Mask, MaskedState } from './masked.js'
export type { ApplyIfFiniteState, ApplyIfFiniteOptions, MultiStepsState } from './wrappers.js'

// --- optimizers
export { sgd, momentum, adagrad, rmsprop, adam, adamw } from './aliases.js'
export type {
  Profile,
  MomentumOptions,
  AdagradOptions,
  RmspropOptions,
  AdamOptions,
  AdamwOptions,
  MomentumState,
  AdagradState,
  RmspropState,
  AdamState,
  AdamwState,
} from './aliases.js'

// --- schedules
export { constantSchedule, exponentialDecay, cosineDecay, warmupCosine } from './schedules.js'
export type { ExponentialDecayOptions, CosineDecayOptions, WarmupCosineOptions } from './schedules.js'

// --- configs (io-ts)
export { OptimizerConfig, fromConfig } from './config.js'
export type { ScheduleConfig, LearningRateConfig } from './config.js'

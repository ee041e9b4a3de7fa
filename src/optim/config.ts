/**
 * Optimizers described as JSON: the io-ts codec `OptimizerConfig` (value and type under one
 * name) decodes outside data, and `fromConfig` builds the transform. A config is one step
 * `{ "name": "adam", "learningRate": 0.001, "b1": 0.9 }` (the options of the constructor of
 * that name) or a chain `{ "chain": [config, …] }`. A learning rate is a positive number or a
 * schedule `{ "schedule": "cosineDecay", "initValue": 0.1, "decaySteps": 1000 }`. Every invalid
 * field is a `Left` whose message names its path (`chain.1.learningRate`); unknown names and
 * unknown fields are errors too. `fromConfig` never throws.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { ArgumentError } from '../tensor/errors.js'
import { isRecord, nesting, numberWhere, report, show, strictObject } from '../internal/codecs.js'
import { type GradientTransformation, type LearningRate, chain, identity } from './GradientTransformation.js'
import { addDecayedWeights, addL1, clipByGlobalNorm, scaleByLearningRate } from './parts.js'
import { scaleByAdam, scaleByRms, scaleByRss, trace } from './transforms.js'
import { adagrad, adam, adamw, momentum, rmsprop, sgd } from './aliases.js'
import { constantSchedule, cosineDecay, exponentialDecay, warmupCosine } from './schedules.js'
import { applyIfFinite, multiSteps } from './wrappers.js'

// --- codecs: fields

const Positive = numberWhere('Positive', 'a finite number > 0', (n) => Number.isFinite(n) && n > 0)
const NonNegative = numberWhere('NonNegative', 'a finite number ≥ 0', (n) => Number.isFinite(n) && n >= 0)
const Decay = numberWhere('Decay', 'a decay rate in [0, 1)', (n) => n >= 0 && n < 1)
const UnitInterval = numberWhere('UnitInterval', 'a number in [0, 1]', (n) => n >= 0 && n <= 1)
const PositiveInt = numberWhere('PositiveInt', 'a positive integer', (n) => Number.isInteger(n) && n > 0)
const NonNegativeInt = numberWhere('NonNegativeInt', 'a non-negative integer', (n) => Number.isInteger(n) && n >= 0)
const Profile = t.keyof({ pytorch: null, optax: null, tfjs: null, lecture: null }, "'pytorch' | 'optax' | 'tfjs' | 'lecture'")

/** A codec that reads the tag `key` first and decodes the rest with that branch only. */
function tagged<A>(name: string, key: string, branches: () => Readonly<Record<string, t.Mixed>>): t.Type<A, A, unknown> {
  return new t.Type<A, A, unknown>(
    name,
    (u): u is A => isRecord(u) && typeof u[key] === 'string' && Object.hasOwn(branches(), u[key]) && branches()[u[key] as string].is(u),
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c, `expected ${name} { "${key}": …, … }, got ${show(u)}`)
      const tag = u[key]
      if (typeof tag !== 'string' || !Object.hasOwn(branches(), tag)) {
        return t.failure(tag, t.appendContext(c, key, t.string, tag), `unknown ${name} ${key} ${show(tag)}; expected one of ${Object.keys(branches()).join(', ')}`)
      }
      return branches()[tag].validate(u, c) as t.Validation<A>
    },
    t.identity,
  )
}

// --- codecs: schedules and learning rates

const ConstantSchedule = strictObject("a 'constant' schedule", { schedule: t.literal('constant'), value: NonNegative }, {})
const ExponentialDecaySchedule = strictObject(
  "an 'exponentialDecay' schedule",
  { schedule: t.literal('exponentialDecay'), initValue: NonNegative, transitionSteps: Positive, decayRate: Positive },
  { transitionBegin: NonNegative, staircase: t.boolean, endValue: NonNegative },
)
const CosineDecaySchedule = strictObject(
  "a 'cosineDecay' schedule",
  { schedule: t.literal('cosineDecay'), initValue: NonNegative, decaySteps: Positive },
  { alpha: UnitInterval, exponent: Positive },
)
const WarmupCosineFields = strictObject(
  "a 'warmupCosine' schedule",
  { schedule: t.literal('warmupCosine'), initValue: NonNegative, peakValue: NonNegative, warmupSteps: NonNegative, decaySteps: Positive },
  { endValue: NonNegative, exponent: Positive },
)
type WarmupCosineSchedule = t.TypeOf<typeof WarmupCosineFields>
const WarmupCosineSchedule = new t.Type<WarmupCosineSchedule, WarmupCosineSchedule, unknown>(
  WarmupCosineFields.name,
  (u): u is WarmupCosineSchedule => WarmupCosineFields.is(u) && u.warmupSteps < u.decaySteps,
  (u, c) => {
    const v = WarmupCosineFields.validate(u, c)
    if (E.isLeft(v) || v.right.warmupSteps < v.right.decaySteps) return v
    const s = v.right
    return t.failure(
      s.warmupSteps,
      t.appendContext(c, 'warmupSteps', NonNegative, s.warmupSteps),
      `expected warmupSteps < decaySteps (${s.decaySteps}), which counts the warm-up too, got ${s.warmupSteps}`,
    )
  },
  t.identity,
)

/** A schedule described as JSON. @category model @since 0.1.0 */
export type ScheduleConfig = t.TypeOf<typeof ConstantSchedule> | t.TypeOf<typeof ExponentialDecaySchedule> | t.TypeOf<typeof CosineDecaySchedule> | WarmupCosineSchedule

const ScheduleConfig = tagged<ScheduleConfig>('schedule', 'schedule', () => ({
  constant: ConstantSchedule,
  exponentialDecay: ExponentialDecaySchedule,
  cosineDecay: CosineDecaySchedule,
  warmupCosine: WarmupCosineSchedule,
}))

/** A learning rate described as JSON: a number > 0 or a schedule. @category model @since 0.1.0 */
export type LearningRateConfig = number | ScheduleConfig
const LearningRateConfig = new t.Type<LearningRateConfig, LearningRateConfig, unknown>(
  'LearningRate',
  (u): u is LearningRateConfig => Positive.is(u) || ScheduleConfig.is(u),
  (u, c) =>
    isRecord(u)
      ? ScheduleConfig.validate(u, c)
      : typeof u === 'number'
        ? Positive.validate(u, c)
        : t.failure(u, c, `expected a learning rate (a number > 0 or a schedule object), got ${show(u)}`),
  t.identity,
)

// --- codecs: steps

const LR = { learningRate: LearningRateConfig }
const step = <N extends string, R extends t.Props, O extends t.Props>(name: N, required: R, optional: O) =>
  strictObject(`a '${name}' step`, { name: t.literal(name), ...required }, optional)
const adamFields = { b1: Decay, b2: Decay, eps: NonNegative }

const Sgd = step('sgd', LR, {})
const Momentum = step('momentum', LR, { beta: Decay, nesterov: t.boolean, profile: Profile })
const Adagrad = step('adagrad', LR, { eps: NonNegative, initialAccumulator: NonNegative, profile: Profile })
const Rmsprop = step('rmsprop', LR, { decay: Decay, eps: NonNegative, profile: Profile })
const Adam = step('adam', LR, { ...adamFields, profile: Profile })
const Adamw = step('adamw', LR, { ...adamFields, weightDecay: NonNegative })
const ScaleByLearningRate = step('scaleByLearningRate', LR, {})
const ScaleByAdam = step('scaleByAdam', {}, { ...adamFields, epsRoot: NonNegative })
const ScaleByRss = step('scaleByRss', {}, { initialAccumulator: NonNegative, eps: NonNegative, epsInSqrt: t.boolean })
const ScaleByRms = step('scaleByRms', {}, { decay: Decay, eps: NonNegative, epsInSqrt: t.boolean, initialScale: NonNegative, seedWithFirstGradient: t.boolean })
const Trace = step('trace', {}, { decay: Decay, nesterov: t.boolean })
const AddDecayedWeights = step('addDecayedWeights', { lambda: NonNegative }, {})
const AddL1 = step('addL1', { lambda: NonNegative }, {})
const ClipByGlobalNorm = step('clipByGlobalNorm', { max: Positive }, {})
const Identity = step('identity', {}, {})

/**
 * One optimizer (or part) described as JSON: `name` and the options of the constructor of
 * that name, or a chain.
 *
 * @category model
 * @since 0.1.0
 */
export type OptimizerConfig =
  | t.TypeOf<typeof Sgd>
  | t.TypeOf<typeof Momentum>
  | t.TypeOf<typeof Adagrad>
  | t.TypeOf<typeof Rmsprop>
  | t.TypeOf<typeof Adam>
  | t.TypeOf<typeof Adamw>
  | t.TypeOf<typeof ScaleByLearningRate>
  | t.TypeOf<typeof ScaleByAdam>
  | t.TypeOf<typeof ScaleByRss>
  | t.TypeOf<typeof ScaleByRms>
  | t.TypeOf<typeof Trace>
  | t.TypeOf<typeof AddDecayedWeights>
  | t.TypeOf<typeof AddL1>
  | t.TypeOf<typeof ClipByGlobalNorm>
  | t.TypeOf<typeof Identity>
  | { readonly name: 'applyIfFinite'; readonly inner: OptimizerConfig; readonly maxConsecutiveErrors?: number }
  | { readonly name: 'multiSteps'; readonly inner: OptimizerConfig; readonly k: number }
  | { readonly chain: readonly OptimizerConfig[] }

const Step = tagged<OptimizerConfig>('optimizer', 'name', () => steps)

/**
 * How deeply configs may nest (`chain`, and the `inner` of `applyIfFinite` and `multiSteps`):
 * 100 levels. Real configs nest two or three; measured on Node 20 the decoder overflowed the
 * stack at about 1,600 levels, so a deeper (or cyclic) config is a Left naming the path where
 * the limit is crossed instead.
 */
const MAX_CONFIG_DEPTH = 100

/**
 * The codec of an optimizer config: `{ "chain": [config, …] }`, or a step `{ "name": …, … }`
 * decoded by the codec of that name only, so an error names the field actually meant
 * (`chain.1.learningRate`), not every member of a union. `OptimizerConfig` is also the type.
 * Configs nest at most 100 levels deep: a deeper or cyclic one is a failure naming the path
 * where the limit is crossed, never a stack overflow.
 *
 * @example
 * import { isRight } from 'fp-ts/lib/Either.js'
 * import { OptimizerConfig } from 'purediff/optim'
 * const ok = { chain: [{ name: 'clipByGlobalNorm', max: 1 }, { name: 'adam', learningRate: 0.001, b1: 0.9 }] }
 * if (!isRight(OptimizerConfig.decode(ok)) || !OptimizerConfig.is(ok)) throw new Error()
 * if (isRight(OptimizerConfig.decode({ name: 'adam', learningRate: 0.001, b1: 1 }))) throw new Error()
 * @category codecs
 * @since 0.1.0
 */
export const OptimizerConfig: t.Type<OptimizerConfig, OptimizerConfig, unknown> = new t.Type<OptimizerConfig, OptimizerConfig, unknown>(
  'OptimizerConfig',
  // Through validate, whose depth limit keeps a deep or cyclic value from overflowing the stack.
  (u): u is OptimizerConfig => E.isRight(OptimizerConfig.validate(u, t.getDefaultContext(OptimizerConfig))),
  (u, c) =>
    nesting(c, OptimizerConfig) > MAX_CONFIG_DEPTH
      ? t.failure(u, c, `the config is nested deeper than ${MAX_CONFIG_DEPTH} levels`)
      : isRecord(u) && 'chain' in u && !('name' in u)
        ? Chain.validate(u, c)
        : Step.validate(u, c),
  t.identity,
)

const Chain = strictObject('a chain', { chain: t.array(OptimizerConfig) }, {})
const ApplyIfFinite = step('applyIfFinite', { inner: OptimizerConfig }, { maxConsecutiveErrors: NonNegativeInt })
const MultiSteps = step('multiSteps', { inner: OptimizerConfig, k: PositiveInt }, {})

// Typed loosely (t.Mixed): each branch decodes only its own variant; dispatch picks it by `name`.
const steps: Readonly<Record<string, t.Mixed>> = {
  sgd: Sgd,
  momentum: Momentum,
  adagrad: Adagrad,
  rmsprop: Rmsprop,
  adam: Adam,
  adamw: Adamw,
  scaleByLearningRate: ScaleByLearningRate,
  scaleByAdam: ScaleByAdam,
  scaleByRss: ScaleByRss,
  scaleByRms: ScaleByRms,
  trace: Trace,
  addDecayedWeights: AddDecayedWeights,
  addL1: AddL1,
  clipByGlobalNorm: ClipByGlobalNorm,
  identity: Identity,
  applyIfFinite: ApplyIfFinite,
  multiSteps: MultiSteps,
}

// --- build

function learningRate(c: LearningRateConfig): LearningRate {
  if (typeof c === 'number') return c
  switch (c.schedule) {
    case 'constant':
      return constantSchedule(c.value)
    case 'exponentialDecay': {
      const { schedule: _, ...o } = c
      return exponentialDecay(o)
    }
    case 'cosineDecay': {
      const { schedule: _, ...o } = c
      return cosineDecay(o)
    }
    case 'warmupCosine': {
      const { schedule: _, ...o } = c
      return warmupCosine(o)
    }
  }
}

function build(c: OptimizerConfig): GradientTransformation<unknown> {
  if ('chain' in c) return chain(...c.chain.map(build))
  switch (c.name) {
    case 'sgd':
      return sgd(learningRate(c.learningRate))
    case 'momentum':
      return momentum(learningRate(c.learningRate), c)
    case 'adagrad':
      return adagrad(learningRate(c.learningRate), c)
    case 'rmsprop':
      return rmsprop(learningRate(c.learningRate), c)
    case 'adam':
      return adam(learningRate(c.learningRate), c)
    case 'adamw':
      return adamw(learningRate(c.learningRate), c)
    case 'scaleByLearningRate':
      return scaleByLearningRate(learningRate(c.learningRate))
    case 'scaleByAdam':
      return scaleByAdam(c)
    case 'scaleByRss':
      return scaleByRss(c)
    case 'scaleByRms':
      return scaleByRms(c)
    case 'trace':
      return trace(c)
    case 'addDecayedWeights':
      return addDecayedWeights(c.lambda)
    case 'addL1':
      return addL1(c.lambda)
    case 'clipByGlobalNorm':
      return clipByGlobalNorm(c.max)
    case 'identity':
      return identity()
    case 'applyIfFinite':
      return applyIfFinite(build(c.inner), { maxConsecutiveErrors: c.maxConsecutiveErrors })
    case 'multiSteps':
      return multiSteps(build(c.inner), c.k)
  }
}

// --- constructors

/**
 * Builds an optimizer from a JSON config (an object, or a string of JSON): decodes it with
 * `OptimizerConfig` and returns `Right(transform)`, or a `Left` with an ArgumentError whose
 * message names every invalid field by its path (`at chain.1.learningRate: expected a finite
 * number > 0, got -1`). Unknown names and unknown fields are errors. Never throws.
 *
 * @example
 * import { isLeft, isRight } from 'fp-ts/lib/Either.js'
 * import { tensor, toFlatArray } from 'purediff'
 * import { applyUpdates, fromConfig } from 'purediff/optim'
 * const opt = fromConfig({ chain: [{ name: 'clipByGlobalNorm', max: 1 }, { name: 'sgd', learningRate: 0.5 }] })
 * if (!isRight(opt)) throw new Error()
 * const p = [tensor([0, 0], 'float64')]
 * const [u] = opt.right.update([tensor([30, 40], 'float64')], opt.right.init(p), p)
 * if (toFlatArray(applyUpdates(p, u)[0]).join() !== '-0.3,-0.4') throw new Error()
 * const bad = fromConfig({ chain: [{ name: 'clipByGlobalNorm', max: 1 }, { name: 'sgd', learningRate: -1 }] })
 * if (!isLeft(bad) || !bad.left.message.includes('chain.1.learningRate')) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function fromConfig(json: unknown): E.Either<Error, GradientTransformation<unknown>> {
  try {
    let value = json
    if (typeof json === 'string') {
      try {
        value = JSON.parse(json)
      } catch (e) {
        return E.left(new ArgumentError('fromConfig', `the config is not valid JSON: ${e instanceof Error ? e.message : String(e)}`))
      }
    }
    const decoded = OptimizerConfig.decode(value)
    if (E.isLeft(decoded)) return E.left(new ArgumentError('fromConfig', `invalid optimizer config: ${report(decoded.left)}`))
    return E.right(build(decoded.right))
  } catch (e) {
    return E.left(e instanceof Error ? e : new ArgumentError('fromConfig', `invalid optimizer config: ${show(e)}`))
  }
}

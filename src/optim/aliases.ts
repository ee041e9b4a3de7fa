/**
 * The optimizers: each is a short chain of the parts (`adam = chain(scaleByAdam, scaleByLearningRate)`),
 * as in Optax. Formulas follow PyTorch's documentation by default. `adagrad`, `rmsprop`, `adam`
 * and `momentum` also take a framework `profile` that reproduces that framework's trajectory:
 * where ε goes (inside or outside the square root), where the accumulator starts, and the
 * framework's own default ε and decay. Options given explicitly override a profile's defaults.
 *
 * | profile   | adagrad                  | rmsprop                          | adam         | momentum            |
 * | --------- | ------------------------ | -------------------------------- | ------------ | ------------------- |
 * | (none)    | s₀ 0, ε 1e-10 outside    | decay 0.9, ε 1e-8 outside        | ε 1e-8       | b = βb + g, −ηb     |
 * | 'pytorch' | s₀ 0, ε 1e-10 outside    | decay 0.99, ε 1e-8 outside       | ε 1e-8       | b = βb + g, −ηb     |
 * | 'optax'   | s₀ 0.1, ε 1e-7 inside    | decay 0.9, ε 1e-8 inside         | ε 1e-8       | b = βb + g, −ηb     |
 * | 'tfjs'    | s₀ 0.1, ε 1e-7 inside    | decay 0.9, ε 1e-7 inside         | ε 1e-7       | b = βb + g, −ηb     |
 * | 'lecture' | s₀ 0, no ε               | σ⁰ = \|g⁰\|, decay 0.9, no ε     | ε 1e-8       | v = λv − ηₜg, θ + v |
 *
 * TF.js's ε is its backend's `epsilon()`: 1e-7 on float32 backends (cpu, wasm, webgl with
 * float32 textures), 1e-4 on float16 WebGL. Adam's ε is outside the root everywhere.
 *
 * @since 0.1.0
 */
import { ArgumentError } from '../tensor/errors.js'
import { type GradientTransformation, type LearningRate, chain } from './GradientTransformation.js'
import { type ScaleByLearningRateState, addDecayedWeights, scaleByLearningRate } from './parts.js'
import { type ScaleByAdamState, type ScaleByRmsState, type ScaleByRssState, type TraceState, scaleByAdam, scaleByRms, scaleByRss, trace } from './transforms.js'
import type { EmptyState } from './GradientTransformation.js'

// --- model

/** A framework whose optimizer trajectories a profile reproduces. @category model @since 0.1.0 */
export type Profile = 'pytorch' | 'optax' | 'tfjs' | 'lecture'

/** Options of `momentum`; defaults beta = 0.9, nesterov = false. @category model @since 0.1.0 */
export interface MomentumOptions {
  readonly beta?: number
  readonly nesterov?: boolean
  readonly profile?: Profile
}

/** Options of `adagrad`; defaults by profile (see the module table). @category model @since 0.1.0 */
export interface AdagradOptions {
  readonly eps?: number
  readonly initialAccumulator?: number
  readonly profile?: Profile
}

/** Options of `rmsprop`; defaults by profile (see the module table). @category model @since 0.1.0 */
export interface RmspropOptions {
  readonly decay?: number
  readonly eps?: number
  readonly profile?: Profile
}

/** Options of `adam`; defaults b1 = 0.9, b2 = 0.999, eps by profile (1e-8; 'tfjs' 1e-7). @category model @since 0.1.0 */
export interface AdamOptions {
  readonly b1?: number
  readonly b2?: number
  readonly eps?: number
  readonly profile?: Profile
}

/** Options of `adamw`; defaults b1 = 0.9, b2 = 0.999, eps = 1e-8, weightDecay = 0.01. @category model @since 0.1.0 */
export interface AdamwOptions {
  readonly b1?: number
  readonly b2?: number
  readonly eps?: number
  readonly weightDecay?: number
}

type Lr = ScaleByLearningRateState

/** The state of `momentum`: [trace, learning rate], or [learning rate, trace] for 'lecture'. @category model @since 0.1.0 */
export type MomentumState = readonly [TraceState, Lr] | readonly [Lr, TraceState]
/** The state of `adagrad`. @category model @since 0.1.0 */
export type AdagradState = readonly [ScaleByRssState, Lr]
/** The state of `rmsprop`. @category model @since 0.1.0 */
export type RmspropState = readonly [ScaleByRmsState, Lr]
/** The state of `adam`. @category model @since 0.1.0 */
export type AdamState = readonly [ScaleByAdamState, Lr]
/** The state of `adamw`: Adam's, the (empty) decay's and the learning rate's. @category model @since 0.1.0 */
export type AdamwState = readonly [ScaleByAdamState, EmptyState, Lr]

// --- constructors

/**
 * Plain gradient descent: θ ← θ − η·g (PyTorch `SGD`, Optax `sgd`, TF.js `sgd`). η = lr is a
 * number or a schedule. The same transform as `scaleByLearningRate(lr)`.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { applyUpdates, sgd } from 'purediff/optim'
 * const opt = sgd(0.1)
 * const p = { w: tensor([1, -1], 'float64') }
 * const [u] = opt.update({ w: tensor([0.5, -2], 'float64') }, opt.init(p), p)
 * if (toFlatArray(applyUpdates(p, u).w).join() !== '0.95,-0.8') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function sgd(lr: LearningRate): GradientTransformation<Lr> {
  return scaleByLearningRate(lr)
}

/**
 * SGD with momentum. By default (and with profiles 'pytorch', 'optax', 'tfjs', which agree):
 * b ← β·b + g, θ ← θ − ηₜ·b (Nesterov: θ ← θ − ηₜ·(g + β·b)), b₀ = 0: the buffer holds no
 * learning rate. Profile 'lecture': v ← λ·v − ηₜ·g, θ ← θ + v (λ = beta), i.e. the rate is
 * applied to each gradient as it arrives. The two agree exactly while η is constant; under a
 * schedule PyTorch rescales all past gradients by today's ηₜ, the lecture keeps each at the
 * ηₜ of its own step. Defaults beta = 0.9, nesterov = false.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { momentum } from 'purediff/optim'
 * const opt = momentum(0.1, { beta: 0.5 })
 * const g = [tensor([1], 'float64')]
 * const [, s] = opt.update(g, opt.init(g))
 * const [u2] = opt.update(g, s)
 * if (toFlatArray(u2[0])[0] !== -0.15000000000000002) throw new Error() // −0.1·(1 + 0.5·1)
 * @category constructors
 * @since 0.1.0
 */
export function momentum(lr: LearningRate, opts: MomentumOptions = {}): GradientTransformation<MomentumState> {
  const profile = checkProfile('momentum', opts.profile)
  const t = trace({ decay: opts.beta ?? 0.9, nesterov: opts.nesterov ?? false })
  return profile === 'lecture' ? chain(scaleByLearningRate(lr), t) : chain(t, scaleByLearningRate(lr))
}

/**
 * Adagrad: s ← s + g², θ ← θ − η·g/(√s + ε) (PyTorch `Adagrad`, lr_decay = 0). Defaults:
 * s₀ = 0, ε = eps = 1e-10. Profiles: 'optax' and 'tfjs' use s₀ = 0.1 and θ ← θ − η·g/√(s + ε)
 * with ε = 1e-7; 'lecture' has no ε, wᵗ⁺¹ = wᵗ − η/√(Σᵢ (gⁱ)²)·gᵗ (0 where no gradient yet), so its
 * first step is exactly η·sign(g). A finite g whose g² overflows the state's dtype freezes its
 * coordinate (s = +Infinity, updates 0 from then on): see `scaleByRss`; clip first.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { adagrad, applyUpdates } from 'purediff/optim'
 * const opt = adagrad(0.1, { profile: 'lecture' })
 * const p = [tensor([1, -1], 'float64')]
 * const [u] = opt.update([tensor([0.5, -2], 'float64')], opt.init(p), p)
 * if (toFlatArray(applyUpdates(p, u)[0]).join() !== '0.9,-0.9') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function adagrad(lr: LearningRate, opts: AdagradOptions = {}): GradientTransformation<AdagradState> {
  const profile = checkProfile('adagrad', opts.profile)
  const framework = profile === 'optax' || profile === 'tfjs'
  return chain(
    scaleByRss({
      initialAccumulator: opts.initialAccumulator ?? (framework ? 0.1 : 0),
      eps: opts.eps ?? (framework ? 1e-7 : profile === 'lecture' ? 0 : 1e-10),
      epsInSqrt: framework,
    }),
    scaleByLearningRate(lr),
  )
}

/**
 * RMSprop: ν ← decay·ν + (1 − decay)·g², θ ← θ − η·g/(√ν + ε), ν₀ = 0 (PyTorch `RMSprop`,
 * not centered, no momentum). Defaults decay = 0.9, ε = eps = 1e-8. Profiles: 'pytorch' takes
 * PyTorch's own default decay (alpha) 0.99; 'optax' puts ε inside, θ ← θ − η·g/√(ν + ε);
 * 'tfjs' too, with ε = 1e-7; 'lecture' is σᵗ = √(α(σᵗ⁻¹)² + (1 − α)(gᵗ)²) with σ⁰ = |g⁰| and
 * no ε, so its first step is exactly η·sign(g⁰) where PyTorch's is ≈ η/√(1 − α)·sign(g⁰).
 * The centered and momentum variants of PyTorch and TF.js are not offered (chain `trace` for
 * momentum on the scaled step). A finite g whose g² overflows the state's dtype freezes its
 * coordinate (ν = +Infinity, updates 0 from then on): see `scaleByRms`; clip first.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { applyUpdates, rmsprop } from 'purediff/optim'
 * const opt = rmsprop(0.1, { profile: 'lecture' })
 * const p = [tensor([1, -1], 'float64')]
 * const [u] = opt.update([tensor([0.5, -2], 'float64')], opt.init(p), p)
 * if (toFlatArray(applyUpdates(p, u)[0]).join() !== '0.9,-0.9') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function rmsprop(lr: LearningRate, opts: RmspropOptions = {}): GradientTransformation<RmspropState> {
  const profile = checkProfile('rmsprop', opts.profile)
  return chain(
    scaleByRms({
      decay: opts.decay ?? (profile === 'pytorch' ? 0.99 : 0.9),
      eps: opts.eps ?? (profile === 'tfjs' ? 1e-7 : profile === 'lecture' ? 0 : 1e-8),
      epsInSqrt: profile === 'optax' || profile === 'tfjs',
      seedWithFirstGradient: profile === 'lecture',
    }),
    scaleByLearningRate(lr),
  )
}

/**
 * Adam: m ← b1·m + (1 − b1)·g, v ← b2·v + (1 − b2)·g², m̂ = m/(1 − b1ᵗ), v̂ = v/(1 − b2ᵗ),
 * θ ← θ − η·m̂/(√v̂ + ε); m₀ = v₀ = 0 (PyTorch `Adam`, Optax `adam`, TF.js `adam`, the
 * lecture's). Defaults b1 = 0.9, b2 = 0.999, ε = eps = 1e-8; profile 'tfjs' takes ε = 1e-7.
 * The other profiles are the same formula (Optax's eps_root is 0 by default). A finite g whose
 * g² overflows the state's dtype freezes its coordinate (v = +Infinity, updates 0 from then
 * on; NaN at |g| = 1.797e308 in float64): see `scaleByAdam`; clip first.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { adam, applyUpdates } from 'purediff/optim'
 * const opt = adam(0.1)
 * const p = [tensor([1, -1], 'float64')]
 * const [u] = opt.update([tensor([0.5, -2], 'float64')], opt.init(p), p)
 * // the first step is η·g/(|g| + ε) ≈ η·sign(g)
 * if (toFlatArray(applyUpdates(p, u)[0]).some((x, i) => Math.abs(x - [0.9, -0.9][i]) > 1e-8)) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function adam(lr: LearningRate, opts: AdamOptions = {}): GradientTransformation<AdamState> {
  const profile = checkProfile('adam', opts.profile)
  return chain(scaleByAdam({ b1: opts.b1, b2: opts.b2, eps: opts.eps ?? (profile === 'tfjs' ? 1e-7 : 1e-8) }), scaleByLearningRate(lr))
}

/**
 * AdamW, Adam with decoupled weight decay (PyTorch `AdamW`): θ ← θ − ηλθ, then the Adam step
 * θ ← θ − η·m̂/(√v̂ + ε), both from the same θ, so θ ← θ − η·(m̂/(√v̂ + ε) + λθ). Built as
 * `chain(scaleByAdam, addDecayedWeights(λ), scaleByLearningRate(η))`, which is also Optax's
 * `adamw`. Defaults b1 = 0.9, b2 = 0.999, ε = 1e-8, weightDecay = λ = 0.01 (PyTorch's; Optax's
 * is 1e-4; TF.js has no AdamW). Needs `params`. Unlike L2 in the gradient, the decay does not
 * pass through Adam's scaling.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { adamw, applyUpdates } from 'purediff/optim'
 * const opt = adamw(0.1, { weightDecay: 0.5 })
 * const p = [tensor([2], 'float64')]
 * const [u] = opt.update([tensor([0], 'float64')], opt.init(p), p)
 * // a zero gradient: only the decay acts, θ ← (1 − 0.1·0.5)·2
 * if (toFlatArray(applyUpdates(p, u)[0])[0] !== 1.9) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function adamw(lr: LearningRate, opts: AdamwOptions = {}): GradientTransformation<AdamwState> {
  return chain(scaleByAdam({ b1: opts.b1, b2: opts.b2, eps: opts.eps }), addDecayedWeights(opts.weightDecay ?? 0.01), scaleByLearningRate(lr))
}

// --- helpers

function checkProfile(op: string, p: unknown): Profile | undefined {
  if (p === undefined || p === 'pytorch' || p === 'optax' || p === 'tfjs' || p === 'lecture') return p
  throw new ArgumentError(op, `profile must be 'pytorch', 'optax', 'tfjs' or 'lecture', got ${JSON.stringify(p)}`)
}

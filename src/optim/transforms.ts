/**
 * The stateful scaling parts of the optimizers, as in Optax: `scaleByAdam`, `scaleByRss`
 * (Adagrad), `scaleByRms` (RMSprop) and `trace` (momentum). None of them applies a learning
 * rate or a sign: chain them with `scaleByLearningRate`. Each runs one fused loop per leaf
 * (src/optim/kernels.ts) and keeps every accumulator in the params' dtype. Their state is a
 * named record of pytrees that mirror the params, plus float64 step counts.
 *
 * Overflow of g² (both kernel paths, which agree bit for bit; test/optim/overflow.test.ts pins
 * it): the kernels compute in float64 and store the accumulators (Σg², ν, v) in the params'
 * dtype. When a FINITE gradient makes an accumulator exceed the largest value of that dtype
 * (float64: |g| above about 1.3e154, where g² itself overflows; float32: once the stored sum
 * passes 3.4e38, e.g. one step with |g| above 1.8e19 for Adagrad, 5.8e19 for RMSprop with
 * decay 0.9, 5.8e20 for Adam with b2 = 0.999), the accumulator is stored as +Infinity and the
 * update is g/∞ = ±0, not NaN. Since decay·∞ = ∞, the accumulator never comes back: that
 * coordinate silently stops learning (its updates are 0 from then on). In float32 the step that
 * overflows still moves (its update is computed from the float64 value), the later ones are 0.
 * Adam at the very top of float64 (|g| = 1.7976931348623157e308) gives NaN instead: m̂
 * overflows as well and ∞/∞ = NaN. To avoid all of this, clip first:
 * `chain(clipByGlobalNorm(max), adam(lr))` (its norm itself cannot overflow).
 *
 * @since 0.1.0
 */
import type { Tensor } from '../tensor/Tensor.js'
import type { Tree } from '../tree/index.js'
import type { GradientTransformation } from './GradientTransformation.js'
import { allocLike, build, checkDecay, checkNumber, countTensor, field, flat, fullLike, leafFrom, leavesLike, read, readCount } from './leaves.js'
import * as k from './kernels.js'

// --- model

/** The state of `scaleByAdam`: the step count and the two moment estimates. @category model @since 0.1.0 */
export interface ScaleByAdamState {
  readonly count: Tensor
  readonly mu: Tree
  readonly nu: Tree
}

/** The state of `scaleByRss`: the running sum of squared gradients. @category model @since 0.1.0 */
export interface ScaleByRssState {
  readonly sumOfSquares: Tree
}

/** The state of `scaleByRms`: the step count and the moving average of squared gradients. @category model @since 0.1.0 */
export interface ScaleByRmsState {
  readonly count: Tensor
  readonly nu: Tree
}

/** The state of `trace`: the momentum buffer (no learning rate in it). @category model @since 0.1.0 */
export interface TraceState {
  readonly trace: Tree
}

/** Options of `scaleByAdam`; defaults b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0. @category model @since 0.1.0 */
export interface ScaleByAdamOptions {
  readonly b1?: number
  readonly b2?: number
  readonly eps?: number
  readonly epsRoot?: number
}

/** Options of `scaleByRss`; defaults (PyTorch's) initialAccumulator = 0, eps = 1e-10, epsInSqrt = false. @category model @since 0.1.0 */
export interface ScaleByRssOptions {
  readonly initialAccumulator?: number
  readonly eps?: number
  readonly epsInSqrt?: boolean
}

/**
 * Options of `scaleByRms`; defaults decay = 0.9, eps = 1e-8, epsInSqrt = false,
 * initialScale = 0, seedWithFirstGradient = false.
 *
 * @category model
 * @since 0.1.0
 */
export interface ScaleByRmsOptions {
  readonly decay?: number
  readonly eps?: number
  readonly epsInSqrt?: boolean
  readonly initialScale?: number
  /** The lecture's σ⁰ = |g⁰|: the first step sets ν = g² instead of averaging it with initialScale. */
  readonly seedWithFirstGradient?: boolean
}

/** Options of `trace`; defaults decay = 0.9, nesterov = false. @category model @since 0.1.0 */
export interface TraceOptions {
  readonly decay?: number
  readonly nesterov?: boolean
}

// --- constructors

/**
 * Adam's scaling, bias-corrected (Kingma & Ba; PyTorch `Adam` without its learning rate):
 * m ← b1·m + (1 − b1)·g, v ← b2·v + (1 − b2)·g², t ← t + 1,
 * u = m̂ / (√(v̂ + epsRoot) + ε) with m̂ = m/(1 − b1ᵗ), v̂ = v/(1 − b2ᵗ); m₀ = v₀ = 0.
 * Defaults b1 = 0.9, b2 = 0.999, ε = eps = 1e-8 (outside the root), epsRoot = 0.
 * PyTorch, Optax and TF.js all use this formula; TF.js's ε defaults to 1e-7 (its backend's
 * float32 epsilon). One fused pass per leaf. Overflow: a finite g with v̂ beyond the dtype's
 * range (float64 |g| ≳ 1.3e154; float32 state v > 3.4e38) gives a 0 update, and once v is
 * stored as +Infinity every later update of that coordinate is 0; |g| = 1.797e308 in float64
 * gives NaN (see the module header). Chain `clipByGlobalNorm` first to prevent it.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { scaleByAdam } from 'purediff/optim'
 * const t = scaleByAdam()
 * const [u, s] = t.update([tensor([0.5, -2], 'float64')], t.init([tensor([1, -1], 'float64')]))
 * // the first bias-corrected step is g/(|g| + ε) ≈ sign(g)
 * if (toFlatArray(u[0]).some((x, i) => Math.abs(x - [1, -1][i]) > 1e-7) || toFlatArray(s.count)[0] !== 1) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function scaleByAdam(opts: ScaleByAdamOptions = {}): GradientTransformation<ScaleByAdamState> {
  const op = 'scaleByAdam'
  const b1 = checkDecay(op, 'b1', opts.b1 ?? 0.9)
  const b2 = checkDecay(op, 'b2', opts.b2 ?? 0.999)
  const eps = checkNumber(op, 'eps', opts.eps ?? 1e-8, 0)
  const epsRoot = checkNumber(op, 'epsRoot', opts.epsRoot ?? 0, 0)
  // `factor` is the learning rate fused in by `chain` (see fusion.ts), null when run alone
  const step = <U>(updates: U, state: ScaleByAdamState, factor: number | null): [U, ScaleByAdamState] => {
    const g = flat(op, 'updates', updates)
    const mu = leavesLike(op, 'state.mu', field(op, state, 'mu'), g)
    const nu = leavesLike(op, 'state.nu', field(op, state, 'nu'), g)
    const t = readCount(op, 'state.count', field(op, state, 'count')) + 1
    const c1 = 1 - b1 ** t,
      c2 = 1 - b2 ** t
    const muOut: Tensor[] = [],
      nuOut: Tensor[] = [],
      uOut: Tensor[] = []
    g.leaves.forEach((gl, i) => {
      const m = allocLike(mu[i]),
        v = allocLike(nu[i]),
        u = allocLike(gl)
      k.adam(read(gl), read(mu[i]), read(nu[i]), m, v, u, b1, b2, c1, c2, eps, epsRoot, factor ?? 1)
      muOut.push(leafFrom(mu[i], m))
      nuOut.push(leafFrom(nu[i], v))
      uOut.push(leafFrom(gl, u))
    })
    return [build(g, uOut), { count: countTensor(t), mu: build(g, muOut), nu: build(g, nuOut) }]
  }
  return {
    init: (params) => ({ count: countTensor(0), mu: fullLike(op, params, 0), nu: fullLike(op, params, 0) }),
    update: (updates, state) => step(updates, state, null),
    // `chain` fuses a following learning rate into this pass (see TransformFusion)
    fusion: { kind: 'scaling', scaledUpdate: (updates, state, _params, factor) => step(updates, state, factor) },
  }
}

/**
 * Adagrad's scaling by the root of the sum of squares: s ← s + g², u = g / (√s + ε) with ε
 * outside the root (PyTorch `Adagrad`), or u = g / √(s + ε) with `epsInSqrt` (Optax
 * `scale_by_rss`, TF.js `AdagradOptimizer`). Defaults are PyTorch's: s₀ = initialAccumulator
 * = 0, ε = eps = 1e-10; Optax and TF.js start at 0.1 with ε = 1e-7 inside. Where the
 * denominator is exactly 0 (ε = 0 and no gradient yet) the update is 0. Overflow: when s
 * passes the dtype's largest value (float64 |g| ≳ 1.3e154; float32 s > 3.4e38) it is stored
 * as +Infinity and every update of that coordinate is 0 from then on (never NaN; see the
 * module header). Chain `clipByGlobalNorm` first to prevent it.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { scaleByRss } from 'purediff/optim'
 * const t = scaleByRss({ eps: 0 })
 * const [u1, s1] = t.update([tensor([3, 0], 'float64')], t.init([tensor([0, 0], 'float64')]))
 * const [u2] = t.update([tensor([4, 0], 'float64')], s1)
 * // 3/√9 = 1, then 4/√(9 + 16) = 0.8; a coordinate that never had a gradient stays 0
 * if (toFlatArray(u1[0]).join() !== '1,0' || toFlatArray(u2[0]).join() !== '0.8,0') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function scaleByRss(opts: ScaleByRssOptions = {}): GradientTransformation<ScaleByRssState> {
  const op = 'scaleByRss'
  const init = checkNumber(op, 'initialAccumulator', opts.initialAccumulator ?? 0, 0)
  const eps = checkNumber(op, 'eps', opts.eps ?? 1e-10, 0)
  const inSqrt = opts.epsInSqrt ?? false
  const step = <U>(updates: U, state: ScaleByRssState, factor: number | null): [U, ScaleByRssState] => {
    const g = flat(op, 'updates', updates)
    const s = leavesLike(op, 'state.sumOfSquares', field(op, state, 'sumOfSquares'), g)
    const sOut: Tensor[] = [],
      uOut: Tensor[] = []
    g.leaves.forEach((gl, i) => {
      const so = allocLike(s[i]),
        u = allocLike(gl)
      k.rss(read(gl), read(s[i]), so, u, eps, inSqrt, factor ?? 1)
      sOut.push(leafFrom(s[i], so))
      uOut.push(leafFrom(gl, u))
    })
    return [build(g, uOut), { sumOfSquares: build(g, sOut) }]
  }
  return {
    init: (params) => ({ sumOfSquares: fullLike(op, params, init) }),
    update: (updates, state) => step(updates, state, null),
    // `chain` fuses a following learning rate into this pass (see TransformFusion)
    fusion: { kind: 'scaling', scaledUpdate: (updates, state, _params, factor) => step(updates, state, factor) },
  }
}

/**
 * RMSprop's scaling: ν ← decay·ν + (1 − decay)·g², u = g / (√ν + ε) (ε outside, PyTorch
 * `RMSprop`), or u = g / √(ν + ε) with `epsInSqrt` (Optax `scale_by_rms`, TF.js
 * `RMSPropOptimizer`). ν₀ = initialScale = 0. With `seedWithFirstGradient` the first step sets
 * ν = g² (the lecture's σ⁰ = |g⁰|, so with ε = 0 its first update is exactly sign(g)).
 * Defaults decay = 0.9, ε = eps = 1e-8 (PyTorch's own alpha default is 0.99). Where the
 * denominator is exactly 0 the update is 0. Overflow: when ν passes the dtype's largest value
 * (float64 |g| ≳ 4e154 at decay 0.9; float32 ν > 3.4e38) it is stored as +Infinity and every
 * update of that coordinate is 0 from then on (never NaN; see the module header). Chain
 * `clipByGlobalNorm` first to prevent it.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { scaleByRms } from 'purediff/optim'
 * const t = scaleByRms({ eps: 0, seedWithFirstGradient: true })
 * const [u] = t.update([tensor([0.5, -2], 'float64')], t.init([tensor([1, -1], 'float64')]))
 * if (toFlatArray(u[0]).join() !== '1,-1') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function scaleByRms(opts: ScaleByRmsOptions = {}): GradientTransformation<ScaleByRmsState> {
  const op = 'scaleByRms'
  const decay = checkDecay(op, 'decay', opts.decay ?? 0.9)
  const eps = checkNumber(op, 'eps', opts.eps ?? 1e-8, 0)
  const initialScale = checkNumber(op, 'initialScale', opts.initialScale ?? 0, 0)
  const inSqrt = opts.epsInSqrt ?? false
  const seed = opts.seedWithFirstGradient ?? false
  const step = <U>(updates: U, state: ScaleByRmsState, factor: number | null): [U, ScaleByRmsState] => {
    const g = flat(op, 'updates', updates)
    const nu = leavesLike(op, 'state.nu', field(op, state, 'nu'), g)
    const count = readCount(op, 'state.count', field(op, state, 'count'))
    const first = seed && count === 0
    const nuOut: Tensor[] = [],
      uOut: Tensor[] = []
    g.leaves.forEach((gl, i) => {
      const v = allocLike(nu[i]),
        u = allocLike(gl)
      k.rms(read(gl), read(nu[i]), v, u, decay, eps, inSqrt, first, factor ?? 1)
      nuOut.push(leafFrom(nu[i], v))
      uOut.push(leafFrom(gl, u))
    })
    return [build(g, uOut), { count: countTensor(count + 1), nu: build(g, nuOut) }]
  }
  return {
    init: (params) => ({ count: countTensor(0), nu: fullLike(op, params, initialScale) }),
    update: (updates, state) => step(updates, state, null),
    // `chain` fuses a following learning rate into this pass (see TransformFusion)
    fusion: { kind: 'scaling', scaledUpdate: (updates, state, _params, factor) => step(updates, state, factor) },
  }
}

/**
 * Momentum's trace (PyTorch `SGD(momentum=μ)`, Optax `trace`, TF.js `MomentumOptimizer`):
 * b ← decay·b + g, u = b, or u = g + decay·b with `nesterov`; b₀ = 0. The buffer holds no
 * learning rate, so under a schedule ηₜ scales the whole buffer (chain it BEFORE
 * `scaleByLearningRate`); the lecture's v ← λv − ηₜg is this trace AFTER the scaling.
 * Defaults decay = 0.9, nesterov = false.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { trace } from 'purediff/optim'
 * const t = trace({ decay: 0.5 })
 * const [, s1] = t.update([tensor([2], 'float64')], t.init([tensor([0], 'float64')]))
 * const [u2] = t.update([tensor([1], 'float64')], s1)
 * if (toFlatArray(u2[0])[0] !== 2) throw new Error() // 1 + 0.5·2
 * @category constructors
 * @since 0.1.0
 */
export function trace(opts: TraceOptions = {}): GradientTransformation<TraceState> {
  const op = 'trace'
  const decay = checkDecay(op, 'decay', opts.decay ?? 0.9)
  const nesterov = opts.nesterov ?? false
  const step = <U>(updates: U, state: TraceState, factor: number | null): [U, TraceState] => {
    const g = flat(op, 'updates', updates)
    const tr = leavesLike(op, 'state.trace', field(op, state, 'trace'), g)
    const tOut: Tensor[] = [],
      uOut: Tensor[] = []
    g.leaves.forEach((gl, i) => {
      const to = allocLike(tr[i])
      // without Nesterov the update IS the new buffer: share it (tensors are immutable)
      const u = nesterov || factor !== null || gl.dtype !== tr[i].dtype ? allocLike(gl) : to
      k.trace(read(gl), read(tr[i]), to, u, decay, nesterov, factor ?? 1)
      const t = leafFrom(tr[i], to)
      tOut.push(t)
      uOut.push(u === to ? t : leafFrom(gl, u))
    })
    return [build(g, uOut), { trace: build(g, tOut) }]
  }
  return {
    init: (params) => ({ trace: fullLike(op, params, 0) }),
    update: (updates, state) => step(updates, state, null),
    // `chain` fuses a following learning rate into this pass (see TransformFusion)
    fusion: { kind: 'scaling', scaledUpdate: (updates, state, _params, factor) => step(updates, state, factor) },
  }
}

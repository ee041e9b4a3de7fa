/**
 * Framework profiles: the "same" optimizer differs between PyTorch, Optax, TF.js and the
 * lecture (where ε goes, where the accumulator starts, the default decay). A profile picks
 * one, and reproduces its trajectory exactly: here against the documented formulas written
 * out in plain numbers.
 */
import { curvesSpec } from '../plot.js'

// #region first-step
import assert from 'node:assert/strict'
import { tensor, toFlatArray } from 'purediff'
import { type GradientTransformation, type Profile, adagrad, applyUpdates, momentum, rmsprop } from 'purediff/optim'

/** The first update of `opt` for params p and gradient g (float64). */
const firstUpdate = (opt: GradientTransformation<unknown>, g: number[]): number[] => {
  const p = tensor([1, -1], 'float64')
  const [u] = opt.update(tensor(g, 'float64'), opt.init(p), p)
  return toFlatArray(u)
}
const close = (x: number[], y: number[], tol: number) => x.every((v, i) => Math.abs(v - y[i]) <= tol * Math.max(1, Math.abs(y[i])))

const eta = 0.01
const g = [0.5, -2]
const sign = g.map(Math.sign)

// The lecture's RMSprop starts its average at σ⁰ = |g⁰| and has no ε:
//   w¹ = w⁰ − η·g⁰/σ⁰ = w⁰ − η·sign(g⁰)                          → a step of exactly η
const lecture = firstUpdate(rmsprop(eta, { profile: 'lecture' }), g)
assert.deepEqual(
  lecture,
  sign.map((s) => -eta * s),
)

// PyTorch's starts at ν = 0, so after one step ν = (1 − α)·g², and
//   w¹ = w⁰ − η·g/(√((1 − α)·g²) + ε) ≈ w⁰ − η/√(1 − α)·sign(g)
// With purediff's default α = 0.9 that is η/√0.1 ≈ 3.16·η; with PyTorch's own default α = 0.99
// (profile 'pytorch') it is η/√0.01 = 10·η.
const plain = firstUpdate(rmsprop(eta), g)
const pytorch = firstUpdate(rmsprop(eta, { profile: 'pytorch' }), g)
assert.ok(
  close(
    plain,
    sign.map((s) => (-eta * s) / Math.sqrt(0.1)),
    1e-7,
  ),
)
assert.ok(
  close(
    pytorch,
    sign.map((s) => (-eta * s) / Math.sqrt(0.01)),
    1e-7,
  ),
)

// Adagrad: PyTorch's s₀ = 0 with ε outside the root gives η·sign(g); Optax and TF.js start at
// s₀ = 0.1 with ε = 1e-7 inside: η·g/√(0.1 + g² + 1e-7), a smaller step for small gradients.
const adagradTorch = firstUpdate(adagrad(eta, { profile: 'pytorch' }), g)
const adagradOptax = firstUpdate(adagrad(eta, { profile: 'optax' }), g)
assert.ok(
  close(
    adagradTorch,
    sign.map((s) => -eta * s),
    1e-9,
  ),
)
assert.ok(
  close(
    adagradOptax,
    g.map((v) => (-eta * v) / Math.sqrt(0.1 + v * v + 1e-7)),
    1e-12,
  ),
)
// for g = 0.5: 0.5/√0.35 ≈ 0.845, so Optax's first step is 15% shorter than PyTorch's
// #endregion first-step

// #region trajectory
// Whole trajectories: 100 steps on L(w) = ½·Σ cᵢ·wᵢ², against the formulas written out by hand.
const c = [0.3, 5]
const gradAt = (w: number[]) => w.map((v, i) => c[i] * v)
const w0 = [2, -1]

const runPurediff = (opt: GradientTransformation<unknown>, steps: number): number[][] => {
  let w = tensor(w0, 'float64')
  let s = opt.init(w)
  const path = [w0]
  for (let t = 0; t < steps; t++) {
    const [u, next] = opt.update(tensor(gradAt(toFlatArray(w)), 'float64'), s, w)
    w = applyUpdates(w, u)
    s = next
    path.push(toFlatArray(w))
  }
  return path
}

/** RMSprop by the book, in plain numbers: PyTorch's docs, or the lecture's slide. */
const rmspropByHand = (form: 'pytorch' | 'lecture', lr: number, alpha: number, eps: number, steps: number): number[][] => {
  let w = w0.slice()
  let v = [0, 0]
  const path = [w0]
  for (let t = 0; t < steps; t++) {
    const gt = gradAt(w)
    // PyTorch: v ← αv + (1 − α)g², w ← w − η·g/(√v + ε)
    // lecture: σ⁰ = |g⁰|, then σᵗ = √(α(σᵗ⁻¹)² + (1 − α)(gᵗ)²), w ← w − η·g/σ (no ε)
    v = form === 'lecture' && t === 0 ? gt.map((x) => x * x) : v.map((vi, i) => alpha * vi + (1 - alpha) * gt[i] * gt[i])
    w = w.map((wi, i) => wi - (lr * gt[i]) / (Math.sqrt(v[i]) + eps))
    path.push(w)
  }
  return path
}

const steps = 100
const traj: Record<string, number[][]> = {}
for (const [profile, alpha, eps, form] of [
  ['pytorch', 0.99, 1e-8, 'pytorch'], // torch.optim.RMSprop defaults: alpha 0.99, eps 1e-8
  ['lecture', 0.9, 0, 'lecture'],
] as const) {
  const ours = runPurediff(rmsprop(0.05, { profile: profile as Profile }), steps)
  const book = rmspropByHand(form, 0.05, alpha, eps, steps)
  ours.forEach((w, t) => {
    assert.ok(close(w, book[t], 1e-12), `${profile} step ${t}`)
  })
  traj[`'${profile}' (α ${alpha})`] = ours
}
traj['default (α 0.9)'] = runPurediff(rmsprop(0.05), steps)
// #endregion trajectory

// #region momentum
// Momentum: PyTorch keeps b ← βb + g and steps −ηₜ·b; the lecture keeps v ← λv − ηₜ·g and steps
// +v. Equal while η is constant; under a schedule they differ from the second step on.
const schedule = (t: number) => (t === 0 ? 1 : 0.5) // η₀ = 1, then 0.5
const two = (profile?: Profile): number[] => {
  const opt = momentum(schedule, { beta: 0.9, profile })
  const p = tensor([0], 'float64')
  const [, s1] = opt.update(tensor([1], 'float64'), opt.init(p), p) // g₀ = 1
  const [u2] = opt.update(tensor([1], 'float64'), s1, p) // g₁ = 1
  return toFlatArray(u2)
}
// PyTorch: b₁ = 0.9·1 + 1 = 1.9, second update −η₁·b₁ = −0.5·1.9 = −0.95 (the old gradient
// is rescaled by today's η). Lecture: v₁ = 0.9·(−1·1) − 0.5·1 = −1.4 (each gradient keeps the
// η of its own step).
assert.ok(Math.abs(two('pytorch')[0] + 0.95) < 1e-15)
assert.ok(Math.abs(two('lecture')[0] + 1.4) < 1e-15)
// #endregion momentum

export const plot = curvesSpec(
  'Three RMSprops, η = 0.05, on ½(0.3·w₁² + 5·w₂²): the steep w₂',
  'step',
  'w₂',
  Object.entries(traj).flatMap(([series, path]) => path.slice(0, 41).map((w, t) => ({ series, x: t, y: w[1] }))),
)

/**
 * SGD, Momentum, Adagrad, RMSprop and Adam on an ill-conditioned 2-D quadratic: one direction
 * 40× steeper than the other. Their paths, and why a single learning rate cannot suit both.
 */
import { type PathPoint, curvesSpec, pathSpec, surface } from '../plot.js'

// #region surface
import assert from 'node:assert/strict'
import { type Tensor, grad, item, mul, square, sum, tensor, toFlatArray } from 'purediff'
import { type GradientTransformation, adagrad, adam, applyUpdates, exponentialDecay, momentum, rmsprop, sgd } from 'purediff/optim'

// L(w₁, w₂) = ½(a·w₁² + b·w₂²) with a = 0.1 (shallow) and b = 4 (steep); ∇L = (a·w₁, b·w₂).
const a = 0.1,
  b = 4
const L = (w: Tensor): Tensor => mul(sum(mul(tensor([a, b], 'float64'), square(w))), 0.5)
const gradient = grad(L)
const loss = (w1: number, w2: number) => item(L(tensor([w1, w2], 'float64')))
const start = [-4, 1]

/** `steps` updates of `opt` from `start`; returns every point visited. */
const descend = (opt: GradientTransformation<unknown>, steps: number): number[][] => {
  let w = tensor(start, 'float64')
  let state = opt.init(w)
  const path = [start]
  for (let t = 0; t < steps; t++) {
    const [updates, next] = opt.update(gradient(w), state, w)
    w = applyUpdates(w, updates)
    state = next
    path.push(toFlatArray(w))
  }
  return path
}

const optimizers: Record<string, GradientTransformation<unknown>> = {
  'sgd(0.45)': sgd(0.45),
  'momentum(0.2)': momentum(0.2, { beta: 0.8 }),
  'adagrad(1)': adagrad(1),
  'rmsprop(0.1)': rmsprop(0.1),
  'adam(0.3)': adam(0.3),
}
const T = 60
const paths = Object.fromEntries(Object.entries(optimizers).map(([name, opt]) => [name, descend(opt, T)]))
const final = (name: string) => loss(paths[name][T][0], paths[name][T][1])
// #endregion surface

// #region sgd
// Plain SGD on a quadratic has a closed form: each coordinate shrinks by (1 − ηλ) per step,
// wᵢ(t) = (1 − ηλᵢ)ᵗ·wᵢ(0).
paths['sgd(0.45)'].forEach(([w1, w2], t) => {
  assert.ok(Math.abs(w1 - (1 - 0.45 * a) ** t * start[0]) < 1e-12)
  assert.ok(Math.abs(w2 - (1 - 0.45 * b) ** t * start[1]) < 1e-12)
})
// The steep direction caps η: for η ≥ 2/b = 0.5, |1 − ηb| ≥ 1 and w₂ never settles. Below it,
// the shallow direction crawls: |w₁(60)| ≥ (1 − 0.5·a)⁶⁰·4 ≈ 0.184, so NO constant rate brings
// SGD below L = ½·a·0.184² ≈ 1.69e-3 in 60 steps. Check it over a sweep of rates:
const sgdFloor = 0.5 * a * ((1 - 0.5 * a) ** T * 4) ** 2
for (let eta = 0.01; eta < 0.7; eta += 0.01) {
  const [w1, w2] = descend(sgd(eta), T)[T]
  assert.ok(loss(w1, w2) >= sgdFloor * (1 - 1e-9), `sgd(${eta})`)
}
// #endregion sgd

// #region adaptive
// Adagrad, RMSprop and Adam divide each coordinate's step by its own gradient scale, so the
// shallow w₁ gets a large effective rate and the steep w₂ a small one. Their first step shows
// it: the gradient at the start is (−0.4, 4), yet both coordinates move by the same η.
const firstStep = (name: string, eta: number) => {
  const [p0, p1] = paths[name]
  return [p1[0] - p0[0], p1[1] - p0[1]].map((d) => d / eta)
}
// Adagrad: η·g/√(g²) = η·sign(g) (up to ε = 1e-10); Adam: m̂/√v̂ = g/|g| (up to ε = 1e-8)
for (const [name, eta] of [
  ['adagrad(1)', 1],
  ['adam(0.3)', 0.3],
] as const) {
  const [d1, d2] = firstStep(name, eta)
  assert.ok(Math.abs(d1 - 1) < 1e-7 && Math.abs(d2 + 1) < 1e-7, name)
}
// So they cross the shallow direction far sooner. Any stable SGD needs
// 4·(1 − 0.5·a)ᵗ < 0.5, i.e. t > ln 8 / −ln 0.95 ≈ 40.5 steps, to bring |w₁| below 0.5:
const sgdSteps = Math.ceil(Math.log(8) / -Math.log(1 - 0.5 * a))
const firstBelow = (name: string) => paths[name].findIndex(([w1]) => Math.abs(w1) < 0.5)
for (const name of ['momentum(0.2)', 'adagrad(1)', 'rmsprop(0.1)', 'adam(0.3)']) {
  assert.ok(firstBelow(name) >= 1 && firstBelow(name) < sgdSteps, name)
}
// Momentum, Adagrad and RMSprop end below SGD's floor (Adam, whose momentum overshoots, is
// still swinging around the minimum at step 60: the loop in the picture).
for (const name of ['momentum(0.2)', 'adagrad(1)', 'rmsprop(0.1)']) assert.ok(final(name) < sgdFloor, name)
// #endregion adaptive

// #region schedule
// Near the minimum RMSprop's average forgets the large early gradients, so its steps stay about
// η long and it hovers around the minimum; a decaying rate lets it settle.
const worstOfLast100 = (opt: GradientTransformation<unknown>) =>
  Math.max(
    ...descend(opt, 300)
      .slice(200)
      .map(([w1, w2]) => loss(w1, w2)),
  )
assert.ok(worstOfLast100(rmsprop(0.1)) > 1e-4)
assert.ok(worstOfLast100(rmsprop(exponentialDecay({ initValue: 0.1, transitionSteps: 10, decayRate: 0.8 }))) < 1e-5)
// #endregion schedule

const points: PathPoint[] = Object.entries(paths).flatMap(([series, path]) => path.map(([x, y], step) => ({ series, step, x, y })))
const spec = pathSpec(`${T} steps on L = ½(0.1·w₁² + 4·w₂²) from (−4, 1)`, surface(loss, [-4.5, 1.5], [-1.5, 1.5], 80), points, { logZ: true, width: 520, height: 300 }) as {
  layer: { mark: object; encoding: { color: object } }[]
}
// a lighter background, and cells stroked in their own colour (no seams between them)
const heat = spec.layer[0]
const color = { ...heat.encoding.color, scale: { range: ['#f7f7f7', '#969696'] } }
const pathsPlot = { ...spec, layer: [{ ...heat, mark: { type: 'rect', strokeWidth: 0.5 }, encoding: { ...heat.encoding, color, stroke: color } }, ...spec.layer.slice(1)] }

const lossPlot = curvesSpec(
  'The loss per step (log scale)',
  'step',
  'L(w)',
  [
    ...Object.entries(paths).flatMap(([series, path]) => path.map(([x, y], step) => ({ series, x: step, y: loss(x, y) }))),
    { series: 'SGD floor at step 60, any η', x: 0, y: sgdFloor },
    { series: 'SGD floor at step 60, any η', x: T, y: sgdFloor },
  ],
  { logY: true, yDomain: [1e-12, 10] },
)

export const plots = { paths: pathsPlot, loss: lossPlot }

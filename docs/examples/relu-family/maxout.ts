/**
 * Maxout, the learnable activation: ReLU as its special case, the gradient reaching only the
 * winning piece, and one Maxout unit learning a convex piecewise-linear function.
 */
import { curvesSpec } from '../plot.js'

// #region relu
import assert from 'node:assert/strict'
import { type Tensor, grad, relu, sum, tensor, toFlatArray, valueAndGrad } from 'purediff'
import { losses, maxout } from 'purediff/nn'
import { adam, applyUpdates } from 'purediff/optim'

const xs = Array.from({ length: 121 }, (_, i) => (i - 60) / 20) // [−3, 3]
const x = tensor(
  xs.map((v) => [v]),
  'float64',
) // a batch of 121 one-feature inputs

// ReLU is Maxout with two pieces, the second fixed at 0·x + 0: max(w·x + b, 0) = relu(w·x + b).
const unit = maxout({ units: 1, pieces: 2, dtype: 'float64' })
const asRelu = { w: tensor([[1.5, 0]], 'float64'), b: tensor([-0.5, 0], 'float64') }
const reluOf = toFlatArray(
  relu(
    tensor(
      xs.map((v) => 1.5 * v - 0.5),
      'float64',
    ),
  ),
)
assert.deepEqual(toFlatArray(unit.apply(asRelu, x)), reluOf)
// #endregion relu

// #region winner
// For one input only the winning piece matters: the gradient reaches its weights alone.
const three = maxout({ units: 1, pieces: 3, dtype: 'float64' })
const p3 = { w: tensor([[-1, 0.5, 2]], 'float64'), b: tensor([-1, 0, -3], 'float64') }
const g = grad((p: typeof p3) => sum(three.apply(p, tensor([[1]], 'float64'))))(p3)
// at x = 1 the pieces are −2, 0.5, −1: piece 1 wins, so ∂a/∂w = [0, x, 0] and ∂a/∂b = [0, 1, 0]
assert.deepEqual(toFlatArray(g.w), [0, 1, 0])
assert.deepEqual(toFlatArray(g.b), [0, 1, 0])
// #endregion winner

// #region fit
// The target: a convex piecewise-linear function, the max of three lines
// f(x) = max(−x − 1, 0.5x, 2x − 3), with kinks at x = −2/3 and x = 2.
const lines = [
  [-1, -1],
  [0.5, 0],
  [2, -3],
] as const // [slope, intercept]
const target = (v: number) => Math.max(...lines.map(([a, c]) => a * v + c))
const y = tensor(
  xs.map((v) => [target(v)]),
  'float64',
)

// A piece that wins for no input gets no gradient and never learns (like a dead ReLU unit).
// Pieces −x, 0, x: the middle one never beats max(−x, x) = |x| (at x = 0 the tie goes to the
// first piece), so its gradient over the whole batch is exactly zero.
const loss = (p: typeof p3): Tensor => losses.mse(three.apply(p, x), y)
const dead = { w: tensor([[-1, 0, 1]], 'float64'), b: tensor([0, 0, 0], 'float64') }
const gDead = grad(loss)(dead)
assert.equal(toFlatArray(gDead.w)[1], 0)
assert.equal(toFlatArray(gDead.b)[1], 0)

// So start from pieces that each win somewhere: lifting the middle one by 0.5 makes it win on
// (−0.5, 0.5). Then train with Adam on the mean squared error.
let params = { w: tensor([[-1, 0, 1]], 'float64'), b: tensor([0, 0.5, 0], 'float64') }
const opt = adam(0.1)
let state = opt.init(params)
const snapshots: Record<string, number[]> = {}
for (let step = 0; step <= 1000; step++) {
  if ([0, 30, 100, 1000].includes(step)) snapshots[`after ${step} steps`] = toFlatArray(three.apply(params, x))
  if (step === 1000) break
  const [, gs] = valueAndGrad(loss)(params)
  const [u, s] = opt.update(gs, state, params)
  params = applyUpdates(params, u)
  state = s
}
// #endregion fit

// #region check
// The fit is exact to well below 1e-3 everywhere on [−3, 3]...
const learned = toFlatArray(three.apply(params, x))
assert.ok(learned.every((v, i) => Math.abs(v - target(xs[i])) < 1e-3))
// ...because the three pieces have become the three target lines.
const w = toFlatArray(params.w),
  b = toFlatArray(params.b)
lines.forEach(([a, c], i) => {
  assert.ok(Math.abs(w[i] - a) < 1e-3 && Math.abs(b[i] - c) < 1e-3, `piece ${i}: ${w[i]}·x + ${b[i]}`)
})
// #endregion check

const spec = curvesSpec(
  'One Maxout unit (3 pieces) learning max(−x − 1, 0.5x, 2x − 3)',
  'x',
  'y',
  [...xs.map((v) => ({ series: 'target', x: v, y: target(v) })), ...Object.entries(snapshots).flatMap(([series, ys]) => ys.map((v, i) => ({ series, x: xs[i], y: v })))],
  { yDomain: [-1, 4] },
) as { encoding: Record<string, object> }
// list the series in training order, not alphabetically
const order = { sort: ['target', ...Object.keys(snapshots)] }
export const plot = { ...spec, encoding: { ...spec.encoding, color: { ...spec.encoding.color, ...order }, strokeDash: { ...spec.encoding.strokeDash, ...order } } }

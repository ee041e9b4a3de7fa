// Nested transforms: grad of grad is exact, and no perturbation confusion.
import assert from 'node:assert/strict'
import { type Tensor, add, grad, item, mul, scalar, tanh } from 'purediff'
import { type Point, curvesSpec } from '../plot.js'

// #region derivatives
// The derivatives of tanh, by hand (t = tanh x):
//   tanh′ = 1 − t²,  tanh″ = −2t(1 − t²),  tanh‴ = (1 − t²)(6t² − 2).
const f = (x: Tensor) => tanh(x)
const d1 = grad(f)
const d2 = grad(d1)
const d3 = grad(d2)
for (const x of [-2, -0.5, 0, 0.3, 1.7]) {
  const t = Math.tanh(x)
  const at = (f: (x: Tensor) => Tensor) => item(f(scalar(x, 'float64')))
  assert.ok(Math.abs(at(d1) - (1 - t * t)) < 1e-14)
  assert.ok(Math.abs(at(d2) - -2 * t * (1 - t * t)) < 1e-14)
  assert.ok(Math.abs(at(d3) - (1 - t * t) * (6 * t * t - 2)) < 1e-13)
}
// #endregion derivatives

// #region confusion
// Perturbation confusion (Siskind & Pearlmutter 2005): d/dx [ x · (d/dy (x + y)) ] at any point.
// The inner derivative d/dy (x + y) is 1, so the whole thing is d/dx x = 1. An implementation
// that mixes up the inner and the outer perturbation answers 2. Each purediff transform has its
// own trace, so the inner grad treats the closed-over x as a constant.
const outer = (x: Tensor) => mul(x, grad((y: Tensor) => add(x, y))(scalar(1, 'float64')))
assert.equal(item(grad(outer)(scalar(3, 'float64'))), 1)
// #endregion confusion

const xs = Array.from({ length: 161 }, (_, i) => -4 + i / 20)
const curve = (series: string, f: (x: Tensor) => Tensor): Point[] => xs.map((x) => ({ series, x, y: item(f(scalar(x, 'float64'))) }))
export const plot = curvesSpec('tanh and its derivatives, by nested grad', 'x', 'y', [
  ...curve('tanh', f),
  ...curve('grad(tanh)', d1),
  ...curve('grad(grad(tanh))', d2),
  ...curve('grad(grad(grad(tanh)))', d3),
])

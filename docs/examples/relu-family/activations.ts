/**
 * The ReLU family and their derivatives. The derivatives are not drawn by hand: `grad`
 * computes them, and the checks compare them with the closed forms.
 */
import { curvesSpec } from '../plot.js'

// #region derivatives
import assert from 'node:assert/strict'
import { type Tensor, elu, grad, leakyRelu, prelu, relu, sigmoid, sum, tensor, toFlatArray } from 'purediff'

// z on [−3, 3] in steps of 0.02 (z = 0 included: index 150)
const zs = Array.from({ length: 301 }, (_, i) => (i - 150) / 50)
const z = tensor(zs, 'float64')

// Each activation acts elementwise, so the gradient of Σ f(zᵢ) is the vector of f′(zᵢ).
const derivative = (f: (z: Tensor) => Tensor): number[] => toFlatArray(grad((t: Tensor) => sum(f(t)))(z))

const activations: Record<string, (z: Tensor) => Tensor> = {
  ReLU: relu,
  'Leaky ReLU, α=0.1': (t) => leakyRelu(t, 0.1), // the lecture's α is 0.01; 0.1 shows the slope
  'PReLU, α=0.25': (t) => prelu(t, 0.25), // PReLU's α starts at 0.25 and is trained
  'ELU, α=1': (t) => elu(t, 1),
  sigmoid: sigmoid,
}
const values = Object.fromEntries(Object.entries(activations).map(([name, f]) => [name, toFlatArray(f(z))]))
const slopes = Object.fromEntries(Object.entries(activations).map(([name, f]) => [name, derivative(f)]))
// #endregion derivatives

// #region checks
// The closed forms (at z = 0 the library's conventions: ReLU′(0) = 0, the leaky slopes' α,
// ELU′(0) = α, as documented on each op):
const closed: Record<string, (z: number) => number> = {
  ReLU: (v) => (v > 0 ? 1 : 0),
  'Leaky ReLU, α=0.1': (v) => (v > 0 ? 1 : 0.1),
  'PReLU, α=0.25': (v) => (v > 0 ? 1 : 0.25),
  'ELU, α=1': (v) => (v > 0 ? 1 : Math.exp(v)),
  sigmoid: (v) => Math.exp(-v) / (1 + Math.exp(-v)) ** 2,
}
for (const [name, f] of Object.entries(closed)) {
  zs.forEach((v, i) => {
    assert.ok(Math.abs(slopes[name][i] - f(v)) < 1e-12, `${name}′(${v})`)
  })
}
// ReLU's derivative is exactly 1 on the active side: a chain of active units passes the
// gradient unchanged, where each sigmoid multiplies it by at most ¼.
assert.ok(slopes.ReLU.every((d, i) => d === (zs[i] > 0 ? 1 : 0)))
assert.ok(Math.max(...slopes.sigmoid) === 0.25)
// PReLU is also differentiable in α: ∂/∂α Σ prelu(zᵢ, α) = Σ over zᵢ ≤ 0 of zᵢ
const dAlpha = toFlatArray(grad((a: Tensor) => sum(prelu(z, a)))(tensor(0.25, 'float64')))[0]
assert.ok(Math.abs(dAlpha - zs.filter((v) => v <= 0).reduce((a, v) => a + v, 0)) < 1e-9)
// #endregion checks

const points = (table: Record<string, number[]>) => Object.entries(table).flatMap(([series, ys]) => ys.map((y, i) => ({ series, x: zs[i], y })))

export const plots = {
  functions: curvesSpec('The activations a = f(z)', 'z', 'a', points(values), { yDomain: [-1.5, 3] }),
  derivatives: curvesSpec('Their derivatives f′(z), computed with grad', 'z', 'da/dz', points(slopes), { yDomain: [-0.1, 1.1] }),
}

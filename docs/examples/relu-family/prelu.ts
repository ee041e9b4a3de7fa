/**
 * Two facts behind the ReLU family: for a given input a ReLU network is a thin LINEAR network
 * (its gradient is the product of the active weights alone), and PReLU learns its slope α by
 * gradient descent.
 */

// #region thin
import assert from 'node:assert/strict'
import { type Tensor, grad, matmul, random, relu, sum, tensor, toArray, toFlatArray, valueAndGrad, prelu as preluOp } from 'purediff'
import { dense, losses, prelu, relu as reluLayer, sequential } from 'purediff/nn'
import { applyUpdates, sgd } from 'purediff/optim'

// A 3-4-4-1 ReLU network (no biases, float64), and one input x.
const model = sequential(
  dense(4, { useBias: false, dtype: 'float64' }),
  reluLayer(),
  dense(4, { useBias: false, dtype: 'float64' }),
  reluLayer(),
  dense(1, { useBias: false, dtype: 'float64' }),
)
const [w1, , w2, , w3] = model.init(random.key(7), [3]).params
const x = tensor([[0.5, -1, 2]], 'float64')
const dydx = toFlatArray(grad((t: Tensor) => sum(model.apply([w1, {}, w2, {}, w3], t)))(x))

// The same gradient by hand: keep only the active units (z > 0) and multiply the weights of
// that thin linear network: ∂y/∂x = W₁·D₁·W₂·D₂·W₃, with Dₖ = diag(1 if zₖ > 0 else 0).
const z1 = matmul(x, w1.w)
const z2 = matmul(relu(z1), w2.w)
const mask = (z: Tensor) => toFlatArray(z).map((v) => (v > 0 ? 1 : 0))
const [d1, d2] = [mask(z1), mask(z2)]
assert.ok(d1.includes(0) && d2.includes(0)) // some units are off for this x: the thin network is thinner
const W1 = toArray(w1.w) as number[][],
  W2 = toArray(w2.w) as number[][],
  W3 = toArray(w3.w) as number[][]
const byHand = [0, 1, 2].map((i) => {
  let s = 0
  for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) s += W1[i][j] * d1[j] * W2[j][k] * d2[k] * W3[k][0]
  return s
})
byHand.forEach((v, i) => {
  assert.ok(Math.abs(v - dydx[i]) < 1e-12)
})
// The inactive units do not matter: around x the network IS this linear map.
// #endregion thin

// #region prelu
// Data from a PReLU with slopes α* = [0.1, 0.3, −0.2] (one per unit); learn them from α = 0.25.
const alphaTrue = tensor([0.1, 0.3, -0.2], 'float64')
const xs = random.normal(random.key(1), [200, 3], { dtype: 'float64' })
const ys = preluOp(xs, alphaTrue)
const layer = prelu({ dtype: 'float64' })
let params = layer.init(random.key(2), [3]).params // α = 0.25 for every unit
const opt = sgd(0.5)
let state = opt.init(params)
for (let step = 0; step < 100; step++) {
  const [, g] = valueAndGrad((p: typeof params) => losses.mse(layer.apply(p, xs), ys))(params)
  const [u, s] = opt.update(g, state, params)
  params = applyUpdates(params, u)
  state = s
}
// The loss is a quadratic in each αⱼ with its minimum at αⱼ*: (1/600)·Σ over xᵢⱼ ≤ 0 of
// (αⱼ − αⱼ*)²·xᵢⱼ². Its curvature is about (2/600)·(100 negative inputs · E[x²] = 1) ≈ 1/3, so each
// step of η = 0.5 shrinks the error by ≈ 1 − 0.5/3 ≈ 0.83, and 100 steps by ≈ 1e-8.
toFlatArray(params.alpha).forEach((a, j) => {
  assert.ok(Math.abs(a - toFlatArray(alphaTrue)[j]) < 1e-6)
})
// #endregion prelu

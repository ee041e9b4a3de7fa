// grad and valueAndGrad: the gradient of a scalar function with respect to its FIRST argument;
// any further arguments pass through as constants.
import assert from 'node:assert/strict'
import { type Tensor, grad, item, matmul, mean, mul, pow, scalar, square, sub, tensor, toFlatArray, valueAndGrad } from 'purediff'

// #region grad
// f(x) = x³ − 2x, so f′(x) = 3x² − 2 and f′(2) = 10.
const f = (x: Tensor) => sub(pow(x, 3), mul(x, 2))
assert.equal(item(grad(f)(scalar(2, 'float64'))), 10)
// #endregion grad

// #region loss
// A least-squares loss L(w) = mean((Xw − y)²) over n rows has ∇L = (2/n)·Xᵀ(Xw − y).
const loss = (w: Tensor, X: Tensor, y: Tensor) => mean(square(sub(matmul(X, w), y)))
const X = tensor(
  [
    [1, 2],
    [3, 4],
    [5, 6],
  ],
  'float64',
)
const y = tensor([[1], [2], [3]], 'float64')
const w = tensor([[0.5], [-0.5]], 'float64')
const [value, g] = valueAndGrad(loss)(w, X, y) // X and y are constants

// By hand: Xw = [−0.5, −0.5, −0.5], residuals r = Xw − y = [−1.5, −2.5, −3.5],
// L = (2.25 + 6.25 + 12.25)/3 = 6.91666…, Xᵀr = [−1.5 − 7.5 − 17.5, −3 − 10 − 21] = [−26.5, −34],
// ∇L = (2/3)·Xᵀr = [−17.666…, −22.666…].
assert.ok(Math.abs(item(value) - 20.75 / 3) < 1e-12)
assert.deepEqual(g.shape, [2, 1]) // shaped like w
toFlatArray(g).forEach((v, i) => {
  assert.ok(Math.abs(v - [(2 / 3) * -26.5, (2 / 3) * -34][i]) < 1e-12)
})
// #endregion loss

// customVjp: a function with a hand-written gradient, e.g. to be finite where the chain rule is not.
import assert from 'node:assert/strict'
import { type Tensor, customVjp, div, grad, greater, mul, sqrt, square, sum, tensor, toFlatArray, where } from 'purediff'

// #region naive
// ‖x‖ = √(Σ x²) has gradient x/‖x‖, which is 0/0 at x = 0: the chain rule through sqrt gives NaN.
const naiveNorm = (x: Tensor) => sqrt(sum(square(x)))
assert.ok(toFlatArray(grad(naiveNorm)(tensor([0, 0], 'float64'))).every(Number.isNaN))
// #endregion naive

// #region custom
// A norm whose backward pass picks the subgradient 0 at the origin (as tinygrad's relu′(0) = 0).
const norm = customVjp(
  (x: Tensor) => sqrt(sum(square(x))),
  (x: Tensor) => {
    const n = sqrt(sum(square(x)))
    return [n, { x, n }] as const // the value, and what the backward pass needs
  },
  ({ x, n }, g: Tensor) => [where(greater(n, 0), div(mul(g, x), n), mul(x, 0))],
)
assert.deepEqual(toFlatArray(grad(norm)(tensor([0, 0], 'float64'))), [0, 0])
// Elsewhere it is x/‖x‖, like the naive one: at (3, 4), ‖x‖ = 5.
assert.deepEqual(toFlatArray(grad(norm)(tensor([3, 4], 'float64'))), [0.6, 0.8])
// #endregion custom

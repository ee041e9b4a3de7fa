// Your first gradient: f(x) = Σ x²·sin x, whose gradient by hand is 2x·sin x + x²·cos x.
import assert from 'node:assert/strict'
import { type Tensor, grad, mul, sin, square, sum, tensor, toFlatArray } from 'purediff'

const f = (x: Tensor) => sum(mul(square(x), sin(x)))
const x = tensor([0.5, 1, 2], 'float64')
const g = grad(f)(x) // a tensor shaped like x

const byHand = [0.5, 1, 2].map((v) => 2 * v * Math.sin(v) + v * v * Math.cos(v))
toFlatArray(g).forEach((v, i) => {
  assert.ok(Math.abs(v - byHand[i]) < 1e-12)
})

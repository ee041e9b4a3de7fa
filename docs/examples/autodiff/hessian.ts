// hessian: the matrix of second derivatives, by reverse-over-reverse differentiation.
import assert from 'node:assert/strict'
import { type Tensor, add, hessian, mul, slice, square, sub, sum, tensor, toArray } from 'purediff'

// #region rosenbrock
// Rosenbrock's function f(a, b) = (1 − a)² + 100·(b − a²)², whose Hessian by hand is
//   [[2 − 400·(b − a²) + 800·a², −400·a], [−400·a, 200]].
const rosenbrock = (p: Tensor) => {
  const a = sum(slice(p, [0], [1]))
  const b = sum(slice(p, [1], [1]))
  return add(square(sub(1, a)), mul(100, square(sub(b, square(a)))))
}
const at = (a: number, b: number) => toArray(hessian(rosenbrock)(tensor([a, b], 'float64'))) as number[][]
const byHand = (a: number, b: number) => [
  [2 - 400 * (b - a * a) + 800 * a * a, -400 * a],
  [-400 * a, 200],
]
for (const [a, b] of [
  [1, 1],
  [-1.2, 1],
  [0.3, -0.7],
]) {
  const H = at(a, b)
  const want = byHand(a, b)
  H.forEach((row, i) => {
    row.forEach((v, j) => {
      assert.ok(Math.abs(v - want[i][j]) < 1e-9, `H(${a}, ${b}) = ${H}`)
    })
  })
}
// At the minimum (1, 1) the Hessian is [[802, −400], [−400, 200]]: positive definite, but its
// eigenvalues differ by a factor of about 2500 — why plain gradient descent crawls along the valley.
assert.deepEqual(at(1, 1), [
  [802, -400],
  [-400, 200],
])
// #endregion rosenbrock

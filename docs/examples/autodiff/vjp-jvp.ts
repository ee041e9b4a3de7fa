// vjp (reverse mode) and jvp (forward mode), and the identity that ties them: ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩.
import assert from 'node:assert/strict'
import { type Tensor, jacobian, jvp, mul, sin, slice, stack, sum, tensor, toArray, toFlatArray, vjp } from 'purediff'

// f: R² → R³, f(x) = [x₀·x₁, sin x₀, x₁²], with Jacobian
//   J = [[x₁, x₀], [cos x₀, 0], [0, 2x₁]].
const f = (x: Tensor) => {
  const [a, b] = [sum(slice(x, [0], [1])), sum(slice(x, [1], [1]))] // the two coordinates, as scalars
  return stack([mul(a, b), sin(a), mul(b, b)])
}
const x = tensor([0.5, -2], 'float64')
const J = [
  [-2, 0.5],
  [Math.cos(0.5), 0],
  [0, -4],
]

// #region vjp
// Reverse mode: one pass gives the pullback u ↦ Jᵀ·u (a row of J per unit vector u).
const [y, pullback] = vjp(f, x)
const u = tensor([1, 2, 3], 'float64')
const jtu = toFlatArray(pullback(u))
// Jᵀu = [−2·1 + cos(½)·2 + 0·3, ½·1 + 0·2 + (−4)·3]
assert.ok(Math.abs(jtu[0] - (-2 + 2 * Math.cos(0.5))) < 1e-15 && jtu[1] === 0.5 - 12)
assert.deepEqual(y.shape, [3])
// #endregion vjp

// #region jvp
// Forward mode: one pass gives J·v (a column of J per unit vector v).
const v = tensor([1, -1], 'float64')
const [, jv] = jvp(f, [x], [v])
const jvWant = J.map((row) => row[0] * 1 + row[1] * -1)
toFlatArray(jv).forEach((val, i) => {
  assert.ok(Math.abs(val - jvWant[i]) < 1e-15)
})
// #endregion jvp

// #region adjoint
// ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩: the test purediff/laws runs on every op, here on your own function.
const lhs = toFlatArray(u).reduce((s, ui, i) => s + ui * toFlatArray(jv)[i], 0)
const rhs = jtu[0] * 1 + jtu[1] * -1
assert.ok(Math.abs(lhs - rhs) < 1e-12)
// jacobian builds the whole matrix, one vjp per output element.
const full = toArray(jacobian(f)(x)) as number[][]
full.forEach((row, i) => {
  row.forEach((val, j) => {
    assert.ok(Math.abs(val - J[i][j]) < 1e-15)
  })
})
// #endregion adjoint

// Pytrees: differentiate plain objects and arrays of tensors; gradients mirror the structure,
// shapes and dtypes of the params exactly.
import assert from 'node:assert/strict'
import { type Tensor, add, grad, item, matmul, mul, sub, sum, tanh, tensor, toArray, toFlatArray, tree } from 'purediff'

// #region params
interface Params {
  layers: { w: Tensor; b: Tensor }[]
  scale: Tensor
}
const params: Params = {
  layers: [
    {
      w: tensor(
        [
          [1, -1],
          [0.5, 2],
        ],
        'float64',
      ),
      b: tensor([0, 1], 'float64'),
    },
    { w: tensor([[1], [1]], 'float64'), b: tensor([0.5], 'float64') },
  ],
  scale: tensor(2, 'float32'),
}
const loss = (p: Params, x: Tensor) => {
  const h = tanh(add(matmul(x, p.layers[0].w), p.layers[0].b))
  return mul(p.scale, sum(add(matmul(h, p.layers[1].w), p.layers[1].b)))
}
const x = tensor([[1, 0]], 'float64')
const g = grad(loss)(params, x)
assert.ok(tree.structureEquals(g, params))
assert.equal(g.scale.dtype, 'float32') // the float32 leaf gets a float32 gradient
// #endregion params

// #region closed-form
// By hand, with x = [1, 0]: z = x·W₁ + b₁ = [1, 0], h = tanh z = [tanh 1, 0],
// out = h·W₂ + b₂ = tanh 1 + ½ and L = s·out with s = 2. So
//   ∂L/∂s = tanh 1 + ½,  ∂L/∂W₂ = s·hᵀ,  ∂L/∂b₂ = s,
//   ∂L/∂z = s·W₂ᵀ ⊙ (1 − h²) = [2·sech²1, 2],  ∂L/∂b₁ = ∂L/∂z,  ∂L/∂W₁ = xᵀ·∂L/∂z.
const t1 = Math.tanh(1)
const sech2 = 1 - t1 * t1
const close = (a: number[], b: number[], tol = 1e-12) => {
  for (const [i, v] of a.entries()) assert.ok(Math.abs(v - b[i]) < tol, `${a} vs ${b}`)
}
close([item(g.scale)], [t1 + 0.5], 1e-6) // float32
close(toFlatArray(g.layers[1].w), [2 * t1, 0])
close(toFlatArray(g.layers[1].b), [2])
close(toFlatArray(g.layers[0].b), [2 * sech2, 2])
close(toFlatArray(g.layers[0].w), [2 * sech2, 2, 0, 0])
// #endregion closed-form

// #region tree-map
// tree.map walks matching trees leaf by leaf: one step of gradient descent on every leaf.
const next = tree.map((p: Tensor, d: Tensor) => sub(p, mul(d, 0.1)), params, g)
assert.equal(tree.leaves(next).length, 5)
assert.deepEqual(toArray(next.layers[1].b), [0.5 - 0.1 * 2])
assert.deepEqual(toArray(params.layers[1].b), [0.5]) // params unchanged
// #endregion tree-map

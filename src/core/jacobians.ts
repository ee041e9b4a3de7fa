/**
 * Vectorised Jacobians: `jacrev` maps the pullback of ONE vjp over the standard basis of each
 * output with `vmap`, `jacfwd` maps a jvp over the standard basis of each input. Either way
 * every op runs once per Jacobian (batched over the basis), not once per row or column.
 *
 * @since 0.3.0
 */
import { ArgumentError } from '../tensor/errors.js'
import { isFloat } from '../tensor/dtype.js'
import { Tensor, eye, zeros } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { flatten, unflatten } from '../tree/index.js'
import { reshape } from '../ops/shape.js'
import { type Hessian, type Jacobian, jvp, vjp } from './transforms.js'
import { vmap } from './vmap.js'

/** The standard basis of a leaf's space, stacked: [n, ...shape] with row k the k-th unit tensor. */
const basisOf = (t: Tensor): Tensor => reshape(eye(t.size, t.dtype), [t.size, ...t.shape])

/**
 * The Jacobian of `f` with respect to its first argument by reverse mode: one `vjp`, then its
 * pullback applied to every basis cotangent of each output leaf at once (`vmap`). Best when the
 * output is smaller than the input. Shapes as `jacobian`: for a tensor input and output,
 * `[...out.shape, ...in.shape]`; for pytrees, each output leaf maps to a pytree like the input.
 * An int32 or bool output has a zero Jacobian.
 *
 * @example
 * import { jacrev, mul, sin, tensor, toArray } from 'purediff'
 * const J = jacrev((x) => mul(x, tensor([2, 3])))(tensor([1, 1]))
 * if (JSON.stringify(toArray(J)) !== '[[2,0],[0,3]]') throw new Error()
 * @category autodiff
 * @since 0.3.0
 */
export function jacrev<X, Y, R extends unknown[]>(f: (x: X, ...rest: R) => Y): (x: X, ...rest: R) => Jacobian<X, Y> {
  if (typeof f !== 'function') throw new ArgumentError('jacrev', `f must be a function, got ${describe(f)}`)
  return (x, ...rest) => {
    const inp = flatten('jacrev', x)
    const [y, pullback] = vjp(f, x, ...rest)
    const out = flatten('jacrev (the output of f)', y)
    const perOut = out.leaves.map((yl, j) => {
      const blocks =
        yl.size === 0 || !isFloat(yl.dtype)
          ? inp.leaves.map((xl) => zeros([...yl.shape, ...xl.shape], xl.dtype))
          : (
              vmap((ct: Tensor) => {
                const cts = out.leaves.map((l, k) => (k === j ? ct : zeros(l.shape, l.dtype)))
                return flatten('jacrev', pullback(unflatten(out.structure, cts))).leaves
              })(basisOf(yl)) as Tensor[]
            ).map((g, i) => reshape(g, [...yl.shape, ...inp.leaves[i].shape]))
      return unflatten(inp.structure, blocks)
    })
    return (y instanceof Tensor ? perOut[0] : unflatten(out.structure, perOut)) as Jacobian<X, Y>
  }
}

/**
 * The Jacobian of `f` with respect to its first argument by forward mode: a `jvp` pushed along
 * every basis tangent of each input leaf at once (`vmap`). Best when the input is smaller than
 * the output. Same shapes and structure as `jacrev`.
 *
 * @example
 * import { jacfwd, mul, tensor, toArray } from 'purediff'
 * const J = jacfwd((x) => mul(x, tensor([2, 3])))(tensor([1, 1]))
 * if (JSON.stringify(toArray(J)) !== '[[2,0],[0,3]]') throw new Error()
 * @category autodiff
 * @since 0.3.0
 */
export function jacfwd<X, Y, R extends unknown[]>(f: (x: X, ...rest: R) => Y): (x: X, ...rest: R) => Jacobian<X, Y> {
  if (typeof f !== 'function') throw new ArgumentError('jacfwd', `f must be a function, got ${describe(f)}`)
  return (x, ...rest) => {
    const inp = flatten('jacfwd', x)
    const g = (xx: X) => f(xx, ...rest)
    // One batched jvp per input leaf: the tangents of every output, the basis index last (the
    // value, the same for every basis vector, comes back once).
    let y: Y | undefined
    const perIn = inp.leaves.map((xl, i) => {
      if (xl.size === 0) return null
      const [value, tangents] = vmap(
        (v: Tensor) => {
          const ts = inp.leaves.map((l, k) => (k === i ? v : zeros(l.shape, l.dtype)))
          return jvp(g, [x], [unflatten<X>(inp.structure, ts)])
        },
        { outAxes: [null, -1] },
      )(basisOf(xl))
      y = value
      return flatten('jacfwd (the output of f)', tangents).leaves
    })
    y ??= f(x, ...rest)
    const out = flatten('jacfwd (the output of f)', y)
    const perOut = out.leaves.map((yl, j) =>
      unflatten(
        inp.structure,
        inp.leaves.map((xl, i) => {
          const t = perIn[i]
          return t === null || !isFloat(yl.dtype) ? zeros([...yl.shape, ...xl.shape], xl.dtype) : reshape(t[j], [...yl.shape, ...xl.shape])
        }),
      ),
    )
    return (y instanceof Tensor ? perOut[0] : unflatten(out.structure, perOut)) as Jacobian<X, Y>
  }
}

/**
 * The Jacobian of `f` with respect to its first argument: `jacrev(f)` (one vjp, its pullback
 * applied to every output basis vector at once by `vmap`). For a tensor input and tensor output the result has shape
 * `[...out.shape, ...in.shape]`; for pytrees, each output leaf maps to a pytree like the input
 * whose leaves have shape `[...outLeaf.shape, ...inLeaf.shape]`. Its static type is
 * `Jacobian<X, Y>`, following the types of f's first argument and result.
 *
 * @example
 * import { jacobian, mul, tensor, toArray } from 'purediff'
 * const J = jacobian((x) => mul(x, tensor([2, 3])))(tensor([1, 1]))
 * if (JSON.stringify(toArray(J)) !== '[[2,0],[0,3]]') throw new Error()
 * @category autodiff
 * @since 0.1.0
 */
export function jacobian<X, Y, R extends unknown[]>(f: (x: X, ...rest: R) => Y): (x: X, ...rest: R) => Jacobian<X, Y> {
  if (typeof f !== 'function') throw new ArgumentError('jacobian', `f must be a function, got ${describe(f)}`)
  return jacrev(f)
}

/**
 * The Hessian of a scalar-valued `f`: `jacfwd(jacrev(f))`, forward-over-reverse (a jvp of the
 * gradient, vmapped over the input basis). For a
 * tensor input of shape s the result has shape `[...s, ...s]`; for a pytree input, block (i, j)
 * sits at `H[pathᵢ][pathⱼ]` with shape `[...sᵢ, ...sⱼ]` (static type `Hessian<X>`).
 *
 * @example
 * import { hessian, sum, mul, square, tensor, toArray } from 'purediff'
 * // f(x) = Σ 3xᵢ² has Hessian 6·I
 * const H = hessian((x) => sum(mul(square(x), 3)))(tensor([1, 2]))
 * if (JSON.stringify(toArray(H)) !== '[[6,0],[0,6]]') throw new Error()
 * @category autodiff
 * @since 0.1.0
 */
export function hessian<X, R extends unknown[]>(f: (x: X, ...rest: R) => Tensor): (x: X, ...rest: R) => Hessian<X> {
  if (typeof f !== 'function') throw new ArgumentError('hessian', `f must be a function, got ${describe(f)}`)
  return jacfwd(jacrev(f)) as (x: X, ...rest: R) => Hessian<X>
}

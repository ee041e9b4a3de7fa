/**
 * Regularisation penalties, to add to a loss: L1 = λ·Σ|w| (its gradient λ·sgn(w) subtracts a
 * fixed amount each step, so many weights reach zero: sparse) and L2 = λ·½·Σw² (its gradient
 * λ·w is weight decay: each step multiplies the weights by 1 − ηλ). The lecture regularises
 * weights only, not biases: `weightsOf(params)` picks the kernels out of a model's params.
 *
 * @since 0.1.0
 */
import { Tensor, ArgumentError, abs, add, mul, scalar, square, sum } from '../index.js'
import { flatten } from '../tree/index.js'
import { describe } from './checks.js'

function total(op: string, params: unknown, term: (w: Tensor) => Tensor, lambda: number, factor: number): Tensor {
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) {
    throw new ArgumentError(op, `lambda must be a finite number ≥ 0, got ${describe(lambda)}`)
  }
  const { leaves } = flatten(op, params)
  if (leaves.length === 0) return scalar(0)
  let s = sum(term(leaves[0]))
  for (let i = 1; i < leaves.length; i++) s = add(s, sum(term(leaves[i])))
  return mul(s, lambda * factor)
}

// --- operations

/**
 * L1 penalty: λ·Σ|w| over every element of every leaf of the pytree `params` (a scalar
 * tensor; 0 for a tree without leaves). Gradient λ·sgn(w), with sgn(0) = 0. λ = `lambda` ≥ 0.
 *
 * @example
 * import { item, tensor } from 'purediff'
 * import { l1Penalty } from 'purediff/nn'
 * // 0.5 · (1 + 2 + 3) = 3
 * if (item(l1Penalty({ w: tensor([1, -2]), v: [tensor(3)] }, 0.5)) !== 3) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function l1Penalty(params: unknown, lambda: number): Tensor {
  return total('l1Penalty', params, abs, lambda, 1)
}

/**
 * L2 penalty: λ·½·Σw² over every element of every leaf of the pytree `params` (a scalar
 * tensor; 0 for a tree without leaves). Gradient λ·w (weight decay). λ = `lambda` ≥ 0.
 *
 * @example
 * import { grad, item, tensor, toFlatArray } from 'purediff'
 * import { l2Penalty } from 'purediff/nn'
 * // 0.5 · ½ · (1 + 4 + 9) = 3.5
 * const p = { w: tensor([1, -2, 3]) }
 * if (item(l2Penalty(p, 0.5)) !== 3.5) throw new Error()
 * if (toFlatArray(grad((q: typeof p) => l2Penalty(q, 0.5))(p).w).join() !== '0.5,-1,1.5') throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function l2Penalty(params: unknown, lambda: number): Tensor {
  return total('l2Penalty', params, square, lambda, 0.5)
}

/**
 * The weights of a model to regularise: every leaf stored under a key `w` anywhere in the
 * pytree (the kernels of `dense` and `maxout`), in leaf order; biases `b` and PReLU slopes
 * `alpha` are left out, as the lecture regularises weights only.
 *
 * @example
 * import { item, random } from 'purediff'
 * import { dense, l2Penalty, relu, sequential, weightsOf } from 'purediff/nn'
 * const { params } = sequential(dense(3), relu(), dense(2)).init(random.key(0), [4])
 * const ws = weightsOf(params)
 * if (ws.length !== 2 || ws[0].shape.join() !== '4,3' || ws[1].shape.join() !== '3,2') throw new Error()
 * if (!(item(l2Penalty(ws, 1e-4)) > 0)) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function weightsOf(params: unknown): Tensor[] {
  flatten('weightsOf', params) // validates the pytree, naming this function
  const out: Tensor[] = []
  const walk = (x: unknown, key: string | null): void => {
    if (x instanceof Tensor) {
      if (key === 'w') out.push(x)
    } else if (Array.isArray(x))
      x.forEach((v) => {
        walk(v, null)
      })
    else if (x !== null && typeof x === 'object') for (const [k, v] of Object.entries(x)) walk(v, k)
  }
  walk(params, null)
  return out
}

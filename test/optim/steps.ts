/**
 * Helpers of the optimizer tests: float64 tensors, flat values, and the params after each step.
 */
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import * as O from '../../src/optim/index.js'
import type { GradientTransformation } from '../../src/optim/index.js'

export const t64 = (v: number[]) => P.tensor(v, 'float64')
export const flat = (t: Tensor) => P.toFlatArray(t)

/** Params after each step of `grads`, for a single-leaf params list. */
export function steps(opt: GradientTransformation<unknown>, theta: number[], grads: number[][], dtype: P.DType = 'float64'): number[][] {
  let p = [P.tensor(theta, dtype)]
  let s = opt.init(p)
  return grads.map((g) => {
    const [u, next] = opt.update([P.tensor(g, dtype)], s, p)
    p = O.applyUpdates(p, u)
    s = next
    return flat(p[0])
  })
}

/**
 * Batching rules of the activations with parameters, the fused derivative kernels, the fused
 * layer/loss primitives, stopGradient and customVjp.
 *
 * The fused kernels read several operands of ONE shape (no broadcasting): their rules give every
 * operand the same batched layout (`sameLayout`), broadcasting an unbatched one along the batch.
 * `affine` folds a batch of inputs into its rows when only x is batched (one kernel call, no
 * copy), and otherwise becomes the batched product it stands for.
 *
 * @internal
 */
import { shapesEqual, reducedAxes } from '../../tensor/shape.js'
import type { Tensor } from '../../tensor/model.js'
import { bind } from '../../engine/trace.js'
import { add } from '../../ops/arithmetic.js'
import { relu } from '../../ops/unary.js'
import { mm } from '../../ops/linalg.js'
import { sum } from '../../ops/reduce.js'
import { broadcastTo, expandDims, reshape } from '../../ops/shape.js'
import { type CustomVjpParams, customVjp, flatCotangents, rebuild } from '../transforms.js'
import { vmap } from '../vmap.js'
import { type BatchRule, elementwiseBroadcast, elementwiseUnary, exampleRank, moveAxis } from './common.js'

// --- operands of one shape

/**
 * Every operand with its batch axis at `at`: batched ones move it there, unbatched ones get a
 * broadcast copy of size `size` there. Operands of one example shape then have one shape.
 */
function sameLayout(vals: readonly Tensor[], dims: readonly (number | null)[], size: number, at: number): Tensor[] {
  return vals.map((v, i) => {
    const d = dims[i]
    if (d !== null) return moveAxis(v, d, at)
    const e = expandDims(v, at)
    return broadcastTo(
      e,
      e.shape.map((n, k) => (k === at ? size : n)),
    )
  })
}

/** The batch axis of the first batched operand (every rule has one). */
const firstDim = (dims: readonly (number | null)[]): number => dims.find((d) => d !== null) as number

/**
 * An elementwise primitive of same-shaped operands (the fused derivatives (g, x) ↦ g·f′(x),
 * maskScale): one layout for all, the batch axis where the first batched operand has it (no
 * move for it; the others move to match).
 */
const sameShape: BatchRule = (prim, vals, dims, params, size) => {
  const at = firstDim(dims)
  return [bind(prim, sameLayout(vals, dims, size, at), params), at]
}

/**
 * A per-row reduction over the last axis of same-shaped operands (logSoftmaxDot(z, y)): one
 * layout with the batch axis anywhere but last; the result keeps it there.
 */
const rowsOfSameShape: BatchRule = (prim, vals, dims, params, size) => {
  const d = firstDim(dims)
  const r = exampleRank(vals[0], dims[0])
  const at = d < r ? d : 0
  return [bind(prim, sameLayout(vals, dims, size, at), params), at]
}

/**
 * softmaxCrossEntropyWithIntegerLabels(z [..., C], labels [...]): the batch axis at one place in
 * both, before z's class axis: z's own when it is not last, else the labels', else 0.
 */
const xentIntegerLabels: BatchRule = (prim, [z, labels], [dz, dl], params, size) => {
  const r = exampleRank(z, dz)
  const at = dz !== null && dz < r ? dz : dl !== null ? dl : 0
  return [bind(prim, sameLayout([z, labels], [dz, dl], size, at), params), at]
}

// --- affine

interface AffineParams {
  readonly relu: boolean
}

/**
 * relu?(x·W + b) with x [m, k], W [k, n], b [n], as few kernel calls as the batching allows:
 * - only x batched: the batch folds into the rows (a reshape, free when the batch axis is one of
 *   the first two), then ONE affine call with b and relu in its epilogue — so `dense` on a batch
 *   of examples is one kernel call of B·m rows;
 * - only W batched (an ensemble of weights on one input): the batch folds into the columns,
 *   W [k, B, n] → [k, B·n] (free when it is W's axis 1), ONE product;
 * - x and W batched: the batched product mm(x, W);
 * then b (when it was not in the kernel) and relu as ops — the composition affine is bitwise
 * equal to, so the rule changes no value.
 */
const affineRule: BatchRule = (prim, vals, dims, params: AffineParams) => {
  const [x, w, b] = vals
  const [dx, dw] = dims
  const db = b === undefined ? null : dims[2]
  const plain = { relu: false }
  let z: Tensor
  let at: number | null
  if (dw === null && dx !== null) {
    // The bias and relu go into the kernel unless the bias is batched.
    const inKernel = db === null
    const x3 = dx < 2 ? x : moveAxis(x, dx, 0)
    at = dx < 2 ? dx : 0
    const [s0, s1, k] = x3.shape
    const rows = reshape(x3, [s0 * s1, k])
    const y = bind(prim, inKernel && b !== undefined ? [rows, w, b] : [rows, w], inKernel ? params : plain)
    z = reshape(y, [s0, s1, w.shape[1]])
    if (inKernel) return [z, at]
  } else if (dw === null) {
    // only b batched
    z = bind(prim, [x, w], plain)
    at = null
  } else if (dx === null) {
    const w3 = moveAxis(w, dw, 1)
    const [k, size, n] = w3.shape
    z = reshape(bind(prim, [x, reshape(w3, [k, size * n])], plain), [x.shape[0], size, n])
    at = 1
  } else {
    z = mm(moveAxis(x, dx, 0), moveAxis(w, dw, 0), false, false)
    at = 0
  }
  if (b !== undefined) {
    if (db === null) z = add(z, b)
    else {
      // b as [B, n] lines up with z's [m, B, n] (batch axis 1); with [B, m, n] or [m, n] as [B, 1, n]
      const b0 = moveAxis(b, db, 0)
      z = add(z, at === 1 ? b0 : expandDims(b0, 1))
      if (at === null) at = 0
    }
  }
  return [params.relu ? relu(z) : z, at]
}

// --- customVjp

/**
 * customVjp: re-bound as a customVjp one level down whose three functions are the batched
 * versions of the user's (`vmap` over the primitive's leaves, each with its own batch axis):
 * - f′ = vmap(f): the batched value, batch axis 0;
 * - fwd′ keeps the batched leaves as its residuals, and bwd′(leaves, g) runs vmap of
 *   (example ↦ bwd(fwd(example).residuals, g)) — exactly what the unbatched vjp does per example
 *   (it too re-runs fwd in the backward pass), and the residuals need not be tensors (the
 *   price: fwd′'s value, which the vjp discards, is one batched f per backward pass);
 * - a cotangent goes back to its leaf's batch axis; an unbatched leaf, shared by every example,
 *   gets the sum over the batch.
 * why not run f on this trace's tracers: an outer `grad` would then differentiate f itself and
 * never call the user's bwd. Re-bound, every autodiff trace below still sees a customVjp, so
 * grad of a sum of vmap(f), vmap(grad(f)) and vmap(vmap(f)) all use bwd, batched.
 */
const customVjpRule: BatchRule = (_prim, vals, dims, p: CustomVjpParams) => {
  const n = vals.length
  const example = (leaves: readonly Tensor[]): unknown[] => rebuild(leaves, p)
  const f = (...leaves: Tensor[]) => vmap((...ls: Tensor[]) => p.f(...example(ls)), { inAxes: dims.slice() })(...leaves)
  const fwd = (...leaves: Tensor[]) => [f(...leaves), leaves] as const
  const bwd = (leaves: readonly Tensor[], g: Tensor): (Tensor | null)[] => {
    // Which leaves get a cotangent is known once bwd has run (on the batch's tracers).
    let given: boolean[] = []
    const perExample = (...args: Tensor[]): Tensor[] => {
      const ls = args.slice(0, n)
      const [, res] = p.fwd(...example(ls))
      const cts = flatCotangents(p, p.bwd(res as never, args[n]))
      given = cts.map((c) => c !== null)
      return cts.flatMap((c, i) => (c === null ? [] : [fitTo(c, ls[i])]))
    }
    const out = vmap(perExample, { inAxes: [...dims, 0] })(...leaves, g) as Tensor[]
    let k = 0
    return given.map((has, i) => {
      if (!has) return null
      const c = out[k++]
      const d = dims[i]
      return d === null ? sum(c, 0) : moveAxis(c, 0, d)
    })
  }
  return [customVjp(f, fwd, bwd)(...vals), 0]
}

/**
 * A cotangent summed back to its leaf's shape (one example's), as reverse mode fits a
 * broadcast cotangent: here, before the batch axis comes in and would shift its axes.
 */
function fitTo(ct: Tensor, like: Tensor): Tensor {
  if (shapesEqual(ct.shape, like.shape)) return ct
  const axes = reducedAxes(like.shape, ct.shape)
  return reshape(axes.length > 0 ? sum(ct, axes, true) : ct, like.shape)
}

// --- the table

const unary = ['leakyRelu', 'elu', 'erf', 'gelu', 'geluTanh', 'silu', 'rsqrt', 'stopGradient']
const fusedDerivatives = ['reluGrad', 'sigmoidGrad', 'tanhGrad', 'softplusGrad', 'leakyReluGrad', 'eluGrad', 'erfGrad', 'geluGrad', 'geluTanhGrad', 'siluGrad', 'maskScale']

/** Rules of the activation, fused and autodiff-control primitives. */
export const activationRules: Readonly<Record<string, BatchRule>> = Object.freeze({
  ...Object.fromEntries(unary.map((name) => [name, elementwiseUnary])),
  ...Object.fromEntries(fusedDerivatives.map((name) => [name, sameShape])),
  prelu: elementwiseBroadcast,
  preluSlope: elementwiseBroadcast,
  affine: affineRule,
  logSoftmaxDot: rowsOfSameShape,
  softmaxCrossEntropyWithIntegerLabels: xentIntegerLabels,
  customVjp: customVjpRule,
})

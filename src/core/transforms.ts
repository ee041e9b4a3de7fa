/**
 * The JAX-style transforms: `vjp`, `grad`, `valueAndGrad`, `jvp`, `jacobian`, `hessian`,
 * `customVjp`. All of them nest: each opens its own trace (reverse mode in `reverse.ts`, forward
 * mode in `forward.ts`, both trace kinds of the engine in `src/engine/trace.ts`), so
 * `grad(grad(f))`, `jacobian(grad(f))` or a `grad` inside the function given to another `grad`
 * are exact, with no perturbation confusion.
 *
 * The first argument of the differentiated function is the pytree differentiated; any further
 * arguments pass through untouched (they are constants for this transform).
 *
 * @since 0.1.0
 */
import { ArgumentError, DTypeError, ShapeError, fmt } from '../tensor/errors.js'
import { shapesEqual } from '../tensor/shape.js'
import { type ConcreteTensor, Tensor, fromData, zeros } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { alloc, isFloat } from '../tensor/dtype.js'
import { type Tree, flatten, leafPaths, sameStructure, unflatten } from '../tree/index.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { ReverseTrace, backward } from './reverse.js'
import { ForwardTrace } from './forward.js'

// --- vjp

/**
 * Evaluates `f(x, ...rest)` and returns its value with the pullback `ct ↦ ctᵀ·J`, the
 * vector-Jacobian product. The output may be any pytree; the cotangent must match it in
 * structure and shapes. The pullback returns a gradient shaped exactly like `x` (zeros where no
 * path leads), may be called any number of times, and is itself differentiable.
 *
 * @example
 * import { vjp, mul, tensor, toFlatArray } from 'purediff'
 * // f(x) = 3x, so the pullback maps ct to 3·ct
 * const [y, pullback] = vjp((x) => mul(x, 3), tensor([1, 2]))
 * if (toFlatArray(y).join() !== '3,6') throw new Error()
 * if (toFlatArray(pullback(tensor([1, 10]))).join() !== '3,30') throw new Error()
 * @category autodiff
 * @since 0.1.0
 */
export function vjp<X, Y, R extends unknown[]>(f: (x: X, ...rest: R) => Y, x: X, ...rest: R): [Y, (ct: Y) => X] {
  if (typeof f !== 'function') throw new ArgumentError('vjp', `f must be a function, got ${describe(f)}`)
  return vjpAs('vjp', f, x, rest)
}

/** `vjp` whose input errors (a bad leaf, a cycle, too deep) name `op`, the transform called. */
function vjpAs<X, Y, R extends unknown[]>(op: string, f: (x: X, ...rest: R) => Y, x: X, rest: R): [Y, (ct: Y) => X] {
  const { leaves, structure } = flatten(op, x)
  checkFloatLeaves(op, leaves, structure, 'differentiate with respect to')
  const trace = new ReverseTrace()
  const boxes = leaves.map((l) => trace.input(l))
  const y = f(unflatten<X>(structure, boxes), ...rest)
  const out = flatten('vjp (the output of f)', y)
  const yVals = out.leaves.map((l) => trace.primalOf(l))
  const pullback = (ct: Y): X => {
    const c = flatten('vjp pullback', ct)
    if (!sameStructure(c.structure, out.structure)) {
      throw new ArgumentError('vjp pullback', 'the cotangent must have the structure of the output of f')
    }
    const paths = leafPaths(out.structure)
    c.leaves.forEach((l, i) => {
      if (!shapesEqual(l.shape, out.leaves[i].shape)) {
        throw new ShapeError('vjp pullback', `cotangent at ${paths[i]} has shape ${fmt(l.shape)}; expected the output's shape ${fmt(out.leaves[i].shape)}`)
      }
    })
    const gs = backward(trace, out.leaves, c.leaves, boxes)
    return unflatten<X>(
      structure,
      gs.map((g, i) => g ?? zeros(leaves[i].shape, leaves[i].dtype)),
    )
  }
  return [unflatten<Y>(out.structure, yVals), pullback]
}

/**
 * Refuses an int32 or bool leaf among the differentiated inputs: an integer has no derivative
 * (its neighbours are not integers), so a gradient for it would be a silent zero. Naming the
 * path lets the user move it to a further argument, which passes through undifferentiated.
 */
function checkFloatLeaves(op: string, leaves: readonly Tensor[], structure: Parameters<typeof leafPaths>[0], what: string): void {
  const bad = leaves.findIndex((l) => !isFloat(l.dtype))
  if (bad < 0) return
  const path = leafPaths(structure)[bad]
  throw new DTypeError(
    op,
    `cannot ${what} the ${leaves[bad].dtype} leaf at ${path || 'the root'} (shape ${fmt(leaves[bad].shape)}): only float32 and float64 values have derivatives; pass integer or bool inputs (indices, labels, masks) as a further argument, or cast them to a float dtype`,
  )
}

// --- grad and valueAndGrad

function scalarOutput(op: string, y: unknown): Tensor {
  if (!(y instanceof Tensor)) throw new ArgumentError(op, `f must return a scalar Tensor, got ${describe(y)}`)
  if (y.size !== 1) {
    throw new ShapeError(op, `f must return a scalar (one element), got shape ${fmt(y.shape)}; use vjp or jacobian for non-scalar outputs`)
  }
  return y
}

/**
 * Evaluates a scalar-valued `f` and its gradient with respect to its first argument.
 *
 * @example
 * import { valueAndGrad, square, sum, tensor, toFlatArray, item } from 'purediff'
 * const [v, g] = valueAndGrad((x) => sum(square(x)))(tensor([1, 2]))
 * if (item(v) !== 5 || toFlatArray(g).join() !== '2,4') throw new Error()
 * @category autodiff
 * @since 0.1.0
 */
export function valueAndGrad<X, R extends unknown[]>(f: (x: X, ...rest: R) => Tensor): (x: X, ...rest: R) => [Tensor, X] {
  if (typeof f !== 'function') throw new ArgumentError('valueAndGrad', `f must be a function, got ${describe(f)}`)
  return (x, ...rest) => {
    const [s, pullback] = vjpAs('valueAndGrad', (x0: X, ...r: R) => scalarOutput('valueAndGrad', f(x0, ...r)), x, rest)
    return [s, pullback(fromData(ones1(s), s.shape, s.dtype))]
  }
}

function ones1(s: Tensor) {
  const d = alloc(s.dtype, 1, 'valueAndGrad')
  d[0] = 1
  return d
}

/**
 * The gradient ∇f of a scalar-valued function with respect to its first argument (a tensor or
 * a pytree of tensors); the result has exactly the structure, shapes and dtypes of that
 * argument. A non-scalar output is an error. Nests: `grad(grad(f))` is the second derivative.
 *
 * Subgradient conventions at kinks: relu′(0) = 0, |x|′(0) = 0, and ties in max/maximum send the
 * gradient to the first maximum.
 *
 * @example
 * import { grad, mul, sin, scalar, item } from 'purediff'
 * // d/dx x·sin x = sin x + x cos x
 * const g = grad((x) => mul(x, sin(x)))(scalar(1, 'float64'))
 * if (Math.abs(item(g) - (Math.sin(1) + Math.cos(1))) > 1e-15) throw new Error()
 * @category autodiff
 * @since 0.1.0
 */
export function grad<X, R extends unknown[]>(f: (x: X, ...rest: R) => Tensor): (x: X, ...rest: R) => X {
  if (typeof f !== 'function') throw new ArgumentError('grad', `f must be a function, got ${describe(f)}`)
  return (x, ...rest) => {
    const [s, pullback] = vjpAs('grad', (x0: X, ...r: R) => scalarOutput('grad', f(x0, ...r)), x, rest)
    return pullback(fromData(ones1(s), s.shape, s.dtype))
  }
}

// --- jvp

/**
 * Forward-mode product: returns `[f(...primals), J·tangents]`, the directional derivative of
 * `f` at `primals` along `tangents` (one tangent pytree per primal, same shapes; a tangent is
 * cast to its primal's dtype). Runs `f` once, carrying a tangent beside every value, with each
 * primitive's own forward rule — independent of the reverse rules, which is what makes the
 * adjointness law ⟨u, J v⟩ = ⟨Jᵀu, v⟩ a real check. Nests with every other transform.
 *
 * @example
 * import { jvp, square, scalar, item } from 'purediff'
 * // d/dt (x + t v)² at t = 0 is 2·x·v = 2·3·0.5
 * const [y, t] = jvp((x) => square(x), [scalar(3)], [scalar(0.5)])
 * if (item(y) !== 9 || item(t) !== 3) throw new Error()
 * @category autodiff
 * @since 0.1.0
 */
export function jvp<P extends readonly unknown[], Y>(f: (...primals: P) => Y, primals: P, tangents: P): [Y, Y] {
  if (typeof f !== 'function') throw new ArgumentError('jvp', `f must be a function, got ${describe(f)}`)
  if (!Array.isArray(primals) || !Array.isArray(tangents) || primals.length !== tangents.length) {
    throw new ArgumentError('jvp', `primals and tangents must be arrays of the same length, got ${describe(primals)} and ${describe(tangents)}`)
  }
  const p = flatten('jvp (primals)', primals)
  const t = flatten('jvp (tangents)', tangents)
  const paths = leafPaths(p.structure)
  if (!sameStructure(p.structure, t.structure)) throw new ArgumentError('jvp', 'tangents must have the structure of primals')
  t.leaves.forEach((l, i) => {
    if (!shapesEqual(l.shape, p.leaves[i].shape)) {
      throw new ShapeError('jvp', `tangent at ${paths[i]} has shape ${fmt(l.shape)}; expected the primal's shape ${fmt(p.leaves[i].shape)}`)
    }
  })
  checkFloatLeaves('jvp', p.leaves, p.structure, 'push a tangent through')
  const trace = new ForwardTrace()
  const boxes = p.leaves.map((l, i) => trace.input(l, t.leaves[i]))
  const y = f(...unflatten<P>(p.structure, boxes))
  const out = flatten('jvp (the output of f)', y)
  const values = out.leaves.map((l) => trace.primalOf(l))
  const outTangents = out.leaves.map((l) => trace.tangentOf(l))
  return [unflatten<Y>(out.structure, values), unflatten<Y>(out.structure, outTangents)]
}

// --- jacobian and hessian

/**
 * The type of a Jacobian of a function from X to Y (pytrees of tensors): Y's structure, each
 * tensor leaf replaced by a pytree of X's structure (its blocks). For a tensor output this is X
 * itself; for a tensor input and output, a Tensor. Runtime shapes are in `jacobian`'s contract.
 *
 * @category autodiff
 * @since 0.1.0
 */
export type Jacobian<X, Y> = Y extends Tensor ? X : { [K in keyof Y]: Jacobian<X, Y[K]> }

/**
 * The type of a Hessian over a pytree X: the Jacobian of the gradient, which has X's type, so
 * X's structure with each leaf replaced by X's structure. A Tensor for a tensor input.
 *
 * @category autodiff
 * @since 0.1.0
 */
export type Hessian<X> = Jacobian<X, X>

// --- customVjp

type Structure = ReturnType<typeof flatten>['structure']

/**
 * @internal the params of the `customVjp` primitive: the user's three functions and the
 * structure of each argument (the primitive's inputs are the arguments' leaves, flattened).
 */
export interface CustomVjpParams {
  // biome-ignore lint/suspicious/noExplicitAny: the user's functions, typed at customVjp's signature
  readonly f: (...args: any[]) => Tensor
  // biome-ignore lint/suspicious/noExplicitAny: as f
  readonly fwd: (...args: any[]) => readonly [Tensor, unknown]
  readonly bwd: (residuals: never, g: Tensor) => readonly unknown[]
  readonly structures: readonly Structure[]
}

/** @internal the arguments of the user's functions rebuilt from the primitive's leaves */
export function rebuild(leaves: readonly Tensor[], p: CustomVjpParams): unknown[] {
  let k = 0
  return p.structures.map((s) => {
    const count = countLeaves(s)
    const part = leaves.slice(k, k + count)
    k += count
    return unflatten(s, part)
  })
}

// ONE primitive for every customVjp function, the user's functions in its params: a trace kind
// keyed by `prim.name` writes one rule for all of them (a batching or staging trace can run
// `params.f` on its own tracers). It goes through `bind` like any op: the reverse trace records
// it with the leaves one level down, and its vjp runs `fwd` and `bwd` on those (so under nested
// transforms `bwd` is itself differentiated); its impl runs `f` on concrete leaves only.
const customVjpP: Primitive<CustomVjpParams> = {
  name: 'customVjp',
  impl: (leaves, p) => {
    const y = p.f(...rebuild(leaves, p))
    if (!(y instanceof Tensor)) throw new ArgumentError('customVjp', `f must return a Tensor, got ${describe(y)}`)
    // On concrete arguments, a traced result can only come from a traced value f closes over:
    // its derivative would be lost (bwd only speaks for the arguments), so it is refused.
    if (y._level !== 0) {
      throw new ArgumentError('customVjp', `f returned a traced value (${y.toString()}) from concrete arguments: it closes over a traced value; pass that value as an argument`)
    }
    return y as ConcreteTensor
  },
  jvp: (tangents, leaves, _out, p) => {
    if (tangents.every((t) => t === null)) return null
    // Tangents go through the float leaves only: an int32 or bool argument (labels, indices) is
    // held fixed, as it carries no tangent.
    const at = leaves.flatMap((l, i) => (isFloat(l.dtype) ? [i] : []))
    const ts = at.map((i) => tangents[i] ?? zeros(leaves[i].shape, leaves[i].dtype))
    const g = (...fs: Tensor[]) => {
      const ls = leaves.slice()
      at.forEach((i, k) => {
        ls[i] = fs[k]
      })
      return p.f(...rebuild(ls, p))
    }
    return jvp(
      g,
      at.map((i) => leaves[i]),
      ts,
    )[1]
  },
  vjp: (g, leaves, _out, p) => {
    const [, res] = p.fwd(...rebuild(leaves, p))
    return flatCotangents(p, p.bwd(res as never, g))
  },
}

/** @internal bwd's cotangents, one per leaf of the arguments (null where none), checked against their structures. */
export function flatCotangents(p: CustomVjpParams, cts: unknown): (Tensor | null)[] {
  if (!Array.isArray(cts) || cts.length !== p.structures.length) {
    throw new ArgumentError('customVjp', `bwd must return an array with one cotangent per argument (${p.structures.length}), got ${describe(cts)}`)
  }
  const flat: (Tensor | null)[] = []
  cts.forEach((ct, i) => {
    const s = p.structures[i]
    if (ct === null || ct === undefined) {
      for (let j = 0; j < countLeaves(s); j++) flat.push(null)
      return
    }
    const c = flatten('customVjp (bwd result)', ct)
    if (!sameStructure(c.structure, s)) throw new ArgumentError('customVjp', `bwd's cotangent ${i} must have the structure of argument ${i}`)
    flat.push(...c.leaves)
  })
  return flat
}

/**
 * A function with a hand-written gradient. `f(...args)` computes the value; `fwd(...args)`
 * returns `[value, residuals]`; `bwd(residuals, g)` returns one cotangent per argument (a pytree
 * like that argument, or null for none). Arguments are tensors or pytrees of tensors; `f` must
 * not close over traced values (pass them as arguments; a closed-over traced value is an
 * `ArgumentError`). `fwd` is re-run during the backward
 * pass, so residuals are never held between passes; under nested transforms `bwd` is itself
 * differentiated. Forward mode (`jvp`) has no custom rule to use: it differentiates `f` itself.
 *
 * @example
 * import { customVjp, grad, mul, clip, scalar, item } from 'purediff'
 * // identity whose gradient is clipped to [-1, 1]
 * const clipGrad = customVjp(
 *   (x) => x,
 *   (x) => [x, null] as const,
 *   (_res, g) => [clip(g, -1, 1)],
 * )
 * if (item(grad((x) => mul(clipGrad(x), 5))(scalar(2))) !== 1) throw new Error()
 * @category autodiff
 * @since 0.1.0
 */
export function customVjp<A extends unknown[], Res>(
  f: (...args: A) => Tensor,
  fwd: (...args: A) => readonly [Tensor, Res],
  bwd: (residuals: Res, g: Tensor) => readonly unknown[],
): (...args: A) => Tensor {
  for (const [name, fn] of [
    ['f', f],
    ['fwd', fwd],
    ['bwd', bwd],
  ] as const) {
    if (typeof fn !== 'function') throw new ArgumentError('customVjp', `${name} must be a function, got ${describe(fn)}`)
  }
  return (...args: A) => {
    const structures: Structure[] = []
    const leaves: Tensor[] = []
    args.forEach((a) => {
      const fl = flatten('customVjp', a)
      structures.push(fl.structure)
      leaves.push(...fl.leaves)
    })
    return bind(customVjpP, leaves, { f, fwd, bwd: bwd as CustomVjpParams['bwd'], structures })
  }
}

/** @internal the number of leaves of a pytree structure */
export function countLeaves(s: Structure): number {
  if (s.kind === 'leaf') return 1
  let n = 0
  for (const it of s.items) n += countLeaves(it)
  return n
}

export type { Tree }

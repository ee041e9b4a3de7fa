/**
 * `vmap`: the batching transform. The user writes the function of ONE example; `vmap(f)` runs it
 * once on tracers that look like one example and carry the whole batch (see `batching.ts`), so
 * every op runs once, batched — never a loop over examples.
 *
 * @since 0.3.0
 */
import { ArgumentError, ShapeError, fmt } from '../tensor/errors.js'
import { Tensor } from '../tensor/model.js'
import { describe } from '../tensor/checks.js'
import { type Structure, flatten, leafPaths, unflatten } from '../tree/index.js'
import { broadcastTo, expandDims } from '../ops/shape.js'
import { BatchTrace } from './batching.js'
import { countLeaves } from './transforms.js'
import { moveAxis } from './batch/common.js'

// --- model

/**
 * Where the batch axis is, for one argument or result: an axis (negative counts from the end),
 * `null` for a value that is the same for every example, or a pytree of those shaped like (a
 * prefix of) the value's own tree.
 *
 * @category model
 * @since 0.3.0
 */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [k: string]: AxisSpec }

/**
 * Options of `vmap`: `inAxes` (default 0) is one `AxisSpec` for every argument, or an array with
 * one per argument; `outAxes` (default 0) is an `AxisSpec` for the result.
 *
 * @category model
 * @since 0.3.0
 */
export interface VmapOptions {
  readonly inAxes?: AxisSpec | readonly AxisSpec[]
  readonly outAxes?: AxisSpec
}

// --- axis specs against trees

/** One axis (or null) per leaf of `structure`, from a spec that is a prefix of it. */
function axesFor(op: string, spec: AxisSpec, s: Structure, path: string, out: (number | null)[]): void {
  if (spec === null || typeof spec === 'number') {
    const n = countLeaves(s)
    for (let i = 0; i < n; i++) out.push(spec)
    return
  }
  if (Array.isArray(spec) && s.kind === 'array' && spec.length === s.items.length) {
    s.items.forEach((item, i) => {
      axesFor(op, spec[i], item, `${path}[${i}]`, out)
    })
    return
  }
  if (!Array.isArray(spec) && typeof spec === 'object' && s.kind === 'object') {
    const keys = Object.keys(spec)
    if (keys.length === s.keys.length && s.keys.every((k) => Object.hasOwn(spec, k))) {
      s.keys.forEach((k, i) => {
        axesFor(op, (spec as Record<string, AxisSpec>)[k], s.items[i], `${path}.${k}`, out)
      })
      return
    }
  }
  throw new ArgumentError(
    op,
    `the axis spec at ${path || 'the root'} (${JSON.stringify(spec)}) does not match the value's structure; expected a number, null, or a tree shaped like the value`,
  )
}

/** `axis` as a non-negative axis of a tensor of rank `rank`, or an ArgumentError naming where. */
function normalize(op: string, axis: number, rank: number, where: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ArgumentError(op, `axis ${axis} for ${where} is out of range for rank ${rank}; expected an integer in [${-rank}, ${rank})`)
  }
  return axis < 0 ? axis + rank : axis
}

// --- vmap

/**
 * Vectorises `f` over a batch axis: `vmap(f)(xs)` equals stacking `f(x)` over the slices x of xs
 * along axis 0, computed by running `f` ONCE with every op batched (no loop over examples).
 * `inAxes` says where each argument's batch axis is (`null`: the same value for every example;
 * a pytree of axes for a pytree argument); `outAxes` where to put it in the result. Every
 * batched argument must have the same batch size (else a `ShapeError` naming both sizes). A
 * result that does not depend on the batch is broadcast along `outAxes`. Nests with itself and
 * with `grad`, `jvp`, `vjp` and `customVjp` in any order: `vmap(grad(loss))` gives per-example
 * gradients.
 *
 * @example
 * import { vmap, grad, dot, sum, mul, tensor, toArray } from 'purediff'
 * const xs = tensor([[1, 2], [3, 4], [5, 6]])
 * // one example's function, run on a batch of 3
 * const norms = vmap((x: typeof xs) => dot(x, x))(xs)
 * if (JSON.stringify(toArray(norms)) !== '[5,25,61]') throw new Error()
 * // an unbatched argument (inAxes null) and per-example gradients
 * const w = tensor([10, 20])
 * const g = vmap(grad((v: typeof w, x: typeof xs) => sum(mul(mul(v, v), x))), { inAxes: [null, 0] })(w, xs)
 * if (JSON.stringify(toArray(g)) !== '[[20,80],[60,160],[100,240]]') throw new Error()
 * @category transforms
 * @since 0.3.0
 */
export function vmap<F extends (...args: never[]) => unknown>(f: F, options: VmapOptions = {}): F {
  if (typeof f !== 'function') throw new ArgumentError('vmap', `f must be a function, got ${describe(f)}`)
  const { inAxes = 0, outAxes = 0 } = options
  const batched = (...args: unknown[]) => {
    if (Array.isArray(inAxes) && inAxes.length !== args.length) {
      throw new ArgumentError('vmap', `inAxes has ${inAxes.length} entries but f was called with ${args.length} arguments; expected one per argument`)
    }
    const perArg = args.map((_, i) => (Array.isArray(inAxes) ? (inAxes as readonly AxisSpec[])[i] : (inAxes as AxisSpec)))
    // Flatten each argument that has any batched leaf; others pass through untouched.
    let size = -1
    let sizeAt = ''
    const plans = args.map((arg, i) => {
      const spec = perArg[i]
      if (spec === null) return null
      const { leaves, structure } = flatten('vmap', arg)
      const axes: (number | null)[] = []
      axesFor('vmap', spec, structure, `argument ${i}`, axes)
      const paths = leafPaths(structure)
      const dims = leaves.map((l, j) => {
        const a = axes[j]
        if (a === null) return null
        const where = `argument ${i}${paths[j]}`
        const d = normalize('vmap', a, l.rank, `${where} (shape ${fmt(l.shape)})`)
        if (size < 0) {
          size = l.shape[d]
          sizeAt = `${where} (shape ${fmt(l.shape)}, axis ${a})`
        } else if (l.shape[d] !== size) {
          throw new ShapeError(
            'vmap',
            `batch sizes differ: ${size} at ${sizeAt} but ${l.shape[d]} at ${where} (shape ${fmt(l.shape)}, axis ${a}); every batched value needs the same size`,
          )
        }
        return d
      })
      return { leaves, structure, dims }
    })
    if (size < 0) throw new ArgumentError('vmap', 'no argument is batched (every inAxes entry is null or covers no tensor); expected at least one batched tensor')
    const trace = new BatchTrace(size)
    const wrapped = args.map((arg, i) => {
      const p = plans[i]
      if (p === null) return arg
      return unflatten(
        p.structure,
        p.leaves.map((l, j) => (p.dims[j] === null ? l : trace.input(l, p.dims[j] as number))),
      )
    })
    const y = f(...(wrapped as never[]))
    const out = flatten('vmap (the result of f)', y)
    const axes: (number | null)[] = []
    axesFor('vmap', outAxes, out.structure, 'the result', axes)
    const paths = leafPaths(out.structure)
    const results = out.leaves.map((leaf, j) => {
      const b = trace.unwrap(leaf)
      const a = axes[j]
      if (a === null) {
        if (b !== null) throw new ArgumentError('vmap', `outAxes is null at the result${paths[j]}, but that value depends on the batch; give it an axis`)
        return leaf
      }
      const rank = (b === null ? leaf.rank : b.value.rank - 1) + 1
      const d = normalize('vmap', a, rank, `the result${paths[j]}`)
      if (b !== null) return moveAxis(b.value, b.dim, d)
      // the same for every example: broadcast it along the batch axis
      const e = expandDims(leaf, d)
      return broadcastTo(
        e,
        e.shape.map((n, k) => (k === d ? size : n)),
      )
    })
    return y instanceof Tensor ? results[0] : unflatten(out.structure, results)
  }
  return batched as unknown as F
}

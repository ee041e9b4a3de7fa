/**
 * The vmap laws: for any function of tensors, `vmap(f)(xs)` equals stacking `f` over the slices
 * of xs — for every choice of batch axis per argument (or none), of the result's axis and of the
 * batch size — and so do nested `vmap` and per-example gradients `vmap(grad(Σ f))`.
 *
 * Examples: the subject's arbitrary gives the first; the others, by default, are the same
 * tensors scaled by 1.25 and 1.5 (exact in binary floating point), so they share its shapes.
 * A function with a bounded domain passes its own `examples`.
 *
 * @since 0.3.0
 */
import fc from 'fast-check'
import { type Tensor, grad, mul, stack, sum, toFlatArray, vmap } from '../src/index.js'
import type { LawResult, LawSuite, OpSubject } from './immutability.js'

// --- model

/**
 * Options of `vmapLaws`: `rtol` (1e-12), the relative difference allowed (a batched matrix
 * product may sum in another order than the per-example ones); `examples(args, k)`, the k-th
 * example (k ≥ 1) made from the first (default: every tensor times 1 + k/4); `grad` (true):
 * include the per-example gradient law (turn it off for functions of int32 or bool results).
 *
 * @category model
 * @since 0.3.0
 */
export interface VmapLawOptions {
  readonly rtol?: number
  readonly examples?: (args: readonly Tensor[], k: number) => Tensor[]
  readonly grad?: boolean
}

/**
 * A case of the vmap laws: the examples (one array of arguments per example), each argument's
 * batch axis (null: unbatched, the first example's value for all) and the result's axis.
 *
 * @category model
 * @since 0.3.0
 */
export interface VmapCase {
  readonly examples: readonly (readonly Tensor[])[]
  readonly inAxes: readonly (number | null)[]
  readonly outAxis: number
}

// --- checks

/**
 * Whether `got` equals `want` in shape, dtype and values (within `rtol` relative to max(1, |want|),
 * NaN equal to NaN).
 *
 * @example
 * import { tensor } from 'purediff'
 * import { compareTensors } from 'purediff/laws'
 * if (!compareTensors(tensor([1, NaN]), tensor([1, NaN])).ok) throw new Error()
 * if (compareTensors(tensor([1]), tensor([1.5])).ok) throw new Error()
 * @category operations
 * @since 0.3.0
 */
export function compareTensors(got: Tensor, want: Tensor, rtol = 1e-12): LawResult {
  if (got.shape.join() !== want.shape.join() || got.dtype !== want.dtype) {
    return { ok: false, detail: `got ${got.dtype} [${got.shape.join(',')}], expected ${want.dtype} [${want.shape.join(',')}]` }
  }
  const g = toFlatArray(got)
  const w = toFlatArray(want)
  for (let i = 0; i < g.length; i++) {
    const a = g[i]
    const b = w[i]
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue
    if (!(Math.abs(a - b) <= rtol * Math.max(1, Math.abs(b)))) return { ok: false, detail: `element ${i}: got ${a}, expected ${b}` }
  }
  return { ok: true, detail: 'equal' }
}

/** The batched arguments of a case: each batched argument's examples stacked along its axis. */
function batchedArgs(c: VmapCase): Tensor[] {
  return c.examples[0].map((a, i) => {
    const ax = c.inAxes[i]
    return ax === null
      ? a
      : stack(
          c.examples.map((ex) => ex[i]),
          ax,
        )
  })
}

/** The examples' arguments as `f` sees them per example: unbatched arguments are the first example's. */
const perExample = (c: VmapCase): Tensor[][] => c.examples.map((ex) => ex.map((a, i) => (c.inAxes[i] === null ? c.examples[0][i] : a)))

/**
 * `vmap(f)(xs)` against the stack of `f` over the examples.
 *
 * @example
 * import { sin, tensor } from 'purediff'
 * import { checkVmap } from 'purediff/laws'
 * const r = checkVmap(sin, { examples: [[tensor([1, 2])], [tensor([3, 4])]], inAxes: [1], outAxis: 0 })
 * if (!r.ok) throw new Error(r.detail)
 * @category operations
 * @since 0.3.0
 */
export function checkVmap(f: (...args: Tensor[]) => Tensor, c: VmapCase, rtol = 1e-12): LawResult {
  const want = stack(
    perExample(c).map((ex) => f(...ex)),
    c.outAxis,
  )
  return compareTensors(vmap(f, { inAxes: c.inAxes.slice(), outAxes: c.outAxis })(...batchedArgs(c)), want, rtol)
}

/**
 * Per-example gradients: `vmap(grad(Σ f))` against the stack of per-example gradients (with
 * respect to every argument).
 *
 * @example
 * import { mul, tensor } from 'purediff'
 * import { checkPerExampleGrad } from 'purediff/laws'
 * const r = checkPerExampleGrad(mul, { examples: [[tensor([1, 2]), tensor([3])], [tensor([5, 6]), tensor([3])]], inAxes: [0, null], outAxis: 0 })
 * if (!r.ok) throw new Error(r.detail)
 * @category operations
 * @since 0.3.0
 */
export function checkPerExampleGrad(f: (...args: Tensor[]) => Tensor, c: VmapCase, rtol = 1e-12): LawResult {
  const loss = (args: Tensor[]) => sum(f(...args))
  const want = perExample(c).map((ex) => grad(loss)(ex))
  const got = vmap((...args: Tensor[]) => grad(loss)(args), { inAxes: c.inAxes.slice(), outAxes: 0 })(...batchedArgs(c)) as Tensor[]
  for (let i = 0; i < got.length; i++) {
    const r = compareTensors(
      got[i],
      stack(
        want.map((g) => g[i]),
        0,
      ),
      rtol,
    )
    if (!r.ok) return { ok: false, detail: `gradient of argument ${i}: ${r.detail}` }
  }
  return { ok: true, detail: 'equal' }
}

// --- the suite

/**
 * The arbitrary of vmap cases for a subject: its arguments as the first example, 1–3 examples,
 * each argument batched along a random axis or not (at least one batched), a random result axis.
 *
 * @example
 * import fc from 'fast-check'
 * import { add } from 'purediff'
 * import { arb } from 'purediff/testing'
 * import { vmapCase } from 'purediff/laws'
 * const cs = fc.sample(vmapCase({ name: 'add', f: add, args: fc.tuple(arb.tensor({ shape: [2] }), arb.tensor({ shape: [2] })) }), { numRuns: 5, seed: 1 })
 * if (!cs.every((c) => c.inAxes.some((a) => a !== null))) throw new Error()
 * @category constructors
 * @since 0.3.0
 */
export function vmapCase(subject: OpSubject, opts: VmapLawOptions = {}): fc.Arbitrary<VmapCase> {
  const make = opts.examples ?? ((args: readonly Tensor[], k: number) => args.map((a) => mul(a, 1 + k / 4)))
  return subject.args.chain((args) =>
    fc.tuple(fc.integer({ min: 1, max: 3 }), fc.tuple(...args.map((a) => fc.option(fc.integer({ min: 0, max: a.rank }), { freq: 3 }))), fc.nat(8)).map(([size, axes0, o]) => {
      const inAxes = axes0.every((a) => a === null) ? [0, ...axes0.slice(1)] : axes0
      const examples = Array.from({ length: size }, (_, k) => (k === 0 ? args.slice() : make(args, k)))
      const outRank = subject.f(...args).rank
      return { examples, inAxes, outAxis: o % (outRank + 1) }
    }),
  )
}

/**
 * The vmap laws of a function of tensors: 'vmap equals stacking' and, unless `grad: false`,
 * 'per-example gradients' (`vmap(grad(Σ f))` equals the stacked per-example gradients).
 *
 * @example
 * import fc from 'fast-check'
 * import { mul } from 'purediff'
 * import { arb } from 'purediff/testing'
 * import { vmapLaws } from 'purediff/laws'
 * const laws = vmapLaws({ name: 'mul', f: mul, args: fc.tuple(arb.tensor({ shape: [2, 2] }), arb.tensor({ shape: [2] })) })
 * for (const [name, property] of Object.entries(laws)) {
 *   const r = fc.check(property, { numRuns: 3, seed: 7 })
 *   if (r.failed) throw new Error(`${name}: ${String(r.errorInstance)}`)
 * }
 * @category operations
 * @since 0.3.0
 */
export function vmapLaws(subject: OpSubject, opts: VmapLawOptions = {}): LawSuite<VmapCase> {
  const cases = vmapCase(subject, opts)
  const rtol = opts.rtol ?? 1e-12
  const law = (check: (c: VmapCase) => LawResult) =>
    fc.property(cases, (c) => {
      const r = check(c)
      if (!r.ok) throw new Error(`${subject.name}: ${r.detail}`)
    })
  const laws: Record<string, fc.IPropertyWithHooks<[VmapCase]>> = { 'vmap equals stacking': law((c) => checkVmap(subject.f, c, rtol)) }
  if (opts.grad !== false) laws['per-example gradients'] = law((c) => checkPerExampleGrad(subject.f, c, rtol))
  return laws
}

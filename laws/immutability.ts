/**
 * Immutability laws: no op and no transform (grad, vjp and its pullback, jvp) changes its
 * inputs. Inputs are snapshotted bit for bit (NaN equals NaN, −0 differs from +0) with their
 * shapes, dtypes and tree structure, and compared after each step. Whether results share
 * storage with inputs is NOT tested: views such as `reshape` share storage by design, which is
 * safe because storage is never written.
 *
 * Also the shared model of the law suites: `OpSubject`, `LawResult`, `OpCase`, `LawSuite`.
 *
 * @since 0.1.0
 */
import fc from 'fast-check'
import { type Tensor, fromArray, grad, jvp, sum, toFlatArray, vjp } from '../src/index.js'
import { flatten, leafPaths } from '../src/tree/index.js'

// --- model

/**
 * An op under test: `f` is differentiable in every argument, `args` generates float64 inputs
 * away from kinks and outside-domain points.
 *
 * @category model
 * @since 0.1.0
 */
export interface OpSubject {
  readonly name: string
  readonly f: (...args: Tensor[]) => Tensor
  readonly args: fc.Arbitrary<Tensor[]>
}

/**
 * The verdict of a pure law checker: `detail` says what was compared and, on failure, the
 * offending values.
 *
 * @category model
 * @since 0.1.0
 */
export interface LawResult {
  readonly ok: boolean
  readonly detail: string
}

/**
 * One generated case for the op laws: the arguments, two cotangents `u1`, `u2` shaped like the
 * output (elements in [−2, 2]), two coefficients `alpha`, `beta` in [−2, 2], and one tangent per
 * argument `v` (elements in [−1, 1]).
 *
 * @category model
 * @since 0.1.0
 */
export interface OpCase {
  readonly args: readonly Tensor[]
  readonly u1: Tensor
  readonly u2: Tensor
  readonly alpha: number
  readonly beta: number
  readonly v: readonly Tensor[]
}

/**
 * A law suite: named fast-check properties. Run each with the runner and seed of your choice.
 *
 * @category model
 * @since 0.1.0
 */
export type LawSuite<C> = Readonly<Record<string, fc.IPropertyWithHooks<[C]>>>

/**
 * A bit-exact copy of a pytree's leaves (values as float64, shapes, dtypes, the leaf objects
 * themselves) and of its structure (leaf paths), made by `snapshot`.
 *
 * @category model
 * @since 0.1.0
 */
export interface Snapshot {
  readonly paths: readonly string[]
  readonly leaves: readonly { readonly tensor: Tensor; readonly shape: readonly number[]; readonly dtype: string; readonly values: Float64Array }[]
}

/**
 * Options of `immutabilityLaws`. `transforms` (true): include the property on grad/vjp/jvp;
 * false for a subject that is outside autodiff altogether.
 *
 * @category model
 * @since 0.1.0
 */
export interface ImmutabilityLawOptions {
  readonly transforms?: boolean
}

// --- constructors

/**
 * The arbitrary of `OpCase`s for a subject: its arguments, then cotangents and tangents of the
 * matching shapes (the output shape is found by running `f` once on the arguments).
 * Cotangents, tangents and α, β are uniform on their intervals (multiples of 2⁻²⁰), not
 * spread over every binade as fast-check's doubles are: a weight of 1e-200 makes any law
 * compare values far below its absolute tolerance, so a wrong rule would pass (with
 * fast-check's doubles, a rule 1.5× too big passed the chain-rule law in 100 cases out of 100).
 *
 * @example
 * import fc from 'fast-check'
 * import { mul, tensor } from 'purediff'
 * import { opCase } from 'purediff/laws'
 * const subject = { name: 'mul', f: mul, args: fc.constant([tensor([1, 2], 'float64'), tensor(3, 'float64')]) }
 * const [c] = fc.sample(opCase(subject), { numRuns: 1, seed: 1 })
 * if (c.u1.shape.join() !== '2' || c.v.length !== 2 || c.v[1].rank !== 0) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function opCase(subject: OpSubject): fc.Arbitrary<OpCase> {
  const coefficient = uniform(2)
  return subject.args.chain((args) => {
    const y = subject.f(...args)
    const u = uniformTensor(y.shape, 2)
    const v = fc.tuple(...args.map((a) => uniformTensor(a.shape, 1)))
    return fc.record({ args: fc.constant(args), u1: u, u2: u, alpha: coefficient, beta: coefficient, v })
  })
}

/** Uniform on [−m, m] in steps of m·2⁻²⁰ (shrinks towards 0). */
const uniform = (m: number): fc.Arbitrary<number> => fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((k) => k * m * 2 ** -20)

/** A float64 tensor of the shape with elements from `uniform(m)`. */
function uniformTensor(shape: readonly number[], m: number): fc.Arbitrary<Tensor> {
  const n = shape.reduce((a, b) => a * b, 1)
  return fc.array(uniform(m), { minLength: n, maxLength: n }).map((xs) => fromArray(xs, shape, 'float64'))
}

/**
 * Copies every leaf of a pytree bit for bit, with its shape, dtype and path; compare later with
 * `unchanged`.
 *
 * @example
 * import { tensor } from 'purediff'
 * import { snapshot } from 'purediff/laws'
 * const s = snapshot({ w: tensor([1, -0]) })
 * if (s.paths.join() !== '.w' || !Object.is(s.leaves[0].values[1], -0)) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function snapshot(t: unknown): Snapshot {
  const { leaves, structure } = flatten('snapshot', t)
  return {
    paths: leafPaths(structure),
    leaves: leaves.map((l) => ({ tensor: l, shape: [...l.shape], dtype: l.dtype, values: Float64Array.from(toFlatArray(l)) })),
  }
}

// --- operations

/**
 * Whether a pytree is still exactly as `before` recorded it: same structure, the same leaf
 * objects, shapes, dtypes and values compared with `Object.is` (so NaN = NaN and −0 ≠ +0).
 * The detail names the first difference.
 *
 * @example
 * import { tensor, neg } from 'purediff'
 * import { snapshot, unchanged } from 'purediff/laws'
 * const x = { w: tensor([1, 2]) }
 * const before = snapshot(x)
 * neg(x.w)
 * if (!unchanged(before, x).ok) throw new Error()
 * if (unchanged(before, { w: tensor([1, 3]) }).ok) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function unchanged(before: Snapshot, t: unknown): LawResult {
  let now: Snapshot
  try {
    now = snapshot(t)
  } catch (e) {
    return { ok: false, detail: `the tree is no longer a pytree: ${e instanceof Error ? e.message : String(e)}` }
  }
  if (now.paths.join('|') !== before.paths.join('|')) {
    return { ok: false, detail: `the tree structure changed: leaves were [${before.paths.join(', ')}], now [${now.paths.join(', ')}]` }
  }
  for (let i = 0; i < now.leaves.length; i++) {
    const a = before.leaves[i],
      b = now.leaves[i],
      path = now.paths[i]
    if (a.tensor !== b.tensor) return { ok: false, detail: `the leaf at ${path} was replaced by another tensor` }
    if (a.dtype !== b.dtype) return { ok: false, detail: `the dtype at ${path} changed from ${a.dtype} to ${b.dtype}` }
    if (a.shape.join() !== b.shape.join()) return { ok: false, detail: `the shape at ${path} changed from [${a.shape.join(',')}] to [${b.shape.join(',')}]` }
    for (let j = 0; j < a.values.length; j++) {
      if (!Object.is(a.values[j], b.values[j])) {
        return { ok: false, detail: `the value at ${path} index ${j} changed from ${fmtNumber(a.values[j])} to ${fmtNumber(b.values[j])}` }
      }
    }
  }
  return { ok: true, detail: `${now.leaves.length} leaves unchanged` }
}

/**
 * The immutability suite for an op subject, properties:
 * - 'op leaves its inputs unchanged': running `f(...args)` changes no argument;
 * - 'grad/vjp/jvp leave their inputs unchanged': `vjp` and its pullback (applied to `u1`), `jvp`
 *   (with tangents `v`) and `grad` of Σ f change neither the arguments nor `u1` nor `v`.
 * Each failure names the step and the first changed value. Never runs the properties itself.
 *
 * @example
 * import fc from 'fast-check'
 * import { sin } from 'purediff'
 * import { arb } from 'purediff/testing'
 * import { immutabilityLaws } from 'purediff/laws'
 * const laws = immutabilityLaws({ name: 'sin', f: sin, args: arb.tensor({ shape: [2] }).map((x) => [x]) })
 * for (const [name, property] of Object.entries(laws)) {
 *   if (fc.check(property, { numRuns: 3, seed: 1 }).failed) throw new Error(name)
 * }
 * @category operations
 * @since 0.1.0
 */
export function immutabilityLaws(subject: OpSubject, opts: ImmutabilityLawOptions = {}): LawSuite<OpCase> {
  const { transforms = true } = opts
  const cases = opCase(subject)
  const fail = (step: string, r: LawResult) => new Error(`${subject.name}: ${step} changed its input: ${r.detail}`)
  const op = fc.property(cases, ({ args }) => {
    const before = snapshot({ args })
    subject.f(...args)
    const r = unchanged(before, { args })
    if (!r.ok) throw fail('the op', r)
  })
  if (!transforms) return { 'op leaves its inputs unchanged': op }
  const transformProperty = fc.property(cases, ({ args, u1, v }) => {
    const inputs = { args, u1, v }
    const before = snapshot(inputs)
    const check = (step: string) => {
      const r = unchanged(before, inputs)
      if (!r.ok) throw fail(step, r)
    }
    const [, pullback] = vjp((xs: readonly Tensor[]) => subject.f(...xs), args)
    check('vjp')
    pullback(u1)
    check('the vjp pullback')
    jvp(subject.f, [...args], [...v])
    check('jvp')
    grad((xs: readonly Tensor[]) => sum(subject.f(...xs)))(args)
    check('grad of Σ f')
  })
  return { 'op leaves its inputs unchanged': op, 'grad/vjp/jvp leave their inputs unchanged': transformProperty }
}

// --- helpers

function fmtNumber(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x)
}

/**
 * Optimizer laws: a `GradientTransformation` is a pure state transition whose state is data.
 * - purity: the same inputs give bit-identical updates and states, and `init`/`update` change
 *   none of their inputs (params, grads, the state passed in; checked with `snapshot`/`unchanged`
 *   of the immutability laws);
 * - `init` mirrors the params: every state leaf is a scalar (a count) or part of a subtree with
 *   exactly the params' structure, shapes and dtypes; updates keep the params' structure,
 *   shapes and dtypes; the state keeps its structure from step to step;
 * - a zero gradient is a fixed point (for transforms without decay): from `init`, zero
 *   gradients give zero updates and the params do not move;
 * - the state round-trips through JSON bit for bit (float64 included, NaN, ±Infinity and −0
 *   too), and resuming from a state saved as JSON gives exactly the trajectory of never stopping.
 * Each law is a pure checker returning `{ ok, detail }` plus a named fast-check property in
 * `optimizerLaws`; the caller picks the runner and the seed.
 *
 * @since 0.1.0
 */
import fc from 'fast-check'
import { tree } from '../src/index.js'
import type { DType } from '../src/index.js'
import { type GradientTransformation, applyUpdates } from '../src/optim/index.js'
import { arb } from '../src/testing/index.js'
import { flatten, unflatten } from '../src/tree/index.js'
import { type LawResult, type LawSuite, snapshot, unchanged } from './immutability.js'
import { decodeTree, encodeTree, fail, guard, identical, mirrorError, pass, show } from './optimizerHelpers.js'

// --- model

/**
 * An optimizer under test. `decays` (false): a zero gradient still moves the params (weight
 * decay, L1), so the fixed-point law does not apply.
 *
 * @category model
 * @since 0.1.0
 */
export interface OptimizerSubject {
  readonly name: string
  readonly transform: GradientTransformation<unknown>
  readonly decays?: boolean
}

/**
 * One generated case: the params, a sequence of gradients shaped like them (one per step) and
 * `split`, the step after which a run is saved and resumed (0 … grads.length).
 *
 * @category model
 * @since 0.1.0
 */
export interface OptimizerCase {
  readonly params: unknown
  readonly grads: readonly unknown[]
  readonly split: number
}

/**
 * Options of `optimizerCase` and `optimizerLaws`: `params` (an arbitrary of param trees;
 * default: a tensor, `{ w, b }` or nested layers, leaves float32 or float64 of rank ≤ 2 with
 * values in [−3, 3]), `maxSteps` (4, at least 1).
 *
 * @category model
 * @since 0.1.0
 */
export interface OptimizerLawOptions {
  readonly params?: fc.Arbitrary<unknown>
  readonly maxSteps?: number
}

// --- constructors

/**
 * The arbitrary of `OptimizerCase`s: params, then 1 … maxSteps gradients of the params' shapes
 * and dtypes (values in [−3, 3]), then a split point.
 *
 * @example
 * import fc from 'fast-check'
 * import { tree } from 'purediff'
 * import { optimizerCase } from 'purediff/laws'
 * const cases = fc.sample(optimizerCase({ maxSteps: 3 }), { numRuns: 10, seed: 1 })
 * if (!cases.every((c) => c.grads.length >= 1 && c.grads.length <= 3 && c.split <= c.grads.length)) throw new Error()
 * if (!cases.every((c) => c.grads.every((g) => tree.structureEquals(g, c.params)))) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function optimizerCase(opts: OptimizerLawOptions = {}): fc.Arbitrary<OptimizerCase> {
  const { params = paramsArb, maxSteps = 4 } = opts
  return params.chain((p) => {
    const { leaves, structure } = flatten('optimizerCase', p)
    const grad = fc.tuple(...leaves.map((l) => arb.tensor({ shape: l.shape, dtype: l.dtype, min: -3, max: 3 }))).map((ls) => unflatten(structure, ls))
    return fc
      .array(grad, { minLength: 1, maxLength: Math.max(1, maxSteps) })
      .chain((grads) => fc.integer({ min: 0, max: grads.length }).map((split) => ({ params: p, grads, split })))
  })
}

const leafArb = fc
  .tuple(arb.shape({ maxRank: 2, maxDim: 3 }), fc.constantFrom<DType>('float32', 'float64'))
  .chain(([shape, dtype]) => arb.tensor({ shape, dtype, min: -3, max: 3 }))
const paramsArb: fc.Arbitrary<unknown> = fc.oneof(
  leafArb,
  fc.record({ w: leafArb, b: leafArb }),
  fc.record({ layers: fc.array(fc.record({ kernel: leafArb, bias: leafArb }), { minLength: 1, maxLength: 2 }), scale: leafArb }),
)

// --- operations: the checkers

/**
 * Purity: two runs of the whole trajectory give bit-identical updates and states, and no
 * `init` or `update` changes the params, the grads or the state it was given.
 *
 * @example
 * import { tensor } from 'purediff'
 * import { adam } from 'purediff/optim'
 * import { checkPurity } from 'purediff/laws'
 * const c = { params: [tensor([1, 2])], grads: [[tensor([0.5, -1])], [tensor([1, 1])]], split: 1 }
 * if (!checkPurity(adam(0.1), c).ok) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function checkPurity(t: GradientTransformation<unknown>, c: OptimizerCase): LawResult {
  return guard(() => {
    const inputs = { params: c.params, grads: c.grads }
    const before = snapshot(inputs)
    const a = run(t, c.params, c.grads, t.init(c.params), true)
    if (typeof a === 'string') return fail(a)
    const b = run(t, c.params, c.grads, t.init(c.params), true)
    if (typeof b === 'string') return fail(b)
    for (let i = 0; i < c.grads.length; i++) {
      const r = identical(a.updates[i], b.updates[i], `the updates of step ${i}`) ?? identical(a.states[i], b.states[i], `the state after step ${i}`)
      if (r !== null) return fail(`two runs differ: ${r}`)
    }
    const r = unchanged(before, inputs)
    return r.ok ? pass(`${c.grads.length} steps, bit-identical twice, inputs unchanged`) : fail(`an input changed: ${r.detail}`)
  })
}

/**
 * `init` mirrors the params: every leaf of the state is a scalar (a count) or lies in a subtree
 * with exactly the params' structure, shapes and dtypes; every update has the params'
 * structure, shapes and dtypes; the state keeps its structure, shapes and dtypes at every step.
 *
 * @example
 * import { tensor } from 'purediff'
 * import { momentum } from 'purediff/optim'
 * import { checkInitMirrors } from 'purediff/laws'
 * const c = { params: { w: tensor([1, 2], 'float64') }, grads: [{ w: tensor([1, 0], 'float64') }], split: 0 }
 * if (!checkInitMirrors(momentum(0.1), c).ok) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function checkInitMirrors(t: GradientTransformation<unknown>, c: OptimizerCase): LawResult {
  return guard(() => {
    const s0 = t.init(c.params)
    const bad = mirrorError(s0, c.params)
    if (bad !== null) return fail(`init: ${bad}`)
    const r = run(t, c.params, c.grads, s0, false)
    if (typeof r === 'string') return fail(r)
    for (let i = 0; i < c.grads.length; i++) {
      if (!tree.structureEquals(r.updates[i], c.params)) return fail(`the updates of step ${i} do not have the params' structure, shapes and dtypes`)
      if (!tree.structureEquals(r.states[i], s0)) return fail(`the state after step ${i} does not have the structure, shapes and dtypes of init's`)
    }
    return pass(`state mirrors the params; ${c.grads.length} updates keep their structure and dtypes`)
  })
}

/**
 * A zero gradient is a fixed point: from `init`, as many zero gradients as the case has steps
 * give updates that are all exactly 0 and leave the params' values unchanged.
 *
 * @example
 * import { tensor } from 'purediff'
 * import { adagrad, addL1, chain, sgd } from 'purediff/optim'
 * import { checkZeroGradientFixedPoint } from 'purediff/laws'
 * const c = { params: [tensor([1, -2])], grads: [[tensor([0, 0])], [tensor([0, 0])]], split: 0 }
 * if (!checkZeroGradientFixedPoint(adagrad(0.1, { profile: 'lecture' }), c).ok) throw new Error()
 * if (checkZeroGradientFixedPoint(chain(addL1(0.1), sgd(0.1)), c).ok) throw new Error() // L1 pulls toward 0
 * @category operations
 * @since 0.1.0
 */
export function checkZeroGradientFixedPoint(t: GradientTransformation<unknown>, c: OptimizerCase): LawResult {
  return guard(() => {
    const zero = tree.zerosLike(c.params)
    const r = run(
      t,
      c.params,
      c.grads.map(() => zero),
      t.init(c.params),
      false,
    )
    if (typeof r === 'string') return fail(r)
    for (let i = 0; i < c.grads.length; i++) {
      const u = snapshot(r.updates[i])
      for (const [l, { values }] of u.leaves.entries()) {
        const j = values.findIndex((v) => v !== 0)
        if (j >= 0) return fail(`step ${i}: a zero gradient gave the update ${show(values[j])} at ${u.paths[l]} index ${j}`)
      }
    }
    const before = snapshot(c.params),
      after = snapshot(r.params[c.grads.length])
    for (let i = 0; i < before.leaves.length; i++) {
      const j = before.leaves[i].values.findIndex((v, k) => v !== after.leaves[i].values[k])
      if (j >= 0) return fail(`the params moved at ${before.paths[i]} index ${j}: ${show(before.leaves[i].values[j])} became ${show(after.leaves[i].values[j])}`)
    }
    return pass(`${c.grads.length} zero gradients, params unchanged`)
  })
}

/**
 * The state after `split` steps survives `JSON.stringify` and `JSON.parse` bit for bit: the same
 * structure, shapes, dtypes and values (float64 exactly; NaN, ±Infinity and −0 as strings).
 *
 * @example
 * import { tensor } from 'purediff'
 * import { rmsprop } from 'purediff/optim'
 * import { checkStateRoundTrip } from 'purediff/laws'
 * const c = { params: [tensor([0.1, 0.2], 'float64')], grads: [[tensor([1 / 3, -2 / 7], 'float64')]], split: 1 }
 * if (!checkStateRoundTrip(rmsprop(0.1), c).ok) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function checkStateRoundTrip(t: GradientTransformation<unknown>, c: OptimizerCase): LawResult {
  return guard(() => {
    const r = run(t, c.params, c.grads.slice(0, c.split), t.init(c.params), false)
    if (typeof r === 'string') return fail(r)
    const state = r.states.length === 0 ? t.init(c.params) : r.states[r.states.length - 1]
    const text = JSON.stringify(encodeTree(state))
    const back = decodeTree(JSON.parse(text))
    const d = identical(state, back, 'the state and its JSON round trip')
    if (d !== null) return fail(d)
    return JSON.stringify(encodeTree(back)) === text
      ? pass(`state after ${c.split} steps round-trips (${text.length} characters)`)
      : fail('encoding the decoded state gives different JSON')
  })
}

/**
 * Resuming is invisible: running `split` steps, saving params and state as JSON, loading them
 * and running the remaining steps gives bit-identical updates, states and final params to one
 * uninterrupted run.
 *
 * @example
 * import { tensor } from 'purediff'
 * import { adam, exponentialDecay } from 'purediff/optim'
 * import { checkResume } from 'purediff/laws'
 * const g = [tensor([0.5, -1])]
 * const c = { params: [tensor([1, 2])], grads: [g, g, g], split: 2 }
 * if (!checkResume(adam(exponentialDecay({ initValue: 0.1, transitionSteps: 1, decayRate: 0.5 })), c).ok) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function checkResume(t: GradientTransformation<unknown>, c: OptimizerCase): LawResult {
  return guard(() => {
    const straight = run(t, c.params, c.grads, t.init(c.params), false)
    if (typeof straight === 'string') return fail(straight)
    const first = run(t, c.params, c.grads.slice(0, c.split), t.init(c.params), false)
    if (typeof first === 'string') return fail(first)
    const state = first.states.length === 0 ? t.init(c.params) : first.states[first.states.length - 1]
    const saved = JSON.stringify(encodeTree({ params: first.params[c.split], state }))
    const loaded = decodeTree(JSON.parse(saved)) as { params: unknown; state: unknown }
    const rest = run(t, loaded.params, c.grads.slice(c.split), loaded.state, false)
    if (typeof rest === 'string') return fail(rest)
    for (let i = c.split; i < c.grads.length; i++) {
      const j = i - c.split
      const d = identical(straight.updates[i], rest.updates[j], `the updates of step ${i}`) ?? identical(straight.states[i], rest.states[j], `the state after step ${i}`)
      if (d !== null) return fail(`resumed after step ${c.split}: ${d}`)
    }
    const d = identical(straight.params[c.grads.length], rest.params[rest.params.length - 1], 'the final params')
    return d === null ? pass(`resumed after ${c.split} of ${c.grads.length} steps: identical`) : fail(d)
  })
}

// --- operations: the suite

/**
 * The optimizer suite, properties:
 * 'update is pure and leaves its inputs unchanged', 'init mirrors the params and updates keep
 * their structure and dtypes', 'a zero gradient is a fixed point' (omitted when
 * `subject.decays`), 'the state round-trips through JSON', 'resuming from a saved state gives
 * the same trajectory'. Each failure names the subject and the first difference. Never runs
 * the properties itself.
 *
 * @example
 * import fc from 'fast-check'
 * import { adam, addDecayedWeights, chain, sgd } from 'purediff/optim'
 * import { optimizerLaws } from 'purediff/laws'
 * for (const subject of [{ name: 'adam', transform: adam(0.01) }, { name: 'L2', transform: chain(addDecayedWeights(0.1), sgd(0.1)), decays: true }]) {
 *   for (const [name, property] of Object.entries(optimizerLaws(subject))) {
 *     if (fc.check(property, { numRuns: 5, seed: 1 }).failed) throw new Error(`${subject.name}: ${name}`)
 *   }
 * }
 * @category operations
 * @since 0.1.0
 */
export function optimizerLaws(subject: OptimizerSubject, opts: OptimizerLawOptions = {}): LawSuite<OptimizerCase> {
  const cases = optimizerCase(opts)
  const law = (check: (t: GradientTransformation<unknown>, c: OptimizerCase) => LawResult) =>
    fc.property(cases, (c) => {
      const r = check(subject.transform, c)
      if (!r.ok) throw new Error(`${subject.name}: ${r.detail}`)
    })
  const suite: Record<string, fc.IPropertyWithHooks<[OptimizerCase]>> = {
    'update is pure and leaves its inputs unchanged': law(checkPurity),
    'init mirrors the params and updates keep their structure and dtypes': law(checkInitMirrors),
  }
  if (subject.decays !== true) suite['a zero gradient is a fixed point'] = law(checkZeroGradientFixedPoint)
  suite['the state round-trips through JSON'] = law(checkStateRoundTrip)
  suite['resuming from a saved state gives the same trajectory'] = law(checkResume)
  return suite
}

// --- helpers: trajectories

interface Trajectory {
  readonly updates: unknown[]
  readonly states: unknown[]
  /** params[0] is the start, params[i + 1] the params after step i */
  readonly params: unknown[]
}

/** Runs the steps; with `watch`, checks after every update that it changed none of its inputs. */
function run(t: GradientTransformation<unknown>, params: unknown, grads: readonly unknown[], state: unknown, watch: boolean): Trajectory | string {
  const out: Trajectory = { updates: [], states: [], params: [params] }
  let p = params,
    s = state
  for (let i = 0; i < grads.length; i++) {
    const inputs = { g: grads[i], s, p }
    const before = watch ? snapshot(inputs) : null
    const [u, next] = t.update(grads[i], s, p)
    if (before !== null) {
      const r = unchanged(before, inputs)
      if (!r.ok) return `update at step ${i} changed its input: ${r.detail}`
    }
    p = applyUpdates(p, u)
    s = next
    out.updates.push(u)
    out.states.push(s)
    out.params.push(p)
  }
  return out
}

/**
 * Fusing a scaling transform with the learning rate that follows it in a `chain`.
 *
 * why: speed. `adam = chain(scaleByAdam, scaleByLearningRate)` as two passes reads and writes
 * every update twice and allocates it twice; fused, the Adam pass writes −η·u directly. The
 * result is bit-identical to the two passes (the kernels round u to its storage dtype before
 * scaling, see kernels.ts), and test/optim/transforms.test.ts checks that against a chain the
 * fusion cannot see through. The states are exactly those of the two members, so nothing about
 * fusion is visible from outside.
 *
 * Transforms opt in through two registries keyed by the transform object: `scaleByX` registers
 * an update that takes a factor, `scaleByLearningRate` registers its rate.
 *
 * @internal
 */
import type { GradientTransformation, LearningRate } from './GradientTransformation.js'
import { countTensor, field, readCount } from './leaves.js'

/** An update that multiplies its result by `factor` in the same pass. */
export type ScaledUpdate = (updates: unknown, state: unknown, params: unknown, factor: number) => [unknown, unknown]

const scaled = new WeakMap<object, ScaledUpdate>()
const rates = new WeakMap<object, LearningRate>()

/** Marks `t` as able to fuse a following learning rate; returns `t`. */
export function withScaledUpdate<T extends object>(t: T, f: ScaledUpdate): T {
  scaled.set(t, f)
  return t
}

/** Marks `t` as `scaleByLearningRate(lr)`; returns `t`. */
export function withLearningRate<T extends object>(t: T, lr: LearningRate): T {
  rates.set(t, lr)
  return t
}

/**
 * The fused update of `a` then `b` over their two states, or null when they do not fuse.
 * Returns the updates and both new states.
 */
export function fusePair(a: GradientTransformation<unknown>, b: GradientTransformation<unknown>):
  ((updates: unknown, sa: unknown, sb: unknown, params: unknown) => [unknown, unknown, unknown]) | null {
  const f = scaled.get(a)
  const lr = rates.get(b)
  if (f === undefined || lr === undefined) return null
  if (typeof lr === 'number') {
    return (updates, sa, sb, params) => {
      const [u, s] = f(updates, sa, params, -lr)
      return [u, s, sb]
    }
  }
  return (updates, sa, sb, params) => {
    const n = readCount('scaleByLearningRate', 'state.count', field('scaleByLearningRate', sb, 'count'))
    const [u, s] = f(updates, sa, params, -lr(n))
    return [u, s, { count: countTensor(n + 1) }]
  }
}

/**
 * Fusing a scaling transform with the learning rate that follows it in a `chain`, read from the
 * transforms' descriptors (`GradientTransformation.fusion`, see `TransformFusion`).
 *
 * why: speed. `adam = chain(scaleByAdam, scaleByLearningRate)` as two passes reads and writes
 * every update twice and allocates it twice; fused, the Adam pass writes −η·u directly. The
 * result is bit-identical to the two passes (the kernels round u to its storage dtype before
 * scaling, see kernels.ts), and test/optim/fusion.test.ts checks that against the same chain
 * with the descriptors removed. The states are exactly those of the two members, so nothing
 * about fusion is visible from outside but time and memory. Because the descriptor is a field
 * of the transform and not a registry keyed by the object, a spread copy or a wrapper that
 * passes it on stays fused, and a transform without one is plainly unfused.
 *
 * @internal
 */
import { ArgumentError } from '../tensor/errors.js'
import { describe } from '../tensor/checks.js'
import type { GradientTransformation, TransformFusion } from './GradientTransformation.js'
import { countTensor, field, readCount } from './leaves.js'

/** The fused update of two members over their two states: the updates and both new states. */
export type FusedPair = (updates: unknown, sa: unknown, sb: unknown, params: unknown) => [unknown, unknown, unknown]

/**
 * The descriptor of argument `i` of `op`, checked: undefined or one of the known kinds. A
 * malformed one is an error rather than a silent "not fused".
 */
export function checkFusion<S>(op: string, i: number, t: GradientTransformation<S>): TransformFusion<S> | undefined {
  const f = t.fusion
  if (f === undefined) return undefined
  if (f !== null && typeof f === 'object') {
    if (f.kind === 'scaling' && typeof f.scaledUpdate === 'function') return f
    if (f.kind === 'learningRate' && (typeof f.lr === 'function' || typeof f.lr === 'number')) return f
  }
  throw new ArgumentError(
    op,
    `argument ${i} has fusion ${describe(f)}; expected undefined, { kind: 'scaling', scaledUpdate(updates, state, params, factor) } or { kind: 'learningRate', lr }`,
  )
}

/** The fused update of `a` then `b` (checked descriptors), or null when they do not fuse. */
export function fusePair(a: TransformFusion<unknown> | undefined, b: TransformFusion<unknown> | undefined): FusedPair | null {
  if (a?.kind !== 'scaling' || b?.kind !== 'learningRate') return null
  const lr = b.lr
  if (typeof lr === 'number') {
    return (updates, sa, sb, params) => {
      const [u, s] = a.scaledUpdate(updates, sa, params, -lr)
      return [u, s, sb]
    }
  }
  return (updates, sa, sb, params) => {
    const n = readCount('scaleByLearningRate', 'state.count', field('scaleByLearningRate', sb, 'count'))
    const [u, s] = a.scaledUpdate(updates, sa, params, -lr(n))
    return [u, s, { count: countTensor(n + 1) }]
  }
}

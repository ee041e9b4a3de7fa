/**
 * `checkGrad` as a fast-check property, so a gradient check runs over generated inputs with the
 * runner, seed and number of runs the caller chooses.
 *
 * @since 0.1.0
 */
import fc from 'fast-check'
import type { Tensor } from '../index.js'
import { type GradCheckOptions, checkGrad, formatGradCheck } from './checkGrad.js'

// --- constructors

/**
 * A fast-check property that runs `checkGrad(f, x, opts)` on every generated `x` and fails
 * with a message naming the worst element: its leaf path, flat index, analytic and numeric
 * derivatives (see `formatGradCheck`). Options and defaults are those of `checkGrad`. The
 * property does not run itself: pass it to `fc.assert` or `fc.check`.
 *
 * @example
 * import fc from 'fast-check'
 * import { sum, tanh, mul } from 'purediff'
 * import { arb, gradientProperty } from 'purediff/testing'
 * const p = gradientProperty((x) => sum(mul(tanh(x), x)), arb.tensor({ shape: [3] }))
 * fc.assert(p, { numRuns: 5, seed: 42 })
 * @category constructors
 * @since 0.1.0
 */
export function gradientProperty<X>(f: (x: X) => Tensor, arbitrary: fc.Arbitrary<X>, opts: GradCheckOptions = {}): fc.IPropertyWithHooks<[X]> {
  return fc.property(arbitrary, (x) => {
    const r = checkGrad(f, x, opts)
    if (!r.ok) throw new Error(formatGradCheck(r))
  })
}

/**
 * Gradient checking against central differences in float64: the analytic gradient that `grad`
 * computes is compared with (f(x + ε·eᵢ) − f(x − ε·eᵢ)) / 2ε for every element of every leaf of
 * a pytree, or, for big inputs, along a few seeded random directions.
 *
 * @since 0.1.0
 */
import { Tensor, ArgumentError, cast, fromArray, grad, item, mul, sum, toFlatArray } from '../index.js'
import { flatten, leafPaths, unflatten } from '../tree/index.js'
import { describeComparison, relativeError } from './report.js'

// --- model

/**
 * Options of `checkGrad`. An element passes when |a − n| ≤ atol + rtol·max(|a|, |n|), where a
 * is the analytic and n the numeric derivative.
 *
 * - `eps` (1e-6): the central-difference step ε.
 * - `rtol` (1e-5), `atol` (1e-7): the tolerances above.
 * - `directions` (unset): when a positive integer k, check k random directions d instead of
 *   every element: ⟨∇f, d⟩ against (f(x + ε·d) − f(x − ε·d)) / 2ε. Costs 2k evaluations of f
 *   instead of 2 per element. Each element of d is uniform in [−1, 1]; the magnitude in the
 *   tolerance is then max(Σ|∇fᵢ·dᵢ|, |n|), so cancellation inside the inner product is allowed for.
 * - `seed` (0): a non-negative safe integer choosing the directions (same seed, same directions).
 * - `weights` (unset): for an `f` with a non-scalar output of the weights' shape, check
 *   x ↦ Σ(weights ⊙ f(x)). The numeric side then differences each output element on its own,
 *   Σᵢ wᵢ·(fᵢ(x + ε) − fᵢ(x − ε)) / 2ε, and takes its rounding floor from the elements that
 *   changed, Σ |wᵢ|·(|fᵢ(x + ε)| + |fᵢ(x − ε)|), not from the (possibly cancelling) weighted sum:
 *   outputs of 1000 with weights of both signs no longer drown a small derivative in the
 *   rounding of a sum, and no output that x does not touch loosens the tolerance.
 *
 * Rounding: the numeric quotient carries the rounding error of evaluating f, about
 * u·(|f(x + ε)| + |f(x − ε)|) / 2ε for a relative evaluation error u. Each element's tolerance
 * therefore also includes that floor with u = 2⁻⁵⁰ (8 ulps), so a large f(x) with a tiny partial
 * derivative elsewhere is not mistaken for a wrong gradient; atol and rtol keep their meaning.
 *
 * @category model
 * @since 0.1.0
 */
export interface GradCheckOptions {
  readonly eps?: number
  readonly rtol?: number
  readonly atol?: number
  readonly directions?: number
  readonly seed?: number
  readonly weights?: Tensor
}

/**
 * One compared derivative. `path` is the leaf path (`.w[0]`, or `<root>` for a bare tensor) and
 * `index` the flat row-major index inside that leaf; in directional mode `path` is
 * `<direction>` and `index` the number of the direction.
 *
 * @category model
 * @since 0.1.0
 */
export interface GradCheckElement {
  readonly path: string
  readonly index: number
  readonly analytic: number
  readonly numeric: number
}

/**
 * The worst compared derivative with how it was judged: `absError` = |a − n|, `scale` =
 * max(|a|, |n|) (in directional mode also Σ|∇fᵢ·dᵢ|), `relError` = absError / scale, and its
 * `tolerance` = atol + rtol·scale + `roundingFloor` (the rounding error of the difference
 * quotient). Non-finite values give absError and relError Infinity.
 *
 * @category model
 * @since 0.1.0
 */
export interface GradCheckWorst extends GradCheckElement {
  readonly absError: number
  readonly relError: number
  readonly scale: number
  readonly tolerance: number
  readonly roundingFloor: number
}

/**
 * The result of `checkGrad`. `worst` is the element closest to (or furthest past) its tolerance,
 * i.e. with the largest |a − n| / (atol + rtol·magnitude); it is null only when the input has
 * no elements at all. Non-finite values count as infinitely wrong. `checked` counts the
 * compared elements (or directions); `rtol` and `atol` are the tolerances used.
 *
 * @category model
 * @since 0.1.0
 */
export interface GradCheckResult {
  readonly ok: boolean
  readonly maxAbsError: number
  readonly maxRelError: number
  readonly worst: GradCheckWorst | null
  readonly checked: number
  readonly rtol: number
  readonly atol: number
}

// --- operations

/**
 * Compares the gradient of a scalar-valued `f` at the pytree `x` with central differences.
 * Every leaf is first cast to float64 (so f sees float64 inputs); inputs are never mutated: each
 * perturbed input is a fresh tensor. The numeric quotient divides by the step actually taken,
 * (x + ε) − (x − ε) in float64, so rounding of x ± ε does not bias it.
 *
 * Defaults: `{ eps: 1e-6, rtol: 1e-5, atol: 1e-7 }`; see `GradCheckOptions`, including the
 * directional mode `{ directions: k, seed }` for big inputs.
 *
 * @example
 * import { tensor, sum, mul, sin } from 'purediff'
 * import { checkGrad } from 'purediff/testing'
 * const params = { w: tensor([0.5, -1]), b: [tensor(2)] }
 * const r = checkGrad((p) => sum(mul(sin(p.w), p.b[0])), params)
 * if (!r.ok || r.worst === null || r.maxAbsError > 1e-7) throw new Error()
 * const d = checkGrad((p) => sum(mul(sin(p.w), p.b[0])), params, { directions: 3, seed: 7 })
 * if (!d.ok || d.checked !== 3) throw new Error()
 * // a vector-valued f: checks x ↦ Σ(weights ⊙ f(x)), differencing each output on its own
 * const v = checkGrad((p) => sin(p.w), params, { weights: tensor([1, -2], 'float64') })
 * if (!v.ok) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function checkGrad<X>(f: (x: X) => Tensor, x: X, opts: GradCheckOptions = {}): GradCheckResult {
  const { eps = 1e-6, rtol = 1e-5, atol = 1e-7, directions, seed = 0, weights } = opts
  if (typeof f !== 'function') throw new ArgumentError('checkGrad', `f must be a function, got ${typeof f}`)
  if (!(eps > 0 && Number.isFinite(eps))) throw new ArgumentError('checkGrad', `eps must be a positive finite number, got ${eps}`)
  if (!(rtol >= 0) || !(atol >= 0)) throw new ArgumentError('checkGrad', `rtol and atol must be non-negative, got rtol ${rtol}, atol ${atol}`)
  if (directions !== undefined && !(Number.isInteger(directions) && directions > 0)) {
    throw new ArgumentError('checkGrad', `directions must be a positive integer, got ${directions}`)
  }
  if (!(Number.isSafeInteger(seed) && seed >= 0)) throw new ArgumentError('checkGrad', `seed must be a non-negative safe integer, got ${seed}`)
  if (weights !== undefined && !(weights instanceof Tensor)) throw new ArgumentError('checkGrad', `weights must be a Tensor, got ${typeof weights}`)

  const { leaves, structure } = flatten('checkGrad', x)
  const x64 = leaves.map((l) => cast(l, 'float64'))
  const at = (ls: readonly Tensor[]): X => unflatten<X>(structure, ls)
  const w = weights === undefined ? null : toFlatArray(weights)
  // The output as numbers: the scalar itself, or every element (weighted in `quotient`).
  const value = (ls: readonly Tensor[]): number[] => (weights === undefined ? [scalarValue(f(at(ls)))] : outputOf(f(at(ls)), weights))
  const scalar = weights === undefined ? f : (p: X) => sum(mul(weights, f(p)))
  const g = flatten('checkGrad (the gradient)', grad(scalar)(at(x64))).leaves.map(toFlatArray)
  const rows: Row[] = []

  if (directions !== undefined) {
    const next = uniform(seed)
    const base = x64.map(toFlatArray)
    for (let k = 0; k < directions; k++) {
      const d = base.map((b) => b.map(() => 2 * next() - 1))
      const shifted = (sign: number) =>
        x64.map((l, i) =>
          fromArray(
            base[i].map((v, j) => v + sign * eps * d[i][j]),
            l.shape,
            'float64',
          ),
        )
      const { numeric, noise } = quotient(value(shifted(1)), value(shifted(-1)), w, 2 * eps)
      let analytic = 0,
        magnitude = 0
      for (let i = 0; i < g.length; i++) {
        for (let j = 0; j < g[i].length; j++) {
          analytic += g[i][j] * d[i][j]
          magnitude += Math.abs(g[i][j] * d[i][j])
        }
      }
      rows.push({ path: '<direction>', index: k, analytic, numeric, magnitude, noise })
    }
    return summarize(rows, rtol, atol)
  }

  const paths = leafPaths(structure)
  x64.forEach((leaf, i) => {
    const base = toFlatArray(leaf)
    for (let j = 0; j < base.length; j++) {
      const xp = base[j] + eps,
        xm = base[j] - eps
      const withValue = (v: number): Tensor[] => {
        const copy = base.slice()
        copy[j] = v
        const ls = x64.slice()
        ls[i] = fromArray(copy, leaf.shape, 'float64')
        return ls
      }
      const { numeric, noise } = quotient(value(withValue(xp)), value(withValue(xm)), w, xp - xm)
      rows.push({ path: paths[i], index: j, analytic: g[i][j], numeric, magnitude: 0, noise })
    }
  })
  return summarize(rows, rtol, atol)
}

/**
 * A one-line report of a `checkGrad` result naming the worst element: its path, index, the
 * analytic and numeric values in full, |a − n|, and the relative error against the scale
 * max(|a|, |n|) next to the tolerance in the same relative terms, so that a wrong derivative
 * on tiny values (where atol dominates) cannot pass for rounding noise. Used by
 * `gradientProperty` and the law suites.
 *
 * @example
 * import { type Tensor, customVjp, mul, scalar, square } from 'purediff'
 * import { checkGrad, formatGradCheck } from 'purediff/testing'
 * const msg = formatGradCheck(checkGrad((x) => square(x), scalar(3)))
 * if (!msg.includes('<root>') || !msg.includes('analytic 6')) throw new Error(msg)
 * // d(x²) = 3x·dx, 50% too big, at x so small that |a − n| is only just past atol = 1e-7
 * const wrong = customVjp((x: Tensor) => square(x), (x: Tensor) => [square(x), x] as const, (x: Tensor, g: Tensor) => [mul(mul(g, x), 3)])
 * const bad = formatGradCheck(checkGrad(wrong, scalar(1.2e-7, 'float64')))
 * if (!bad.includes('FAILED') || !bad.includes('relative error 0.3333') || !bad.includes('not rounding noise')) throw new Error(bad)
 * @category operations
 * @since 0.1.0
 */
export function formatGradCheck(r: GradCheckResult): string {
  if (r.worst === null) return 'checkGrad: nothing to compare (the input has no elements)'
  const w = r.worst
  const directional = w.path === '<direction>'
  const where = directional ? `direction ${w.index}` : `${w.path} index ${w.index}`
  const judged = describeComparison({
    diff: w.absError,
    scale: w.scale,
    scaleIs: directional ? 'max(|a|, |n|, Σ|∇fᵢ·dᵢ|)' : 'max(|a|, |n|)',
    rtol: r.rtol,
    atol: r.atol,
    floor: w.roundingFloor,
  })
  return (
    `checkGrad ${r.ok ? 'passed' : 'FAILED'} over ${r.checked} ${directional ? 'directions' : 'elements'}; ` +
    `worst at ${where}: analytic ${w.analytic}, numeric ${w.numeric}, |a − n| = ${Math.abs(w.analytic - w.numeric)}; ${judged} ` +
    `(max abs error ${r.maxAbsError}, max rel error ${r.maxRelError})`
  )
}

// --- helpers

/** Every element of f's output (which must have the weights' shape), as float64 numbers. */
function outputOf(y: unknown, weights: Tensor): number[] {
  if (!(y instanceof Tensor) || y.rank !== weights.rank || y.shape.some((d, i) => d !== weights.shape[i])) {
    const got = y instanceof Tensor ? `[${y.shape.join(', ')}]` : typeof y
    throw new ArgumentError('checkGrad', `with weights of shape [${weights.shape.join(', ')}], f must return a tensor of that shape, got ${got}`)
  }
  return toFlatArray(y)
}

function scalarValue(y: unknown): number {
  if (!(y instanceof Tensor) || y.size !== 1) {
    throw new ArgumentError('checkGrad', 'f must return a scalar tensor (exactly one element)')
  }
  return item(y)
}

/**
 * One comparison; `magnitude` is an extra magnitude for the tolerance (directional mode), else 0;
 * `noise` the rounding floor of its difference quotient.
 */
interface Row extends GradCheckElement {
  readonly magnitude: number
  readonly noise: number
}

/** The rounding error of (f₊ − f₋)/h when each value carries a relative error of 2⁻⁵⁰. */
const roundingFloor = (fp: number, fm: number, h: number): number => (Number.isFinite(fp) && Number.isFinite(fm) ? (2 ** -50 * (Math.abs(fp) + Math.abs(fm))) / h : 0)

/**
 * The difference quotient and its rounding floor. Scalar mode (`w` null): (f₊ − f₋)/h. Weighted
 * mode: Σᵢ wᵢ·(f₊ᵢ − f₋ᵢ)/h, summed with Neumaier's compensation; an element equal at both
 * points contributes exactly 0 to the sum and nothing to the floor, an element that changed
 * contributes its own floor |wᵢ|·(|f₊ᵢ| + |f₋ᵢ|)·2⁻⁵⁰/h.
 */
function quotient(fp: readonly number[], fm: readonly number[], w: readonly number[] | null, h: number): { numeric: number; noise: number } {
  if (w === null) return { numeric: (fp[0] - fm[0]) / h, noise: roundingFloor(fp[0], fm[0], h) }
  let sum = 0,
    c = 0,
    noise = 0
  for (let i = 0; i < fp.length; i++) {
    if (fp[i] === fm[i]) continue
    const term = w[i] * (fp[i] - fm[i])
    const t = sum + term
    c += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum
    sum = t
    noise += Math.abs(w[i]) * roundingFloor(fp[i], fm[i], h)
  }
  return { numeric: (sum + c) / h, noise }
}

/** The maxima of the errors and the row with the largest error/tolerance ratio. */
function summarize(rows: readonly Row[], rtol: number, atol: number): GradCheckResult {
  let ok = true,
    maxAbsError = 0,
    maxRelError = 0,
    worstRatio = -1
  let worst: GradCheckWorst | null = null
  for (const { path, index, analytic, numeric, magnitude: extra, noise } of rows) {
    const finite = Number.isFinite(analytic) && Number.isFinite(numeric)
    const abs = finite ? Math.abs(analytic - numeric) : Infinity
    const magnitude = Math.max(Math.abs(analytic), Math.abs(numeric), extra)
    const tol = atol + rtol * magnitude + noise
    const rel = !finite ? Infinity : relativeError(abs, magnitude)
    const ratio = !finite ? Infinity : abs === 0 ? 0 : abs / tol
    if (!(finite && abs <= tol)) ok = false
    maxAbsError = Math.max(maxAbsError, abs)
    maxRelError = Math.max(maxRelError, rel)
    if (ratio > worstRatio) {
      worstRatio = ratio
      worst = { path, index, analytic, numeric, absError: abs, relError: rel, scale: magnitude, tolerance: tol, roundingFloor: noise }
    }
  }
  return { ok, maxAbsError, maxRelError, worst, checked: rows.length, rtol, atol }
}

/**
 * mulberry32 over a 32-bit mix of the seed: uniform numbers in [0, 1). Local so that a gradient
 * check never depends on the library's own random module, which it may be testing.
 */
function uniform(seed: number): () => number {
  let s = ((seed >>> 0) ^ Math.floor(seed / 2 ** 32) ^ 0x9e3779b9) >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

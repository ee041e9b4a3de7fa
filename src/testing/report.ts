/**
 * How a failed comparison is told: the error relative to the scale it was judged on, what that
 * scale is, and the tolerance in the same relative terms. Shared by `formatGradCheck` and the
 * law suites, so that a wrong derivative never reads as rounding noise: a shrunk counterexample
 * sits just past its tolerance by construction (fast-check shrinks the values towards 0, where
 * the absolute tolerance dominates), and only the relative error shows how wrong it is.
 *
 * @internal
 */

/** One comparison of two values on a scale, with the tolerance atol + rtol·scale + floor. */
export interface Comparison {
  /** |a − b| (Infinity when either is not finite) */
  readonly diff: number
  /** the magnitude the tolerance is relative to */
  readonly scale: number
  /** what the scale is, e.g. 'max(|a|, |n|)' */
  readonly scaleIs: string
  readonly rtol: number
  readonly atol: number
  /** an extra absolute allowance, e.g. the rounding floor of a difference quotient (0 if none) */
  readonly floor?: number
  /** the name of the relative tolerance in the caller's options ('rtol' unless told) */
  readonly rtolName?: string
  readonly atolName?: string
}

/** Four significant digits, for ratios (the compared values themselves are printed in full). */
export const short = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x))

/** |diff| / scale: 0 when equal, Infinity when the scale is 0 and they differ, or either is not finite. */
export function relativeError(diff: number, scale: number): number {
  if (diff === 0) return 0
  return Number.isFinite(diff) && scale > 0 ? diff / scale : Infinity
}

/**
 * "relative error R = |diff| / scale, with scale = … = S; tolerance T = atol + rtol·scale
 * [+ floor], a relative T/S at this scale", and, when the relative error is far beyond rtol
 * but the absolute part of the tolerance dominates (tiny values), a sentence saying that this
 * is no rounding noise.
 */
export function describeComparison(c: Comparison): string {
  const { diff, scale, scaleIs, rtol, atol, floor = 0, rtolName = 'rtol', atolName = 'atol' } = c
  const tol = atol + rtol * scale + floor
  const rel = relativeError(diff, scale)
  const allowed = scale > 0 ? tol / scale : Infinity
  let s =
    `relative error ${short(rel)} = |diff| / scale, with scale = ${scaleIs} = ${scale}; ` +
    `tolerance ${tol} = ${atolName} ${atol} + ${rtolName} ${rtol}·scale${floor > 0 ? ` + rounding floor ${floor}` : ''}, a relative ${short(allowed)} at this scale`
  if (rel > 10 * rtol && atol + floor > rtol * scale && Number.isFinite(rel)) {
    const absolute = floor > atol ? `the rounding floor ${floor}` : `${atolName} ${atol}`
    s +=
      `. The values are tiny, so the absolute part (${absolute}) dominates the tolerance: ` +
      `a relative error of ${short(rel)} is ${short(rel / Math.max(rtol, Number.MIN_VALUE))}× ${rtolName}, not rounding noise`
  }
  return s
}

/**
 * The Euclidean norm of many arrays, √(Σ x²), without overflow or underflow for finite inputs:
 * squaring overflows for |x| > 1.3e154 (so 1e200 would give a norm of Infinity) and underflows
 * for |x| < 1.5e−162 (so 1e−200 would give 0). The result is kept as scale·√ssq with ssq the
 * sum of (x/scale)², as LAPACK's `dnrm2` does; the scale is a power of two (2⁶⁰⁰ or 2⁻⁶⁰⁰, as
 * in Blue's algorithm, LAPACK 3.10), so scaling is exact where dividing by max |x| would round.
 *
 * why two paths: the plain sum of squares is one multiply-add per element and exact enough
 * whenever it lands in a safe range; only when it overflows, or comes out so small that
 * underflowed squares could matter, is it summed again over the scaled elements. Results in the
 * common case are therefore bit-identical to the plain float64 sum.
 *
 * @internal
 */

/** Σ x² = scale²·ssq. `scale` is 1 when the plain sum was used. */
export interface SumOfSquares {
  readonly scale: number
  readonly ssq: number
}

// Below this the plain sum may be dominated by squares that underflowed (each < 2⁻¹⁰²²,
// absolute error ≤ 2⁻¹⁰⁷⁵ per element): above it, even 2⁵³ such errors are a relative 2⁻¹²⁸.
const TINY = 2 ** -900
// Scaled by 2⁻⁶⁰⁰, finite elements (< 2¹⁰²⁴) square to < 2⁸⁴⁸: no overflow even summed 2⁵³
// times; elements that then underflow are < 2⁻⁴⁷⁴·max, whose squares no double could add. A
// sum below TINY has every |x| < 2⁻⁴⁴⁹: scaled by 2⁶⁰⁰ the largest squares stay < 2³⁰², and the
// smallest subnormal becomes 2⁻⁴⁷⁴, whose square is a normal number: nothing underflows.
const BIG = 2 ** 600

/**
 * Σ over every array of Σ x², as scale²·ssq with no overflow or underflow for finite inputs.
 * A NaN element gives ssq NaN; an infinite one (and no NaN) gives ssq Infinity.
 */
export function sumOfSquares(arrays: readonly ArrayLike<number>[]): SumOfSquares {
  let s = 0
  for (const x of arrays) for (let i = 0; i < x.length; i++) s += x[i] * x[i]
  if ((s >= TINY && s < Infinity) || Number.isNaN(s)) return { scale: 1, ssq: s }
  const scale = s === Infinity ? BIG : 1 / BIG
  const c = 1 / scale
  let q = 0
  for (const x of arrays)
    for (let i = 0; i < x.length; i++) {
      const r = x[i] * c
      q += r * r
    }
  return { scale, ssq: q }
}

/** scale·√ssq: the norm, Infinity only when the true norm exceeds the largest double. */
export function normOf(s: SumOfSquares): number {
  return s.scale * Math.sqrt(s.ssq)
}

/** The Euclidean norm of all the arrays together (see `sumOfSquares`). */
export function norm(arrays: readonly ArrayLike<number>[]): number {
  return normOf(sumOfSquares(arrays))
}

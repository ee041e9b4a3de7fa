/**
 * Kernels of the error function and the activations built on it (GELU, SiLU), and rsqrt:
 * typed arrays in, typed arrays out; every value is computed in float64 and rounded once on
 * store, so a float32 result is the float64 one rounded.
 *
 * erf to float64 rounding, in three regions of a = |x| (erf is odd):
 * - a < 0.5: the Maclaurin series 2/√π · Σ (−1)ⁿ x²ⁿ⁺¹ / (n!(2n + 1)) through n = 13 (the first
 *   term left out is below 0.25¹⁴/(14!·29) ≈ 1.5e−21 of the sum; terms fall by 4× or more and
 *   alternate, so no cancellation);
 * - 0.5 ≤ a < 2.5: Kummer's form 2/√π · e^(−a²) · Σ (2a²)ⁿ a / (1·3·…·(2n + 1)), all terms
 *   positive (no cancellation), summed until a term is below 2⁻⁵⁶ of the sum;
 * - 2.5 ≤ a: erf = 1 − erfc(a), with erfc(a) = e^(−a²)/√π · 1/(a + ½/(a + 1/(a + 3⁄2/(a + …))))
 *   (Laplace's continued fraction), evaluated backward from a fixed depth that converges to
 *   below 2⁻⁵⁶ for a ≥ 2.5 (checked against 400-digit values in test/ops/erf.test.ts);
 *   erfc(a) < 2⁻⁵⁴ from a = 6 on, so erf rounds to 1 there.
 * Measured against 400-digit BigInt values (26,000 points over [−6, 6], tiny |x| and the region
 * boundaries): relative error ≤ 1.5e−15, the largest (1.45e−15) inside the Kummer region, whose
 * terms each carry up to 2n roundings; test/ops/erf.test.ts asserts ≤ 1e−14.
 *
 * @internal
 */
import type { TypedArray } from '../tensor/dtype.js'

// --- scalar functions

const TWO_OVER_SQRT_PI = 1.1283791670955126 // 2/√π
const INV_SQRT_PI = 0.5641895835477563 // 1/√π
const INV_SQRT_2PI = 0.3989422804014327 // 1/√(2π)

/** e^(−a²) without the rounding of a²: a = h + l with h of 24 bits, so h·h is exact (0 beyond |a| = 40, where fround could overflow). */
function expNegSquare(a: number): number {
  if (a > 40 || a < -40) return 0
  const h = Math.fround(a)
  return Math.exp(-h * h) * Math.exp(-(a - h) * (a + h))
}

/** erfc(a) for 2.5 ≤ a < 27.3 by the continued fraction (0 beyond: erfc(27.3) < 2⁻¹⁰⁷⁴). */
function erfcTail(a: number): number {
  if (a >= 27.3) return 0
  // Depths with a margin over the least that reach 2⁻⁵² against 400-digit values (37 at a =
  // 2.5, 28 at 3, 20 at 4, 13 at 6, 9 at 10, 5 at 26): the convergents close in faster as a grows.
  const depth = a < 3 ? 44 : a < 4 ? 34 : a < 6 ? 26 : a < 10 ? 16 : 12
  let t = a
  for (let n = depth; n >= 1; n--) t = a + (0.5 * n) / t
  return (expNegSquare(a) * INV_SQRT_PI) / t
}

/** erf(x) for |x| = a < 2.5 (x = −0 gives −0). */
function erfSmall(x: number, a: number): number {
  if (a < 0.5) {
    const z = x * x
    // Horner in x² over (−1)ⁿ/(n!(2n + 1)), n = 13 … 0
    let s = -1 / 168129561600
    s = s * z + 1 / 11975040000
    s = s * z - 1 / 918086400
    s = s * z + 1 / 76204800
    s = s * z - 1 / 6894720
    s = s * z + 1 / 685440
    s = s * z - 1 / 75600
    s = s * z + 1 / 9360
    s = s * z - 1 / 1320
    s = s * z + 1 / 216
    s = s * z - 1 / 42
    s = s * z + 1 / 10
    s = s * z - 1 / 3
    s = s * z + 1
    return TWO_OVER_SQRT_PI * (x * s)
  }
  // Kummer: every term positive; t_n = t_(n−1) · 2a²/(2n + 1)
  const r = 2 * a * a
  let t = a
  let s = a
  for (let n = 1; t > s * 1.3877787807814457e-17; n++) {
    t *= r / (2 * n + 1)
    s += t
  }
  const v = TWO_OVER_SQRT_PI * expNegSquare(a) * s
  return x < 0 ? -v : v
}

/** erf(x) to float64 rounding; erf(±∞) = ±1, erf(NaN) = NaN. */
export function erf1(x: number): number {
  const a = Math.abs(x)
  if (a < 2.5) return erfSmall(x, a)
  if (a >= 2.5) {
    const v = 1 - erfcTail(a)
    return x < 0 ? -v : v
  }
  return x // NaN
}

/** erfc(x) = 1 − erf(x), relatively accurate for x ≥ 2.5 (where 1 − erf would cancel). */
export function erfc1(x: number): number {
  return x >= 2.5 ? erfcTail(x) : 1 - erf1(x)
}

/** Φ(x) = (1 + erf(x/√2))/2, the standard normal CDF; through erfc in the lower tail. */
function normalCdf(x: number): number {
  const z = x * Math.SQRT1_2
  return z < -2.5 ? 0.5 * erfcTail(-z) : 0.5 * (1 + erf1(z))
}

/** φ(x) = e^(−x²/2)/√(2π), the standard normal density. */
function normalPdf(x: number): number {
  return INV_SQRT_2PI * expNegSquare(x * Math.SQRT1_2)
}

// --- unary kernels

/** erf, elementwise. */
export function erf(x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < x.length; i++) o[i] = erf1(x[i])
}

/** g·(2/√π)·e^(−x²): erf's derivative applied to g in one pass. */
export function erfGrad(g: TypedArray, x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < o.length; i++) o[i] = g[i] * (TWO_OVER_SQRT_PI * expNegSquare(x[i]))
}

/**
 * Exact GELU x·Φ(x). Below −40, x·Φ(x) ≈ φ(x) < 1e−300·e^(−700) underflows: −0 (which also
 * gives the limit −0 at −∞, where x·Φ(x) would be −∞·0 = NaN).
 */
export function gelu(x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    o[i] = v < -40 ? -0 : v * normalCdf(v)
  }
}

/** g·(Φ(x) + x·φ(x)); beyond |x| = 40, φ(x) = 0 and Φ(x) is 0 or 1: the limits, never ∞·0. */
export function geluGrad(g: TypedArray, x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < o.length; i++) {
    const v = x[i]
    const d = v > 40 ? 1 : v < -40 ? -0 : normalCdf(v) + v * normalPdf(v)
    o[i] = g[i] * d
  }
}

const GELU_C = 0.7978845608028654 // √(2/π)
const GELU_K = 0.044715

/** σ(s), stable for both signs. */
function sigma(s: number): number {
  if (s >= 0) return 1 / (1 + Math.exp(-s))
  const e = Math.exp(s)
  return e / (1 + e)
}

/**
 * Tanh-approximate GELU ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), computed as x·σ(2u)
 * (1 + tanh u = 2σ(2u)), which never cancels for x ≪ 0. Beyond |x| = 100, σ(2u) is 0 or 1
 * to float64 (2|u| > 70,000): x or −0, so x³ never overflows into ∞·0.
 */
export function geluTanh(x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    o[i] = v > 100 ? v : v < -100 ? -0 : v * sigma(2 * GELU_C * (v + GELU_K * v * v * v))
  }
}

/** g·(σ(2u) + 2x·σ(2u)σ(−2u)·u′) with u′ = √(2/π)(1 + 3·0.044715x²); the limits beyond |x| = 100. */
export function geluTanhGrad(g: TypedArray, x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < o.length; i++) {
    const v = x[i]
    let d: number
    if (v > 100) d = 1
    else if (v < -100) d = -0
    else {
      const s = 2 * GELU_C * (v + GELU_K * v * v * v)
      const p = sigma(s)
      d = p + 2 * v * p * sigma(-s) * GELU_C * (1 + 3 * GELU_K * v * v)
    }
    o[i] = g[i] * d
  }
}

/** SiLU x·σ(x); below −800, e^x = 0 and the value is −0 (also at −∞, not −∞·0 = NaN). */
export function silu(x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    o[i] = v < -800 ? -0 : v * sigma(v)
  }
}

/** g·(σ(x) + x·σ(x)σ(−x)); the limits 1 and −0 beyond |x| = 800 (never ∞·0). */
export function siluGrad(g: TypedArray, x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < o.length; i++) {
    const v = x[i]
    let d: number
    if (v > 800) d = 1
    else if (v < -800) d = -0
    else {
      const p = sigma(v)
      d = p + v * p * sigma(-v)
    }
    o[i] = g[i] * d
  }
}

/** 1/√x: +∞ at +0, −∞ at −0 (IEEE 754 rSqrt), NaN below 0, +0 at +∞. */
export function rsqrt(x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < x.length; i++) o[i] = 1 / Math.sqrt(x[i])
}

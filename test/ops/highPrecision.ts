/**
 * An independent oracle for erf and the normal CDF: exact binary fixed point with BigInt
 * (P = 1400 fractional bits, about 420 digits). π comes from Machin's formula, √π and √2 from
 * Newton's method on integers, erf from its Maclaurin series Σ (−1)ⁿ x²ⁿ⁺¹/(n!(2n + 1)) summed
 * until the terms vanish. The series cancels (its largest term is about e^(x²)), so it is
 * trusted while e^(x²)/erfc(|x|) stays far below 2^1400: up to |x| ≈ 20, far beyond the tests'
 * |x| ≤ 12. A double converts exactly (it is a dyadic rational), and the result rounds once.
 */

const P = 1400n
const ONE = 1n << P

/** atan(1/k) in fixed point. */
function atanInv(k: number): bigint {
  const kk = BigInt(k)
  const k2 = kk * kk
  let p = ONE / kk
  let s = 0n
  for (let n = 0n, sign = 1n; p !== 0n; n++, sign = -sign) {
    s += (sign * p) / (2n * n + 1n)
    p /= k2
  }
  return s
}

/** ⌊√v⌋ for a fixed-point v (so √(v/2^P)·2^P), by Newton's method from a float estimate. */
function sqrtFixed(v: bigint): bigint {
  const target = v << P
  let x = 1n << (BigInt(target.toString(2).length) / 2n + 1n)
  for (;;) {
    const y = (x + target / x) >> 1n
    if (y >= x) return x
    x = y
  }
}

let constants: { sqrtPi: bigint; sqrt2: bigint } | undefined
function consts(): { sqrtPi: bigint; sqrt2: bigint } {
  if (constants === undefined) constants = { sqrtPi: sqrtFixed(16n * atanInv(5) - 4n * atanInv(239)), sqrt2: sqrtFixed(2n * ONE) }
  return constants
}

/** A finite double as an exact fixed-point value (every double is a multiple of 2^−1074). */
function toFixed(x: number): bigint {
  let e = 0
  let y = x
  // doubling is exact (2^1074·x itself would overflow 2^1074 to ∞)
  for (; !Number.isInteger(y); e++) y *= 2
  return (BigInt(y) << P) >> BigInt(e)
}

/** A fixed-point value rounded once to the nearest double (80 bits kept, then Number rounds). */
function toDouble(v: bigint): number {
  const neg = v < 0n
  const m = neg ? -v : v
  const s = Math.max(0, m.toString(2).length - 80)
  const e = s - Number(P)
  const h = Math.trunc(e / 2)
  return (neg ? -1 : 1) * Number(m >> BigInt(s)) * 2 ** h * 2 ** (e - h)
}

/** erf of a fixed-point value, in fixed point. */
function erfFixed(x: bigint): bigint {
  const x2 = (x * x) >> P
  let p = x
  let s = 0n
  for (let n = 0n; p !== 0n; n++) {
    s += p / (2n * n + 1n)
    p = -((p * x2) >> P) / (n + 1n)
  }
  return ((2n * s) << P) / consts().sqrtPi
}

/** erf(x) to about 420 digits, rounded to the nearest double. */
export const erfHP = (x: number): number => toDouble(erfFixed(toFixed(x)))

/** erfc(x) = 1 − erf(x), rounded once (relative accuracy kept in the tail). */
export const erfcHP = (x: number): number => toDouble(ONE - erfFixed(toFixed(x)))

/** The exact GELU x·Φ(x) = x·(1 + erf(x/√2))/2 of a double x, rounded once. */
export function geluHP(x: number): number {
  const X = toFixed(x)
  const phi = (ONE + erfFixed((X << P) / consts().sqrt2)) >> 1n
  return toDouble((X * phi) >> P)
}

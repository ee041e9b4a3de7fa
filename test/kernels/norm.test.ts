/**
 * The scaled Euclidean norm (src/kernels/norm.ts) against Math.hypot, which scales by the
 * largest element and so neither overflows nor underflows (ECMAScript leaves its accuracy to
 * the engine; V8's is a compensated sum, within an ulp or two): finite for finite inputs of
 * every magnitude, never 0 for a non-zero input, bit-identical to √Σx² where that is safe.
 * Also `gradientNorms`, which uses it, and the non-finite conventions.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { norm, normOf, sumOfSquares } from '../../src/kernels/norm.js'
import { gradientNorms } from '../../src/train/index.js'

const EPS = 2 ** -52
const exponent = fc.integer({ min: -323, max: 307 })
const anyMagnitude = fc.tuple(fc.double({ min: -9.99, max: 9.99, noNaN: true }), exponent).map(([m, e]) => m * 10 ** e)
/** Arrays of one magnitude (every element counts) or of mixed magnitudes, split in 1–3 parts. */
const arrays = fc
  .oneof(
    exponent.chain((e) =>
      fc.array(
        fc.double({ min: -9.99, max: 9.99, noNaN: true }).map((m) => m * 10 ** e),
        { minLength: 1, maxLength: 12 },
      ),
    ),
    fc.array(anyMagnitude, { minLength: 1, maxLength: 12 }),
  )
  .chain((xs) => fc.integer({ min: 0, max: xs.length }).map((cut) => [Float64Array.from(xs.slice(0, cut)), Float64Array.from(xs.slice(cut))]))

describe('norm', () => {
  it('equals Math.hypot within rounding for finite inputs of every magnitude (1e-323…1e307)', () => {
    fc.assert(
      fc.property(arrays, (xs) => {
        const all = xs.flatMap((x) => Array.from(x))
        const want = Math.hypot(...all)
        const got = norm(xs)
        // ≤ 12 terms: a relative error of a few ulps on either side; finite whenever hypot is
        expect(Number.isFinite(got)).toBe(Number.isFinite(want))
        if (Number.isFinite(want)) expect(Math.abs(got - want)).toBeLessThanOrEqual(8 * EPS * want)
        expect(got === 0).toBe(all.every((v) => v === 0))
      }),
      { numRuns: 500 },
    )
  })

  it('is √Σx² bit for bit where that sum is safe, and scales only outside', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e100, max: 1e100, noNaN: true }), { minLength: 1, maxLength: 12 }), (xs) => {
        let s = 0
        for (const v of xs) s += v * v
        if (s < 2 ** -900) return
        expect(sumOfSquares([Float64Array.from(xs)])).toEqual({ scale: 1, ssq: s })
        expect(norm([xs])).toBe(Math.sqrt(s))
      }),
      { numRuns: 200 },
    )
    // squares overflow to Infinity up here and underflow to 0 down there; the scaling by powers
    // of two is exact, so 3-4-5 triangles stay exact (3e200 itself is not 3·10²⁰⁰: see hypot above)
    expect(norm([[3 * 2 ** 700, 4 * 2 ** 700]])).toBe(5 * 2 ** 700)
    expect(norm([[3 * 2 ** -700], [4 * 2 ** -700]])).toBe(5 * 2 ** -700)
    expect(norm([[3e200, 4e200]])).toBe(Math.hypot(3e200, 4e200))
    expect(norm([[Number.MIN_VALUE]])).toBe(Number.MIN_VALUE)
    expect(norm([[Number.MAX_VALUE]])).toBe(Number.MAX_VALUE)
    expect(sumOfSquares([[1e200]]).scale).toBe(2 ** 600)
    expect(sumOfSquares([[1e-200]]).scale).toBe(2 ** -600)
  })

  it('non-finite and empty inputs: NaN wins, then Infinity; no elements or zeros give 0', () => {
    expect(norm([[1, NaN, Infinity]])).toBeNaN()
    expect(norm([[1e300], [Infinity]])).toBe(Infinity)
    expect(norm([[-Infinity, 1e-300]])).toBe(Infinity)
    // the true norm exceeds the largest double: Infinity as a number, still finite as scale·√ssq
    const s = sumOfSquares([[Number.MAX_VALUE, Number.MAX_VALUE]])
    expect(normOf(s)).toBe(Infinity)
    expect(Number.isFinite(Math.sqrt(s.ssq))).toBe(true)
    expect(norm([])).toBe(0)
    expect(norm([[], new Float32Array(3)])).toBe(0)
    expect(norm([[-0, 0]])).toBe(0)
  })
})

describe('gradientNorms', () => {
  it('one finite, non-zero norm per layer for gradients of any magnitude, in both dtypes', () => {
    fc.assert(
      fc.property(fc.array(arrays, { minLength: 1, maxLength: 3 }), (layers) => {
        const grads = layers.map(([a, b]) => ({ w: P.fromArray(a, [a.length], 'float64'), b: [P.fromArray(b, [b.length], 'float64')] }))
        const norms = gradientNorms(grads)
        layers.forEach((xs, i) => {
          const all = xs.flatMap((x) => Array.from(x))
          const want = Math.hypot(...all)
          if (Number.isFinite(want)) expect(Math.abs(norms[i] - want)).toBeLessThanOrEqual(8 * EPS * want)
          expect(norms[i] === 0).toBe(all.every((v) => v === 0))
        })
      }),
      { numRuns: 100 },
    )
    // float32 storage: squares in float64 never overflow, 3e38 gives its own norm
    expect(gradientNorms([{ w: P.tensor([3e38, 4e38 / 2], 'float32') }])[0]).toBe(Math.hypot(Math.fround(3e38), Math.fround(2e38)))
    expect(gradientNorms([{ w: P.tensor([1e200, 1e200, 1e200, 1e200], 'float64') }])).toEqual([2e200])
  })
})

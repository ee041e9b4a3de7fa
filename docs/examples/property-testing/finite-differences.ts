// Why checkGrad's default step is ε = 1e-6: the error of a central difference in float64.
import assert from 'node:assert/strict'
import { item, scalar, sin } from 'purediff'
import { type Point, curvesSpec } from '../plot.js'

// #region error
// (f(x + ε) − f(x − ε)) / 2ε = f′(x) + ε²·f‴(x)/6 + O(ε⁴): truncation error shrinks like ε².
// But f(x ± ε) are rounded to about u = 2⁻⁵³ relative error, and dividing by 2ε magnifies that
// to about u·|f(x)|/ε. The total is smallest near ε ≈ (3u·|f|/|f‴|)^(1/3), about 1e-5 for sin at 1.
const f = (x: number) => item(sin(scalar(x, 'float64')))
const x = 1
const exact = Math.cos(x)
const error = (eps: number) => Math.abs((f(x + eps) - f(x - eps)) / (2 * eps) - exact)
const exponents = Array.from({ length: 49 }, (_, i) => -1 - i / 4) // ε from 1e-1 to 1e-13
const errors = exponents.map((e) => error(10 ** e))
// #endregion error

// #region check
// Large ε: pure truncation, ε²·|f‴(1)|/6 = ε²·cos(1)/6, to within the next term (ε⁴/120).
assert.ok(Math.abs(errors[0] / ((0.01 * Math.cos(1)) / 6) - 1) < 0.01)
// The best ε lies between 1e-6.5 and 1e-4, and it is far better than either extreme.
const best = exponents[errors.indexOf(Math.min(...errors))]
assert.ok(best >= -6.5 && best <= -4, `best ε = 1e${best}`)
assert.ok(Math.min(...errors) < 1e-10 && errors[errors.length - 1] > 1e-6 && errors[0] > 1e-4)
// #endregion check

const u = 2 ** -53
export const plot = curvesSpec(
  'Central difference of sin at x = 1: the error against the step ε',
  'log₁₀ ε',
  '|numeric − cos 1|',
  [
    ...exponents.map((e, i): Point => ({ series: 'measured (float64)', x: e, y: Math.max(errors[i], 1e-17) })),
    ...exponents.map((e): Point => ({ series: 'truncation ε²·cos 1 / 6', x: e, y: (10 ** (2 * e) * Math.cos(1)) / 6 })),
    ...exponents.map((e): Point => ({ series: 'rounding u·sin 1 / ε', x: e, y: (u * Math.sin(1)) / 10 ** e })),
  ],
  { logY: true, yDomain: [1e-17, 1e-1] },
)

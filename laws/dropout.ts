/**
 * Dropout laws: the lecture's reason for the (1 − p) rule, checked by enumeration. With n
 * droppable units there are 2ⁿ masks; mask m has probability p^(dropped)·(1 − p)^(kept). For a
 * network that is linear (affine) in the dropped units, the probability-weighted average of its
 * outputs over ALL masks equals the test-time network exactly, in both modes: E[x·m] = x·(1 − p)
 * (`'scaleAtTest'`) and E[x·m/(1 − p)] = x (`'inverted'`), and an affine map commutes with the
 * expectation. With a ReLU between two layers it does not: by Jensen's inequality (ReLU is
 * convex) the average of relu(z) is at least relu of the average, with equality only when z
 * never changes sign over the masks. Each law is a pure checker plus a named property of
 * `dropoutLaws`; masks are enumerated as one batch of 2ⁿ rows through `dropoutWithMask`.
 *
 * @since 0.1.0
 */
import fc from 'fast-check'
import { type Key, type Tensor, abs, add, broadcastTo, fromArray, toFlatArray } from '../src/index.js'
import { type DenseParams, type DropoutMode, dense, dropout, dropoutWithMask, relu } from '../src/nn/index.js'
import { arb } from '../src/testing/index.js'
import type { LawResult, LawSuite } from './immutability.js'

// --- model

/**
 * The comparison of the all-masks average with the test-time output: both as flat float64
 * arrays (one example), `deviation` = average − testTime elementwise, `maxDeviation` its
 * largest absolute value, and `masks` = 2ⁿ.
 *
 * @category model
 * @since 0.1.0
 */
export interface AllMasksComparison {
  readonly average: readonly number[]
  readonly testTime: readonly number[]
  readonly deviation: readonly number[]
  readonly maxDeviation: number
  readonly masks: number
}

/**
 * One case of the dropout laws: `n` droppable units, the rate and mode, one example `x` of
 * shape `[1, n]` (float64, elements in [−1, 1]), a first dense layer `d1` (n → h), a second `d2`
 * (h → k), both float64 with elements in [−1, 1], and a `key` for train-mode draws.
 *
 * @category model
 * @since 0.1.0
 */
export interface DropoutCase {
  readonly n: number
  readonly rate: number
  readonly mode: DropoutMode
  readonly x: Tensor
  readonly d1: DenseParams
  readonly d2: DenseParams
  readonly key: Key
}

/**
 * Options of `dropoutLaws`: `maxUnits` (12, so up to 4096 masks), `rates` ([0.1, 0.25, 0.5,
 * 0.75, 0.9]), `modes` (both), `tolerance` (1e-10: the largest |average − test-time output|
 * accepted for linear networks, in float64).
 *
 * @category model
 * @since 0.1.0
 */
export interface DropoutLawOptions {
  readonly maxUnits?: number
  readonly rates?: readonly number[]
  readonly modes?: readonly DropoutMode[]
  readonly tolerance?: number
}

// --- constructors

const denseParams = (inputs: number, units: number): fc.Arbitrary<DenseParams> =>
  fc.record({ w: arb.tensor({ shape: [inputs, units], min: -1, max: 1 }), b: arb.tensor({ shape: [units], min: -1, max: 1 }) })

/**
 * The arbitrary of `DropoutCase`s: n in [1, maxUnits], a rate from `rates`, a mode from `modes`,
 * h in [1, 3] hidden and k in [1, 2] output units.
 *
 * @example
 * import fc from 'fast-check'
 * import { dropoutCase } from 'purediff/laws'
 * const [c] = fc.sample(dropoutCase({ maxUnits: 4 }), { numRuns: 1, seed: 2 })
 * if (c.x.shape.join() !== `1,${c.n}` || c.d1.w.shape[0] !== c.n || c.n > 4) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function dropoutCase(opts: DropoutLawOptions = {}): fc.Arbitrary<DropoutCase> {
  const { maxUnits = 12, rates = [0.1, 0.25, 0.5, 0.75, 0.9], modes = ['inverted', 'scaleAtTest'] } = opts
  return fc.tuple(fc.integer({ min: 1, max: maxUnits }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })).chain(([n, h, k]) =>
    fc.record({
      n: fc.constant(n),
      rate: fc.constantFrom(...rates),
      mode: fc.constantFrom(...modes),
      x: arb.tensor({ shape: [1, n], min: -1, max: 1 }),
      d1: denseParams(n, h),
      d2: denseParams(h, k),
      key: arb.key(),
    }),
  )
}

/**
 * The dropout suite, properties:
 * - 'rate 0 is the identity': `dropout(0, { mode })` returns x unchanged, train and test;
 * - 'train mode keeps or drops each element': every output is 0 or x/(1 − p) ('inverted') or x
 *   ('scaleAtTest'), and the same key draws the same mask;
 * - 'all masks: dropout → dense averages to the test-time output';
 * - 'all masks: dropout → dense → dense averages to the test-time output' (no activation
 *   between, so still linear in the dropped units);
 * - 'with a ReLU: the average is never below the test-time output (Jensen)';
 * - 'with a ReLU between the layers the equality fails': a family of cases where the ReLU's
 *   input changes sign over the masks (x₁, x₂ ∈ [½, 1], unit j gets +aⱼx₁ − cⱼx₂ with aⱼ, cⱼ
 *   ∈ [½, 1], the other weights 0, then a dense layer with weights ≥ 0.1): the all-masks
 *   average of dropout → dense → relu → dense exceeds the test-time output by at least
 *   p(1 − p)/40 (2.25e-3 at p = 0.1 or 0.9).
 * Never runs the properties itself.
 *
 * @example
 * import fc from 'fast-check'
 * import { dropoutLaws } from 'purediff/laws'
 * for (const [name, property] of Object.entries(dropoutLaws({ maxUnits: 4 }))) {
 *   if (fc.check(property, { numRuns: 5, seed: 1 }).failed) throw new Error(name)
 * }
 * @category constructors
 * @since 0.1.0
 */
export function dropoutLaws(opts: DropoutLawOptions = {}): LawSuite<DropoutCase> {
  const { tolerance = 1e-10 } = opts
  const cases = dropoutCase(opts)
  const must = (r: LawResult) => {
    if (!r.ok) throw new Error(r.detail)
  }
  const d = (p: DenseParams) => dense(p.w.shape[1])
  return {
    'rate 0 is the identity': fc.property(cases, (c) => {
      const layer = dropout(0, { mode: c.mode })
      for (const train of [false, true]) {
        if (layer.apply({}, c.x, { train, key: c.key }) !== c.x) throw new Error(`dropout(0, '${c.mode}') did not return x itself (train ${train})`)
      }
    }),
    'train mode keeps or drops each element': fc.property(cases, (c) => {
      const layer = dropout(c.rate, { mode: c.mode })
      const ctx = { train: true, key: c.key }
      const y = toFlatArray(layer.apply({}, c.x, ctx)),
        again = toFlatArray(layer.apply({}, c.x, ctx))
      const xs = toFlatArray(c.x)
      const kept = xs.map((v) => (c.mode === 'inverted' ? v / (1 - c.rate) : v))
      y.forEach((v, i) => {
        if (!Object.is(v, again[i])) throw new Error(`the same key drew different masks at index ${i}`)
        if (v !== 0 && v !== kept[i]) throw new Error(`element ${i}: ${v} is neither 0 nor the kept value ${kept[i]} (x ${xs[i]}, p ${c.rate}, '${c.mode}')`)
      })
    }),
    'all masks: dropout → dense averages to the test-time output': fc.property(cases, (c) => must(checkAllMasks((u) => d(c.d1).apply(c.d1, u), c.x, c.rate, c.mode, tolerance))),
    'all masks: dropout → dense → dense averages to the test-time output': fc.property(cases, (c) =>
      must(checkAllMasks((u) => d(c.d2).apply(c.d2, d(c.d1).apply(c.d1, u)), c.x, c.rate, c.mode, tolerance)),
    ),
    'with a ReLU: the average is never below the test-time output (Jensen)': fc.property(cases, (c) => must(checkReluJensen(c.d1, c.x, c.rate, c.mode, tolerance))),
    'with a ReLU between the layers the equality fails': fc.property(cases, (c) => {
      // The witness is built from the case's own values: m = max(n, 2) units, x₁, x₂ ∈ [½, 1],
      // unit j gets +aⱼx₁ − cⱼx₂ with aⱼ, cⱼ ∈ [½, 1] (weights of every other unit 0, bias 0).
      const m = Math.max(c.n, 2),
        h = c.d1.w.shape[1]
      const xv = toFlatArray(c.x),
        wv = toFlatArray(c.d1.w)
      const half = (v: number) => 0.5 + Math.abs(v) / 2
      const xs = Array.from({ length: m }, (_, i) => (i === 0 ? half(xv[0]) : i === 1 ? half(xv[c.n - 1]) : xv[i]))
      const w1 = new Array<number>(m * h).fill(0)
      for (let j = 0; j < h; j++) {
        w1[j] = half(wv[j])
        w1[h + j] = -half(wv[(c.n - 1) * h + j])
      }
      const d1 = { w: fromArray(w1, [m, h], 'float64'), b: fromArray(new Array<number>(h).fill(0), [h], 'float64') }
      const d2 = { w: add(abs(c.d2.w), 0.1), b: c.d2.b }
      const act = relu()
      const r = compareAllMasks((u) => d(d2).apply(d2, act.apply({}, d(d1).apply(d1, u))), fromArray(xs, [1, m], 'float64'), c.rate, c.mode)
      // Unit j's input is z = s·(m₁aⱼx₁ − m₂cⱼx₂) (s = 1, or 1/(1 − p) inverted). The masks keeping
      // only unit 1, or only unit 2, each have probability p(1 − p) and put z on either side of 0
      // by at least ¼·s ≥ ¼. If E z ≥ 0 the Jensen gap E relu(z) − relu(E z) = E relu(−z) is at
      // least p(1 − p)/4, and likewise E relu(z) if E z < 0; the next layer's weights ≥ 0.1 carry
      // at least p(1 − p)/40 of it to every output.
      const bound = (c.rate * (1 - c.rate)) / 40
      const least = Math.min(...r.deviation)
      if (!(least >= bound - tolerance)) {
        throw new Error(
          `expected the all-masks average to exceed the test-time output by ≥ ${bound} everywhere (p = ${c.rate}, '${c.mode}'), got deviations [${r.deviation.join(', ')}]`,
        )
      }
    }),
  }
}

// --- operations

/**
 * Compares the average of `net` over ALL 2ⁿ dropout masks of the example `x` (shape `[1, n]`),
 * each weighted by p^(dropped)·(1 − p)^(kept), with `net` applied to the test-time output of
 * `dropout(rate, { mode })`. `net` maps a batch `[B, n]` to `[B, …]`; the masks run as one batch
 * of 2ⁿ rows through `dropoutWithMask`. The weighted sum is compensated (Neumaier), so its own
 * rounding stays far below the tolerances used. n ≤ 20.
 *
 * @example
 * import { matmul, tensor } from 'purediff'
 * import { compareAllMasks } from 'purediff/laws'
 * // the lecture's example: p = ½ and one neuron z = w₁x₁ + w₂x₂; the four masks give
 * // w₁x₁ + w₂x₂, w₂x₂, w₁x₁ and 0, whose average is ½w₁x₁ + ½w₂x₂
 * const w = tensor([[3], [5]], 'float64')
 * const r = compareAllMasks((u) => matmul(u, w), tensor([[1, 2]], 'float64'), 0.5, 'scaleAtTest')
 * // (13 + 10 + 3 + 0) / 4 = 6.5 = ½·3 + ½·10
 * if (r.masks !== 4 || r.average[0] !== 6.5 || r.testTime[0] !== 6.5 || r.maxDeviation !== 0) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function compareAllMasks(net: (x: Tensor) => Tensor, x: Tensor, rate: number, mode: DropoutMode): AllMasksComparison {
  if (x.rank !== 2 || x.shape[0] !== 1 || x.shape[1] > 20) throw new Error(`compareAllMasks: x must have shape [1, n] with n ≤ 20, got [${x.shape.join(',')}]`)
  const n = x.shape[1]
  const count = 2 ** n
  const bits = new Float64Array(count * n)
  const weights = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    let kept = 0
    for (let j = 0; j < n; j++)
      if ((i >> j) & 1) {
        bits[i * n + j] = 1
        kept++
      }
    weights[i] = rate ** (n - kept) * (1 - rate) ** kept
  }
  const masks = fromArray(bits, [count, n], x.dtype)
  const outs = toFlatArray(net(dropoutWithMask(broadcastTo(x, [count, n]), masks, rate, mode)))
  const k = outs.length / count
  const average = new Array<number>(k)
  for (let c = 0; c < k; c++) {
    let s = 0,
      comp = 0 // Neumaier summation
    for (let i = 0; i < count; i++) {
      const term = weights[i] * outs[i * k + c]
      const t = s + term
      comp += Math.abs(s) >= Math.abs(term) ? s - t + term : term - t + s
      s = t
    }
    average[c] = s + comp
  }
  const testTime = toFlatArray(net(dropout(rate, { mode }).apply({}, x)))
  const deviation = average.map((a, c) => a - testTime[c])
  return { average, testTime, deviation, maxDeviation: deviation.reduce((m, d) => Math.max(m, Math.abs(d)), 0), masks: count }
}

/**
 * The all-masks law for a network linear in the dropped units: |average − test-time output| ≤
 * `tolerance` (default 1e-10) for every output element. The detail reports the largest
 * deviation.
 *
 * @example
 * import { matmul, tensor } from 'purediff'
 * import { checkAllMasks } from 'purediff/laws'
 * const w = tensor([[0.5, -1], [2, 0.25], [-1, 1]], 'float64')
 * const x = tensor([[1, -2, 0.5]], 'float64')
 * for (const mode of ['inverted', 'scaleAtTest'] as const) {
 *   if (!checkAllMasks((u) => matmul(u, w), x, 0.3, mode).ok) throw new Error(mode)
 * }
 * @category operations
 * @since 0.1.0
 */
export function checkAllMasks(net: (x: Tensor) => Tensor, x: Tensor, rate: number, mode: DropoutMode, tolerance = 1e-10): LawResult & AllMasksComparison {
  const r = compareAllMasks(net, x, rate, mode)
  const what = `average over all ${r.masks} masks (p = ${rate}, '${mode}') vs the test-time output: max |deviation| ${r.maxDeviation}`
  return r.maxDeviation <= tolerance
    ? { ok: true, detail: `${what} ≤ ${tolerance}`, ...r }
    : { ok: false, detail: `${what} > ${tolerance}; average [${r.average.join(', ')}], test time [${r.testTime.join(', ')}]`, ...r }
}

/**
 * Jensen's inequality for dropout → dense → ReLU: ReLU is convex, so for every unit the
 * all-masks average of relu(z) is at least relu(E z), the test-time output (`deviation` ≥
 * −`tolerance`). The detail reports the largest gap: the amount by which the test-time rule is
 * "only approximately" right.
 *
 * @example
 * import { tensor } from 'purediff'
 * import { checkReluJensen } from 'purediff/laws'
 * // z = x₁ − x₂ with x = [1, 1]: z ∈ {0, 1, −1, 0} over the masks at p = ½: E relu(z) = ¼ > relu(E z) = 0
 * const r = checkReluJensen({ w: tensor([[1], [-1]], 'float64'), b: tensor([0], 'float64') }, tensor([[1, 1]], 'float64'), 0.5, 'scaleAtTest')
 * if (!r.ok || r.maxDeviation !== 0.25) throw new Error(r.detail)
 * @category operations
 * @since 0.1.0
 */
export function checkReluJensen(d1: DenseParams, x: Tensor, rate: number, mode: DropoutMode, tolerance = 1e-10): LawResult & AllMasksComparison {
  const layer = dense(d1.w.shape[1])
  const act = relu()
  const r = compareAllMasks((u) => act.apply({}, layer.apply(d1, u)), x, rate, mode)
  const worst = Math.min(...r.deviation)
  const what = `dropout → dense → relu over all ${r.masks} masks (p = ${rate}, '${mode}'): average − test time ranges over [${worst}, ${Math.max(...r.deviation)}]`
  return worst >= -tolerance
    ? { ok: true, detail: `${what}, never below −${tolerance} (Jensen)`, ...r }
    : { ok: false, detail: `${what}: below −${tolerance}, which convexity forbids`, ...r }
}

/**
 * Gradient laws for a differentiable op: its gradient agrees with central differences, its
 * pullback is linear, it composes by the chain rule, and its vjp and jvp are adjoint. Each law
 * is a pure checker returning `{ ok, detail }` plus a named fast-check property in the suite
 * `gradientLaws`; the caller picks the runner and the seed.
 *
 * Two kinds of tolerance: numeric ones (`eps`, `rtol`, `atol`) where a finite difference is
 * involved, and `identityRtol`/`identityAtol` for identities that hold exactly in real
 * arithmetic, so that only float64 rounding separates the two sides. Both are relative to the
 * magnitudes of the terms compared, so cancellation does not cause false failures.
 *
 * A failure says how wrong, not only that: the relative error against the scale the tolerance
 * was judged on (and what that scale is), the tolerance in the same relative terms, and the
 * worst element (argument, flat index, both values). For the laws that compare two inner
 * products (adjointness, the directional chain rule) the worst element is found by comparing
 * elementwise: Jᵀu against ⟨u, J·eⱼ⟩ from jvp, or ∇(h∘f) against central differences.
 *
 * @since 0.1.0
 */
import fc from 'fast-check'
import { type Tensor, add, cast, cos, fromArray, grad, jvp, mul, sin, sum, toFlatArray, vjp, zeros } from '../src/index.js'
import { checkGrad, formatGradCheck } from '../src/testing/index.js'
import { describeComparison, short } from '../src/testing/report.js'
import { type LawResult, type LawSuite, type OpCase, type OpSubject, opCase } from './immutability.js'

// --- model

/**
 * Tolerances of the gradient laws. Defaults: `eps` 1e-6, `rtol` 1e-5, `atol` 1e-7 (those of
 * `checkGrad`, for the laws with finite differences: numeric agreement and the directional half
 * of the chain rule); `identityRtol` 1e-9, `identityAtol` 1e-12 (linearity, adjointness, and
 * the exact half of the chain rule).
 *
 * @category model
 * @since 0.1.0
 */
export interface GradientLawOptions {
  readonly eps?: number
  readonly rtol?: number
  readonly atol?: number
  readonly identityRtol?: number
  readonly identityAtol?: number
}

type F = (...args: Tensor[]) => Tensor

// --- operations

/**
 * Numeric agreement: `checkGrad` of x ↦ Σ(w ⊙ f(...x)) over all arguments at once, so every
 * element of a non-scalar output contributes with its random weight from `w` (shaped like the
 * output). Arguments are cast to float64. Paths in the detail are `[i]` for argument i.
 *
 * @example
 * import { matmul, tensor } from 'purediff'
 * import { checkNumericAgreement } from 'purediff/laws'
 * const args = [tensor([[1, 2]], 'float64'), tensor([[0.5], [-1]], 'float64')]
 * if (!checkNumericAgreement(matmul, { args, w: tensor([[3]], 'float64') }).ok) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function checkNumericAgreement(f: F, c: { readonly args: readonly Tensor[]; readonly w: Tensor }, opts: GradientLawOptions = {}): LawResult {
  const { eps = 1e-6, rtol = 1e-5, atol = 1e-7 } = opts
  const xs = c.args.map((a) => cast(a, 'float64'))
  // `weights`: each output element is differenced on its own, so outputs of 1000 with weights of
  // both signs do not bury a small derivative in the rounding of their (cancelling) sum.
  const r = checkGrad((ys: readonly Tensor[]) => f(...ys), xs, { eps, rtol, atol, weights: cast(c.w, 'float64') })
  return { ok: r.ok, detail: `numeric agreement of x ↦ Σ(w ⊙ f(...x)): ${formatGradCheck(r)}` }
}

/**
 * Linearity of the pullback: pb(α·u1 + β·u2) = α·pb(u1) + β·pb(u2) for the pullback pb of
 * `vjp(f, args)`, elementwise within identityAtol + identityRtol·(|α|·‖pb(u1)‖∞ + |β|·‖pb(u2)‖∞)
 * per argument.
 *
 * @example
 * import { mul, tensor } from 'purediff'
 * import { checkLinearity } from 'purediff/laws'
 * const t = (v: number[]) => tensor(v, 'float64')
 * const r = checkLinearity(mul, { args: [t([1, 2]), t([3, 4])], u1: t([1, -1]), u2: t([0.5, 2]), alpha: 2, beta: -3 })
 * if (!r.ok) throw new Error(r.detail)
 * @category operations
 * @since 0.1.0
 */
export function checkLinearity(
  f: F,
  c: { readonly args: readonly Tensor[]; readonly u1: Tensor; readonly u2: Tensor; readonly alpha: number; readonly beta: number },
  opts: GradientLawOptions = {},
): LawResult {
  const { identityRtol = 1e-9, identityAtol = 1e-12 } = opts
  const { alpha, beta } = c
  const [, pullback] = vjp((xs: readonly Tensor[]) => f(...xs), c.args)
  const lhs = pullback(add(mul(c.u1, alpha), mul(c.u2, beta))).map(toFlatArray)
  const a = pullback(c.u1).map(toFlatArray),
    b = pullback(c.u2).map(toFlatArray)
  const rhs = a.map((ai, i) => ai.map((v, j) => alpha * v + beta * b[i][j]))
  const scales = a.map((ai, i) => Math.abs(alpha) * maxAbs(ai) + Math.abs(beta) * maxAbs(b[i]))
  const bad = worstMismatch(lhs, rhs, scales, identityRtol, identityAtol)
  const what = `pb(α·u1 + β·u2) vs α·pb(u1) + β·pb(u2) with α = ${alpha}, β = ${beta}`
  return bad === null
    ? { ok: true, detail: `${what}: equal within tolerance` }
    : {
        ok: false,
        detail:
          `${what}: worst at argument [${bad.leaf}] index ${bad.index}: lhs ${bad.lhs}, rhs ${bad.rhs}, |lhs − rhs| = ${bad.diff} > tolerance ${bad.tol}; ` +
          describeComparison({
            diff: bad.diff,
            scale: bad.scale,
            scaleIs: `|α|·‖pb(u1)‖∞ + |β|·‖pb(u2)‖∞ of argument [${bad.leaf}]`,
            rtol: identityRtol,
            atol: identityAtol,
            rtolName: 'identityRtol',
            atolName: 'identityAtol',
          }),
      }
}

/**
 * The chain rule, through the outer function h(y) = Σ(sin(y) ⊙ w) with ∇h(y) = cos(y) ⊙ w in
 * closed form. Two checks: (1) exact: grad of h∘f equals pb_f(∇h(f(x))) with the pullback of f
 * computed separately (identity tolerances, relative to ‖pb_f(∇h)‖∞ per argument); (2)
 * directional: ⟨∇(h∘f)(x), v⟩ equals ⟨∇h(f(x)), J_f·v⟩ with J_f·v by central differences of f
 * along v, (f(x + s·v) − f(x − s·v)) / 2s with s = ε·max(1, ‖x‖∞)/‖v‖∞, so the step is ε
 * relative to x whatever the size of v (numeric tolerances, relative to the sums of |terms| of
 * both inner products). The second check catches a wrong rule of f even though both sides
 * of the first use it.
 *
 * @example
 * import { sin, tensor } from 'purediff'
 * import { checkChainRule } from 'purediff/laws'
 * const t = (v: number[]) => tensor(v, 'float64')
 * const r = checkChainRule(sin, { args: [t([0.3, -1.2])], w: t([1, 2]), v: [t([0.5, -0.25])] })
 * if (!r.ok) throw new Error(r.detail)
 * @category operations
 * @since 0.1.0
 */
export function checkChainRule(f: F, c: { readonly args: readonly Tensor[]; readonly w: Tensor; readonly v: readonly Tensor[] }, opts: GradientLawOptions = {}): LawResult {
  const { eps = 1e-6, rtol = 1e-5, atol = 1e-7, identityRtol = 1e-9, identityAtol = 1e-12 } = opts
  const xs = c.args.map((a) => cast(a, 'float64'))
  const h = (y: Tensor) => sum(mul(sin(y), c.w))
  const composite = grad((ys: readonly Tensor[]) => h(f(...ys)))(xs).map(toFlatArray)
  const [y, pullback] = vjp((ys: readonly Tensor[]) => f(...ys), xs)
  const gradH = mul(cos(y), c.w) // d/dy Σ sin(y)·w = cos(y)·w
  const separate = pullback(gradH).map(toFlatArray)
  const bad = worstMismatch(composite, separate, separate.map(maxAbs), identityRtol, identityAtol)
  if (bad !== null) {
    return {
      ok: false,
      detail:
        `chain rule: grad(h∘f) differs from pb_f(∇h(f(x))), worst at argument [${bad.leaf}] index ${bad.index}: ${bad.lhs} vs ${bad.rhs} (|diff| ${bad.diff} > ${bad.tol}); ` +
        describeComparison({
          diff: bad.diff,
          scale: bad.scale,
          scaleIs: `‖pb_f(∇h)‖∞ of argument [${bad.leaf}]`,
          rtol: identityRtol,
          atol: identityAtol,
          rtolName: 'identityRtol',
          atolName: 'identityAtol',
        }),
    }
  }
  // The step along v: its largest coordinate is eps·max(1, ‖x‖∞), not eps·‖v‖∞. A tiny v at a
  // large x (v ~ 1e-6 at |x| ~ 1e3) would otherwise move x by a few ulps, and the rounding of
  // x ± step would be a percent of the step itself (a seed found exactly that).
  const vFlat = c.v.map((t) => toFlatArray(t))
  const vMax = Math.max(0, ...vFlat.map(maxAbs))
  const xMax = Math.max(1, ...xs.map((x) => maxAbs(toFlatArray(x))))
  const step = vMax > 0 ? (eps * xMax) / vMax : eps
  const shifted = (sign: number) =>
    toFlatArray(
      f(
        ...xs.map((x, i) =>
          fromArray(
            toFlatArray(x).map((xv, j) => xv + sign * step * vFlat[i][j]),
            x.shape,
            'float64',
          ),
        ),
      ),
    )
  const plus = shifted(1),
    minus = shifted(-1)
  const jv = plus.map((p, k) => (p - minus[k]) / (2 * step))
  const gh = toFlatArray(gradH)
  const [lhs, lhsScale] = inner(composite.flat(), c.v.flatMap(toFlatArray))
  const [rhs, rhsScale] = inner(gh, jv)
  const diff = Math.abs(lhs - rhs),
    tol = atol + rtol * (lhsScale + rhsScale)
  const what = `chain rule along v: ⟨∇(h∘f)(x), v⟩ = ${lhs} vs ⟨∇h(f(x)), J_f·v⟩ = ${rhs} (J_f·v by central differences, step ${step} along v)`
  if (Number.isFinite(diff) && diff <= tol) return { ok: true, detail: `${what}: equal within tolerance` }
  // where: the gradient of h∘f against central differences, element by element
  const local = checkGrad((ys: readonly Tensor[]) => h(f(...ys)), xs, { eps, rtol, atol })
  const w = local.worst
  const worst =
    w === null
      ? ''
      : `; worst element: argument ${w.path} index ${w.index}: ∂(h∘f)/∂x = ${w.analytic} by grad vs ${w.numeric} by central differences (relative error ${short(w.relError)})`
  return {
    ok: false,
    detail: `${what}: |diff| = ${diff} > tolerance ${tol}; ${describeComparison({ diff, scale: lhsScale + rhsScale, scaleIs: 'Σ|terms| of both inner products', rtol, atol })}${worst}`,
  }
}

/**
 * Adjointness of vjp and jvp: ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩ with J·v from `jvp(f, args, v)` and Jᵀ·u
 * from the pullback of `vjp`, for a cotangent `u` shaped like the output and one tangent per
 * argument in `v`. Tolerance identityAtol + identityRtol·(Σ|uᵢ·(Jv)ᵢ| + Σ|(Jᵀu)ⱼ·vⱼ|).
 *
 * @example
 * import { matmul, tensor } from 'purediff'
 * import { checkAdjointness } from 'purediff/laws'
 * const t = (v: number[][]) => tensor(v, 'float64')
 * const args = [t([[1, 2], [3, 4]]), t([[0.5], [-1]])]
 * const r = checkAdjointness(matmul, { args, u: t([[1], [2]]), v: [t([[0, 1], [1, 0]]), t([[2], [1]])] })
 * if (!r.ok) throw new Error(r.detail)
 * @category operations
 * @since 0.1.0
 */
export function checkAdjointness(f: F, c: { readonly args: readonly Tensor[]; readonly u: Tensor; readonly v: readonly Tensor[] }, opts: GradientLawOptions = {}): LawResult {
  const { identityRtol = 1e-9, identityAtol = 1e-12 } = opts
  const [, jv] = jvp(f, [...c.args], [...c.v])
  const [, pullback] = vjp((xs: readonly Tensor[]) => f(...xs), c.args)
  const jtu = pullback(c.u)
  const [lhs, lhsScale] = inner(toFlatArray(c.u), toFlatArray(jv))
  const [rhs, rhsScale] = inner(jtu.flatMap(toFlatArray), c.v.flatMap(toFlatArray))
  const diff = Math.abs(lhs - rhs),
    tol = identityAtol + identityRtol * (lhsScale + rhsScale)
  const what = `adjointness: ⟨u, J·v⟩ = ${lhs} (jvp) vs ⟨Jᵀ·u, v⟩ = ${rhs} (vjp)`
  if (Number.isFinite(diff) && diff <= tol) return { ok: true, detail: `${what}: equal within tolerance` }
  const w = worstAdjointElement(f, c.args, c.u, jtu.map(toFlatArray))
  const worst =
    w === null
      ? ''
      : `; worst element: argument [${w.leaf}] index ${w.index}: (Jᵀ·u) = ${w.lhs} by vjp vs ⟨u, J·eⱼ⟩ = ${w.rhs} by jvp, eⱼ the basis tangent of that element (relative error ${short(w.diff / Math.max(Math.abs(w.lhs), Math.abs(w.rhs)))})`
  return {
    ok: false,
    detail:
      `${what}: |diff| = ${diff} > tolerance ${tol}; ` +
      describeComparison({
        diff,
        scale: lhsScale + rhsScale,
        scaleIs: 'Σ|terms| of both inner products',
        rtol: identityRtol,
        atol: identityAtol,
        rtolName: 'identityRtol',
        atolName: 'identityAtol',
      }) +
      worst,
  }
}

/**
 * The gradient suite for an op subject, properties 'numeric agreement', 'linearity',
 * 'chain rule' and 'adjointness' (see the checkers of the same names), each over `opCase`:
 * numeric agreement and the chain rule weigh the output with `u1`; linearity uses `u1`, `u2`,
 * `alpha`, `beta`; adjointness uses `u2` and the tangents `v`. A failure throws the checker's
 * detail, prefixed with the subject's name. Never runs the properties itself.
 *
 * @example
 * import fc from 'fast-check'
 * import { mul } from 'purediff'
 * import { arb } from 'purediff/testing'
 * import { gradientLaws } from 'purediff/laws'
 * const args = arb.broadcastableShapes({ maxRank: 2 }).chain(([a, b]) => fc.tuple(arb.tensor({ shape: a }), arb.tensor({ shape: b })))
 * const laws = gradientLaws({ name: 'mul', f: mul, args })
 * for (const [name, property] of Object.entries(laws)) {
 *   const r = fc.check(property, { numRuns: 3, seed: 7 })
 *   if (r.failed) throw new Error(`${name}: ${String(r.errorInstance)}`)
 * }
 * @category operations
 * @since 0.1.0
 */
export function gradientLaws(subject: OpSubject, opts: GradientLawOptions = {}): LawSuite<OpCase> {
  const cases = opCase(subject)
  const law = (check: (c: OpCase) => LawResult) =>
    fc.property(cases, (c) => {
      const r = check(c)
      if (!r.ok) throw new Error(`${subject.name}: ${r.detail}`)
    })
  return {
    'numeric agreement': law((c) => checkNumericAgreement(subject.f, { args: c.args, w: c.u1 }, opts)),
    linearity: law((c) => checkLinearity(subject.f, c, opts)),
    'chain rule': law((c) => checkChainRule(subject.f, { args: c.args, w: c.u1, v: c.v }, opts)),
    adjointness: law((c) => checkAdjointness(subject.f, { args: c.args, u: c.u2, v: c.v }, opts)),
  }
}

// --- helpers

function maxAbs(xs: readonly number[]): number {
  let m = 0
  for (const x of xs) m = Math.max(m, Math.abs(x))
  return m
}

/** The inner product and the sum of the absolute values of its terms. */
function inner(a: readonly number[], b: readonly number[]): [number, number] {
  let s = 0,
    m = 0
  for (let i = 0; i < a.length; i++) {
    s += a[i] * b[i]
    m += Math.abs(a[i] * b[i])
  }
  return [s, m]
}

interface Mismatch {
  readonly leaf: number
  readonly index: number
  readonly lhs: number
  readonly rhs: number
  readonly diff: number
  readonly tol: number
  readonly scale: number
}

/** The element exceeding its tolerance by the largest ratio (non-finite first), or null. */
function worstMismatch(lhs: readonly number[][], rhs: readonly number[][], scales: readonly number[], rtol: number, atol: number): Mismatch | null {
  let worst: Mismatch | null = null,
    worstRatio = 1
  lhs.forEach((li, i) => {
    li.forEach((l, j) => {
      const r = rhs[i][j],
        diff = Math.abs(l - r),
        tol = atol + rtol * scales[i]
      const ratio = diff === 0 ? 0 : Number.isFinite(diff) ? diff / tol : Infinity
      if (ratio > worstRatio) {
        worstRatio = ratio
        worst = { leaf: i, index: j, lhs: l, rhs: r, diff, tol, scale: scales[i] }
      }
    })
  })
  return worst
}

/**
 * The element of Jᵀu (from the pullback) furthest from ⟨u, J·eⱼ⟩ computed by jvp with the
 * basis tangent eⱼ, relative to the larger of the two; null if they all agree exactly. One jvp
 * per input element: only run after a failure, on the small inputs of a law case.
 */
function worstAdjointElement(f: F, args: readonly Tensor[], u: Tensor, jtu: readonly number[][]): Mismatch | null {
  const us = toFlatArray(u)
  let worst: Mismatch | null = null,
    worstRel = 0
  args.forEach((a, i) => {
    for (let j = 0; j < a.size; j++) {
      const basis = args.map((b, k) =>
        k === i
          ? fromArray(
              Array.from({ length: b.size }, (_, m) => (m === j ? 1 : 0)),
              b.shape,
              b.dtype,
            )
          : zeros(b.shape, b.dtype),
      )
      const [, je] = jvp(f, [...args], basis)
      const rhs = inner(us, toFlatArray(je))[0],
        lhs = jtu[i][j]
      const diff = Math.abs(lhs - rhs)
      const rel = diff === 0 ? 0 : Number.isFinite(diff) ? diff / Math.max(Math.abs(lhs), Math.abs(rhs)) : Infinity
      if (rel > worstRel || (worst === null && diff > 0)) {
        worstRel = rel
        worst = { leaf: i, index: j, lhs, rhs, diff, tol: 0, scale: Math.max(Math.abs(lhs), Math.abs(rhs)) }
      }
    }
  })
  return worst
}

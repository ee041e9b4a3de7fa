/**
 * The optimizer kernels: one fused typed-array loop per transform and leaf, reading the
 * gradient and the old state once and writing the new state and the update once. No Tensor,
 * no closures per element. Arithmetic is in float64 (JS numbers); each result is rounded once,
 * when it is stored into a float32 array.
 *
 * Fused learning rate: `trace`, `rss`, `rms` and `adam` write a·u, where a = 1 when they run
 * alone. When `chain` finds one of them right before `scaleByLearningRate`, it runs them as one
 * pass with a = −η (why: speed; it saves a pass over memory and an allocation per leaf). The
 * result is bit-identical to the two passes: u is first rounded to the storage dtype exactly as
 * the separate pass would have stored it (`Math.fround` for float32), then scaled; with a = 1
 * that is exactly u (fround(u)·1 stores as u; in float64 u·1 = u, −0 and NaN included).
 *
 * Division convention: where a denominator is exactly 0 (only possible with ε = 0 and an
 * accumulator still at 0, hence a zero gradient so far) the update is 0, not 0/0 = NaN, as
 * Optax's `where(sum > 0, rsqrt(sum + eps), 0)`. A NaN denominator is not 0, so a NaN
 * gradient still gives a NaN update: nothing hides a NaN.
 *
 * @internal
 */
import { KERNELS, useWasm } from '../kernels/dispatch.js'
import { wasmAdam, wasmAdd, wasmRms, wasmRss, wasmTrace } from '../kernels/wasm/optim.js'
import type { TypedArray } from '../tensor/dtype.js'

/** out = a·x */
export function scale(x: TypedArray, out: TypedArray, a: number): void {
  for (let i = 0; i < x.length; i++) out[i] = a * x[i]
}

/** out = x·num/den, rounded once per element (so 3·1/5 is 0.6, where 3·(1/5) is not). */
export function rescale(x: TypedArray, out: TypedArray, num: number, den: number): void {
  for (let i = 0; i < x.length; i++) out[i] = (x[i] * num) / den
}

/** out = x + y */
export function add(x: TypedArray, y: TypedArray, out: TypedArray): void {
  if (useWasm(KERNELS.add, x.length) && wasmAdd(x, y, out)) return
  for (let i = 0; i < x.length; i++) out[i] = x[i] + y[i]
}

/** out = g + λ·w (L2 in the gradient: the gradient of λ/2·‖w‖²). */
export function addScaled(g: TypedArray, w: TypedArray, out: TypedArray, lambda: number): void {
  for (let i = 0; i < g.length; i++) out[i] = g[i] + lambda * w[i]
}

/** out = g + λ·sign(w), sign(0) = 0, sign(NaN) = NaN (the subgradient of λ‖w‖₁ at 0 taken as 0). */
export function addSign(g: TypedArray, w: TypedArray, out: TypedArray, lambda: number): void {
  for (let i = 0; i < g.length; i++) {
    const v = w[i]
    out[i] = g[i] + lambda * (v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : v)
  }
}

/**
 * out = max·((x·c)/r) with c a power of two: x/‖x‖ = (x·c)/r (in [−1, 1], so nothing
 * overflows) times max, for a norm kept as ‖x‖ = r/c whose own value may be out of range.
 */
export function rescaleToNorm(x: TypedArray, out: TypedArray, c: number, r: number, max: number): void {
  for (let i = 0; i < x.length; i++) out[i] = max * ((x[i] * c) / r)
}

/** True when no element is NaN or ±Infinity (v − v is NaN exactly for those). */
export function allFinite(x: TypedArray): boolean {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    if (v - v !== 0) return false
  }
  return true
}

/**
 * Momentum trace: t' = g + decay·t; u = nesterov ? g + decay·t' : t'. The buffer holds no
 * learning rate (PyTorch's b = μb + g).
 */
export function trace(g: TypedArray, t: TypedArray, tOut: TypedArray, uOut: TypedArray, decay: number, nesterov: boolean, a: number): void {
  if (useWasm(KERNELS.trace, g.length) && wasmTrace(g, t, tOut, uOut, decay, nesterov, a)) return
  const r32 = uOut instanceof Float32Array
  for (let i = 0; i < g.length; i++) {
    const gi = g[i]
    const ti = gi + decay * t[i]
    tOut[i] = ti
    const u = nesterov ? gi + decay * ti : ti
    uOut[i] = (r32 ? Math.fround(u) : u) * a
  }
}

/** Adagrad: s' = s + g²; u = g / d with d = √(s' + ε) (inside) or √s' + ε (outside). */
export function rss(g: TypedArray, s: TypedArray, sOut: TypedArray, uOut: TypedArray, eps: number, epsInSqrt: boolean, a: number): void {
  if (useWasm(KERNELS.rss, g.length) && wasmRss(g, s, sOut, uOut, eps, epsInSqrt, a)) return
  const r32 = uOut instanceof Float32Array
  for (let i = 0; i < g.length; i++) {
    const gi = g[i]
    const si = s[i] + gi * gi
    sOut[i] = si
    const d = epsInSqrt ? Math.sqrt(si + eps) : Math.sqrt(si) + eps
    const u = d === 0 ? 0 : gi / d
    uOut[i] = (r32 ? Math.fround(u) : u) * a
  }
}

/**
 * RMSprop: ν' = decay·ν + (1 − decay)·g² (or ν' = g² on the first step when `first`, the
 * lecture's σ⁰ = |g⁰|); u = g / d with d = √(ν' + ε) (inside) or √ν' + ε (outside).
 */
export function rms(g: TypedArray, nu: TypedArray, nuOut: TypedArray, uOut: TypedArray, decay: number, eps: number, epsInSqrt: boolean, first: boolean, a: number): void {
  const c = 1 - decay
  if (useWasm(KERNELS.rms, g.length) && wasmRms(g, nu, nuOut, uOut, decay, c, eps, epsInSqrt, first, a)) return
  const r32 = uOut instanceof Float32Array
  for (let i = 0; i < g.length; i++) {
    const gi = g[i]
    const v = first ? gi * gi : decay * nu[i] + c * gi * gi
    nuOut[i] = v
    const d = epsInSqrt ? Math.sqrt(v + eps) : Math.sqrt(v) + eps
    const u = d === 0 ? 0 : gi / d
    uOut[i] = (r32 ? Math.fround(u) : u) * a
  }
}

/**
 * Adam, one pass: m' = b1·m + (1 − b1)·g; v' = b2·v + (1 − b2)·g²;
 * u = m̂ / (√(v̂ + εroot) + ε) with m̂ = m'·(1/c1), v̂ = v'·(1/c2), c1 = 1 − b1ᵗ, c2 = 1 − b2ᵗ
 * (multiplying by the reciprocals saves two divisions per element).
 */
export function adam(
  g: TypedArray,
  mu: TypedArray,
  nu: TypedArray,
  muOut: TypedArray,
  nuOut: TypedArray,
  uOut: TypedArray,
  b1: number,
  b2: number,
  c1: number,
  c2: number,
  eps: number,
  epsRoot: number,
  a: number,
): void {
  const a1 = 1 - b1,
    a2 = 1 - b2,
    ic1 = 1 / c1,
    ic2 = 1 / c2
  if (useWasm(KERNELS.adam, g.length) && wasmAdam(g, mu, nu, muOut, nuOut, uOut, b1, a1, b2, a2, ic1, ic2, eps, epsRoot, a)) return
  const r32 = uOut instanceof Float32Array
  for (let i = 0; i < g.length; i++) {
    const gi = g[i]
    const m = b1 * mu[i] + a1 * gi
    const v = b2 * nu[i] + a2 * gi * gi
    muOut[i] = m
    nuOut[i] = v
    const d = Math.sqrt(v * ic2 + epsRoot) + eps
    const u = d === 0 ? 0 : (m * ic1) / d
    uOut[i] = (r32 ? Math.fround(u) : u) * a
  }
}

/** Gradient accumulation: out = acc + g, or (acc + g)/k on the k-th step (`k` = 1 otherwise). */
export function accumulate(acc: TypedArray, g: TypedArray, out: TypedArray, k: number): void {
  if (k === 1) for (let i = 0; i < g.length; i++) out[i] = acc[i] + g[i]
  else for (let i = 0; i < g.length; i++) out[i] = (acc[i] + g[i]) / k
}

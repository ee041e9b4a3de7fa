// Optimizer updates with WebAssembly SIMD, bit-identical to the TypeScript kernels of
// src/optim/kernels.ts, which are the source of truth: every lane computes in float64 (f64x2) in
// the same order of operations as the JS numbers there, and rounds once when stored, so float32
// state gets exactly the same bits in both paths. Only the per-element loop is written here: the
// coefficients (1 − b1, 1/(1 − b1ᵗ), 1 − decay, …) are computed once, in TypeScript, and passed
// in. Each function takes element pointers and a count; the caller leaves one element of slack
// after every region, so the last pair may run one lane past n into it.
//
// T is f32 or f64, the storage dtype of every array of one call.

@inline function ld<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p))
  return v128.load(p)
}

@inline function st<T>(p: usize, v: v128): void {
  if (sizeof<T>() == 4) v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0)
  else v128.store(p, v)
}

// What a float32 store then load gives (Math.fround); identity for float64.
@inline function round<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v))
  return v
}

// q where d ≠ 0, else 0 (the kernels' division convention; NaN ≠ 0, so NaN stays).
@inline function unlessZero(q: v128, d: v128): v128 {
  return v128.andnot(q, f64x2.eq(d, f64x2.splat(0)))
}

@inline function adamT<T>(g: usize, mu: usize, nu: usize, muOut: usize, nuOut: usize, uOut: usize, n: i32,
  b1: f64, a1: f64, b2: f64, a2: f64, ic1: f64, ic2: f64, eps: f64, epsRoot: f64, a: f64): void {
  const B1 = f64x2.splat(b1), B2 = f64x2.splat(b2), A1 = f64x2.splat(a1), A2 = f64x2.splat(a2)
  const IC1 = f64x2.splat(ic1), IC2 = f64x2.splat(ic2), EPS = f64x2.splat(eps), ER = f64x2.splat(epsRoot), A = f64x2.splat(a)
  const w = <usize>(2 * sizeof<T>())
  for (let i = 0; i < n; i += 2) {
    const gi = ld<T>(g)
    const m = f64x2.add(f64x2.mul(B1, ld<T>(mu)), f64x2.mul(A1, gi))
    const v = f64x2.add(f64x2.mul(B2, ld<T>(nu)), f64x2.mul(f64x2.mul(A2, gi), gi))
    st<T>(muOut, m)
    st<T>(nuOut, v)
    const d = f64x2.add(f64x2.sqrt(f64x2.add(f64x2.mul(v, IC2), ER)), EPS)
    const u = unlessZero(f64x2.div(f64x2.mul(m, IC1), d), d)
    st<T>(uOut, f64x2.mul(round<T>(u), A))
    g += w; mu += w; nu += w; muOut += w; nuOut += w; uOut += w
  }
}

/** Adam (see adam in src/optim/kernels.ts: a1 = 1 − b1, a2 = 1 − b2, ic1 = 1/(1 − b1ᵗ), ic2 = 1/(1 − b2ᵗ)); float32 arrays. */
export function adam32(g: usize, mu: usize, nu: usize, muOut: usize, nuOut: usize, uOut: usize, n: i32,
  b1: f64, a1: f64, b2: f64, a2: f64, ic1: f64, ic2: f64, eps: f64, epsRoot: f64, a: f64): void {
  adamT<f32>(g, mu, nu, muOut, nuOut, uOut, n, b1, a1, b2, a2, ic1, ic2, eps, epsRoot, a)
}

/** Adam; float64 arrays. */
export function adam64(g: usize, mu: usize, nu: usize, muOut: usize, nuOut: usize, uOut: usize, n: i32,
  b1: f64, a1: f64, b2: f64, a2: f64, ic1: f64, ic2: f64, eps: f64, epsRoot: f64, a: f64): void {
  adamT<f64>(g, mu, nu, muOut, nuOut, uOut, n, b1, a1, b2, a2, ic1, ic2, eps, epsRoot, a)
}

@inline function traceT<T>(g: usize, t: usize, tOut: usize, uOut: usize, n: i32, decay: f64, nesterov: bool, a: f64): void {
  const D = f64x2.splat(decay), A = f64x2.splat(a)
  const w = <usize>(2 * sizeof<T>())
  for (let i = 0; i < n; i += 2) {
    const gi = ld<T>(g)
    const ti = f64x2.add(gi, f64x2.mul(D, ld<T>(t)))
    st<T>(tOut, ti)
    const u = nesterov ? f64x2.add(gi, f64x2.mul(D, ti)) : ti
    st<T>(uOut, f64x2.mul(round<T>(u), A))
    g += w; t += w; tOut += w; uOut += w
  }
}

/** Momentum trace (see trace in src/optim/kernels.ts); float32 arrays. */
export function trace32(g: usize, t: usize, tOut: usize, uOut: usize, n: i32, decay: f64, nesterov: bool, a: f64): void {
  traceT<f32>(g, t, tOut, uOut, n, decay, nesterov, a)
}

/** Momentum trace; float64 arrays. */
export function trace64(g: usize, t: usize, tOut: usize, uOut: usize, n: i32, decay: f64, nesterov: bool, a: f64): void {
  traceT<f64>(g, t, tOut, uOut, n, decay, nesterov, a)
}

@inline function addT<T>(x: usize, y: usize, out: usize, n: i32): void {
  const w = <usize>(2 * sizeof<T>())
  for (let i = 0; i < n; i += 2) {
    st<T>(out, f64x2.add(ld<T>(x), ld<T>(y)))
    x += w; y += w; out += w
  }
}

/** out = x + y (applyUpdates); float32 arrays. */
export function add32(x: usize, y: usize, out: usize, n: i32): void {
  addT<f32>(x, y, out, n)
}

/** out = x + y; float64 arrays. */
export function add64(x: usize, y: usize, out: usize, n: i32): void {
  addT<f64>(x, y, out, n)
}

// The denominator d = √(s + ε) (ε inside) or √s + ε (outside).
@inline function denom(s: v128, EPS: v128, inSqrt: bool): v128 {
  return inSqrt ? f64x2.sqrt(f64x2.add(s, EPS)) : f64x2.add(f64x2.sqrt(s), EPS)
}

@inline function rssT<T>(g: usize, s: usize, sOut: usize, uOut: usize, n: i32, eps: f64, inSqrt: bool, a: f64): void {
  const EPS = f64x2.splat(eps), A = f64x2.splat(a)
  const w = <usize>(2 * sizeof<T>())
  for (let i = 0; i < n; i += 2) {
    const gi = ld<T>(g)
    const si = f64x2.add(ld<T>(s), f64x2.mul(gi, gi))
    st<T>(sOut, si)
    const d = denom(si, EPS, inSqrt)
    st<T>(uOut, f64x2.mul(round<T>(unlessZero(f64x2.div(gi, d), d)), A))
    g += w; s += w; sOut += w; uOut += w
  }
}

/** Adagrad (see rss in src/optim/kernels.ts); float32 arrays. */
export function rss32(g: usize, s: usize, sOut: usize, uOut: usize, n: i32, eps: f64, inSqrt: bool, a: f64): void {
  rssT<f32>(g, s, sOut, uOut, n, eps, inSqrt, a)
}

/** Adagrad; float64 arrays. */
export function rss64(g: usize, s: usize, sOut: usize, uOut: usize, n: i32, eps: f64, inSqrt: bool, a: f64): void {
  rssT<f64>(g, s, sOut, uOut, n, eps, inSqrt, a)
}

@inline function rmsT<T>(g: usize, nu: usize, nuOut: usize, uOut: usize, n: i32, decay: f64, c: f64, eps: f64, inSqrt: bool, first: bool, a: f64): void {
  const D = f64x2.splat(decay), C = f64x2.splat(c), EPS = f64x2.splat(eps), A = f64x2.splat(a)
  const w = <usize>(2 * sizeof<T>())
  for (let i = 0; i < n; i += 2) {
    const gi = ld<T>(g)
    const v = first ? f64x2.mul(gi, gi) : f64x2.add(f64x2.mul(D, ld<T>(nu)), f64x2.mul(f64x2.mul(C, gi), gi))
    st<T>(nuOut, v)
    const d = denom(v, EPS, inSqrt)
    st<T>(uOut, f64x2.mul(round<T>(unlessZero(f64x2.div(gi, d), d)), A))
    g += w; nu += w; nuOut += w; uOut += w
  }
}

/** RMSprop (see rms in src/optim/kernels.ts: c = 1 − decay); float32 arrays. */
export function rms32(g: usize, nu: usize, nuOut: usize, uOut: usize, n: i32, decay: f64, c: f64, eps: f64, inSqrt: bool, first: bool, a: f64): void {
  rmsT<f32>(g, nu, nuOut, uOut, n, decay, c, eps, inSqrt, first, a)
}

/** RMSprop; float64 arrays. */
export function rms64(g: usize, nu: usize, nuOut: usize, uOut: usize, n: i32, decay: f64, c: f64, eps: f64, inSqrt: bool, first: bool, a: f64): void {
  rmsT<f64>(g, nu, nuOut, uOut, n, decay, c, eps, inSqrt, first, a)
}

// Threefry-2x32 (20 rounds) with i32x4 lanes, bit-identical to threefry2x32/hashCounters in
// src/random/threefry.ts (all arithmetic is mod 2³²). Each round depends on the one before, so
// one vector of 4 counters would wait on latency; 4 independent vectors (16 counters) per step
// keep the SIMD units busy. The 20 rounds are written out (unrolled) for the same reason.

@inline function rotl(b: v128, r: i32): v128 {
  return v128.or(i32x4.shl(b, r), i32x4.shr_u(b, 32 - r))
}

// The high words of counters c … c+3 (all equal unless the block crosses a multiple of 2³²).
@inline function high(c: u64): v128 {
  if (((c + 3) >> 32) == (c >> 32)) return i32x4.splat(<i32>(c >> 32))
  let hi = i32x4.splat(<i32>(c >> 32))
  hi = i32x4.replace_lane(hi, 1, <i32>((c + 1) >> 32))
  hi = i32x4.replace_lane(hi, 2, <i32>((c + 2) >> 32))
  return i32x4.replace_lane(hi, 3, <i32>((c + 3) >> 32))
}

/**
 * y0[i], y1[i] = Threefry(key (k0, k1), counter c = start + i split as (⌊c / 2³²⌋, c mod 2³²))
 * for i < n, n rounded up to a multiple of 16 (the caller leaves room). start + n < 2⁵³.
 */
export function hashCounters(k0: u32, k1: u32, start: f64, n: i32, y0: usize, y1: usize): void {
  const k2 = k0 ^ k1 ^ 0x1bd11bda
  const K0 = i32x4.splat(k0), K1 = i32x4.splat(k1)
  // Subkey g + 1 (g = 0 … 4) rotates through (k0, k1, k2) and adds g + 1 to the second word.
  const S0a = i32x4.splat(k1), S0b = i32x4.splat(k2 + 1)
  const S1a = i32x4.splat(k2), S1b = i32x4.splat(k0 + 2)
  const S2a = i32x4.splat(k0), S2b = i32x4.splat(k1 + 3)
  const S3a = i32x4.splat(k1), S3b = i32x4.splat(k2 + 4)
  const S4a = i32x4.splat(k2), S4b = i32x4.splat(k0 + 5)
  const iota = v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0)
  let c = <u64>start
  for (let i = 0; i < n; i += 16) {
    let a0 = i32x4.add(high(c + 0), K0)
    let b0 = i32x4.add(i32x4.add(i32x4.splat(<i32>(c + 0)), iota), K1)
    let a1 = i32x4.add(high(c + 4), K0)
    let b1 = i32x4.add(i32x4.add(i32x4.splat(<i32>(c + 4)), iota), K1)
    let a2 = i32x4.add(high(c + 8), K0)
    let b2 = i32x4.add(i32x4.add(i32x4.splat(<i32>(c + 8)), iota), K1)
    let a3 = i32x4.add(high(c + 12), K0)
    let b3 = i32x4.add(i32x4.add(i32x4.splat(<i32>(c + 12)), iota), K1)
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 13), a0); b1 = v128.xor(rotl(b1, 13), a1); b2 = v128.xor(rotl(b2, 13), a2); b3 = v128.xor(rotl(b3, 13), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 15), a0); b1 = v128.xor(rotl(b1, 15), a1); b2 = v128.xor(rotl(b2, 15), a2); b3 = v128.xor(rotl(b3, 15), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 26), a0); b1 = v128.xor(rotl(b1, 26), a1); b2 = v128.xor(rotl(b2, 26), a2); b3 = v128.xor(rotl(b3, 26), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 6), a0); b1 = v128.xor(rotl(b1, 6), a1); b2 = v128.xor(rotl(b2, 6), a2); b3 = v128.xor(rotl(b3, 6), a3);
    a0 = i32x4.add(a0, S0a); b0 = i32x4.add(b0, S0b); a1 = i32x4.add(a1, S0a); b1 = i32x4.add(b1, S0b); a2 = i32x4.add(a2, S0a); b2 = i32x4.add(b2, S0b); a3 = i32x4.add(a3, S0a); b3 = i32x4.add(b3, S0b);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 17), a0); b1 = v128.xor(rotl(b1, 17), a1); b2 = v128.xor(rotl(b2, 17), a2); b3 = v128.xor(rotl(b3, 17), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 29), a0); b1 = v128.xor(rotl(b1, 29), a1); b2 = v128.xor(rotl(b2, 29), a2); b3 = v128.xor(rotl(b3, 29), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 16), a0); b1 = v128.xor(rotl(b1, 16), a1); b2 = v128.xor(rotl(b2, 16), a2); b3 = v128.xor(rotl(b3, 16), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 24), a0); b1 = v128.xor(rotl(b1, 24), a1); b2 = v128.xor(rotl(b2, 24), a2); b3 = v128.xor(rotl(b3, 24), a3);
    a0 = i32x4.add(a0, S1a); b0 = i32x4.add(b0, S1b); a1 = i32x4.add(a1, S1a); b1 = i32x4.add(b1, S1b); a2 = i32x4.add(a2, S1a); b2 = i32x4.add(b2, S1b); a3 = i32x4.add(a3, S1a); b3 = i32x4.add(b3, S1b);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 13), a0); b1 = v128.xor(rotl(b1, 13), a1); b2 = v128.xor(rotl(b2, 13), a2); b3 = v128.xor(rotl(b3, 13), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 15), a0); b1 = v128.xor(rotl(b1, 15), a1); b2 = v128.xor(rotl(b2, 15), a2); b3 = v128.xor(rotl(b3, 15), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 26), a0); b1 = v128.xor(rotl(b1, 26), a1); b2 = v128.xor(rotl(b2, 26), a2); b3 = v128.xor(rotl(b3, 26), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 6), a0); b1 = v128.xor(rotl(b1, 6), a1); b2 = v128.xor(rotl(b2, 6), a2); b3 = v128.xor(rotl(b3, 6), a3);
    a0 = i32x4.add(a0, S2a); b0 = i32x4.add(b0, S2b); a1 = i32x4.add(a1, S2a); b1 = i32x4.add(b1, S2b); a2 = i32x4.add(a2, S2a); b2 = i32x4.add(b2, S2b); a3 = i32x4.add(a3, S2a); b3 = i32x4.add(b3, S2b);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 17), a0); b1 = v128.xor(rotl(b1, 17), a1); b2 = v128.xor(rotl(b2, 17), a2); b3 = v128.xor(rotl(b3, 17), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 29), a0); b1 = v128.xor(rotl(b1, 29), a1); b2 = v128.xor(rotl(b2, 29), a2); b3 = v128.xor(rotl(b3, 29), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 16), a0); b1 = v128.xor(rotl(b1, 16), a1); b2 = v128.xor(rotl(b2, 16), a2); b3 = v128.xor(rotl(b3, 16), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 24), a0); b1 = v128.xor(rotl(b1, 24), a1); b2 = v128.xor(rotl(b2, 24), a2); b3 = v128.xor(rotl(b3, 24), a3);
    a0 = i32x4.add(a0, S3a); b0 = i32x4.add(b0, S3b); a1 = i32x4.add(a1, S3a); b1 = i32x4.add(b1, S3b); a2 = i32x4.add(a2, S3a); b2 = i32x4.add(b2, S3b); a3 = i32x4.add(a3, S3a); b3 = i32x4.add(b3, S3b);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 13), a0); b1 = v128.xor(rotl(b1, 13), a1); b2 = v128.xor(rotl(b2, 13), a2); b3 = v128.xor(rotl(b3, 13), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 15), a0); b1 = v128.xor(rotl(b1, 15), a1); b2 = v128.xor(rotl(b2, 15), a2); b3 = v128.xor(rotl(b3, 15), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 26), a0); b1 = v128.xor(rotl(b1, 26), a1); b2 = v128.xor(rotl(b2, 26), a2); b3 = v128.xor(rotl(b3, 26), a3);
    a0 = i32x4.add(a0, b0); a1 = i32x4.add(a1, b1); a2 = i32x4.add(a2, b2); a3 = i32x4.add(a3, b3);
    b0 = v128.xor(rotl(b0, 6), a0); b1 = v128.xor(rotl(b1, 6), a1); b2 = v128.xor(rotl(b2, 6), a2); b3 = v128.xor(rotl(b3, 6), a3);
    a0 = i32x4.add(a0, S4a); b0 = i32x4.add(b0, S4b); a1 = i32x4.add(a1, S4a); b1 = i32x4.add(b1, S4b); a2 = i32x4.add(a2, S4a); b2 = i32x4.add(b2, S4b); a3 = i32x4.add(a3, S4a); b3 = i32x4.add(b3, S4b);
    v128.store(y0, a0, 0); v128.store(y1, b0, 0)
    v128.store(y0, a1, 16); v128.store(y1, b1, 16)
    v128.store(y0, a2, 32); v128.store(y1, b2, 32)
    v128.store(y0, a3, 48); v128.store(y1, b3, 48)
    y0 += 64
    y1 += 64
    c += 16
  }
}

/**
 * Per-row keys: row r (r < rows) hashes counters start … start + n − 1 under its own key, words
 * (keys[2r], keys[2r + 1]) at byte `keys + 8r`, into y0/y1 at row offset r·ns with ns = n rounded
 * up to 16 (each row is written in whole blocks, as hashCounters does). One call for a batch of
 * keys (vmap of a sampler): the rows loop here, never in JavaScript.
 */
export function hashRows(keys: usize, rows: i32, start: f64, n: i32, y0: usize, y1: usize): void {
  const stride = <usize>(((n + 15) & ~15) << 2)
  for (let r = 0; r < rows; r++) {
    const at = keys + (<usize>r << 3)
    hashCounters(load<u32>(at), load<u32>(at, 4), start, n, y0 + <usize>r * stride, y1 + <usize>r * stride)
  }
}

/**
 * Bernoulli(p) draws from hashed words, as `bernoulli` in src/random/index.ts: u = (⌊y0/2⁵⌋·2²⁶ +
 * ⌊y1/2⁶⌋)·2⁻⁵³ (53 random bits, exact in float64) and out[i] = u < p ? 1 : 0, stored as T.
 * Two lanes per step (the caller leaves one element of slack).
 */
@inline function maskT<T>(y0: usize, y1: usize, n: i32, p: f64, out: usize): void {
  const P = f64x2.splat(p), ONE = f64x2.splat(1), HI = f64x2.splat(67108864), SCALE = f64x2.splat(1.1102230246251565e-16)
  for (let i = 0; i < n; i += 2) {
    const a = f64x2.convert_low_i32x4_u(i32x4.shr_u(v128.load64_zero(y0), 5))
    const b = f64x2.convert_low_i32x4_u(i32x4.shr_u(v128.load64_zero(y1), 6))
    const keep = v128.and(f64x2.lt(f64x2.mul(f64x2.add(f64x2.mul(a, HI), b), SCALE), P), ONE)
    if (sizeof<T>() == 4) v128.store64_lane(out, f32x4.demote_f64x2_zero(keep), 0)
    else v128.store(out, keep)
    y0 += 8
    y1 += 8
    out += 2 * sizeof<T>()
  }
}

/** Bernoulli(p) masks from the words y0, y1 (see hashCounters): float32 0/1 values. */
export function bernoulliMask32(y0: usize, y1: usize, n: i32, p: f64, out: usize): void {
  maskT<f32>(y0, y1, n, p, out)
}

/** The same with float64 0/1 values. */
export function bernoulliMask64(y0: usize, y1: usize, n: i32, p: f64, out: usize): void {
  maskT<f64>(y0, y1, n, p, out)
}

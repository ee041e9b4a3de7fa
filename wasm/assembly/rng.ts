// Threefry-2x32 (20 rounds) with i32x4 lanes: four counters per step, bit-identical to
// threefry2x32/hashCounters in src/random/threefry.ts (all arithmetic is mod 2³²).

@inline function rotl(b: v128, r: i32): v128 {
  return v128.or(i32x4.shl(b, r), i32x4.shr_u(b, 32 - r))
}

/**
 * y0[i], y1[i] = Threefry(key (k0, k1), counter c = start + i split as (⌊c / 2³²⌋, c mod 2³²))
 * for i < n (n rounded up to a multiple of 4: the caller leaves room). `start` + n < 2⁵³.
 */
export function hashCounters(k0: u32, k1: u32, start: f64, n: i32, y0: usize, y1: usize): void {
  const ks2 = k0 ^ k1 ^ 0x1bd11bda
  const K0 = i32x4.splat(k0), K1 = i32x4.splat(k1)
  let c = <u64>start
  for (let i = 0; i < n; i += 4) {
    let hi = i32x4.splat(0)
    hi = i32x4.replace_lane(hi, 0, <i32>(c >> 32)); hi = i32x4.replace_lane(hi, 1, <i32>((c + 1) >> 32))
    hi = i32x4.replace_lane(hi, 2, <i32>((c + 2) >> 32)); hi = i32x4.replace_lane(hi, 3, <i32>((c + 3) >> 32))
    let lo = i32x4.splat(<i32>c)
    lo = i32x4.add(lo, v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0))
    let a = i32x4.add(hi, K0)
    let b = i32x4.add(lo, K1)
    for (let g = 0; g < 5; g++) {
      if ((g & 1) == 0) {
        a = i32x4.add(a, b); b = v128.xor(rotl(b, 13), a)
        a = i32x4.add(a, b); b = v128.xor(rotl(b, 15), a)
        a = i32x4.add(a, b); b = v128.xor(rotl(b, 26), a)
        a = i32x4.add(a, b); b = v128.xor(rotl(b, 6), a)
      } else {
        a = i32x4.add(a, b); b = v128.xor(rotl(b, 17), a)
        a = i32x4.add(a, b); b = v128.xor(rotl(b, 29), a)
        a = i32x4.add(a, b); b = v128.xor(rotl(b, 16), a)
        a = i32x4.add(a, b); b = v128.xor(rotl(b, 24), a)
      }
      // Subkey g + 1: the schedule rotates through (k0, k1, ks2) and adds the group number.
      const r = g % 3
      const s0 = r == 0 ? k1 : r == 1 ? ks2 : k0
      const s1 = r == 0 ? ks2 : r == 1 ? k0 : k1
      a = i32x4.add(a, i32x4.splat(s0))
      b = i32x4.add(b, i32x4.splat(s1 + <u32>g + 1))
    }
    v128.store(y0, a)
    v128.store(y1, b)
    y0 += 16
    y1 += 16
    c += 4
  }
}

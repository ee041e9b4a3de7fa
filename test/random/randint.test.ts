/**
 * random.randint: int32 values in [min, max), exactly the documented rejection scheme over the
 * Threefry words (checked against threefry2x32 directly), the same bits on the TypeScript and
 * WebAssembly hash paths, counter-based (a prefix of a longer draw is the shorter draw), uniform
 * by a chi-square test (also on a range where plain `w mod r` would be biased 3:2), and clear
 * errors for bad bounds.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { ArgumentError, ShapeError, random, toFlatArray } from '../../src/index.js'
import { kernelMode, setKernelMode } from '../../src/kernels/backend.js'
import { wasmUnavailable } from '../../src/kernels/wasm/runtime.js'
import { threefry2x32 } from '../../src/random/threefry.js'

const INT_MIN = -(2 ** 31)
const INT_MAX_EXCL = 2 ** 31
const bounds = fc
  .tuple(fc.integer({ min: INT_MIN, max: INT_MAX_EXCL - 1 }), fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 2 ** 32 })))
  .map(([min, r]) => ({ min, max: Math.min(INT_MAX_EXCL, min + r) }))
const keyArb = fc.tuple(fc.nat(2 ** 32 - 1), fc.nat(2 ** 32 - 1)).map(([a, b]) => random.wrapKey([a, b]))

/** The words of counter c = hi·2^32 + lo under key k, from the Threefry block function itself. */
const words = (k: random.Key, hi: number, lo: number): [number, number] => {
  const y0 = Uint32Array.of(hi),
    y1 = Uint32Array.of(lo)
  threefry2x32(k.bits[0], k.bits[1], y0, y1, y0, y1)
  return [y0[0], y1[0]]
}
/** Element i as the doc comment defines it, written out independently of the implementation. */
const reference = (k: random.Key, i: number, min: number, max: number): number => {
  const r = max - min
  const limit = 2 ** 32 - (2 ** 32 % r)
  for (let a = 0; ; a++) {
    for (const w of words(k, a, i)) if (w < limit) return min + (w % r)
  }
}

const initial = kernelMode()
afterEach(() => {
  setKernelMode(initial)
})

describe('random.randint', () => {
  it('gives int32 integers in [min, max), element for element the documented rejection scheme', () => {
    fc.assert(
      fc.property(keyArb, bounds, fc.integer({ min: 0, max: 40 }), (k, { min, max }, n) => {
        const t = random.randint(k, [n], { min, max })
        expect(t.dtype).toBe('int32')
        expect(t.shape).toEqual([n])
        const xs = toFlatArray(t)
        for (const [i, x] of xs.entries()) {
          expect(Number.isInteger(x) && x >= min && x < max).toBe(true)
          expect(x).toBe(reference(k, i, min, max))
        }
      }),
      { numRuns: 40 },
    )
  })

  it('rejected words are redrawn from the later counters: r = 2^31 + 1 rejects about half the words', () => {
    // limit = 2^32 - (2^32 mod (2^31 + 1)) = 2^31 + 1, so each word is rejected with probability
    // (2^31 - 1) / 2^32 ≈ 1/2 and both words of counter i with about 1/4: among 200 elements,
    // some need attempt 1 or later (all pass attempt 0 with probability 0.75^200 ≈ 1e-25).
    const k = random.key(11)
    const min = -(2 ** 31),
      max = 1
    const xs = toFlatArray(random.randint(k, [200], { min, max }))
    let retried = 0
    for (const [i, x] of xs.entries()) {
      expect(x).toBe(reference(k, i, min, max))
      if (words(k, 0, i).every((w) => w >= 2 ** 31 + 1)) retried++
    }
    expect(retried).toBeGreaterThan(0)
  })

  it('is deterministic, counter-based (a prefix of a longer draw, whatever the shape), and the same on both hash paths', () => {
    const k = random.key(5)
    const opts = { min: -1000, max: 7 }
    const long = toFlatArray(random.randint(k, [3000], opts))
    expect(toFlatArray(random.randint(k, [3000], opts))).toEqual(long)
    expect(toFlatArray(random.randint(k, [10, 20], opts))).toEqual(long.slice(0, 200))
    setKernelMode('js')
    expect(toFlatArray(random.randint(k, [3000], opts))).toEqual(long)
    if (wasmUnavailable() === null) {
      setKernelMode('wasm')
      expect(toFlatArray(random.randint(k, [3000], opts))).toEqual(long)
    }
    expect(toFlatArray(random.randint(random.key(6), [3000], opts))).not.toEqual(long)
  })

  it('the full int32 range and single-value ranges', () => {
    const full = toFlatArray(random.randint(random.key(1), [1000], { min: INT_MIN, max: INT_MAX_EXCL }))
    expect(full.every((x) => Number.isInteger(x) && x >= INT_MIN && x < INT_MAX_EXCL)).toBe(true)
    expect(full.some((x) => x < 0) && full.some((x) => x > 0)).toBe(true)
    expect(toFlatArray(random.randint(random.key(1), [5], { min: 41, max: 42 }))).toEqual([41, 41, 41, 41, 41])
    expect(toFlatArray(random.randint(random.key(1), [3], { max: 1 }))).toEqual([0, 0, 0]) // min defaults to 0
    expect(toFlatArray(random.randint(random.key(1), [0, 4], { max: 9 }))).toEqual([])
  })

  /**
   * Pearson's statistic X² = Σ (O_j − E_j)² / E_j over k ≤ 10 bins of N = 20,000 draws is close
   * to χ² with k − 1 ≤ 9 degrees of freedom (every E_j ≥ 1000 here). χ²_d grows stochastically with
   * d, and the Chernoff bound P(χ²_9 > 9t) ≤ (t·e^(1−t))^(9/2) at 9t = 60 (t = 6.67) gives
   * (6.67 · e^(−5.67))^4.5 = 0.0230^4.5 ≈ 4e-8: a correct sampler passes all runs of this test
   * with probability above 1 − 1e-6.
   */
  const BOUND = 60
  const N = 20_000
  const chiSquare = (xs: readonly number[], min: number, r: number): number => {
    const k = Math.min(10, r)
    // bin j holds the offsets x with ⌊x·k / r⌋ = j: ⌈(j+1)r/k⌉ − ⌈jr/k⌉ of the r values (BigInt: r·k can pass 2^53)
    const R = BigInt(r),
      K = BigInt(k)
    const ceilDiv = (a: bigint) => (a + K - 1n) / K
    const size = Array.from({ length: k }, (_, j) => Number(ceilDiv(BigInt(j + 1) * R) - ceilDiv(BigInt(j) * R)))
    const observed = new Array<number>(k).fill(0)
    for (const x of xs) observed[Number((BigInt(x - min) * K) / R)]++
    return observed.reduce((s, o, j) => {
      const e = (N * size[j]) / r
      return s + (o - e) ** 2 / e
    }, 0)
  }

  it('is uniform: the chi-square statistic over ten bins stays under its bound', () => {
    fc.assert(
      fc.property(keyArb, bounds, (k, { min, max }) => {
        fc.pre(max - min >= 2)
        expect(chiSquare(toFlatArray(random.randint(k, [N], { min, max })), min, max - min)).toBeLessThan(BOUND)
      }),
      { numRuns: 15 },
    )
  })

  it('is unbiased where a plain modulo is not: r = 3·2^30 over three equal bins', () => {
    // Plain w mod r maps 2 words to each offset below 2^30 and 1 to the rest, so the first bin
    // would hold 1/2 of the draws, not 1/3: X² ≈ N·((1/2 − 1/3)² + 2·(1/4 − 1/3)²)·3 = N/4 = 5000.
    const min = INT_MIN,
      max = 2 ** 30
    for (const seed of [0, 1, 2]) {
      const xs = toFlatArray(random.randint(random.key(seed), [N], { min, max }))
      const third = [0, 0, 0]
      for (const x of xs) third[Math.floor((x - min) / 2 ** 30)]++
      const x2 = third.reduce((s, o) => s + (o - N / 3) ** 2 / (N / 3), 0)
      expect(x2).toBeLessThan(BOUND)
    }
  })

  it('refuses bad bounds, shapes and keys, naming the op and the value', () => {
    const k = random.key(0)
    const bad: [random.RandintOptions, RegExp][] = [
      [{ min: 3, max: 3 }, /random\.randint: expected min < max, got min 3 and max 3/],
      [{ min: 5, max: 2 }, /expected min < max, got min 5 and max 2/],
      [{ min: 0.5, max: 2 }, /min must be an integer in \[-2\^31, 2\^31\], got number 0\.5/],
      [{ max: 2.5 }, /max must be an integer.*got number 2\.5/],
      [{ max: Number.NaN }, /max must be an integer/],
      [{ max: 2 ** 31 + 1 }, /max must be an integer in \[-2\^31, 2\^31\], got number 2147483649/],
      [{ min: -(2 ** 31) - 1, max: 0 }, /min must be an integer/],
      [{} as random.RandintOptions, /max must be an integer.*undefined/],
    ]
    for (const [opts, message] of bad) {
      expect(() => random.randint(k, [2], opts)).toThrow(ArgumentError)
      expect(() => random.randint(k, [2], opts)).toThrow(message)
    }
    expect(() => random.randint(k, [-1], { max: 2 })).toThrow(ShapeError)
    expect(() => random.randint([0, 0] as never, [2], { max: 2 })).toThrow(/random\.randint: argument 'key' must be a random key/)
    expect(() => random.randint(k, [2], null as never)).toThrow(/options must be an object/)
  })
})

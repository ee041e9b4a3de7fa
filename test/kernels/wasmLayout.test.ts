/**
 * The planning arithmetic of the WebAssembly kernels (src/kernels/wasm/layout.ts) at sizes no
 * test could allocate: n = 2³¹ − 1, 2³¹, 2³² and beyond, where the old 32-bit offset arithmetic
 * (`(at + bytes + 79) & ~63`) wrapped to negative offsets. Expected values are derived from the
 * definitions in the comments: a region after `at` of `bytes` starts at the first multiple of 64
 * at or above at + bytes + 16.
 */
import fc from 'fast-check'
import { assert, describe, expect, it } from 'vitest'
// (`after` renamed here: the linter takes a call of `after` for a test hook)
import { BASE, KC, MC, WASM32_MAX_BYTES, after as boundaryAfter, chunkLength, chunkPlan, gemmLayout, panelRows, regions } from '../../src/kernels/wasm/layout.js'

const HUGE = [2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40, 2 ** 52]
/** The budget of the largest memory: 4 GiB less the reserved base. */
const FULL = WASM32_MAX_BYTES - BASE
/** The per-element bytes of every chunked caller: hashing, Bernoulli f32/f64, add, trace/rss/rms, adam, f32 and f64. */
const SHAPES = [
  [4, 4],
  [4, 4, 4],
  [4, 4, 8],
  [4, 4, 4],
  [8, 8, 8],
  [4, 4, 4, 4],
  [8, 8, 8, 8],
  [4, 4, 4, 4, 4, 4],
  [8, 8, 8, 8, 8, 8],
]

describe('after: the next 64-byte boundary at least 16 bytes past a region', () => {
  it('is exact far past 2³¹ and 2³² (no 32-bit wrap)', () => {
    const big = fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), fc.constantFrom(...HUGE), fc.integer({ min: 2 ** 31 - 200, max: 2 ** 31 + 200 }))
    fc.assert(
      fc.property(big, big, (at, bytes) => {
        const next = boundaryAfter(at, bytes)
        expect(next % 64).toBe(0)
        expect(next).toBeGreaterThanOrEqual(at + bytes + 16)
        expect(next).toBeLessThan(at + bytes + 16 + 64)
      }),
      { numRuns: 300 },
    )
  })

  it('the values that wrapped before: 2³¹ − 64 + 64 bytes, and a 2³²-byte region', () => {
    // 2³¹ + 16 rounded up to 64 is 2³¹ + 64; the old `& ~63` gave −2³¹ + 64.
    expect(boundaryAfter(2 ** 31 - 64, 64)).toBe(2 ** 31 + 64)
    expect(boundaryAfter(BASE, 2 ** 32)).toBe(BASE + 2 ** 32 + 64)
  })
})

describe('regions', () => {
  it('are aligned, disjoint, with at least 16 bytes of slack, at any size', () => {
    // Byte sizes up to 8·2^40 (far past any typed array: 2^32 elements of 8 bytes): offsets stay
    // exact integers. 8·2^52 is not a size, and six of them sum past 2^53, where float64 offsets
    // round (a fresh seed drew four of 2^55 and found the slack rounded away).
    const size = fc.oneof(fc.integer({ min: 0, max: 2 ** 44 }), fc.constantFrom(...HUGE.filter((n) => n <= 2 ** 40).map((n) => 8 * n)))
    fc.assert(
      fc.property(fc.array(size, { minLength: 1, maxLength: 6 }), (sizes) => {
        const { at, end } = regions(sizes)
        expect(at[0]).toBe(BASE)
        sizes.forEach((s, i) => {
          const next = i + 1 < sizes.length ? at[i + 1] : end
          expect(next % 64).toBe(0)
          expect(next - (at[i] + s)).toBeGreaterThanOrEqual(16)
          expect(next - (at[i] + s)).toBeLessThan(16 + 64)
        })
      }),
      { numRuns: 200 },
    )
  })
})

describe('chunkLength and chunkPlan', () => {
  const budget = fc.oneof(fc.integer({ min: 0, max: FULL }), fc.constantFrom(FULL, FULL - 1, 64 * 1024, 3 * 64 * 1024, 100))
  it('give the LARGEST multiple of 64 elements whose regions fit the budget', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SHAPES), budget, (pe, b) => {
        const len = chunkLength(pe, b)
        expect(len % 64).toBe(0)
        const need = (l: number) => regions(pe.map((e) => e * l)).end - BASE
        if (len > 0) expect(need(len)).toBeLessThanOrEqual(b)
        expect(need(len + 64)).toBeGreaterThan(b)
      }),
      { numRuns: 300 },
    )
  })

  it('cut n = 2³¹ − 1, 2³¹, 2³² and beyond into chunks that fit 4 GiB, with i32 counts and exact counters', () => {
    for (const pe of SHAPES) {
      for (const n of HUGE) {
        const plan = chunkPlan(n, pe, FULL, 16)
        assert.exists(plan)
        const { chunk, regions: r } = plan
        expect(r.end).toBeLessThanOrEqual(WASM32_MAX_BYTES)
        expect(chunk).toBeLessThan(2 ** 31) // a count the module takes as i32
        expect(chunk).toBeGreaterThan(0)
        // The chunks lo = 0, c, 2c, … cover [0, n) exactly: lo and the counter start + lo are
        // integers below 2⁵³, so float64 holds them exactly.
        const calls = Math.ceil(n / chunk)
        const lastLo = (calls - 1) * chunk
        expect(lastLo).toBeLessThan(n)
        expect(n - lastLo).toBeLessThanOrEqual(chunk)
        expect(Number.isSafeInteger(lastLo + n)).toBe(true)
      }
    }
  })

  it('is null when not even 64 elements fit, and holds whole kernel blocks', () => {
    expect(chunkPlan(10, [8, 8, 8, 8, 8, 8], 64 * 6 + 64 * 48 - 1, 1)).toBeNull()
    expect(chunkPlan(10, [8, 8, 8, 8, 8, 8], 64 * 6 + 64 * 48, 1)?.chunk).toBe(10)
    // 17 counters are hashed as two blocks of 16: each region holds 32 words.
    const p = chunkPlan(17, [4, 4], FULL, 16)
    assert.exists(p)
    expect(p.regions.at[1] - p.regions.at[0]).toBeGreaterThanOrEqual(4 * 32 + 16)
  })
})

describe('gemmLayout and panelRows', () => {
  it('keep every offset exact and within the budget at m = 2³¹ − 1, 2³¹, 2³² and beyond', () => {
    for (const es of [4, 8]) {
      const nr = es === 4 ? 8 : 4
      for (const m of HUGE) {
        for (const [n, k] of [
          [1, 1],
          [3, 5],
          [64, 300],
          [1000, 1000],
        ]) {
          const rows = panelRows(m, n, k, es, nr, FULL)
          expect(rows).toBeGreaterThan(0)
          expect(rows).toBeLessThan(m)
          expect(rows % (rows >= MC ? MC : 4)).toBe(0)
          const at = gemmLayout(rows, n, k, es, nr)
          expect(at.need).toBeLessThanOrEqual(FULL)
          // Maximal up to the rounding: one more MC block (or tile) no longer fits.
          expect(gemmLayout(rows + (rows >= MC ? MC : 4), n, k, es, nr).need).toBeGreaterThan(FULL)
          // Counts passed as i32: rows, n, k, and element offsets inside the module (rows·k).
          expect(rows * k).toBeLessThan(2 ** 31)
        }
      }
    }
  })

  it('whole when it fits, 0 when B does not fit with 4 rows', () => {
    expect(panelRows(100, 10, 10, 4, 8, FULL)).toBe(100)
    // B alone is k·n·4 = 2³² bytes: nothing fits.
    expect(panelRows(2 ** 31, 2 ** 15, 2 ** 15, 4, 8, FULL)).toBe(0)
  })

  it('the regions of a layout are ordered and sized as gemm needs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 33 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.constantFrom(4, 8), (rows, n, k, es) => {
        const nr = es === 4 ? 8 : 4,
          np = Math.ceil(n / nr) * nr
        const g = gemmLayout(rows, n, k, es, nr)
        expect(g.a).toBe(BASE)
        expect(g.b - g.a).toBeGreaterThanOrEqual(rows * k * es + 16)
        expect(g.c - g.b).toBeGreaterThanOrEqual(k * n * es + 16)
        expect(g.pa - g.c).toBeGreaterThanOrEqual(Math.ceil(rows / 4) * 4 * np * es + 16)
        expect(g.pb - g.pa).toBeGreaterThanOrEqual(Math.ceil(Math.min(MC, rows) / 4) * 4 * Math.min(KC, k) * es + 16)
        expect(g.bias - g.pb).toBeGreaterThanOrEqual(np * Math.min(KC, k) * es + 16)
        expect(BASE + g.need - g.bias).toBeGreaterThanOrEqual(np * es + 16)
      }),
      { numRuns: 200 },
    )
  })
})

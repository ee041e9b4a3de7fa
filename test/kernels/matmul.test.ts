/**
 * The matmul kernel against a naive triple loop written here: every (ta, tb), every mix of
 * float32/float64 operands and result, sizes 0..40 with the edge-tile sizes (1, 3, 17, not a
 * multiple of 4) drawn often, and nonzero offsets. The tolerance is the standard bound for a
 * sum of k products: |ĉ − c| ≤ (k + 1)·ε·Σₚ|aᵢₚ||bₚⱼ|, with ε of the result's dtype (one
 * rounding when C is stored, k roundings of the double accumulation, both sides).
 *
 * Every property runs twice: on the TypeScript kernel, and through the dispatcher with the
 * WebAssembly SIMD kernels forced (which accumulate float32 in float32 — the same bound holds,
 * since the bound already allows k roundings at the result's precision).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { setKernelMode } from '../../src/kernels/backend.js'
import { matmul as dispatch } from '../../src/kernels/dispatch.js'
import { matmul as jsMatmul } from '../../src/kernels/matmul.js'

type Arr = Float32Array | Float64Array
type DT = 'float32' | 'float64'

const alloc = (dt: DT, n: number): Arr => (dt === 'float32' ? new Float32Array(n) : new Float64Array(n))
const eps = (dt: DT) => (dt === 'float32' ? 2 ** -23 : 2 ** -52)

/** The element op(A)[i][p] of A stored [m,k] (or [k,m] when ta), read at offset ao. */
const opA = (a: Arr, ao: number, m: number, k: number, ta: boolean, i: number, p: number) => (ta ? a[ao + p * m + i] : a[ao + i * k + p])
/** The element op(B)[p][j] of B stored [k,n] (or [n,k] when tb), read at offset bo. */
const opB = (b: Arr, bo: number, n: number, k: number, tb: boolean, p: number, j: number) => (tb ? b[bo + j * k + p] : b[bo + p * n + j])

/** The reference: C[i][j] = Σₚ op(A)[i][p]·op(B)[p][j] in doubles, and the bound Σₚ|a||b|. */
function reference(a: Arr, ao: number, b: Arr, bo: number, m: number, n: number, k: number, ta: boolean, tb: boolean) {
  const value = new Float64Array(m * n),
    scale = new Float64Array(m * n)
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0,
        t = 0
      for (let p = 0; p < k; p++) {
        const x = opA(a, ao, m, k, ta, i, p),
          y = opB(b, bo, n, k, tb, p, j)
        s += x * y
        t += Math.abs(x * y)
      }
      value[i * n + j] = s
      scale[i * n + j] = t
    }
  }
  return { value, scale }
}

/** Fills `x` with values from a 32-bit LCG: a mix of magnitudes, signs and exact zeros. */
function fill(x: Arr, seed: number): void {
  let s = seed >>> 0
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    const u = s / 4294967296
    x[i] = u < 0.1 ? 0 : (u - 0.55) * (u < 0.5 ? 1 : 100)
  }
}

/** Sizes 0..40, with the tile edge cases drawn often. */
const dim = fc.oneof(fc.constantFrom(0, 1, 3, 4, 5, 17), fc.integer({ min: 0, max: 40 }))
const dtype = fc.constantFrom<DT>('float32', 'float64')
const caseArb = fc.record({
  m: dim,
  n: dim,
  k: dim,
  ta: fc.boolean(),
  tb: fc.boolean(),
  da: dtype,
  db: dtype,
  dc: dtype,
  ao: fc.integer({ min: 0, max: 5 }),
  bo: fc.integer({ min: 0, max: 5 }),
  co: fc.integer({ min: 0, max: 5 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
})
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never

/** Buffers with `pad` extra numbers around the matrix, so offsets and out-of-range writes show. */
function setup(c: Case, pad = 3) {
  const a = alloc(c.da, c.ao + c.m * c.k + pad)
  const b = alloc(c.db, c.bo + c.k * c.n + pad)
  const out = alloc(c.dc, c.co + c.m * c.n + pad)
  fill(a, c.seed)
  fill(b, c.seed ^ 0x5bd1e995)
  out.fill(-7.25) // C must be overwritten in its range and untouched outside it
  return { a, b, out }
}

type Kernel = typeof jsMatmul

/** The dispatcher with the WebAssembly kernels forced (mixed dtypes still run in TypeScript). */
const wasmForced: Kernel = (...args) => {
  const prev = setKernelMode('wasm')
  try {
    dispatch(...args)
  } finally {
    setKernelMode(prev)
  }
}

describe.each([
  ['TypeScript', jsMatmul],
  ['WebAssembly', wasmForced],
] as const)('%s matmul kernel', (_name, matmul) => {
  function run(c: Case, a: Arr, b: Arr, out: Arr): void {
    matmul(a, c.ao, b, c.bo, out, c.co, c.m, c.n, c.k, c.ta, c.tb)
  }

  it('equals the naive triple loop within (k+1)·ε·Σ|a||b|, for all (ta, tb), dtypes and offsets', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { a, b, out } = setup(c)
        run(c, a, b, out)
        const { value, scale } = reference(a, c.ao, b, c.bo, c.m, c.n, c.k, c.ta, c.tb)
        const e = eps(c.dc)
        for (let x = 0; x < c.m * c.n; x++) {
          const got = out[c.co + x]
          const tol = (c.k + 1) * e * scale[x]
          if (!(Math.abs(got - value[x]) <= tol)) {
            throw new Error(`C[${Math.floor(x / c.n)}][${x % c.n}] = ${got}, expected ${value[x]} ± ${tol}`)
          }
        }
        for (let x = 0; x < c.co; x++) expect(out[x]).toBe(-7.25)
        for (let x = c.co + c.m * c.n; x < out.length; x++) expect(out[x]).toBe(-7.25)
      }),
      { numRuns: 300 },
    )
  })

  it('does not mutate its inputs', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { a, b, out } = setup(c)
        const a0 = a.slice(),
          b0 = b.slice()
        run(c, a, b, out)
        expect(a).toEqual(a0)
        expect(b).toEqual(b0)
      }),
      { numRuns: 100 },
    )
  })

  it('propagates NaN and ±Infinity exactly as the naive loop does (0·NaN = NaN, 0·∞ = NaN)', () => {
    const special = fc.constantFrom(NaN, Infinity, -Infinity, 0)
    const inject = fc.array(fc.tuple(fc.boolean(), fc.nat(), special), { minLength: 1, maxLength: 4 })
    fc.assert(
      fc.property(caseArb, inject, (c, spots) => {
        const { a, b, out } = setup(c)
        for (const [inA, pos, v] of spots) {
          if (inA && c.m * c.k > 0) a[c.ao + (pos % (c.m * c.k))] = v
          if (!inA && c.k * c.n > 0) b[c.bo + (pos % (c.k * c.n))] = v
        }
        run(c, a, b, out)
        const { value, scale } = reference(a, c.ao, b, c.bo, c.m, c.n, c.k, c.ta, c.tb)
        for (let x = 0; x < c.m * c.n; x++) {
          const got = out[c.co + x],
            want = value[x]
          if (Number.isFinite(want)) expect(Math.abs(got - want)).toBeLessThanOrEqual((c.k + 1) * eps(c.dc) * scale[x])
          else expect(got).toBe(want) // toBe uses Object.is: NaN matches NaN, ∞ matches ∞ of the same sign
        }
      }),
      { numRuns: 300 },
    )
  })

  it('a NaN times an all-zero operand still gives NaN, in full and edge tiles', () => {
    for (const [ta, tb] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      for (const [m, n, k] of [
        [8, 8, 8],
        [5, 7, 3],
        [1, 1, 1],
        [4, 1, 9],
        [1, 6, 2],
        [6, 4, 5],
      ]) {
        // op(A)[m-1][k-1] = NaN and op(B) = 0: row m-1 of C is NaN, the rest 0.
        const a = new Float32Array(m * k),
          b = new Float64Array(k * n),
          c = new Float64Array(m * n)
        a[ta ? (k - 1) * m + (m - 1) : (m - 1) * k + (k - 1)] = NaN
        matmul(a, 0, b, 0, c, 0, m, n, k, ta, tb)
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(Number.isNaN(c[i * n + j])).toBe(i === m - 1)
        // op(A) = 0 and op(B)[k-1][n-1] = NaN: column n-1 of C is NaN, the rest 0.
        const a2 = new Float64Array(m * k),
          b2 = new Float32Array(k * n),
          c2 = new Float32Array(m * n)
        b2[tb ? (n - 1) * k + (k - 1) : (k - 1) * n + (n - 1)] = NaN
        matmul(a2, 0, b2, 0, c2, 0, m, n, k, ta, tb)
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(Number.isNaN(c2[i * n + j])).toBe(j === n - 1)
      }
    }
  })

  it('k = 0 gives zeros and m = 0 or n = 0 writes nothing', () => {
    const c = new Float32Array(6).fill(5)
    matmul(new Float32Array(0), 0, new Float32Array(0), 0, c, 0, 2, 3, 0, false, true)
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0])
    const d = new Float64Array(2).fill(5)
    matmul(new Float64Array(4), 0, new Float64Array(4), 0, d, 0, 0, 2, 2, true, false)
    matmul(new Float64Array(4), 0, new Float64Array(4), 0, d, 0, 2, 0, 2, false, false)
    expect(Array.from(d)).toEqual([5, 5])
  })

  it('stays correct after a product too large for the kept scratch, and again after it', () => {
    // op(B) packs to ⌈n/4⌉·4·k = 4,100,096 > 2²² numbers, past the reuse limit of the scratch.
    const cases: Case[] = [
      { m: 2, n: 4001, k: 1024, ta: true, tb: true, da: 'float32', db: 'float32', dc: 'float32', ao: 1, bo: 2, co: 3, seed: 7 },
      { m: 6, n: 5, k: 7, ta: false, tb: false, da: 'float64', db: 'float32', dc: 'float64', ao: 0, bo: 1, co: 0, seed: 8 },
    ]
    for (const c of cases) {
      const { a, b, out } = setup(c)
      run(c, a, b, out)
      const { value, scale } = reference(a, c.ao, b, c.bo, c.m, c.n, c.k, c.ta, c.tb)
      for (let x = 0; x < c.m * c.n; x++) {
        expect(Math.abs(out[c.co + x] - value[x])).toBeLessThanOrEqual((c.k + 1) * eps(c.dc) * scale[x])
      }
    }
  })
})

describe('WebAssembly and TypeScript kernels agree', () => {
  // Shapes past the WebAssembly kernel's cache blocks (k > 256 accumulates over k blocks, m > 128
  // sweeps several A blocks) and past its tiles (4×8 float32, 4×4 float64), square and not.
  const big = fc.oneof(fc.constantFrom(1, 3, 17, 255, 256, 257), fc.integer({ min: 1, max: 300 }))
  const bigCase = fc
    .record({
      m: big,
      n: big,
      k: big,
      ta: fc.boolean(),
      tb: fc.boolean(),
      dt: dtype,
      ao: fc.integer({ min: 0, max: 3 }),
      bo: fc.integer({ min: 0, max: 3 }),
      co: fc.integer({ min: 0, max: 3 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .filter((c) => c.m * c.n * c.k <= 4_000_000)

  it('within 2(k+1)·ε·Σ|a||b| for random shapes, both dtypes and all (ta, tb)', () => {
    fc.assert(
      fc.property(bigCase, (c) => {
        const cs: Case = { m: c.m, n: c.n, k: c.k, ta: c.ta, tb: c.tb, da: c.dt, db: c.dt, dc: c.dt, ao: c.ao, bo: c.bo, co: c.co, seed: c.seed }
        const { a, b, out } = setup(cs)
        const ref = out.slice()
        wasmForced(a, c.ao, b, c.bo, out, c.co, c.m, c.n, c.k, c.ta, c.tb)
        jsMatmul(a, c.ao, b, c.bo, ref, c.co, c.m, c.n, c.k, c.ta, c.tb)
        // |Σ|a||b|| bounds both kernels' errors from the exact sum, so their distance is ≤ twice it.
        const scale = reference(a, c.ao, b, c.bo, c.m, c.n, c.k, c.ta, c.tb).scale
        for (let x = 0; x < c.m * c.n; x++) {
          const tol = 2 * (c.k + 1) * eps(c.dt) * scale[x]
          if (!(Math.abs(out[c.co + x] - ref[c.co + x]) <= tol)) throw new Error(`C[${x}]: wasm ${out[c.co + x]} vs ts ${ref[c.co + x]} (tol ${tol})`)
        }
        expect(out.subarray(0, c.co)).toEqual(ref.subarray(0, c.co))
        expect(out.subarray(c.co + c.m * c.n)).toEqual(ref.subarray(c.co + c.m * c.n))
      }),
      { numRuns: 40 },
    )
  })

  it('a product larger than the first WebAssembly memory gets a new, larger one and stays correct', () => {
    // A is 1×3,000,000 and B 3,000,000×3 in float64: 96 MB of operands, past the first 64 MiB.
    const k = 3_000_000
    const a = new Float64Array(k),
      b = new Float64Array(3 * k)
    for (let p = 0; p < k; p++) {
      a[p] = (p % 7) - 3
      b[3 * p] = 1
      b[3 * p + 1] = p % 2
      b[3 * p + 2] = -1
    }
    const c = new Float64Array(3)
    wasmForced(a, 0, b, 0, c, 0, 1, 3, k, false, false)
    // 3,000,000 = 7·428,571 + 3: whole periods of (−3..3) sum to 0 and the tail p%7 = 0, 1, 2
    // gives a = −3, −2, −1, so Σ a = −6 and −Σ a = 6. With b₁ = p%2 the sum takes the odd p.
    let odd = 0
    for (let p = 1; p < k; p += 2) odd += (p % 7) - 3
    expect(Array.from(c)).toEqual([-6, odd, 6])
    const small = new Float32Array(4)
    wasmForced(new Float32Array([1, 2, 3, 4]), 0, new Float32Array([1, 0, 0, 1]), 0, small, 0, 2, 2, 2, false, false)
    expect(Array.from(small)).toEqual([1, 2, 3, 4])
  })
})

/**
 * The WebAssembly matrix product (gemm32, gemm64, through `matmul` and `affine`) at the size
 * boundaries, with small stand-in memory limits: products just inside one memory, just past it
 * (row panels), B too large to fit with 4 rows (the TypeScript kernel runs), a product that
 * forces a new memory, and a host that refuses memories. Panels must change no bit: each is
 * compared with the same product run whole under the default limits, whose distance to the
 * naive product test/kernels/matmul.test.ts bounds.
 */
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { kernelMode, setKernelMode } from '../../src/kernels/backend.js'
import { affine, matmul } from '../../src/kernels/dispatch.js'
import { matmul as jsMatmul } from '../../src/kernels/matmul.js'
import { gemmLayout } from '../../src/kernels/wasm/layout.js'
import { wasmMatmul } from '../../src/kernels/wasm/matmul.js'
import { type MemoryLimits, capacity, memoryBytes, setMemoryLimits, wasmCalls } from '../../src/kernels/wasm/runtime.js'
import { type Arr, PAGE, alloc, filled, refusingAbove, sameBits } from './wasmHelpers.js'

const initialMode = kernelMode()
let saved: MemoryLimits
// 4 pages: 192 KiB above the reserved base.
beforeEach(() => {
  saved = setMemoryLimits({ initial: 4 * PAGE, max: 4 * PAGE })
})
afterEach(() => {
  setMemoryLimits(saved)
  setKernelMode(initialMode)
})

/** The most rows m whose whole layout fits `budget` (the layout grows with m), by bisection. */
function wholeRows(n: number, k: number, f64: boolean, budget: number): number {
  const es = f64 ? 8 : 4,
    nr = f64 ? 4 : 8
  let lo = 0,
    hi = 1
  while (gemmLayout(hi, n, k, es, nr).need <= budget) hi *= 2
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (gemmLayout(mid, n, k, es, nr).need <= budget) lo = mid
    else hi = mid
  }
  return lo
}

interface Product {
  m: number
  n: number
  k: number
  ta: boolean
  tb: boolean
  f64: boolean
  bias: Arr | null
  relu: boolean
  a: Arr
  b: Arr
}

function product(m: number, n: number, k: number, ta: boolean, tb: boolean, f64: boolean, withBias: boolean, relu: boolean, seed: number): Product {
  return { m, n, k, ta, tb, f64, relu, bias: withBias ? filled(f64, n, seed + 2) : null, a: filled(f64, m * k, seed), b: filled(f64, k * n, seed + 1) }
}

/** Runs `p` through wasmMatmul into a NaN-filled C; returns whether it ran, and C. */
function run(p: Product): [boolean, Arr] {
  const c = alloc(p.f64, p.m * p.n).fill(NaN)
  const ran = wasmMatmul(p.a, 0, p.b, 0, c, 0, p.m, p.n, p.k, p.ta, p.tb, p.bias, p.relu)
  return [ran, c]
}

/** `p` run whole, under the default limits. */
function whole(p: Product): Arr {
  const small = setMemoryLimits(saved)
  try {
    const [ran, c] = run(p)
    expect(ran).toBe(true)
    return c
  } finally {
    setMemoryLimits(small)
  }
}

describe('row panels when the product does not fit one memory but B does', () => {
  const shape = fc.record({
    n: fc.constantFrom(1, 7, 8, 20),
    k: fc.constantFrom(1, 30, 255, 257),
    ta: fc.boolean(),
    tb: fc.boolean(),
    f64: fc.boolean(),
    bias: fc.boolean(),
    relu: fc.boolean(),
    extra: fc.oneof(fc.constantFrom(-1, 0, 1, 2, 3, 4, 5), fc.integer({ min: -1, max: 400 })),
    seed: fc.integer(),
  })
  it('rows just below, at and past the limit, and many panels: the bits of the whole product', () => {
    fc.assert(
      fc.property(shape, (s) => {
        const top = wholeRows(s.n, s.k, s.f64, capacity())
        const m = Math.max(1, top + s.extra)
        const p = product(m, s.n, s.k, s.ta, s.tb, s.f64, s.bias, s.relu, s.seed)
        const before = wasmCalls()
        const [ran, c] = run(p)
        expect(ran).toBe(true)
        expect(wasmCalls()).toBe(before + 1)
        expect(memoryBytes()).toBeLessThanOrEqual(4 * PAGE)
        sameBits(c, whole(p), `C (m ${m}, past the limit by ${s.extra})`)
      }),
      { numRuns: 60 },
    )
  })

  it('affine (bias and ReLU in the epilogue) through the dispatcher, in panels', () => {
    setKernelMode('wasm')
    const top = wholeRows(33, 40, false, capacity())
    const p = product(3 * top + 7, 33, 40, false, false, false, true, true, 4)
    const c = alloc(false, p.m * p.n)
    affine(p.a, p.b, p.bias, c, p.m, p.n, p.k, true)
    sameBits(c, whole(p), 'affine')
  })
})

describe('B too large to fit with 4 rows: the TypeScript kernel runs', () => {
  it('n at the largest that fits runs in WebAssembly; one more column declines, writing nothing', () => {
    for (const f64 of [false, true]) {
      const k = 300,
        es = f64 ? 8 : 4,
        nr = f64 ? 4 : 8
      let n = 1
      while (gemmLayout(4, n + 1, k, es, nr).need <= capacity()) n++
      const fits = product(50, n, k, false, true, f64, false, false, 7)
      const [ran, c] = run(fits)
      expect(ran).toBe(true)
      sameBits(c, whole(fits), 'C at the limit')
      const past = product(50, n + nr, k, false, true, f64, false, false, 8)
      expect(gemmLayout(4, n + nr, k, es, nr).need).toBeGreaterThan(capacity())
      const [declined, untouched] = run(past)
      expect(declined).toBe(false)
      expect(untouched.every(Number.isNaN)).toBe(true)
      // The dispatcher then gives the TypeScript kernel's bits, under PUREDIFF_KERNELS=wasm too.
      setKernelMode('wasm')
      const viaDispatch = alloc(f64, past.m * past.n),
        ref = alloc(f64, past.m * past.n)
      matmul(past.a, 0, past.b, 0, viaDispatch, 0, past.m, past.n, past.k, false, true)
      jsMatmul(past.a, 0, past.b, 0, ref, 0, past.m, past.n, past.k, false, true)
      sameBits(viaDispatch, ref, 'fallback')
      setKernelMode(initialMode)
    }
  })
})

describe('memories', () => {
  it('a product larger than the memory there is gets a new one (never grown), up to the limit', () => {
    setMemoryLimits({ initial: 2 * PAGE, max: 64 * PAGE })
    const small = product(4, 4, 4, false, false, false, false, false, 1)
    expect(run(small)[0]).toBe(true)
    expect(memoryBytes()).toBe(2 * PAGE)
    const big = product(300, 40, 200, true, false, true, false, false, 2) // ≈ 0.6 MB of float64 operands
    const need = gemmLayout(300, 40, 200, 8, 4).need
    const [ran, c] = run(big)
    expect(ran).toBe(true)
    expect(memoryBytes()).toBeGreaterThanOrEqual(PAGE + need)
    expect(memoryBytes()).toBeLessThanOrEqual(64 * PAGE)
    const size = memoryBytes()
    expect(run(small)[0]).toBe(true)
    expect(memoryBytes()).toBe(size) // the larger memory stays
    sameBits(c, whole(big), 'C in a new memory')
  })

  it('a host that refuses the large memory: panels in a memory it grants, or TypeScript', () => {
    setMemoryLimits({ initial: 2 * PAGE, max: 64 * PAGE })
    const p = product(400, 24, 100, false, false, false, true, true, 3)
    const want = whole(p)
    // Up to 4 pages granted: the whole product (≈ 200 KB) is refused, panels of MC rows fit.
    refusingAbove(4, () => {
      const [ran, c] = run(p)
      expect(ran).toBe(true)
      expect(memoryBytes()).toBeLessThanOrEqual(4 * PAGE)
      sameBits(c, want, 'C in panels')
    })
    // Nothing granted: declines, writes nothing; the dispatcher runs TypeScript, even under wasm.
    setMemoryLimits({ initial: 2 * PAGE, max: 64 * PAGE })
    refusingAbove(0, () => {
      const [ran, c] = run(p)
      expect(ran).toBe(false)
      expect(c.every(Number.isNaN)).toBe(true)
      setKernelMode('wasm')
      const out = alloc(false, p.m * p.n),
        ref = alloc(false, p.m * p.n)
      matmul(p.a, 0, p.b, 0, out, 0, p.m, p.n, p.k, false, false)
      jsMatmul(p.a, 0, p.b, 0, ref, 0, p.m, p.n, p.k, false, false)
      sameBits(out, ref, 'fallback')
    })
  })
})

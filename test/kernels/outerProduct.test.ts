/**
 * The k = 1 fast path of the matmul dispatch (`outerProduct` in src/kernels/dispatch.ts): for
 * k = 1 every entry of C is one product, so the fast path must give the bits the packed
 * TypeScript kernel and the WebAssembly kernel give, for every shape, transpose flag, offset and
 * dtype mix (−0 and NaN included, compared with Object.is), and leave C outside its m·n entries
 * untouched. Checked under 'js' (where the dispatch runs the fast path) and under the kernel mode
 * this run of the suite uses (PUREDIFF_KERNELS).
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { kernelMode, setKernelMode } from '../../src/kernels/backend.js'
import { KERNELS, matmul, outerProduct, useWasm } from '../../src/kernels/dispatch.js'
import { matmul as jsMatmul } from '../../src/kernels/matmul.js'
import { wasmMatmul } from '../../src/kernels/wasm/matmul.js'
import { type Arr, alloc, sameBits } from './wasmHelpers.js'

const initial = kernelMode()
afterEach(() => {
  setKernelMode(initial)
})

const value = fc.oneof(
  { weight: 12, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }) },
  // overflow and underflow in float32 (not in the double product), exact zeros of both signs
  { weight: 3, arbitrary: fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 3e38, -2e-38, 1e-45, 1e300) },
)

interface Case {
  readonly m: number
  readonly n: number
  readonly ta: boolean
  readonly tb: boolean
  readonly ao: number
  readonly bo: number
  readonly co: number
  /** float64 for a, b, c */
  readonly f64: readonly [boolean, boolean, boolean]
  readonly a: readonly number[]
  readonly b: readonly number[]
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    m: fc.integer({ min: 0, max: 11 }),
    n: fc.integer({ min: 0, max: 11 }),
    ta: fc.boolean(),
    tb: fc.boolean(),
    ao: fc.integer({ min: 0, max: 5 }),
    bo: fc.integer({ min: 0, max: 5 }),
    co: fc.integer({ min: 0, max: 5 }),
    f64: fc.oneof(
      fc.boolean().map((d): [boolean, boolean, boolean] => [d, d, d]),
      fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
    ),
  })
  .chain((r) =>
    fc
      .record({ a: fc.array(value, { minLength: r.ao + r.m + 3, maxLength: r.ao + r.m + 3 }), b: fc.array(value, { minLength: r.bo + r.n + 3, maxLength: r.bo + r.n + 3 }) })
      .map((v) => ({ ...r, ...v })),
  )

function arr(f64: boolean, xs: readonly number[]): Arr {
  const out = alloc(f64, xs.length)
  out.set(xs)
  return out
}

/** C of the case (with 3 sentinel entries past its end, and `co` before it) computed by `mm`. */
function product(c: Case, mm: (a: Arr, b: Arr, out: Arr) => void): Arr {
  const out = alloc(c.f64[2], c.co + c.m * c.n + 3).fill(7)
  mm(arr(c.f64[0], c.a), arr(c.f64[1], c.b), out)
  return out
}

const viaJs = (c: Case) => product(c, (a, b, out) => jsMatmul(a, c.ao, b, c.bo, out, c.co, c.m, c.n, 1, c.ta, c.tb))
const viaFast = (c: Case) => product(c, (a, b, out) => outerProduct(a, c.ao, b, c.bo, out, c.co, c.m, c.n))
const viaDispatch = (c: Case) => product(c, (a, b, out) => matmul(a, c.ao, b, c.bo, out, c.co, c.m, c.n, 1, c.ta, c.tb))
/** The WebAssembly kernel runs one dtype throughout; it must have run (true) for m, n > 0. */
const viaWasm = (c: Case) =>
  product(c, (a, b, out) => {
    const ran = wasmMatmul(a, c.ao, b, c.bo, out, c.co, c.m, c.n, 1, c.ta, c.tb)
    if (!ran) throw new Error('the WebAssembly matmul did not run')
  })

describe('the k = 1 fast path of matmul (an outer product)', () => {
  it('writes the bits of the packed TypeScript kernel, for every shape, flag, offset and dtype mix', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        sameBits(viaFast(c), viaJs(c), 'outerProduct vs the TypeScript kernel')
      }),
      { numRuns: 40 },
    )
  })

  // The two kernels differ in one place themselves: a float32 product that underflows to zero
  // from below. TypeScript sums in a double and rounds once (−0); WebAssembly rounds the float32
  // product (−0) and adds it to its +0 start (+0). The fast path replaces the TypeScript kernel,
  // so it gives −0 there, and the WebAssembly bits everywhere else.
  const againstWasm = (c: Case): void => {
    const fast = viaFast(c),
      wasm = viaWasm(c),
      ts = viaJs(c)
    for (let i = 0; i < fast.length; i++) {
      if (Object.is(wasm[i], ts[i])) {
        if (!Object.is(fast[i], wasm[i])) throw new Error(`outerProduct vs the WebAssembly kernel [${i}]: ${fast[i]} vs ${wasm[i]}`)
      } else if (!(!c.f64[2] && Object.is(fast[i], -0) && Object.is(wasm[i], 0) && Object.is(ts[i], -0))) {
        throw new Error(`the kernels differ at [${i}] (${ts[i]} vs ${wasm[i]}) other than on a float32 underflow to −0`)
      }
    }
  }

  it('writes the bits of the WebAssembly kernel (one dtype throughout), but for the sign of a float32 underflow', () => {
    fc.assert(
      fc.property(
        caseArb.filter((c) => c.f64[0] === c.f64[2] && c.f64[1] === c.f64[2] && c.m > 0 && c.n > 0),
        againstWasm,
      ),
      { numRuns: 30 },
    )
    // the counterexample that showed the difference: (−2⁻¹⁴⁹)·2⁻¹⁴⁹ underflows to −0 in float32
    const tiny = 2 ** -149
    const c: Case = { m: 2, n: 3, ta: false, tb: true, ao: 0, bo: 1, co: 0, f64: [false, false, false], a: [-tiny, 0, 0, 0, 0], b: [0, 0, 0, tiny, 0, 0, 0] }
    againstWasm(c)
    expect(Object.is(viaFast(c)[2], -0)).toBe(true)
  })

  it("changes no path: under 'js', 'auto' and this run's mode the dispatch gives the bits of the kernel its row picks", () => {
    for (const mode of ['js', 'auto', initial] as const) {
      setKernelMode(mode)
      fc.assert(
        fc.property(caseArb, (c) => {
          // the row decides as before the fast path; where it picks TypeScript, the fast path
          // runs and must give the TypeScript kernel's bits
          const same = c.f64[0] === c.f64[2] && c.f64[1] === c.f64[2]
          const wasm = same && c.m > 0 && c.n > 0 && useWasm(KERNELS.matmul, 2 * c.m * c.n)
          sameBits(viaDispatch(c), wasm ? viaWasm(c) : viaJs(c), `dispatch (${mode}) vs the ${wasm ? 'WebAssembly' : 'TypeScript'} kernel`)
        }),
        { numRuns: 20 },
      )
    }
  })

  it('stores a −0 product as +0, as every kernel does (each sum starts at +0)', () => {
    // a = [−1, 2], b = [0, 3]: (−1)·0 = −0, and +0 + (−0) = +0 in IEEE arithmetic
    for (const f64 of [false, true]) {
      const out = alloc(f64, 4)
      outerProduct(arr(f64, [-1, 2]), 0, arr(f64, [0, 3]), 0, out, 0, 2, 2)
      expect(Object.is(out[0], 0)).toBe(true)
      expect([...out]).toEqual([0, -3, 0, 6])
    }
  })

  it('rounds a float32 product once, from the exact product (a double holds it)', () => {
    // (1 + 2⁻²³)² = 1 + 2⁻²² + 2⁻⁴⁶: exact in a double, rounds to 1 + 2⁻²² in float32
    const x = 1 + 2 ** -23
    const out = new Float32Array(1)
    outerProduct(Float32Array.of(x), 0, Float32Array.of(x), 0, out, 0, 1, 1)
    expect(out[0]).toBe(1 + 2 ** -22)
  })
})

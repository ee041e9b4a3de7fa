/**
 * The WebAssembly gathering convolution (wasm/assembly/im2col.ts, then gemm, behind
 * src/kernels/wasm/conv.ts) against its twins:
 * - bit for bit against the same WebAssembly product of a patch matrix built here from the
 *   formula (row per output position, entries in HWIO window order, zeros on padding and on the
 *   holes of the input dilation): im2col copies exactly that patch, with every window-row length
 *   (1–5 channels × 1–3 entries, float32 and float64: every offset within a 16-byte vector copy),
 *   strides, dilations, paddings (negative included), and block sizes that cut the rows anywhere;
 * - with a bias and ReLU in the epilogue, bit for bit against the product plus bias, then ReLU;
 * - through the dispatch, against the TypeScript kernels ('js') within the bound of a sum of K
 *   products, (K + 1)·ε·Σ|x||w|, as test/kernels/conv.test.ts;
 * - a memory too small for the input: it declines having written nothing, and the dispatched
 *   convolution is the TypeScript one's, bit for bit.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { kernelMode, setKernelMode } from '../../src/kernels/backend.js'
import { type ConvGeometry, conv } from '../../src/kernels/conv.js'
import { wasmGatherConv } from '../../src/kernels/wasm/conv.js'
import { wasmMatmul } from '../../src/kernels/wasm/matmul.js'
import { setMemoryLimits } from '../../src/kernels/wasm/runtime.js'
import { type Arr, PAGE, alloc, filled, sameBits } from './wasmHelpers.js'

const initialMode = kernelMode()
afterEach(() => {
  setKernelMode(initialMode)
})

const int = (min: number, max: number) => fc.integer({ min, max })
const three = <T>(a: fc.Arbitrary<T>) => fc.tuple(a, a, a)
const size = (v: readonly number[]) => v.reduce((p, q) => p * q, 1)

interface Case {
  readonly g: ConvGeometry
  readonly f64: boolean
  readonly seed: number
}

/** One feature group, any geometry with a non-empty output (as test/kernels/conv.test.ts draws them). */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    batch: int(1, 2),
    c: int(1, 5),
    outC: fc.oneof(int(1, 9), int(32, 37)), // short output rows copied entry by entry, long ones by row
    k: three(int(1, 3)),
    s: three(int(1, 2)),
    d: three(int(1, 2)),
    ld: three(int(1, 2)),
    lo: three(int(-1, 2)),
    hi: three(int(-1, 2)),
    more: three(int(0, 3)),
    f64: fc.boolean(),
    seed: int(1, 0x7fffffff),
  })
  .map((c) => {
    const n: number[] = [],
      o: number[] = []
    for (let a = 0; a < 3; a++) {
      const kd = (c.k[a] - 1) * c.d[a] + 1
      const need = kd - c.lo[a] - c.hi[a]
      const nn = (need <= 1 ? 1 : Math.ceil((need - 1) / c.ld[a]) + 1) + c.more[a]
      n.push(nn)
      o.push(Math.floor(((nn - 1) * c.ld[a] + 1 + c.lo[a] + c.hi[a] - kd) / c.s[a]) + 1)
    }
    const g: ConvGeometry = { batch: c.batch, n, inC: c.c, k: c.k, outC: c.outC, o, strides: c.s, dilation: c.d, lhsDilation: c.ld, lo: c.lo, groups: 1 }
    return { g, f64: c.f64, seed: c.seed }
  })

/** Per axis, the input index that output i and window entry t read, or −1 (the formula). */
function table(g: ConvGeometry, a: number): Int32Array {
  const t = new Int32Array(g.o[a] * g.k[a])
  const np = (g.n[a] - 1) * g.lhsDilation[a] + 1
  for (let i = 0; i < g.o[a]; i++)
    for (let j = 0; j < g.k[a]; j++) {
      const p = i * g.strides[a] + j * g.dilation[a] - g.lo[a]
      t[i * g.k[a] + j] = p >= 0 && p < np && p % g.lhsDilation[a] === 0 ? p / g.lhsDilation[a] : -1
    }
  return t
}

/** The patch matrix [rows, k0·k1·k2·c], written out from the formula. */
function patchOf(x: Arr, g: ConvGeometry, f64: boolean): Arr {
  const kk = size(g.k) * g.inC
  const rows = g.batch * size(g.o)
  const p = alloc(f64, rows * kk)
  const t = [table(g, 0), table(g, 1), table(g, 2)]
  let r = 0
  for (let b = 0; b < g.batch; b++)
    for (let i0 = 0; i0 < g.o[0]; i0++)
      for (let i1 = 0; i1 < g.o[1]; i1++)
        for (let i2 = 0; i2 < g.o[2]; i2++, r++) {
          let e = r * kk
          for (let a0 = 0; a0 < g.k[0]; a0++)
            for (let a1 = 0; a1 < g.k[1]; a1++)
              for (let a2 = 0; a2 < g.k[2]; a2++) {
                const j0 = t[0][i0 * g.k[0] + a0],
                  j1 = t[1][i1 * g.k[1] + a1],
                  j2 = t[2][i2 * g.k[2] + a2]
                for (let c = 0; c < g.inC; c++, e++) p[e] = j0 < 0 || j1 < 0 || j2 < 0 ? 0 : x[(((b * g.n[0] + j0) * g.n[1] + j1) * g.n[2] + j2) * g.inC + c]
              }
        }
  return p
}

function operands(c: Case): { x: Arr; w: Arr; bias: Arr; rows: number; kk: number } {
  const { g, f64, seed } = c
  return {
    x: filled(f64, g.batch * size(g.n) * g.inC, seed),
    w: filled(f64, size(g.k) * g.inC * g.outC, seed ^ 0x5bd1e995),
    bias: filled(f64, g.outC, seed ^ 0x1234567),
    rows: g.batch * size(g.o),
    kk: size(g.k) * g.inC,
  }
}

const geo = (g: ConvGeometry) => ({ batch: g.batch, n: g.n, k: g.k, o: g.o, c: g.inC, outC: g.outC })
const tables = (g: ConvGeometry): [Int32Array, Int32Array, Int32Array] => [table(g, 0), table(g, 1), table(g, 2)]

describe('the WebAssembly gathering convolution', () => {
  it('is the WebAssembly product of the formula’s patch matrix, bit for bit, whatever the block', () => {
    fc.assert(
      fc.property(caseArb, int(1, 40), (c, block) => {
        const { x, w, rows, kk } = operands(c)
        const want = alloc(c.f64, rows * c.g.outC)
        expect(wasmMatmul(patchOf(x, c.g, c.f64), 0, w, 0, want, 0, rows, c.g.outC, kk, false, false)).toBe(true)
        for (const b of [block, rows]) {
          const got = alloc(c.f64, rows * c.g.outC).fill(-7.25)
          expect(wasmGatherConv(x, w, got, geo(c.g), ...tables(c.g), Math.min(b, rows))).toBe(true)
          sameBits(got, want, `block ${b}`)
        }
      }),
      { numRuns: 40 },
    )
  })

  it('with a bias and ReLU in the epilogue: the product, plus the bias, then max(·, 0), bit for bit', () => {
    fc.assert(
      fc.property(caseArb, int(1, 40), (c, block) => {
        const { x, w, bias, rows, kk } = operands(c)
        const want = alloc(c.f64, rows * c.g.outC)
        wasmMatmul(patchOf(x, c.g, c.f64), 0, w, 0, want, 0, rows, c.g.outC, kk, false, false)
        // the sum rounds to the dtype on store, then the bias is added and rounded again
        for (let r = 0; r < rows; r++) for (let j = 0; j < c.g.outC; j++) want[r * c.g.outC + j] = Math.max(want[r * c.g.outC + j] + bias[j], 0)
        const got = alloc(c.f64, rows * c.g.outC).fill(-7.25)
        expect(wasmGatherConv(x, w, got, geo(c.g), ...tables(c.g), Math.min(block, rows), bias, true)).toBe(true)
        sameBits(got, want, 'bias + relu')
      }),
      { numRuns: 25 },
    )
  })

  it("through the dispatch ('wasm') equals the TypeScript kernels within (K + 1)·ε·Σ|x||w|", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { x, w, rows, kk } = operands(c)
        const run = (mode: 'js' | 'wasm') => {
          setKernelMode(mode)
          const y = alloc(c.f64, rows * c.g.outC).fill(-7.25)
          conv(x, w, y, c.g, undefined, 'gather')
          return y
        }
        const got = run('wasm'),
          want = run('js')
        const patch = patchOf(x, c.g, true)
        const eps = c.f64 ? 2 ** -52 : 2 ** -23
        for (let r = 0; r < rows; r++)
          for (let j = 0; j < c.g.outC; j++) {
            let abs = 0
            for (let e = 0; e < kk; e++) abs += Math.abs(patch[r * kk + e] * w[e * c.g.outC + j])
            const i = r * c.g.outC + j
            if (!(Math.abs(got[i] - want[i]) <= (kk + 1) * eps * abs)) throw new Error(`entry ${i}: ${got[i]} vs ${want[i]}`)
          }
      }),
      { numRuns: 30 },
    )
  })

  it('declines, having written nothing, when the input does not fit; the dispatched result is the TypeScript one', () => {
    const saved = setMemoryLimits({ initial: 2 * PAGE, max: 3 * PAGE })
    try {
      // x alone is 4·28·28·8 float64 numbers, 200 KiB: more than the 128 KiB above the base
      const g: ConvGeometry = {
        batch: 4,
        n: [1, 28, 28],
        inC: 8,
        k: [1, 3, 3],
        outC: 4,
        o: [1, 26, 26],
        strides: [1, 1, 1],
        dilation: [1, 1, 1],
        lhsDilation: [1, 1, 1],
        lo: [0, 0, 0],
        groups: 1,
      }
      const { x, w, rows } = operands({ g, f64: true, seed: 7 })
      const got = alloc(true, rows * 4).fill(Number.NaN)
      expect(wasmGatherConv(x, w, got, geo(g), ...tables(g), 16)).toBe(false)
      expect(got.every(Number.isNaN)).toBe(true)
      setKernelMode('js')
      const want = alloc(true, rows * 4)
      conv(x, w, want, g, 16 * 72, 'gather')
      setKernelMode('wasm')
      conv(x, w, got, g, 16 * 72, 'gather')
      sameBits(got, want, 'declined')
    } finally {
      setMemoryLimits(saved)
    }
  })
})

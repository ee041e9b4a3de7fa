/**
 * The conv kernel (im2col + the dispatched GEMM) against a direct loop over the formula written
 * here, y[b, o, q·og + j] = Σ_{t, c} x̃[b, o·s + t·d − lo, q·cg + c]·w[t, c, q·og + j] with x̃
 * the input dilated by ld (zeros between), on 3 spatial axes (fewer are axes of length 1),
 * random strides, dilations, input dilations, paddings (negative included), groups, both
 * dtypes. The tolerance is the bound of a sum of K products: (K + 1)·ε·Σ|x||w|.
 *
 * Both strategies (gathering windows, scattering products) are checked. Every property runs
 * with the TypeScript kernels, with the WebAssembly ones forced (the
 * equivalence of the two paths up to float rounding) and under 'auto' (where the dispatch row
 * decides once per convolution), and with three block sizes whose results must be bit-identical: each output row is one row of a product whose sum runs over the same
 * terms in the same order whatever the number of rows in the block (and, scattering, adds the
 * products into an output entry in input-row order).
 */
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { type KernelMode, kernelMode, setKernelMode } from '../../src/kernels/backend.js'
import { type ConvGeometry, type ConvStrategy, conv } from '../../src/kernels/conv.js'

const initial = kernelMode()
afterAll(() => {
  setKernelMode(initial)
})

type Arr = Float32Array | Float64Array
type DT = 'float32' | 'float64'

interface Case {
  readonly g: ConvGeometry
  readonly dt: DT
  readonly seed: number
}

const int = (min: number, max: number) => fc.integer({ min, max })
const three = <T>(a: fc.Arbitrary<T>) => fc.tuple(a, a, a)

/**
 * A geometry whose output is not empty: the padding is drawn, then n is long enough. `wide`:
 * one group of 22–40 channels and a last-axis window of 3 without dilation, so a window row
 * spans ≥ 66 consecutive numbers (the native-copy path) wherever it is inside the input.
 */
const geometryArb = (wide: boolean): fc.Arbitrary<Case> =>
  fc
    .record({
      batch: int(1, 2),
      groups: wide ? fc.constant(1) : int(1, 3),
      cg: wide ? int(22, 40) : int(1, 3),
      og: int(1, 3),
      k: wide ? fc.tuple(int(1, 3), int(1, 3), fc.constant(3)) : three(int(1, 3)),
      s: three(int(1, 3)),
      d: wide ? fc.tuple(int(1, 2), int(1, 2), fc.constant(1)) : three(int(1, 2)),
      ld: wide ? fc.tuple(int(1, 2), int(1, 2), fc.constant(1)) : three(int(1, 2)),
      lo: three(int(-2, 3)),
      hi: three(int(-2, 3)),
      more: three(int(0, 3)),
      dt: fc.constantFrom<DT>('float32', 'float64'),
      seed: int(1, 0x7fffffff),
    })
    .map((c) => {
      const n: number[] = [],
        o: number[] = []
      for (let a = 0; a < 3; a++) {
        const kd = (c.k[a] - 1) * c.d[a] + 1
        const need = kd - c.lo[a] - c.hi[a] // n' ≥ need
        const nn = (need <= 1 ? 1 : Math.ceil((need - 1) / c.ld[a]) + 1) + c.more[a]
        n.push(nn)
        o.push(Math.floor(((nn - 1) * c.ld[a] + 1 + c.lo[a] + c.hi[a] - kd) / c.s[a]) + 1)
      }
      const g: ConvGeometry = {
        batch: c.batch,
        n,
        inC: c.cg * c.groups,
        k: c.k,
        outC: c.og * c.groups,
        o,
        strides: c.s,
        dilation: c.d,
        lhsDilation: c.ld,
        lo: c.lo,
        groups: c.groups,
      }
      return { g, dt: c.dt, seed: c.seed }
    })
const caseArb = geometryArb(false)

const size = (v: readonly number[]) => v.reduce((p, q) => p * q, 1)

function filled(dt: DT, n: number, seed: number): Arr {
  const a = dt === 'float32' ? new Float32Array(n) : new Float64Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    a[i] = s / 2 ** 31 - 1
  }
  return a
}

/** The direct loop, in doubles, and the bound Σ|x||w| per output. */
function reference(x: Arr, w: Arr, g: ConvGeometry): { y: Float64Array; abs: Float64Array } {
  const { batch, n, inC, k, outC, o, strides: s, dilation: d, lhsDilation: ld, lo, groups } = g
  const cg = inC / groups,
    og = outC / groups
  const y = new Float64Array(batch * size(o) * outC)
  const abs = new Float64Array(y.length)
  /** x̃'s value at dilated position p of axis a as an input index, or −1. */
  const at = (a: number, p: number) => (p >= 0 && p < (n[a] - 1) * ld[a] + 1 && p % ld[a] === 0 ? p / ld[a] : -1)
  let out = 0
  for (let b = 0; b < batch; b++)
    for (let o0 = 0; o0 < o[0]; o0++)
      for (let o1 = 0; o1 < o[1]; o1++)
        for (let o2 = 0; o2 < o[2]; o2++, out += outC)
          for (let oc = 0; oc < outC; oc++) {
            const q = Math.floor(oc / og)
            let acc = 0,
              bound = 0
            for (let t0 = 0; t0 < k[0]; t0++)
              for (let t1 = 0; t1 < k[1]; t1++)
                for (let t2 = 0; t2 < k[2]; t2++) {
                  const i0 = at(0, o0 * s[0] + t0 * d[0] - lo[0])
                  const i1 = at(1, o1 * s[1] + t1 * d[1] - lo[1])
                  const i2 = at(2, o2 * s[2] + t2 * d[2] - lo[2])
                  if (i0 < 0 || i1 < 0 || i2 < 0) continue
                  for (let c = 0; c < cg; c++) {
                    const xv = x[(((b * n[0] + i0) * n[1] + i1) * n[2] + i2) * inC + q * cg + c]
                    const wv = w[(((t0 * k[1] + t1) * k[2] + t2) * cg + c) * outC + oc]
                    acc += xv * wv
                    bound += Math.abs(xv * wv)
                  }
                }
            y[out + oc] = acc
            abs[out + oc] = bound
          }
  return { y, abs }
}

function run(c: Case, strategy: ConvStrategy, blockElems?: number): { x: Arr; w: Arr; y: Arr } {
  const { g, dt } = c
  const x = filled(dt, g.batch * size(g.n) * g.inC, c.seed)
  const w = filled(dt, size(g.k) * (g.inC / g.groups) * g.outC, c.seed ^ 0x5bd1e995)
  const y = dt === 'float32' ? new Float32Array(g.batch * size(g.o) * g.outC) : new Float64Array(g.batch * size(g.o) * g.outC)
  y.fill(-7.25) // every entry must be overwritten
  conv(x, w, y, g, blockElems, strategy)
  return { x, w, y }
}

const modes: [KernelMode, ConvStrategy][] = (['js', 'wasm', 'auto'] as const).flatMap((m) => [
  [m, 'gather'] as [KernelMode, ConvStrategy],
  [m, 'scatter'] as [KernelMode, ConvStrategy],
])

describe.each(modes)('conv kernel (%s GEMM, %s)', (mode, strategy) => {
  it('equals the direct loop within (K + 1)·ε·Σ|x||w|, whatever the block size (bit-identical)', () => {
    setKernelMode(mode)
    fc.assert(
      fc.property(caseArb, int(1, 64), (c, small) => {
        const { x, w, y } = run(c, strategy, 1 << 19)
        const { y: want, abs } = reference(x, w, c.g)
        const K = size(c.g.k) * (c.g.inC / c.g.groups)
        const eps = c.dt === 'float32' ? 2 ** -23 : 2 ** -52
        for (let i = 0; i < want.length; i++) {
          const tol = (K + 1) * eps * abs[i]
          if (!(Math.abs(y[i] - want[i]) <= tol)) throw new Error(`entry ${i}: ${y[i]} vs ${want[i]} (tolerance ${tol})`)
        }
        // a block of `small` numbers holds one row or a few; 7·K numbers split most outputs unevenly
        for (const blockElems of [small, 7 * K]) {
          const other = run(c, strategy, blockElems).y
          expect(Array.from(other)).toEqual(Array.from(y))
        }
      }),
      { numRuns: 150 },
    )
  })
  it('with wide channels (window rows of ≥ 64 numbers) equals the direct loop', () => {
    setKernelMode(mode)
    fc.assert(
      fc.property(geometryArb(true), (c) => {
        const { x, w, y } = run(c, strategy)
        const { y: want, abs } = reference(x, w, c.g)
        const K = size(c.g.k) * c.g.inC
        const eps = c.dt === 'float32' ? 2 ** -23 : 2 ** -52
        for (let i = 0; i < want.length; i++) {
          const tol = (K + 1) * eps * abs[i]
          if (!(Math.abs(y[i] - want[i]) <= tol)) throw new Error(`entry ${i}: ${y[i]} vs ${want[i]} (tolerance ${tol})`)
        }
      }),
      { numRuns: 15 },
    )
  })
})

describe('conv kernel: one product per block and group', () => {
  it('a 1-D depthwise case by hand: y[i, c] = x[i, c]·w[0, 0, c] + x[i + 1, c]·w[1, 0, c]', () => {
    setKernelMode('js')
    // x [1, 3, 2] = [[1, 10], [2, 20], [3, 30]], w [2, 1, 2] = [[[1, -1]], [[2, 3]]]:
    // channel 0: 1·1 + 2·2 = 5, 2·1 + 3·2 = 8; channel 1: −10 + 60 = 50, −20 + 90 = 70
    const y = new Float64Array(4)
    const g: ConvGeometry = {
      batch: 1,
      n: [3, 1, 1],
      inC: 2,
      k: [2, 1, 1],
      outC: 2,
      o: [2, 1, 1],
      strides: [1, 1, 1],
      dilation: [1, 1, 1],
      lhsDilation: [1, 1, 1],
      lo: [0, 0, 0],
      groups: 2,
    }
    for (const strategy of ['gather', 'scatter'] as const) {
      conv(new Float64Array([1, 10, 2, 20, 3, 30]), new Float64Array([1, -1, 2, 3]), y, g, undefined, strategy)
      expect(Array.from(y)).toEqual([5, 50, 8, 70])
    }
  })
})

/**
 * Every WebAssembly entry point at the size boundaries, with small stand-in memory limits (a few
 * 64 KiB pages) so that chunk seams, row panels, replacement memories and "does not fit" are
 * all reached with arrays of a few thousand elements. Each result is compared with the
 * TypeScript kernel bit for bit (the elementwise and random kernels are bit-identical by
 * design), or, for matmul, with the same WebAssembly product run whole under the default limits
 * (cutting op(A) into row panels must change no bit). An entry point may also decline (return
 * false or null) — then it must have written nothing, and the dispatcher's answer is the
 * TypeScript kernel's.
 */
import fc from 'fast-check'
import { afterEach, assert, beforeEach, describe, expect, it } from 'vitest'
import { random, toFlatArray } from '../../src/index.js'
import { kernelMode, setKernelMode } from '../../src/kernels/backend.js'
import { chunkLength } from '../../src/kernels/wasm/layout.js'
import { wasmAdam, wasmAdd, wasmRms, wasmRss, wasmTrace } from '../../src/kernels/wasm/optim.js'
import { wasmBernoulli, wasmHashCounters, wasmHashRows } from '../../src/kernels/wasm/rng.js'
import { type MemoryLimits, chunkBudget, memoryBytes, setMemoryLimits, wasmCalls } from '../../src/kernels/wasm/runtime.js'
import * as k from '../../src/optim/kernels.js'
import { hashCounters } from '../../src/random/threefry.js'
import { type Arr, PAGE, alloc, filled, js, refusingAbove, sameBits } from './wasmHelpers.js'

const initialMode = kernelMode()
let saved: MemoryLimits
// 4 pages: 192 KiB above the reserved base, so a chunk is a few thousand elements.
beforeEach(() => {
  saved = setMemoryLimits({ initial: 4 * PAGE, max: 4 * PAGE })
})
afterEach(() => {
  setMemoryLimits(saved)
  setKernelMode(initialMode)
})

/** Lengths around the chunk length L of a kernel whose element takes `perElement[r]` bytes in region r. */
function around(perElement: number[]): fc.Arbitrary<number> {
  const L = chunkLength(perElement, chunkBudget())
  expect(L).toBeGreaterThan(64)
  return fc.oneof(fc.constantFrom(1, 2, 3, L - 1, L, L + 1, 2 * L - 1, 2 * L, 2 * L + 1, 3 * L + 17), fc.integer({ min: 1, max: 4 * L }))
}
const repeat = (count: number, es: number) => new Array<number>(count).fill(es)

describe('elementwise optimizer kernels in chunks are bit-identical to TypeScript', () => {
  const cases = [
    {
      name: 'adam',
      ins: 3,
      outs: 3,
      ts: (x: Arr[], o: Arr[]) => k.adam(x[0], x[1], x[2].map(Math.abs), o[0], o[1], o[2], 0.9, 0.999, 0.1, 0.001, 1e-8, 0, -1e-3),
      wa: (x: Arr[], o: Arr[]) => wasmAdam(x[0], x[1], x[2].map(Math.abs), o[0], o[1], o[2], 0.9, 1 - 0.9, 0.999, 1 - 0.999, 1 / 0.1, 1 / 0.001, 1e-8, 0, -1e-3),
    },
    {
      name: 'trace',
      ins: 2,
      outs: 2,
      ts: (x: Arr[], o: Arr[]) => k.trace(x[0], x[1], o[0], o[1], 0.9, true, -0.01),
      wa: (x: Arr[], o: Arr[]) => wasmTrace(x[0], x[1], o[0], o[1], 0.9, true, -0.01),
    },
    {
      name: 'rss',
      ins: 2,
      outs: 2,
      ts: (x: Arr[], o: Arr[]) => k.rss(x[0], x[1].map(Math.abs), o[0], o[1], 1e-8, false, 1),
      wa: (x: Arr[], o: Arr[]) => wasmRss(x[0], x[1].map(Math.abs), o[0], o[1], 1e-8, false, 1),
    },
    {
      name: 'rms',
      ins: 2,
      outs: 2,
      ts: (x: Arr[], o: Arr[]) => k.rms(x[0], x[1].map(Math.abs), o[0], o[1], 0.9, 1e-8, true, false, 1),
      wa: (x: Arr[], o: Arr[]) => wasmRms(x[0], x[1].map(Math.abs), o[0], o[1], 0.9, 1 - 0.9, 1e-8, true, false, 1),
    },
    { name: 'add', ins: 2, outs: 1, ts: (x: Arr[], o: Arr[]) => k.add(x[0], x[1], o[0]), wa: (x: Arr[], o: Arr[]) => wasmAdd(x[0], x[1], o[0]) },
  ]
  for (const c of cases) {
    it(`${c.name}: lengths below, at and above the chunk length, and several chunks`, () => {
      for (const f64 of [false, true]) {
        const es = f64 ? 8 : 4
        fc.assert(
          fc.property(around(repeat(c.ins + c.outs, es)), fc.integer(), (n, seed) => {
            const xs = Array.from({ length: c.ins }, (_, i) => filled(f64, n, seed + i))
            const want = Array.from({ length: c.outs }, () => alloc(f64, n))
            js(() => c.ts(xs, want))
            const got = Array.from({ length: c.outs }, () => alloc(f64, n))
            const before = wasmCalls()
            expect(c.wa(xs, got)).toBe(true)
            expect(wasmCalls()).toBe(before + 1)
            expect(memoryBytes()).toBeLessThanOrEqual(4 * PAGE)
            got.forEach((g, i) => {
              sameBits(g, want[i], `${c.name} out ${i}`)
            })
          }),
          { numRuns: 25 },
        )
      }
    })
  }

  it('a refused memory: each declines having written nothing, and the dispatcher answers in TypeScript, even under wasm', () => {
    setMemoryLimits({ initial: 2 * PAGE, max: 64 * PAGE }) // no memory yet
    const n = 3000,
      f64 = true
    const xs = [filled(f64, n, 1), filled(f64, n, 2), filled(f64, n, 3).map(Math.abs)]
    const want = [alloc(f64, n), alloc(f64, n), alloc(f64, n)]
    js(() => k.adam(xs[0], xs[1], xs[2], want[0], want[1], want[2], 0.9, 0.999, 0.5, 0.25, 1e-8, 0, 1))
    refusingAbove(0, () => {
      const got = [alloc(f64, n).fill(NaN), alloc(f64, n).fill(NaN), alloc(f64, n).fill(NaN)]
      expect(wasmAdam(xs[0], xs[1], xs[2], got[0], got[1], got[2], 0.9, 1 - 0.9, 0.999, 1 - 0.999, 1 / 0.5, 1 / 0.25, 1e-8, 0, 1)).toBe(false)
      for (const g of got) expect(g.every(Number.isNaN)).toBe(true)
      expect(wasmAdd(xs[0], xs[1], got[0])).toBe(false)
      expect(wasmHashCounters(1, 2, 0, n)).toBeNull()
      expect(wasmBernoulli(1, 2, n, 0.5, 'float32')).toBeNull()
      setKernelMode('wasm')
      const before = wasmCalls()
      k.adam(xs[0], xs[1], xs[2], got[0], got[1], got[2], 0.9, 0.999, 0.5, 0.25, 1e-8, 0, 1)
      got.forEach((g, i) => {
        sameBits(g, want[i], `adam out ${i}`)
      })
      const u = toFlatArray(random.uniform(random.key(9), [n]))
      sameBits(
        u,
        js(() => toFlatArray(random.uniform(random.key(9), [n]))),
        'uniform',
      )
      expect(wasmCalls()).toBe(before)
    })
  })

  it('elementwise work longer than the memory there is runs in chunks in that memory, never a new one', () => {
    setMemoryLimits({ initial: 2 * PAGE, max: 16 * PAGE })
    const n = 20000,
      xs = [filled(false, n, 5), filled(false, n, 6)]
    const want = alloc(false, n)
    js(() => k.add(xs[0], xs[1], want))
    const small = alloc(false, n)
    expect(wasmAdd(xs[0], xs[1], small)).toBe(true)
    expect(memoryBytes()).toBe(2 * PAGE) // 20000 floats × 3 regions did not fit: chunks, no new memory
    sameBits(small, want, 'add')
  })
})

describe('Threefry hashing and Bernoulli masks in chunks', () => {
  it('hashCounters: counters continue across chunk seams, including across 2³² and near 2⁵²', () => {
    const L = chunkLength([4, 4], chunkBudget())
    // Starts that put a seam, or the 2³² carry, inside the draw: start = 2³² − d for d up to 3L.
    const start = fc.oneof(
      fc.integer({ min: 0, max: 3 * L }).map((d) => 2 ** 32 - d),
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.constant(2 ** 52 - 4 * L),
    )
    fc.assert(
      fc.property(fc.nat(), fc.nat(), start, around([4, 4]), (k0, k1, s, n) => {
        const want = js(() => hashCounters(k0 >>> 0, k1 >>> 0, s, n))
        const got = wasmHashCounters(k0 >>> 0, k1 >>> 0, s, n)
        assert.exists(got)
        sameBits(got[0], want[0], 'y0')
        sameBits(got[1], want[1], 'y1')
      }),
      { numRuns: 40 },
    )
  })

  it('hashRows: rows in chunks of the memory, each row padded to whole blocks; declines when 64 rows do not fit', () => {
    // Per row: 8 bytes of key and two regions of n words rounded up to 16. Row counts around the
    // chunk of rows, counts per row that are not multiples of 16.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.nat(), (n, s, seed) => {
        const ns = Math.ceil(n / 16) * 16
        const L = chunkLength([8, 4 * ns, 4 * ns], chunkBudget())
        const rows = [1, L - 1, L, L + 1, 2 * L + 3][seed % 5]
        const keys = new Uint32Array(2 * rows)
        for (let i = 0; i < keys.length; i++) keys[i] = (Math.imul(seed + i, 2654435761) ^ i) >>> 0
        const got = wasmHashRows(keys, s, n)
        assert.exists(got)
        for (let r = 0; r < rows; r++) {
          const [a, b] = js(() => hashCounters(keys[2 * r], keys[2 * r + 1], s, n))
          sameBits(got[0].subarray(r * n, (r + 1) * n), a, `row ${r} y0`)
          sameBits(got[1].subarray(r * n, (r + 1) * n), b, `row ${r} y1`)
        }
      }),
      { numRuns: 20 },
    )
    // a row of 2¹⁶ counters needs 512 KiB: not even 64 rows fit in the 192 KiB budget
    expect(wasmHashRows(Uint32Array.of(1, 2, 3, 4), 0, 2 ** 16)).toBeNull()
  })

  it('bernoulliMask32 and bernoulliMask64: lengths around the chunk length, any p', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const p = fc.oneof(fc.constantFrom(0, 1, 0.5, 2 ** -53), fc.double({ min: 0, max: 1, noNaN: true }))
      fc.assert(
        fc.property(fc.nat(), p, around([4, 4, dtype === 'float64' ? 8 : 4]), (seed, prob, n) => {
          const key = random.key(seed)
          const want = js(() => toFlatArray(random.bernoulli(key, prob, [n], dtype)))
          const got = wasmBernoulli(random.keyData(key)[0], random.keyData(key)[1], n, prob, dtype)
          assert.exists(got)
          expect(got instanceof (dtype === 'float64' ? Float64Array : Float32Array)).toBe(true)
          sameBits(got, want, `bernoulli ${dtype}`)
        }),
        { numRuns: 25 },
      )
    }
  })

  it('through the public API: uniform, normal and bernoulli draws do not depend on the kernels or the chunking', () => {
    const L = chunkLength([4, 4], chunkBudget())
    for (const n of [L - 1, L, L + 1, 3 * L + 5]) {
      const draw = () => [random.uniform(random.key(n), [n]), random.normal(random.key(1), [n], { dtype: 'float64' }), random.bernoulli(random.key(2), 0.3, [n])]
      const want = js(draw)
      setKernelMode('wasm')
      draw().forEach((t, i) => {
        sameBits(toFlatArray(t), toFlatArray(want[i]), `draw ${i} of ${n}`)
      })
    }
  })
})

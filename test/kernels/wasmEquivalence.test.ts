/**
 * The WebAssembly kernels that promise bit-identical results (optimizer updates, the Threefry
 * hash) against the TypeScript reference, value by value with Object.is (so −0 and NaN count),
 * on random lengths (including 1, 3, 17, 255 and lengths that are not a multiple of the SIMD
 * width), both dtypes, random hyper-parameters and special values.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { random, tensor, toFlatArray } from '../../src/index.js'
import { type KernelMode, kernelMode, setKernelMode } from '../../src/kernels/backend.js'
import * as k from '../../src/optim/kernels.js'
import { type GradientTransformation, adam, applyUpdates, momentum } from '../../src/optim/index.js'
import { hashCounters, hashKeyRows } from '../../src/random/threefry.js'

const initial = kernelMode()
afterEach(() => {
  setKernelMode(initial)
})

/** `f` run under each kernel mode. */
function both<T>(f: () => T): [T, T] {
  const prev = setKernelMode('js')
  try {
    const js = f()
    setKernelMode('wasm')
    return [js, f()]
  } finally {
    setKernelMode(prev as KernelMode)
  }
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`element ${i}: ${a[i]} vs ${b[i]}`)
}

const length = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 17, 255, 4097), fc.integer({ min: 1, max: 9000 }))
const value = fc.oneof(
  { weight: 20, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e-30, -1e30) },
)
const arrays = (count: number) =>
  fc
    .record({
      n: length,
      seed: fc.integer(),
      f64: fc.boolean(),
      specials: fc.array(fc.tuple(fc.integer({ min: 0, max: count - 1 }), fc.nat(), value), { maxLength: 4 }),
    })
    .map(({ n, seed, f64, specials }) => {
      // Deterministic fill from the seed (fast for long arrays), then a few special values.
      let s = seed >>> 0
      const xs = Array.from({ length: count }, () => {
        const x = f64 ? new Float64Array(n) : new Float32Array(n)
        for (let i = 0; i < n; i++) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0
          x[i] = (s / 2 ** 32 - 0.5) * 4
        }
        return x
      })
      for (const [which, at, v] of specials) xs[which][at % n] = v
      return { xs, f64 }
    })
const alloc = (f64: boolean, n: number) => (f64 ? new Float64Array(n) : new Float32Array(n))

describe('WebAssembly optimizer kernels are bit-identical to the TypeScript ones', () => {
  it('adam', () => {
    const hyper = fc.record({
      b1: fc.double({ min: 0, max: 0.999, noNaN: true }),
      b2: fc.double({ min: 0, max: 0.9999, noNaN: true }),
      t: fc.integer({ min: 1, max: 1000 }),
      eps: fc.constantFrom(0, 1e-8, 1e-3),
      epsRoot: fc.constantFrom(0, 1e-8),
      a: fc.constantFrom(1, -1e-3, -0.1),
    })
    fc.assert(
      fc.property(arrays(3), hyper, ({ xs: [g, mu, nu0], f64 }, h) => {
        const nu = nu0.map(Math.abs)
        const n = g.length
        const [js, wa] = both(() => {
          const out = [alloc(f64, n), alloc(f64, n), alloc(f64, n)]
          k.adam(g, mu, nu, out[0], out[1], out[2], h.b1, h.b2, 1 - h.b1 ** h.t, 1 - h.b2 ** h.t, h.eps, h.epsRoot, h.a)
          return out
        })
        js.forEach((x, i) => {
          sameBits(x, wa[i])
        })
      }),
      { numRuns: 150 },
    )
  })

  it('momentum trace (heavy ball and Nesterov)', () => {
    fc.assert(
      fc.property(arrays(2), fc.double({ min: 0, max: 0.99, noNaN: true }), fc.boolean(), fc.constantFrom(1, -0.01), ({ xs: [g, t], f64 }, decay, nesterov, a) => {
        const n = g.length
        const [js, wa] = both(() => {
          const out = [alloc(f64, n), alloc(f64, n)]
          k.trace(g, t, out[0], out[1], decay, nesterov, a)
          return out
        })
        js.forEach((x, i) => {
          sameBits(x, wa[i])
        })
      }),
      { numRuns: 150 },
    )
  })

  it('Adagrad and RMSprop (ε inside or outside the root, the first RMSprop step)', () => {
    fc.assert(
      fc.property(
        arrays(2),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.constantFrom(0, 1e-8, 0.1),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(1, -0.01),
        ({ xs: [g, s0], f64 }, decay, eps, inSqrt, first, a) => {
          const s = s0.map(Math.abs),
            n = g.length
          const [js, wa] = both(() => {
            const out = [alloc(f64, n), alloc(f64, n), alloc(f64, n), alloc(f64, n)]
            k.rss(g, s, out[0], out[1], eps, inSqrt, a)
            k.rms(g, s, out[2], out[3], decay, eps, inSqrt, first, a)
            return out
          })
          js.forEach((x, i) => {
            sameBits(x, wa[i])
          })
        },
      ),
      { numRuns: 150 },
    )
  })

  it('add (applyUpdates)', () => {
    fc.assert(
      fc.property(arrays(2), ({ xs: [x, y], f64 }) => {
        const [js, wa] = both(() => {
          const out = alloc(f64, x.length)
          k.add(x, y, out)
          return out
        })
        sameBits(js, wa)
      }),
      { numRuns: 150 },
    )
  })

  it('through the public API: adam and Nesterov momentum steps on a pytree', () => {
    const params = { w: random.normal(random.key(1), [70, 90]), b: tensor([0.5, -0.25, 0], 'float64') }
    const grads = { w: random.normal(random.key(2), [70, 90]), b: tensor([1, -0, 3], 'float64') }
    for (const opt of [adam(1e-3), momentum(0.1, { nesterov: true })] as GradientTransformation<unknown>[]) {
      const [js, wa] = both(() => {
        let p: typeof params = params
        let s = opt.init(p)
        for (let i = 0; i < 3; i++) {
          const [u, s2] = opt.update(grads, s, p)
          p = applyUpdates(p, u)
          s = s2
        }
        return p
      })
      sameBits(toFlatArray(js.w), toFlatArray(wa.w))
      sameBits(toFlatArray(js.b), toFlatArray(wa.b))
    }
  })
})

describe('WebAssembly Threefry is bit-identical to the TypeScript one', () => {
  it('for any key, start (across the 2³² word boundary) and count', () => {
    const start = fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 2 ** 32 - 9, max: 2 ** 32 + 9 }))
    fc.assert(
      fc.property(fc.nat(), fc.nat(), start, length, (k0, k1, s, n) => {
        const [js, wa] = both(() => hashCounters(k0 >>> 0, k1 >>> 0, s, n))
        sameBits(js[0], wa[0])
        sameBits(js[1], wa[1])
      }),
      { numRuns: 200 },
    )
  })

  it('per-row keys (one call for a batch of keys) for any keys, start and count per row', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 9 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 300 }), (ws, s, n) => {
        const keys = Uint32Array.from([...ws, ...ws.map((w) => w * 7)].map((w) => w >>> 0))
        const [js, wa] = both(() => hashKeyRows(keys, s, n))
        sameBits(js[0], wa[0])
        sameBits(js[1], wa[1])
      }),
      { numRuns: 60 },
    )
  })

  it('Bernoulli masks (hashed and compared in one WebAssembly call) for any p, size and dtype', () => {
    const p = fc.oneof(fc.constantFrom(0, 1, 0.5, 2 ** -53, 1 - 2 ** -53), fc.double({ min: 0, max: 1, noNaN: true }))
    fc.assert(
      fc.property(fc.nat(), p, length, fc.constantFrom('float32' as const, 'float64' as const), (seed, prob, n, dtype) => {
        const [js, wa] = both(() => random.bernoulli(random.key(seed), prob, [n], dtype))
        expect(wa.dtype).toBe(dtype)
        sameBits(toFlatArray(js), toFlatArray(wa))
      }),
      { numRuns: 150 },
    )
  })

  it('so random draws do not depend on the kernel path', () => {
    const [js, wa] = both(() => [random.uniform(random.key(3), [1000]), random.normal(random.key(4), [333], { dtype: 'float64' }), random.bernoulli(random.key(5), 0.3, [2049])])
    js.forEach((x, i) => {
      sameBits(toFlatArray(x), toFlatArray(wa[i]))
    })
  })
})

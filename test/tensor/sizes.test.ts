/**
 * Sizes are checked before memory is taken (issue 11, item 2): every tensor buffer goes through
 * one allocation, which refuses a tensor of more than MAX_ELEMENTS elements with an
 * ArgumentError naming the op, the shape and the exact element count — before allocating — and
 * turns a RangeError of the runtime (out of memory) into an ArgumentError too.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { MAX_ELEMENTS } from '../../src/tensor/dtype.js'
import { hashCounters } from '../../src/random/threefry.js'
import { thrown } from '../helpers/errors.js'

/** The exact product as a decimal string, computed independently of the library (BigInt). */
const exact = (shape: readonly number[]): string => shape.reduce((a, d) => a * BigInt(d), 1n).toString()

function expectTooLarge(f: () => unknown, op: string, shape: readonly number[]) {
  const e = thrown(f)
  expect(e).toBeInstanceOf(P.ArgumentError)
  expect(e.message.startsWith(`${op}: `)).toBe(true)
  expect(e.message).toContain(`[${shape.join(',')}]`)
  const count = exact(shape)
  expect(e.message).toContain(count.length <= 21 ? count : 'e+')
  expect(e.message).toContain('4294967296')
}

describe('the element limit', () => {
  it('is 2^32 elements for each dtype, the length limit Node 20 (V8 < 12) enforces without allocating', () => {
    expect(MAX_ELEMENTS.float32).toBe(2 ** 32)
    expect(MAX_ELEMENTS.float64).toBe(2 ** 32)
    // On V8 before 12 a longer typed array is refused up front ("Invalid typed array length");
    // newer engines allow more, where this would try to allocate, so it is only asserted there.
    const v8Major = Number((process.versions.v8 ?? '0').split('.')[0])
    if (v8Major < 12) {
      for (const C of [Float32Array, Float64Array]) {
        expect(() => new C(2 ** 32 + 1)).toThrow(/Invalid typed array length/)
      }
    }
  })
})

describe('constructors refuse sizes over the limit before allocating', () => {
  it("the issue's cases: zeros([1e6, 1e6]), eye(1e6), arange(1e10)", () => {
    expectTooLarge(() => P.zeros([1e6, 1e6]), 'zeros', [1e6, 1e6])
    expectTooLarge(() => P.eye(1e6), 'eye', [1e6, 1e6])
    expectTooLarge(() => P.arange(1e10), 'arange', [1e10])
    expectTooLarge(() => P.ones([2 ** 32 + 1], 'float64'), 'ones', [2 ** 32 + 1])
    expectTooLarge(() => P.full([3, 2 ** 31], 7), 'full', [3, 2 ** 31])
    // nested arrays sharing one row: 10^10 elements described by 2·10^5 array slots
    const row = new Array(1e5).fill(0)
    expectTooLarge(() => P.tensor(new Array(1e5).fill(row)), 'tensor', [1e5, 1e5])
    // an array-like that only claims a length
    expectTooLarge(() => P.fromArray({ length: 2 ** 40 } as ArrayLike<number>, [2 ** 40]), 'fromArray', [2 ** 40])
  })
  it('counts exactly even when the product is not a safe integer (2^27·2^27 = 2^54)', () => {
    const e = thrown(() => P.zeros([2 ** 27, 2 ** 27]))
    expect(e.message).toContain('18014398509481984') // 2^54, exact (a float product would print it too, 2^54 + 1 would not be)
    const odd = [2 ** 27 + 1, 2 ** 27 + 3] // (2^27+1)(2^27+3) = 2^54 + 2^29 + 3: not representable as a double
    expect(thrown(() => P.zeros(odd)).message).toContain((2n ** 54n + 2n ** 29n + 3n).toString())
  })
  it('property: any shape over the limit is refused by every constructor and sampler, naming it', () => {
    const dim = fc.integer({ min: 1, max: 2 ** 26 })
    const big = fc.array(dim, { minLength: 2, maxLength: 4 }).filter((s) => s.reduce((a, d) => a * BigInt(d), 1n) > 2n ** 32n)
    fc.assert(
      fc.property(big, fc.constantFrom('float32' as const, 'float64' as const), (shape, dtype) => {
        const k = P.random.key(0)
        expectTooLarge(() => P.zeros(shape, dtype), 'zeros', shape)
        expectTooLarge(() => P.full(shape, 1, dtype), 'full', shape)
        expectTooLarge(() => P.random.uniform(k, shape, { dtype }), 'random.uniform', shape)
        expectTooLarge(() => P.random.normal(k, shape, { dtype }), 'random.normal', shape)
        expectTooLarge(() => P.random.bernoulli(k, 0.5, shape, dtype), 'random.bernoulli', shape)
      }),
      { numRuns: 50 },
    )
  })
  it('a zero axis makes an empty tensor whatever the other axes (no NaN size)', () => {
    const t = P.zeros([1e200, 1e200, 0])
    expect(t.size).toBe(0)
    expect(P.random.uniform(P.random.key(0), [2 ** 40, 0]).size).toBe(0)
  })
  it('negative and fractional axes are still ShapeErrors naming the constructor', () => {
    expect(thrown(() => P.zeros([2, -1]))).toBeInstanceOf(P.ShapeError)
    expect(thrown(() => P.random.normal(P.random.key(0), [1.5]))).toBeInstanceOf(P.ShapeError)
  })
})

describe('op outputs over the limit are refused before allocating, naming the op', () => {
  it('broadcasting, broadcastTo, matmul, where, oneHot and inside grad', () => {
    const col = P.zeros([1e5, 1]),
      row = P.zeros([1, 1e5])
    for (const [name, op] of [
      ['add', P.add],
      ['mul', P.mul],
      ['maximum', P.maximum],
      ['greater', P.greater],
    ] as const) {
      expectTooLarge(() => op(col, row), name, [1e5, 1e5])
    }
    expectTooLarge(() => P.broadcastTo(P.scalar(1), [1e5, 1e5]), 'broadcastTo', [1e5, 1e5])
    expectTooLarge(() => P.matmul(P.ones([1e5, 1]), P.ones([1, 1e5])), 'matmul', [1e5, 1e5])
    expectTooLarge(() => P.matmul(P.ones([2 ** 17, 1, 1]), P.ones([1, 2 ** 16])), 'matmul', [2 ** 17, 1, 2 ** 16])
    expectTooLarge(() => P.where(col, row, 0), 'where', [1e5, 1e5])
    expectTooLarge(() => P.oneHot(new Array(1e5).fill(0), 1e5), 'oneHot', [1e5, 1e5])
    expectTooLarge(() => P.grad((x: P.Tensor) => P.sum(P.mul(x, col)))(row), 'mul', [1e5, 1e5])
  })
})

describe('a refusal by the runtime is a named error, not a bare RangeError', () => {
  it('zeros and ops turn RangeError: Array buffer allocation failed into an ArgumentError with the op and the size', () => {
    // Stand-in for an exhausted host: typed arrays above 1000 elements fail as V8 fails them.
    const real = { f32: globalThis.Float32Array, f64: globalThis.Float64Array }
    const refusing = <C extends typeof Float32Array | typeof Float64Array>(Base: C): C =>
      class extends (Base as typeof Float64Array) {
        constructor(n: number) {
          if (n > 1000) throw new RangeError('Array buffer allocation failed')
          super(n)
        }
      } as unknown as C
    const x = P.ones([2000], 'float64')
    let errors: Error[]
    try {
      globalThis.Float32Array = refusing(real.f32)
      globalThis.Float64Array = refusing(real.f64)
      errors = [thrown(() => P.zeros([40, 50], 'float64')), thrown(() => P.ones([2001])), thrown(() => P.broadcastTo(P.scalar(2), [3, 1000]))]
      // the same op below the stand-in limit still works
      expect(P.zeros([10, 10]).size).toBe(100)
      errors.push(thrown(() => P.exp(x)))
    } finally {
      globalThis.Float32Array = real.f32
      globalThis.Float64Array = real.f64
    }
    const expected = [
      ['zeros', '[40,50]', '2000 float64'],
      ['ones', '[2001]', '2001 float32'],
      ['broadcastTo', '[3,1000]', '3000 float32'],
      ['exp', '2000 float64'],
    ]
    errors.forEach((e, i) => {
      expect(e).toBeInstanceOf(P.ArgumentError)
      expect(e.message.startsWith(`${expected[i][0]}: could not allocate`)).toBe(true)
      for (const part of expected[i].slice(1)) expect(e.message).toContain(part)
      expect(e.message).toContain('Array buffer allocation failed')
    })
  })
})

describe('samplers draw in blocks without changing a bit', () => {
  // Element i of a draw depends only on the key and i (counter-based): the values on both sides
  // of a block boundary (2^20 counters) must follow the documented formulas from the hash of
  // their own counters.
  const k = P.random.key(42)
  const [k0, k1] = P.random.keyData(k)
  const BLOCK = 2 ** 20
  const words = (c: number) => {
    const [a, b] = hashCounters(k0, k1, c, 1)
    return [a[0], b[0]]
  }
  it('uniform float32: u = ((y0 ^ y1) >>> 9) · 2^-23 at counters around the boundary', () => {
    const xs = P.toFlatArray(P.random.uniform(k, [BLOCK + 2]))
    for (const i of [0, BLOCK - 1, BLOCK, BLOCK + 1]) {
      const [y0, y1] = words(i)
      expect(xs[i]).toBe(Math.fround(((y0 ^ y1) >>> 9) * 2 ** -23))
    }
  })
  it('normal float64: element i uses counters 2i and 2i + 1, across the half-block boundary', () => {
    const n = BLOCK / 2 + 2
    const xs = P.toFlatArray(P.random.normal(k, [n], { dtype: 'float64' }))
    for (const i of [0, BLOCK / 2 - 1, BLOCK / 2, BLOCK / 2 + 1]) {
      const [a0, a1] = words(2 * i),
        [b0, b1] = words(2 * i + 1)
      const u1 = ((a0 >>> 5) * 67108864 + (a1 >>> 6) + 1) * 2 ** -53
      const u2 = ((b0 >>> 5) * 67108864 + (b1 >>> 6)) * 2 ** -53
      expect(xs[i]).toBe(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2))
    }
  })
  it('bernoulli: 1 exactly when the 53-bit uniform of counter i is below p', () => {
    const xs = P.toFlatArray(P.random.bernoulli(k, 0.5, [BLOCK + 2]))
    for (const i of [0, BLOCK - 1, BLOCK, BLOCK + 1]) {
      const [y0, y1] = words(i)
      expect(xs[i]).toBe(((y0 >>> 5) * 67108864 + (y1 >>> 6)) * 2 ** -53 < 0.5 ? 1 : 0)
    }
  })
})

/**
 * Key tensors and random keys under vmap. The reference for every draw is the `Key` object path,
 * whose bits are pinned to JAX's published outputs in keys.test.ts and samplers.test.ts: a key
 * tensor must give exactly those bits, and inside vmap a batch of keys must give, row by row,
 * exactly what each key gives alone (so draws of different keys are as independent as the keys).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentError, DTypeError, ShapeError, type Tensor, grad, jvp, mul, random, reshape, slice, stack, sum, tensor, toFlatArray, transpose, vmap } from '../../src/index.js'
import { dropout } from '../../src/nn/index.js'
import { expectError } from '../helpers/errors.js'
import { hashCounters, hashKeyRows } from '../../src/random/threefry.js'

type K = random.Key
const bitsOf = (t: Tensor): number[] => toFlatArray(t).map((x) => (Number.isNaN(x) ? 'NaN' : Object.is(x, -0) ? '-0' : x)) as number[]

/** The samplers, each as a function of a key (either form) for a drawn shape and options. */
const sampler = fc.oneof(
  fc.record({ min: fc.double({ min: -5, max: 0, noNaN: true }), dtype: fc.constantFrom('float32' as const, 'float64' as const) }).map(
    ({ min, dtype }) =>
      (k: random.KeyLike, s: number[]) =>
        random.uniform(k, s, { min, max: min + 3, dtype }),
  ),
  fc.constantFrom('float32' as const, 'float64' as const).map((dtype) => (k: random.KeyLike, s: number[]) => random.normal(k, s, { mean: 1, std: 2, dtype })),
  fc.double({ min: 0, max: 1, noNaN: true }).map((p) => (k: random.KeyLike, s: number[]) => random.bernoulli(k, p, s)),
  // a range that is not a power of 2 rejects some words: the retry path reads the row's own key
  fc.constantFrom(3, 7, 2 ** 31 + 5).map((max) => (k: random.KeyLike, s: number[]) => random.randint(k, s, { min: -(2 ** 31), max: max - 2 ** 31 })),
)
const shape = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 })
const keys = (max: number) =>
  fc.array(fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.nat({ max: 2 ** 32 - 1 })), { minLength: 1, maxLength: max }).map((ws) => ws.map((w) => random.wrapKey(w)))

describe('key tensors', () => {
  it('hold the key words bit for bit (words ≥ 2³¹ read back as uint32)', () => {
    fc.assert(
      fc.property(keys(4), (ks) => {
        const t = random.keyTensor(ks)
        expect(t.shape).toEqual([ks.length, 2])
        expect(t.dtype).toBe('int32')
        for (const k of ks) expect(random.keyData(random.keyTensor(k))).toEqual(random.keyData(k))
      }),
      { numRuns: 30 },
    )
  })

  it('give exactly the bits of the Key they hold, for every sampler, split, foldIn and permutation', () => {
    fc.assert(
      fc.property(keys(1), sampler, shape, fc.integer({ min: 1, max: 5 }), fc.nat({ max: 2 ** 32 - 1 }), ([k], f, s, n, m) => {
        const t = random.keyTensor(k)
        expect(bitsOf(f(t, s))).toEqual(bitsOf(f(k, s)))
        const ks = random.split(t, n)
        random.split(k, n).forEach((want, i) => {
          expect(random.keyData(ks[i])).toEqual(random.keyData(want))
        })
        expect(random.keyData(random.foldIn(t, m))).toEqual(random.keyData(random.foldIn(k, m)))
        expect(toFlatArray(random.permutation(t, 2 * n + 1))).toEqual(random.permutation(k, 2 * n + 1))
      }),
      { numRuns: 40 },
    )
  })

  it('JAX split of PRNGKey(0) through a key tensor: [[4146024105, 967050713], [2718843009, 1272950319]]', () => {
    const [a, b] = random.split(random.keyTensor(random.key(0)))
    expect(random.keyData(a)).toEqual([4146024105, 967050713])
    expect(random.keyData(b)).toEqual([2718843009, 1272950319])
  })

  it('refuse tensors that are not one key, naming the op, the dtype or shape, and what a key tensor is', () => {
    expectError(() => random.uniform(tensor([1, 2]), [2]), DTypeError, 'random.uniform', 'int32', 'float32')
    expectError(() => random.normal(tensor([1, 2, 3], 'int32'), [2]), ShapeError, 'random.normal', '[2]', '[3]', 'vmap')
    expectError(() => random.split(random.keyTensor(random.split(random.key(0), 2)), 2), ShapeError, 'random.split', '[2, 2]')
    expectError(() => random.keyTensor([random.key(0), 3 as unknown as K]), ArgumentError, 'random.keyTensor', 'element 1')
    expectError(() => random.bernoulli('k' as unknown as K, 0.5, [1]), ArgumentError, 'random.bernoulli', 'key tensor')
  })
})

describe('random keys under vmap', () => {
  it('a batch of keys gives a batch of draws: row b is what key b gives alone, for every sampler and in-axis', () => {
    fc.assert(
      fc.property(keys(5), sampler, shape, fc.boolean(), (ks, f, s, keysOnAxis1) => {
        const batch = random.keyTensor(ks)
        const out = keysOnAxis1 ? vmap((k: Tensor) => f(k, s), { inAxes: 1 })(transpose(batch)) : vmap((k: Tensor) => f(k, s))(batch)
        expect(bitsOf(out)).toEqual(bitsOf(stack(ks.map((k) => f(k, s)))))
      }),
      { numRuns: 40 },
    )
  })

  it('split, foldIn and permutation batch too, and so does a sampler on a key made inside', () => {
    fc.assert(
      fc.property(keys(4), fc.integer({ min: 1, max: 4 }), fc.nat({ max: 1000 }), (ks, n, m) => {
        const batch = random.keyTensor(ks)
        const inside = vmap((k: Tensor) => random.uniform(random.split(random.foldIn(k, m), n)[n - 1], [3]))(batch)
        const want = stack(ks.map((k) => random.uniform(random.split(random.foldIn(k, m), n)[n - 1], [3])))
        expect(bitsOf(inside)).toEqual(bitsOf(want))
        const perms = vmap((k: Tensor) => random.permutation(k, 6) as Tensor)(batch)
        expect(toFlatArray(perms)).toEqual(ks.flatMap((k) => random.permutation(k, 6)))
      }),
      { numRuns: 30 },
    )
  })

  it('nests: vmap(vmap(sampler)) over a [B1, B2, 2] grid of keys', () => {
    const ks = random.split(random.key(7), 6)
    const grid = random.keyTensor(ks)
    const out = vmap(vmap((k: Tensor) => random.normal(k, [2])))(reshape(grid, [2, 3, 2]))
    expect(out.shape).toEqual([2, 3, 2])
    expect(bitsOf(out)).toEqual(bitsOf(stack(ks.map((k) => random.normal(k, [2])))))
  })

  it('an unbatched key (closed over, or in-axis null) gives every example the same draw, as documented', () => {
    const k = random.key(3)
    const xs = tensor([[1], [2], [3]])
    const out = vmap((x: Tensor) => mul(x, random.uniform(k, [1])))(xs)
    const u = toFlatArray(random.uniform(k, [1]))[0]
    expect(toFlatArray(out)).toEqual([1, 2, 3].map((x) => Math.fround(x * u)))
    const same = vmap((kt: Tensor, x: Tensor) => mul(x, random.uniform(kt, [1])), { inAxes: [null, 0] })(random.keyTensor(k), xs)
    expect(toFlatArray(same)).toEqual(toFlatArray(out))
  })

  it('draws of distinct keys look independent: 256 keys give 256 distinct uniforms with mean within 4 standard errors of 1/2', () => {
    const u = toFlatArray(vmap((k: Tensor) => random.uniform(k, [], { dtype: 'float64' }))(random.keyTensor(random.split(random.key(11), 256))))
    expect(new Set(u).size).toBe(256)
    const mean = u.reduce((a, b) => a + b, 0) / 256
    // the standard error of the mean of 256 uniforms is sqrt(1/12 / 256) ≈ 0.018
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / 256))
  })

  it('per-example dropout masks: vmap of dropout with a batch of keys equals dropout with each key, and grad flows through', () => {
    const layer = dropout(0.5)
    const ks = random.split(random.key(5), 4)
    const xs = tensor(
      [...Array(4)].map((_, b) => [...Array(8)].map((_, j) => b + j / 8 + 1)),
      'float64',
    )
    const per = (k: Tensor, x: Tensor) => layer.apply({}, reshape(x, [1, 8]), { train: true, key: k })
    const out = vmap(per)(random.keyTensor(ks), xs)
    const want = stack(ks.map((k, b) => reshape(layer.apply({}, slice(xs, [b, 0], [1, 8]), { train: true, key: k }), [1, 8])))
    expect(toFlatArray(out)).toEqual(toFlatArray(want))
    // d/dx Σ dropout(x) is the scaled mask m/(1 − p): 0 or 2, from each example's own key
    const g = vmap(grad((x: Tensor, k: Tensor) => sum(per(k, x))))(xs, random.keyTensor(ks))
    expect(toFlatArray(g)).toEqual(toFlatArray(want).map((y) => (y === 0 ? 0 : 2)))
  })
})

describe('random keys under vmap, composed with autodiff', () => {
  it("grad of a vmap-based loss and jvp of vmap: each example scales by its own key's draw", () => {
    // f(x) = Σ_b x_b · u_b with u_b = uniform(key b): ∂f/∂x_b = u_b, and the jvp along t is Σ_b t_b·u_b.
    const ks = random.split(random.key(9), 5)
    const batch = random.keyTensor(ks)
    const u = ks.map((k) => toFlatArray(random.uniform(k, [], { dtype: 'float64' }))[0])
    const f = (x: Tensor) => sum(vmap((xb: Tensor, k: Tensor) => mul(xb, random.uniform(k, [], { dtype: 'float64' })))(x, batch))
    const x = tensor([1, 2, 3, 4, 5], 'float64')
    expect(toFlatArray(grad(f)(x))).toEqual(u)
    const t = tensor([1, 0, 2, 0, -1], 'float64')
    const [, tangent] = jvp(f, [x], [t])
    expect(toFlatArray(tangent)[0]).toBeCloseTo(u[0] + 2 * u[2] - u[4], 14)
  })
})

describe('hashKeyRows (one kernel call for a batch of keys)', () => {
  it('row r is hashCounters under key r, for any keys, start and count', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 2 ** 32 - 1 }), { minLength: 2, maxLength: 12 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 70 }),
        (ws, start, n) => {
          const words = Uint32Array.from(ws.length % 2 === 0 ? ws : ws.slice(1))
          const [y0, y1] = hashKeyRows(words, start, n)
          for (let r = 0; r < words.length / 2; r++) {
            const [a, b] = hashCounters(words[2 * r], words[2 * r + 1], start, n)
            expect(Array.from(y0.subarray(r * n, (r + 1) * n))).toEqual(Array.from(a))
            expect(Array.from(y1.subarray(r * n, (r + 1) * n))).toEqual(Array.from(b))
          }
        },
      ),
      { numRuns: 60 },
    )
  })
})

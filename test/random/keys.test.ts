/**
 * Keys: seeding as JAX's PRNGKey, serialisation, split and foldIn, immutability, determinism and
 * the errors they throw.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ArgumentError, ShapeError, DTypeError, random, toFlatArray } from '../../src/index.js'

const str = (k: random.Key) => random.keyData(k).join(',')

describe('key', () => {
  it('splits the seed into [floor(seed / 2^32), seed mod 2^32] as PRNGKey', () => {
    expect(random.keyData(random.key(0))).toEqual([0, 0])
    expect(random.keyData(random.key(1))).toEqual([0, 1])
    expect(random.keyData(random.key(2 ** 32))).toEqual([1, 0])
    expect(random.keyData(random.key(2 ** 32 + 1))).toEqual([1, 1])
    expect(random.keyData(random.key(Number.MAX_SAFE_INTEGER))).toEqual([2 ** 21 - 1, 2 ** 32 - 1])
  })
  it('is deterministic in the seed', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (seed) => {
        const [a, b] = [str(random.key(seed)), str(random.key(seed))]
        return a === b
      }),
    )
  })
  it('refuses seeds that are not non-negative safe integers, naming random.key and the value', () => {
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53, '3' as unknown as number]) {
      expect(() => random.key(bad)).toThrow(ArgumentError)
      expect(() => random.key(bad)).toThrow(/random\.key.*seed/)
    }
    expect(() => random.key(-1)).toThrow(/-1/)
  })
})

describe('isKey, keyData, wrapKey', () => {
  it('round-trip a key through JSON', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.nat(), (seed, i) => {
        const k = random.foldIn(random.key(seed), i)
        const back = random.wrapKey(JSON.parse(JSON.stringify(random.keyData(k))))
        return random.isKey(back) && str(back) === str(k)
      }),
    )
  })
  it('keyData returns a copy', () => {
    const k = random.key(5)
    const d = random.keyData(k)
    d[0] = 123
    expect(random.keyData(k)).toEqual([0, 5])
  })
  it('isKey accepts keys only', () => {
    expect(random.isKey(random.key(1))).toBe(true)
    for (const x of [null, undefined, 0, [0, 0], { bits: [0, 0] }, { kind: 'purediff.Key', bits: [0, -1] }, { kind: 'purediff.Key', bits: [0] }]) {
      expect(random.isKey(x)).toBe(false)
    }
    expect(random.isKey({ kind: 'purediff.Key', bits: [0, 2 ** 32 - 1] })).toBe(true)
  })
  it('wrapKey refuses anything but two uint32 words', () => {
    for (const bad of [[0], [0, 1, 2], [-1, 0], [0, 2 ** 32], [0.5, 0], [NaN, 0], 'ab', null]) {
      expect(() => random.wrapKey(bad as unknown as [number, number])).toThrow(ArgumentError)
      expect(() => random.wrapKey(bad as unknown as [number, number])).toThrow(/random\.wrapKey/)
    }
  })
})

describe('split', () => {
  it('gives n distinct keys, all different from the parent', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer({ min: 1, max: 300 }), (seed, n) => {
        const parent = random.key(seed)
        const keys = random.split(parent, n).map(str)
        return keys.length === n && new Set(keys).size === n && !keys.includes(str(parent))
      }),
      { numRuns: 50 },
    )
    const many = random.split(random.key(0), 5000).map(str)
    expect(new Set(many).size).toBe(5000)
  })
  it('defaults to 2 and is deterministic', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (seed) => {
        const a = random.split(random.key(seed)).map(str)
        const b = random.split(random.key(seed), 2).map(str)
        return a.length === 2 && a.join(';') === b.join(';')
      }),
    )
  })
  it('refuses n that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity]) {
      expect(() => random.split(random.key(0), bad)).toThrow(ArgumentError)
      expect(() => random.split(random.key(0), bad)).toThrow(/random\.split/)
    }
  })
})

describe('foldIn', () => {
  it('gives distinct keys for distinct n, none equal to the parent', () => {
    const parent = random.key(42)
    const keys = Array.from({ length: 10000 }, (_, i) => str(random.foldIn(parent, i)))
    expect(new Set(keys).size).toBe(10000)
    expect(keys).not.toContain(str(parent))
    expect(str(random.foldIn(parent, 2 ** 32 - 1))).not.toBe(str(random.foldIn(parent, 0)))
  })
  it('is deterministic', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.nat(), (seed, n) => {
        const [a, b] = [str(random.foldIn(random.key(seed), n)), str(random.foldIn(random.key(seed), n))]
        return a === b
      }),
    )
  })
  it('refuses n outside [0, 2^32) or not an integer', () => {
    for (const bad of [-1, 2 ** 32, 0.5, NaN]) {
      expect(() => random.foldIn(random.key(0), bad)).toThrow(ArgumentError)
      expect(() => random.foldIn(random.key(0), bad)).toThrow(/random\.foldIn/)
    }
  })
})

describe('keys are immutable', () => {
  it('are frozen, tuple included; writing throws', () => {
    const k = random.key(9)
    expect(Object.isFrozen(k) && Object.isFrozen(k.bits)).toBe(true)
    expect(() => {
      ;(k.bits as unknown as number[])[0] = 1
    }).toThrow(TypeError)
    for (const s of [...random.split(k, 3), random.foldIn(k, 1), random.wrapKey([1, 2])]) {
      expect(Object.isFrozen(s) && Object.isFrozen(s.bits)).toBe(true)
    }
  })
  it('using a key never changes its bits, and the same key gives the same draws', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (seed) => {
        const k = random.key(seed)
        const before = str(k)
        const draw = () => [
          random.split(k, 3).map(str).join(';'),
          str(random.foldIn(k, 7)),
          toFlatArray(random.uniform(k, [5])).join(),
          toFlatArray(random.uniform(k, [5], { dtype: 'float64' })).join(),
          toFlatArray(random.normal(k, [5])).join(),
          toFlatArray(random.normal(k, [5], { dtype: 'float64' })).join(),
          toFlatArray(random.bernoulli(k, 0.5, [20])).join(),
          random.permutation(k, 20).join(),
        ]
        const first = draw()
        const second = draw()
        return str(k) === before && first.join('|') === second.join('|')
      }),
      { numRuns: 50 },
    )
  })
})

describe('every random function refuses a non-key, naming itself', () => {
  const bad = [0, 0] as unknown as random.Key
  const calls: Array<[string, () => unknown]> = [
    ['random.split', () => random.split(bad)],
    ['random.foldIn', () => random.foldIn(bad, 0)],
    ['random.keyData', () => random.keyData(bad)],
    ['random.uniform', () => random.uniform(bad, [2])],
    ['random.normal', () => random.normal(bad, [2])],
    ['random.bernoulli', () => random.bernoulli(bad, 0.5, [2])],
    ['random.permutation', () => random.permutation(bad, 2)],
    ['random.randint', () => random.randint(bad, [2], { max: 3 })],
  ]
  for (const [op, call] of calls) {
    it(op, () => {
      expect(call).toThrow(ArgumentError)
      expect(call).toThrow(new RegExp(`^${op.replace('.', '\\.')}: .*key`))
    })
  }
})

describe('sampler arguments', () => {
  const k = random.key(0)
  it('bad shapes are ShapeErrors naming the op', () => {
    expect(() => random.uniform(k, [-1])).toThrow(ShapeError)
    expect(() => random.normal(k, [1.5])).toThrow(/random\.normal/)
    expect(() => random.bernoulli(k, 0.5, 3 as unknown as number[])).toThrow(ShapeError)
  })
  it('bad dtypes are DTypeErrors naming the op', () => {
    expect(() => random.uniform(k, [2], { dtype: 'int32' as never })).toThrow(DTypeError)
    expect(() => random.normal(k, [2], { dtype: 'float16' as never })).toThrow(/random\.normal/)
    expect(() => random.bernoulli(k, 0.5, [2], 'int8' as never)).toThrow(DTypeError)
  })
  it('uniform needs finite min < max', () => {
    for (const [min, max] of [
      [1, 1],
      [2, 1],
      [NaN, 1],
      [0, Infinity],
      [-Infinity, 0],
      [-1e308, 1e308],
    ]) {
      expect(() => random.uniform(k, [2], { min, max })).toThrow(ArgumentError)
      expect(() => random.uniform(k, [2], { min, max })).toThrow(/random\.uniform/)
    }
    // No float32 lies in [1 + 1e-9, 1 + 2e-9); float64 has some.
    expect(() => random.uniform(k, [2], { min: 1 + 1e-9, max: 1 + 2e-9 })).toThrow(/no float32 value/)
    expect(() => random.uniform(k, [2], { min: 1 + 1e-9, max: 1 + 2e-9, dtype: 'float64' })).not.toThrow()
  })
  it('normal needs a finite mean and a finite std >= 0', () => {
    for (const opts of [{ std: -1 }, { std: NaN }, { std: Infinity }, { mean: NaN }, { mean: -Infinity }]) {
      expect(() => random.normal(k, [2], opts)).toThrow(ArgumentError)
      expect(() => random.normal(k, [2], opts)).toThrow(/random\.normal/)
    }
    expect(toFlatArray(random.normal(k, [3], { mean: 4, std: 0 }))).toEqual([4, 4, 4])
  })
  it('bernoulli needs p in [0, 1]', () => {
    for (const p of [-0.1, 1.1, NaN, Infinity]) {
      expect(() => random.bernoulli(k, p, [2])).toThrow(ArgumentError)
      expect(() => random.bernoulli(k, p, [2])).toThrow(/random\.bernoulli.*p/)
    }
  })
  it('permutation needs a non-negative integer n', () => {
    for (const n of [-1, 1.5, NaN, 2 ** 32]) {
      expect(() => random.permutation(k, n)).toThrow(ArgumentError)
      expect(() => random.permutation(k, n)).toThrow(/random\.permutation/)
    }
  })
  it('options must be an object', () => {
    expect(() => random.uniform(k, [2], 3 as never)).toThrow(/random\.uniform: options/)
  })
})

/**
 * `fromSpec` and the io-ts codec `ModelSpec`: valid specs (an arbitrary that agrees with the
 * decoder) round-trip through JSON and build models equal to the hand-built ones; every kind of
 * invalid field is a Left whose message names its path; junk never throws.
 */
import fc from 'fast-check'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import * as nn from '../../src/nn/index.js'
import type { Layer, LayerSpec } from '../../src/nn/index.js'

const { fromSpec, ModelSpec } = nn

/** The Left's message, failing the test on a Right. */
function leftMessage(json: unknown): string {
  const r = fromSpec(json)
  if (!isLeft(r)) throw new Error(`expected a Left for ${JSON.stringify(json)}`)
  expect(r.left).toBeInstanceOf(P.ArgumentError)
  return r.left.message
}

// --- an arbitrary of valid specs

const initSpec = fc.oneof(
  fc.constantFrom('glorotUniform', 'heNormal', 'lecunNormal', 'zeros'),
  fc.double({ min: -1, max: 1, noNaN: true }).map((constant) => ({ constant })),
)
const linearOpts = fc.record({ useBias: fc.boolean(), kernelInit: initSpec, biasInit: initSpec, dtype: fc.constantFrom('float32', 'float64') }, { requiredKeys: [] })
const units = fc.integer({ min: 1, max: 4 })
const leaf: fc.Arbitrary<LayerSpec> = fc.oneof(
  fc.tuple(units, linearOpts).map(([u, o]) => ({ type: 'dense' as const, units: u, ...o })),
  fc.tuple(units, units, linearOpts).map(([u, p, o]) => ({ type: 'maxout' as const, units: u, pieces: p, ...o })),
  fc.record(
    { type: fc.constant('dropout' as const), rate: fc.double({ min: 0, max: 0.99, noNaN: true }), mode: fc.constantFrom('inverted' as const, 'scaleAtTest' as const) },
    { requiredKeys: ['type', 'rate'] },
  ),
  fc.record({ type: fc.constant('leakyRelu' as const), alpha: fc.double({ min: -1, max: 1, noNaN: true }) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('elu' as const), alpha: fc.double({ min: 0, max: 2, noNaN: true }) }, { requiredKeys: ['type'] }),
  fc.record(
    { type: fc.constant('prelu' as const), alphaInit: fc.double({ min: 0, max: 1, noNaN: true }), dtype: fc.constantFrom('float32' as const, 'float64' as const) },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constant('gelu' as const), approximate: fc.boolean() }, { requiredKeys: ['type'] }),
  fc.constantFrom<LayerSpec>({ type: 'sigmoid' }, { type: 'tanh' }, { type: 'relu' }, { type: 'softplus' }, { type: 'silu' }, { type: 'flatten' }),
)
const layerSpec: fc.Arbitrary<LayerSpec> = fc.oneof(
  { weight: 4, arbitrary: leaf },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 3 }).map((layers) => ({ type: 'sequential' as const, layers })) },
)
const modelSpec = fc.record({ layers: fc.array(layerSpec, { maxLength: 5 }) })

describe('valid specs', () => {
  it("the issue's example builds: dense 128 → relu → dropout ½ scaleAtTest → maxout 64×3", () => {
    const r = fromSpec({ layers: [{ type: 'dense', units: 128 }, { type: 'relu' }, { type: 'dropout', rate: 0.5, mode: 'scaleAtTest' }, { type: 'maxout', units: 64, pieces: 3 }] })
    if (!isRight(r)) throw r.left
    const { params, outputShape } = r.right.init(P.random.key(0), [20])
    expect(outputShape).toEqual([64])
    expect(params.length).toBe(4)
    expect(r.right.apply(params, P.ones([2, 20])).shape).toEqual([2, 64])
  })
  it('round-trip: decode(JSON.parse(JSON.stringify(spec))) = spec, encode is the identity, fromSpec builds and runs', () => {
    fc.assert(
      fc.property(modelSpec, (spec) => {
        const text = JSON.stringify(spec)
        const back = ModelSpec.decode(JSON.parse(text))
        if (!isRight(back)) throw new Error(text)
        expect(back.right).toEqual(JSON.parse(text))
        expect(ModelSpec.is(spec)).toBe(true)
        expect(ModelSpec.encode(back.right)).toEqual(back.right)
        const model = fromSpec(text) // a JSON string works too
        if (!isRight(model)) throw model.left
        // shapes: [4] suits every layer (flatten is the identity on vectors)
        const { params, outputShape } = model.right.init(P.random.key(1), [4])
        expect(model.right.apply(params, P.ones([2, 4]), { train: true, key: P.random.key(2) }).shape).toEqual([2, ...outputShape])
      }),
      { numRuns: 100 },
    )
  })
  it('builds the same layers as the constructors: same params for the same key, same outputs', () => {
    // biome-ignore lint/suspicious/noExplicitAny: the cases hold layers with different params, and Layer is invariant in them
    const cases: [unknown, Layer<any>][] = [
      [{ type: 'dense', units: 3, useBias: false, kernelInit: 'heNormal', dtype: 'float64' }, nn.dense(3, { useBias: false, kernelInit: nn.init.heNormal, dtype: 'float64' })],
      [{ type: 'dense', units: 2, kernelInit: { constant: 0.5 }, biasInit: 'lecunNormal' }, nn.dense(2, { kernelInit: nn.init.constant(0.5), biasInit: nn.init.lecunNormal })],
      [
        { type: 'maxout', units: 2, pieces: 3, kernelInit: 'zeros', biasInit: 'glorotUniform' },
        nn.maxout({ units: 2, pieces: 3, kernelInit: nn.init.zeros, biasInit: nn.init.glorotUniform }),
      ],
      [{ type: 'dropout', rate: 0.25, mode: 'scaleAtTest' }, nn.dropout(0.25, { mode: 'scaleAtTest' })],
      [{ type: 'dropout', rate: 0.25 }, nn.dropout(0.25)],
      [{ type: 'leakyRelu', alpha: 0.2 }, nn.leakyRelu(0.2)],
      [{ type: 'leakyRelu' }, nn.leakyRelu()],
      [{ type: 'elu', alpha: 0.5 }, nn.elu(0.5)],
      [{ type: 'prelu', alphaInit: 0.1, dtype: 'float64' }, nn.prelu({ alphaInit: 0.1, dtype: 'float64' })],
      [{ type: 'sigmoid' }, nn.sigmoid()],
      [{ type: 'tanh' }, nn.tanh()],
      [{ type: 'relu' }, nn.relu()],
      [{ type: 'softplus' }, nn.softplus()],
      [{ type: 'gelu' }, nn.gelu()],
      [{ type: 'gelu', approximate: true }, nn.gelu({ approximate: true })],
      [{ type: 'silu' }, nn.silu()],
      [{ type: 'flatten' }, nn.flatten()],
      [{ type: 'sequential', layers: [{ type: 'dense', units: 2 }, { type: 'tanh' }] }, nn.sequential(nn.dense(2), nn.tanh())],
    ]
    const x = P.tensor([[0.5, -1, 2, -0.25]], 'float64')
    for (const [spec, layer] of cases) {
      const r = fromSpec({ layers: [spec] })
      if (!isRight(r)) throw r.left
      const key = P.random.key(5)
      const [k0] = P.random.split(key, 1) // sequential gives its only layer split(key, 1)[0]
      const a = r.right.init(key, [4]),
        b = layer.init(k0, [4])
      expect(P.tree.leaves(a.params).map(P.toFlatArray)).toEqual(P.tree.leaves(b.params).map(P.toFlatArray))
      expect(a.outputShape).toEqual(b.outputShape)
      const ctx = { train: true, key: P.random.key(6) }
      const [c0] = P.random.split(ctx.key, 1)
      expect(P.toFlatArray(r.right.apply(a.params, x, ctx))).toEqual(P.toFlatArray(layer.apply(b.params, x, { ...ctx, key: c0 })))
    }
  })
})

describe('embedding in a spec', () => {
  it('builds the same layer as nn.embedding: same table for the same key, same rows for the same ids', () => {
    const cases: [unknown, nn.Layer<nn.EmbeddingParams>][] = [
      [{ type: 'embedding', vocab: 6, dim: 3 }, nn.embedding(6, 3)],
      [{ type: 'embedding', vocab: 4, dim: 2, init: 'glorotUniform', dtype: 'float64' }, nn.embedding(4, 2, { init: nn.init.glorotUniform, dtype: 'float64' })],
      [{ type: 'embedding', vocab: 3, dim: 1, init: { constant: 0.25 } }, nn.embedding(3, 1, { init: nn.init.constant(0.25) })],
    ]
    const ids = P.fromArray([0, 2, -1, 1, 1, 0], [2, 3], 'int32')
    for (const [spec, layer] of cases) {
      const r = fromSpec({ layers: [spec] })
      if (!isRight(r)) throw r.left
      const key = P.random.key(7)
      const [k0] = P.random.split(key, 1)
      const a = r.right.init(key, [3]),
        b = layer.init(k0, [3])
      expect(P.toFlatArray(P.tree.leaves(a.params)[0])).toEqual(P.toFlatArray(b.params.table))
      expect(a.outputShape).toEqual(b.outputShape)
      expect(P.toFlatArray(r.right.apply(a.params, ids))).toEqual(P.toFlatArray(layer.apply(b.params, ids)))
    }
  })
  it('refuses a bad vocab, dim, init or field, naming the path', () => {
    const cases: [unknown, string, string][] = [
      [{ type: 'embedding', vocab: 0, dim: 2 }, 'layers.0.vocab', 'got 0'],
      [{ type: 'embedding', vocab: 2 ** 24 + 1, dim: 2 }, 'layers.0.vocab', 'expected a positive integer ≤ 16777216'],
      [{ type: 'embedding', vocab: 10 }, 'layers.0.dim', 'got undefined'],
      [{ type: 'embedding', vocab: 10, dim: 2, init: 'uniform' }, 'layers.0.init', 'expected an initialiser'],
      [{ type: 'embedding', vocab: 10, dim: 2, units: 3 }, 'layers.0.units', "unknown field 'units' in a 'embedding' layer"],
    ]
    for (const [layer, path, part] of cases) {
      const r = fromSpec({ layers: [layer] })
      if (!isLeft(r)) throw new Error(`expected a Left for ${JSON.stringify(layer)}`)
      expect(r.left.message).toContain(path)
      expect(r.left.message).toContain(part)
    }
  })
  it('counts vocab·dim parameters against maxParams before allocating the table', () => {
    const r = fromSpec({ layers: [{ type: 'embedding', vocab: 50000, dim: 4096 }] })
    if (!isLeft(r)) throw new Error('expected a Left')
    expect(r.left.message).toContain('204800000 parameters')
  })
})

describe('invalid specs: a Left naming the path', () => {
  const bad: [string, unknown, string, string][] = [
    ['unknown type', { layers: [{ type: 'lstm', units: 3 }] }, 'layers.0.type', 'unknown layer type "lstm"'],
    ['missing type', { layers: [{ units: 3 }] }, 'layers.0.type', 'unknown layer type undefined'],
    ['negative units', { layers: [{ type: 'dense', units: -3 }] }, 'layers.0.units', 'expected a positive integer ≤ 16777216 (2^24, MAX_UNITS), got -3'],
    ['zero units', { layers: [{ type: 'relu' }, { type: 'dense', units: 0 }] }, 'layers.1.units', 'got 0'],
    ['fractional units', { layers: [{ type: 'dense', units: 2.5 }] }, 'layers.0.units', 'got 2.5'],
    ['units as a string', { layers: [{ type: 'dense', units: '128' }] }, 'layers.0.units', 'got "128"'],
    ['missing units', { layers: [{ type: 'dense' }] }, 'layers.0.units', 'got undefined'],
    ['gelu approximate not a boolean', { layers: [{ type: 'gelu', approximate: 'yes' }] }, 'layers.0.approximate', 'got "yes"'],
    ['silu with an option', { layers: [{ type: 'silu', alpha: 1 }] }, 'layers.0.alpha', "unknown field 'alpha' in a 'silu' layer"],
    ['rate 1', { layers: [{ type: 'dense', units: 2 }, { type: 'relu' }, { type: 'dropout', rate: 1 }] }, 'layers.2.rate', 'expected a number in [0, 1)'],
    ['rate above 1', { layers: [{ type: 'dropout', rate: 1.5 }] }, 'layers.0.rate', 'got 1.5'],
    ['negative rate', { layers: [{ type: 'dropout', rate: -0.1 }] }, 'layers.0.rate', 'got -0.1'],
    ['unknown mode', { layers: [{ type: 'dropout', rate: 0.5, mode: 'train' }] }, 'layers.0.mode', '"train"'],
    ['pieces 0', { layers: [{ type: 'maxout', units: 2, pieces: 0 }] }, 'layers.0.pieces', 'positive integer'],
    ['useBias not a boolean', { layers: [{ type: 'dense', units: 2, useBias: 'yes' }] }, 'layers.0.useBias', '"yes"'],
    ['unknown initialiser', { layers: [{ type: 'dense', units: 2, kernelInit: 'orthogonal' }] }, 'layers.0.kernelInit', 'expected an initialiser'],
    ['constant not a number', { layers: [{ type: 'dense', units: 2, biasInit: { constant: 'x' } }] }, 'layers.0.biasInit.constant', 'finite number'],
    ['bad dtype', { layers: [{ type: 'prelu', dtype: 'float16' }] }, 'layers.0.dtype', '"float16"'],
    ['alpha Infinity', { layers: [{ type: 'leakyRelu', alpha: Infinity }] }, 'layers.0.alpha', 'got Infinity'],
    ['unknown field (a typo)', { layers: [{ type: 'dense', unit: 3, units: 3 }] }, 'layers.0.unit', "unknown field 'unit'"],
    ['a layer that is not an object', { layers: [{ type: 'relu' }, 7] }, 'layers.1', 'expected a layer object'],
    ['nested sequential', { layers: [{ type: 'relu' }, { type: 'sequential', layers: [{ type: 'dropout', rate: 2 }] }] }, 'layers.1.layers.0.rate', 'got 2'],
    ['layers missing', {}, 'layers', 'got undefined'],
    ['layers not an array', { layers: { type: 'relu' } }, 'layers', 'expected Array<LayerSpec>'],
    ['unknown top-level field', { layers: [], optimizer: 'adam' }, 'optimizer', "unknown field 'optimizer'"],
    ['not an object', 42, '<root>', 'expected a model spec'],
    ['null', null, '<root>', 'got null'],
  ]
  it.each(bad)('%s', (_what, json, path, words) => {
    const msg = leftMessage(json)
    expect(msg).toContain(`at ${path}: `)
    expect(msg).toContain(words)
    expect(msg.startsWith('fromSpec: invalid model spec: ')).toBe(true)
  })
  it('reports every invalid field at once', () => {
    const msg = leftMessage({
      layers: [
        { type: 'dense', units: -1 },
        { type: 'dropout', rate: 3, mode: 'x' },
      ],
    })
    for (const p of ['layers.0.units', 'layers.1.rate', 'layers.1.mode']) expect(msg).toContain(`at ${p}: `)
  })
  it('a string that is not JSON is a Left too', () => {
    expect(leftMessage('{"layers": [')).toMatch(/^fromSpec: the spec is not valid JSON/)
  })
})

describe('fromSpec never throws', () => {
  it('on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (j) => {
        fromSpec(j)
        fromSpec(JSON.stringify(j))
      }),
      { numRuns: 300 },
    )
  })
  it('on anything at all, and on valid specs with one field replaced by junk', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }), (j) => {
        const r = fromSpec(j)
        expect(r._tag === 'Left' || r._tag === 'Right').toBe(true)
      }),
      { numRuns: 300 },
    )
    fc.assert(
      fc.property(
        modelSpec.filter((s) => s.layers.length > 0),
        fc.nat(),
        fc.string(),
        fc.anything(),
        (spec, i, field, junk) => {
          const layers = spec.layers.map((l) => ({ ...l }))
          const target: Record<string, unknown> = layers[i % layers.length]
          const keys = [...Object.keys(target), field] // an existing field, or a new one
          target[keys[i % keys.length]] = junk
          const r = fromSpec({ layers })
          expect(r._tag === 'Left' || r._tag === 'Right').toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })
  it('on values whose property reads throw, and on cycles', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom')
        },
        ownKeys: () => {
          throw new Error('boom')
        },
      },
    )
    expect(isLeft(fromSpec(hostile))).toBe(true)
    expect(isLeft(fromSpec({ layers: [hostile] }))).toBe(true)
    const cyclic: { type: string; layers: unknown[] } = { type: 'sequential', layers: [] }
    cyclic.layers.push(cyclic)
    expect(isLeft(fromSpec({ layers: [cyclic] }))).toBe(true)
  })
})

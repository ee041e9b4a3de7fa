/**
 * Limits of model specs (issue 11, items 2 and 3): widths, pieces and nesting are bounded by
 * documented maxima (a Left naming the path), the parameter count is computed from the shapes
 * alone and refused above `maxParams` before anything is allocated, layers check their own
 * parameter shapes before allocating, and deep or cyclic specs never overflow the stack.
 */
import fc from 'fast-check'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { afterEach, assert, describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import * as nn from '../../src/nn/index.js'
import type { Layer, LayerSpec } from '../../src/nn/index.js'
import { thrown } from '../helpers/errors.js'

const { fromSpec, ModelSpec, LayerSpec: LayerCodec, DEFAULT_MAX_PARAMS, MAX_UNITS, MAX_PIECES, MAX_SPEC_DEPTH } = nn
const key = P.random.key(0)

function leftMessage(json: unknown, opts?: nn.FromSpecOptions): string {
  const r = fromSpec(json, opts)
  if (!isLeft(r)) throw new Error(`expected a Left for ${JSON.stringify(json)}`)
  expect(r.left).toBeInstanceOf(P.ArgumentError)
  return r.left.message
}
function right(json: unknown, opts?: nn.FromSpecOptions): Layer<unknown[]> {
  const r = fromSpec(json, opts)
  if (!isRight(r)) throw r.left
  return r.right
}

// Records the largest typed array requested while `f` runs: "before allocating" made observable.
const real = { f32: globalThis.Float32Array, f64: globalThis.Float64Array }
afterEach(() => {
  globalThis.Float32Array = real.f32
  globalThis.Float64Array = real.f64
})
function largestAllocation(f: () => void): number {
  let largest = 0
  const spy = <C>(Base: C): C =>
    class extends (Base as unknown as typeof Float64Array) {
      constructor(...args: unknown[]) {
        if (typeof args[0] === 'number') largest = Math.max(largest, args[0])
        super(...(args as []))
      }
    } as unknown as C
  globalThis.Float32Array = spy(real.f32)
  globalThis.Float64Array = spy(real.f64)
  try {
    f()
  } finally {
    globalThis.Float32Array = real.f32
    globalThis.Float64Array = real.f64
  }
  return largest
}

describe('documented maxima', () => {
  it('are exported with the values the docs give', () => {
    expect([DEFAULT_MAX_PARAMS, MAX_UNITS, MAX_PIECES, MAX_SPEC_DEPTH]).toEqual([1e8, 2 ** 24, 256, 100])
  })
  it('units and pieces above them are a Left naming the path; at them the spec decodes', () => {
    expect(leftMessage({ layers: [{ type: 'dense', units: 1e9 }] })).toContain('at layers.0.units: expected a positive integer ≤ 16777216')
    expect(leftMessage({ layers: [{ type: 'relu' }, { type: 'maxout', units: MAX_UNITS + 1, pieces: 2 }] })).toContain('at layers.1.units')
    expect(leftMessage({ layers: [{ type: 'sequential', layers: [{ type: 'maxout', units: 2, pieces: 257 }] }] })).toContain(
      'at layers.0.layers.0.pieces: expected a positive integer ≤ 256',
    )
    expect(
      isRight(
        ModelSpec.decode({
          layers: [
            { type: 'dense', units: MAX_UNITS },
            { type: 'maxout', units: 1, pieces: MAX_PIECES },
          ],
        }),
      ),
    ).toBe(true)
    expect(ModelSpec.is({ layers: [{ type: 'dense', units: MAX_UNITS + 1 }] })).toBe(false)
  })
})

describe('the parameter count, from shapes alone', () => {
  // Small specs: every count is the sum of the sizes init really creates.
  const width = fc.integer({ min: 1, max: 5 })
  const leaf: fc.Arbitrary<LayerSpec> = fc.oneof(
    fc.tuple(width, fc.boolean()).map(([units, useBias]) => ({ type: 'dense' as const, units, useBias })),
    fc.tuple(width, width, fc.boolean()).map(([units, pieces, useBias]) => ({ type: 'maxout' as const, units, pieces, useBias })),
    fc.tuple(width, width).map(([vocab, dim]) => ({ type: 'embedding' as const, vocab, dim })),
    fc.constantFrom<LayerSpec>({ type: 'prelu' }, { type: 'flatten' }, { type: 'relu' }, { type: 'dropout', rate: 0.5 }),
  )
  const spec = fc.array(
    fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: fc.array(leaf, { maxLength: 3 }).map((layers) => ({ type: 'sequential' as const, layers })) }),
    { maxLength: 5 },
  )
  const inputShape = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 })
  it('property: init succeeds at maxParams = the real count and refuses at one less, saying the count', () => {
    fc.assert(
      fc.property(spec, inputShape, (layers, shape) => {
        const { params } = right({ layers }, { maxParams: Infinity }).init(key, shape)
        const count = P.tree.leaves(params).reduce((n, t) => n + t.size, 0)
        if (count < 2) return // maxParams must stay ≥ 1
        expect(right({ layers }, { maxParams: count }).init(key, shape).outputShape).toBeDefined()
        // Refused by fromSpec when its lower bound (the count for input [0, 0]) already is the
        // count, else by init.
        const early = fromSpec({ layers }, { maxParams: count - 1 })
        if (isLeft(early)) expect(early.left.message).toContain(`at least ${count} parameters`)
        else {
          const e = thrown(() => early.right.init(key, shape))
          expect(e).toBeInstanceOf(P.ArgumentError)
          expect(e.message).toContain(`the model's init would create ${count} parameters`)
        }
      }),
      { numRuns: 150 },
    )
  })
  it('regression: flatten after a zero leading axis gives fewer parameters than input width 0 does', () => {
    // [0, 1] → dense(1): 1 + 1, shape [0, 1] → flatten [0] → dense(2) without bias: 0·2. Total 2;
    // a lower bound taken at input [0] (width 0, rank 1) would have claimed 3.
    const layers = [{ type: 'sequential', layers: [{ type: 'dense', units: 1, useBias: true }] }, { type: 'flatten' }, { type: 'dense', units: 2, useBias: false }]
    expect(P.tree.leaves(right({ layers }, { maxParams: 2 }).init(key, [0, 1]).params).reduce((n, t) => n + t.size, 0)).toBe(2)
  })
  it("the issue's model: dense(10^6) on 784 inputs is refused by init in one line, before any allocation", () => {
    const model = right({ layers: [{ type: 'dense', units: 1e6 }] })
    let e: Error | undefined
    const largest = largestAllocation(() => {
      e = thrown(() => model.init(key, [784]))
    })
    expect(largest).toBeLessThan(1000) // the kernel would be 7.84e8 elements
    assert.instanceOf(e, P.ArgumentError)
    const m = e.message
    expect(m.split('\n')).toHaveLength(1)
    // 784·10^6 weights + 10^6 biases = 785,000,000
    for (const part of ['785000000 parameters', 'input shape [784]', 'maxParams = 100000000', 'fromSpec(spec, { maxParams: 785000000 })', '--max-params 785000000'])
      expect(m).toContain(part)
  })
  it('a spec over the limit for every input shape is a Left from fromSpec itself', () => {
    // input [0, 0]: 0·2^24 weights + 2^24 biases, then 2^24·100 + 100: 1,694,498,916 at least
    const m = leftMessage({
      layers: [
        { type: 'dense', units: MAX_UNITS },
        { type: 'dense', units: 100 },
      ],
    })
    expect(m).toContain('at least 1694498916 parameters')
    expect(m).toContain('maxParams = 100000000 (the default)')
    expect(
      isRight(
        fromSpec(
          {
            layers: [
              { type: 'dense', units: MAX_UNITS },
              { type: 'dense', units: 100 },
            ],
          },
          { maxParams: 1694498916 },
        ),
      ),
    ).toBe(true)
  })
  it('maxParams raises or lowers the limit, and must be a positive integer or Infinity', () => {
    const spec = { layers: [{ type: 'dense', units: 1000 }] } // on [2]: 2·1000 + 1000 = 3000
    expect(thrown(() => right(spec, { maxParams: 2999 }).init(key, [2])).message).toContain('3000 parameters')
    expect(right(spec, { maxParams: 3000 }).init(key, [2]).outputShape).toEqual([1000])
    for (const bad of [0, -1, 1.5, NaN, '10', null]) {
      expect(leftMessage(spec, { maxParams: bad as never })).toContain('options.maxParams must be a positive integer or Infinity')
    }
  })
})

describe('layers check their own parameter shapes before allocating', () => {
  it('dense(1e9), maxout and a sequential of them name the layer and the kernel shape', () => {
    const cases: [() => unknown, string[]][] = [
      [() => nn.dense(1e9).init(key, [784]), ['dense(1000000000)', 'the kernel w', '[784,1000000000]', '784000000000']],
      [() => nn.maxout({ units: 1e6, pieces: 5000 }).init(key, [3]), ['maxout(1000000×5000)', '[3,5000000000]', '15000000000']],
      [() => nn.sequential(nn.dense(10), nn.dense(1e9)).init(key, [784]), ['layer 1 (dense(1000000000))', '[10,1000000000]']],
    ]
    for (const [f, parts] of cases) {
      let e: Error | undefined
      expect(
        largestAllocation(() => {
          e = thrown(f)
        }),
      ).toBeLessThan(10000)
      assert.instanceOf(e, P.ArgumentError)
      for (const part of parts) expect(e.message).toContain(part)
    }
  })
})

describe('deep and cyclic specs: a Left with the path, never a stack overflow', () => {
  const nested = (depth: number): object => {
    let layer: object = { type: 'relu' }
    for (let i = 0; i < depth; i++) layer = { type: 'sequential', layers: [layer] }
    return { layers: [layer] }
  }
  it('nesting MAX_SPEC_DEPTH levels builds and runs', () => {
    const model = right(nested(MAX_SPEC_DEPTH - 1))
    const { params } = model.init(key, [2])
    expect(P.toFlatArray(model.apply(params, P.tensor([[-1, 2]])))).toEqual([0, 2])
  })
  it('5,000 and 50,000 levels (objects and JSON text), through fromSpec, decode and is', () => {
    for (const depth of [MAX_SPEC_DEPTH, 5000, 50000]) {
      const spec = nested(depth)
      const m = leftMessage(spec)
      expect(m).toContain('nested deeper than 100 levels')
      expect(m).toMatch(/at layers\.0\.layers\.0\.layers\.0\./)
      expect(m.length).toBeLessThan(400)
      expect(isLeft(ModelSpec.decode(spec))).toBe(true)
      expect(ModelSpec.is(spec)).toBe(false)
      expect(LayerCodec.is((spec as { layers: unknown[] }).layers[0])).toBe(false)
      const text = `{"layers":[${'{"type":"sequential","layers":['.repeat(depth)}{"type":"relu"}${']}'.repeat(depth)}]}`
      expect(leftMessage(text)).toContain('nested deeper than 100 levels')
    }
  })
  it('a spec that contains itself is a Left', () => {
    const cyclic: { type: string; layers: unknown[] } = { type: 'sequential', layers: [] }
    cyclic.layers.push(cyclic)
    expect(leftMessage({ layers: [{ type: 'relu' }, cyclic] })).toContain('nested deeper than 100 levels')
    expect(ModelSpec.is({ layers: [cyclic] })).toBe(false)
  })
})

/**
 * The pooling layers in a model spec: an arbitrary of valid pooling specs (window a number or a
 * pair, strides, 'SAME'/'VALID'/explicit pads below the window) round-trips through JSON and
 * builds the same layers as the constructors; invalid fields are a Left naming their path; junk
 * in any pooling field never throws; the parameter count follows the pooled shape.
 */
import fc from 'fast-check'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import * as nn from '../../src/nn/index.js'
import type { LayerSpec } from '../../src/nn/index.js'

const { fromSpec, ModelSpec } = nn

function leftMessage(json: unknown): string {
  const r = fromSpec(json)
  if (!isLeft(r)) throw new Error(`expected a Left for ${JSON.stringify(json)}`)
  expect(r.left).toBeInstanceOf(P.ArgumentError)
  return r.left.message
}

// --- an arbitrary of valid pooling specs (inputs of [6, 6, 2] fit every one)

const extent = fc.integer({ min: 1, max: 3 })
const perAxis = fc.oneof(extent, fc.tuple(extent, extent))
const pair = (k: number) => fc.tuple(fc.integer({ min: 0, max: k - 1 }), fc.integer({ min: 0, max: k - 1 }))
const pool2d = fc
  .tuple(fc.constantFrom('maxPool2d' as const, 'avgPool2d' as const), perAxis, fc.option(perAxis, { nil: undefined }), fc.constantFrom('none', 'SAME', 'VALID', 'explicit'))
  .chain(([type, window, strides, pad]) => {
    const [kh, kw] = typeof window === 'number' ? [window, window] : window
    const padding = pad === 'explicit' ? fc.tuple(pair(kh), pair(kw)) : fc.constant(pad === 'none' ? undefined : pad)
    return padding.map((p): LayerSpec => {
      const spec: Record<string, unknown> = { type, window }
      if (strides !== undefined) spec.strides = strides
      if (p !== undefined) spec.padding = p
      return spec as LayerSpec
    })
  })
const poolSpec: fc.Arbitrary<LayerSpec> = fc.oneof(pool2d, fc.constant<LayerSpec>({ type: 'globalAvgPool' }))

/** The layer the spec describes, built with the constructors. */
function byHand(s: LayerSpec): nn.Layer<nn.EmptyParams> {
  if (s.type === 'globalAvgPool') return nn.globalAvgPool()
  if (s.type !== 'maxPool2d' && s.type !== 'avgPool2d') throw new Error(`not a pooling spec: ${s.type}`)
  const opts = { strides: s.strides, padding: s.padding }
  return s.type === 'maxPool2d' ? nn.maxPool2d(s.window, opts) : nn.avgPool2d(s.window, opts)
}

describe('pooling layers in a spec', () => {
  it('round-trip through JSON, and the same layer as the constructors (shape and outputs)', () => {
    const x = P.random.normal(P.random.key(3), [2, 6, 6, 2], { dtype: 'float64' })
    fc.assert(
      fc.property(poolSpec, (spec) => {
        const text = JSON.stringify({ layers: [spec] })
        const back = ModelSpec.decode(JSON.parse(text))
        if (!isRight(back)) throw new Error(text)
        expect(back.right).toEqual(JSON.parse(text))
        expect(ModelSpec.is({ layers: [spec] })).toBe(true)
        expect(ModelSpec.encode(back.right)).toEqual(back.right)
        const model = fromSpec(text)
        if (!isRight(model)) throw model.left
        const a = model.right.init(P.random.key(0), [6, 6, 2])
        const layer = byHand(spec)
        const b = layer.init(P.random.key(0), [6, 6, 2])
        expect(a.outputShape).toEqual(b.outputShape)
        expect(a.params).toEqual([{}])
        expect(P.toFlatArray(model.right.apply(a.params, x))).toEqual(P.toFlatArray(layer.apply(b.params, x)))
      }),
      { numRuns: 60 },
    )
  })

  const bad: [string, unknown, string, string][] = [
    ['window 0', { type: 'maxPool2d', window: 0 }, 'layers.0.window', 'got 0'],
    ['window of three axes', { type: 'avgPool2d', window: [2, 2, 2] }, 'layers.0.window', '[height, width]'],
    ['window missing', { type: 'maxPool2d' }, 'layers.0.window', 'got undefined'],
    ['window above 2^24', { type: 'maxPool2d', window: 2 ** 24 + 1 }, 'layers.0.window', '(2^24)'],
    ['fractional strides', { type: 'maxPool2d', window: 2, strides: 1.5 }, 'layers.0.strides', 'got 1.5'],
    ['padding in lower case', { type: 'avgPool2d', window: 2, padding: 'same' }, 'layers.0.padding', 'got "same"'],
    ['one pad pair', { type: 'avgPool2d', window: 2, padding: [[0, 1]] }, 'layers.0.padding', "'SAME', 'VALID' or [[top, bottom], [left, right]]"],
    [
      'a negative pad',
      {
        type: 'maxPool2d',
        window: 2,
        padding: [
          [0, 1],
          [-1, 0],
        ],
      },
      'layers.0.padding',
      'non-negative',
    ],
    [
      'a pad as large as the window',
      {
        type: 'maxPool2d',
        window: [3, 2],
        padding: [
          [2, 2],
          [0, 2],
        ],
      },
      'layers.0.padding.1.1',
      'less than the window 2 along axis 1',
    ],
    ['a typo', { type: 'maxPool2d', window: 2, stride: 2 }, 'layers.0.stride', "unknown field 'stride' in a 'maxPool2d' layer"],
    ['globalAvgPool with an option', { type: 'globalAvgPool', window: 2 }, 'layers.0.window', "unknown field 'window'"],
  ]
  it.each(bad)('a Left naming the path: %s', (_what, layer, path, words) => {
    const msg = leftMessage({ layers: [layer] })
    expect(msg).toContain(`at ${path}: `)
    expect(msg).toContain(words)
  })

  it('junk in any field of a pooling spec is a Left or a Right, never a throw', () => {
    fc.assert(
      fc.property(poolSpec, fc.nat(), fc.anything(), (spec, i, junk) => {
        const layer: Record<string, unknown> = { ...spec }
        const keys = [...Object.keys(layer), 'strides', 'padding']
        layer[keys[i % keys.length]] = junk
        const r = fromSpec({ layers: [layer] })
        expect(r._tag === 'Left' || r._tag === 'Right').toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it('the parameter count follows the pooled shape: maxPool2d(2) on [28, 28, 1], flatten, dense(10) is 196·10 + 10', () => {
    const spec = { layers: [{ type: 'maxPool2d', window: 2 }, { type: 'flatten' }, { type: 'dense', units: 10 }] }
    const fits = fromSpec(spec, { maxParams: 1970 })
    if (!isRight(fits)) throw fits.left
    const dense = fits.right.init(P.random.key(0), [28, 28, 1]).params[2] as nn.DenseParams
    expect(dense.w.shape).toEqual([196, 10])
    const over = fromSpec(spec, { maxParams: 1969 })
    if (!isRight(over)) throw over.left
    expect(() => over.right.init(P.random.key(0), [28, 28, 1])).toThrow('1970 parameters')
    // globalAvgPool leaves the channels: 3·2 + 2
    const g = fromSpec({ layers: [{ type: 'globalAvgPool' }, { type: 'dense', units: 2 }] }, { maxParams: 8 })
    if (!isRight(g)) throw g.left
    expect(g.right.init(P.random.key(0), [5, 5, 3]).outputShape).toEqual([2])
  })

  it('a window that does not fit the input is refused by init, naming the layer and the shapes', () => {
    const r = fromSpec({ layers: [{ type: 'avgPool2d', window: [2, 5] }] })
    if (!isRight(r)) throw r.left
    expect(() => r.right.init(P.random.key(0), [4, 4, 1])).toThrow(/avgPool2d\(\[2,5\]\): window \[2,5\] does not fit inputShape \[4,4,1\]/)
  })
})

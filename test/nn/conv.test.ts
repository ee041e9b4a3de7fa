/**
 * conv1d and conv2d beyond `layerLaws` (test/nn/specs.ts): the value of apply by hand, the
 * initialisers' fans from the window (Keras: fanIn = window·inC/groups, fanOut = window·filters,
 * checked through the variance of the drawn kernel), every refusal naming the layer, and the
 * `conv1d`/`conv2d` entries of ModelSpec (decoding with paths, the parameter count of the size
 * guard, the built layer equal to the constructed one).
 */
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { ArgumentError, ShapeError, conv, random, tensor, toFlatArray, zeros } from '../../src/index.js'
import * as nn from '../../src/nn/index.js'
import { expectError } from '../helpers/errors.js'

const variance = (v: readonly number[]) => v.reduce((s, x) => s + x * x, 0) / v.length

describe('conv layers: values', () => {
  it('conv2d adds the bias per filter to conv(x, w, opts)', () => {
    const layer = nn.conv2d(2, [1, 2], { padding: 'SAME' })
    const x = tensor([[[[1], [2], [3]]]]) // [1, 1, 3, 1]
    const w = tensor([[[[1, 0]], [[1, -1]]]]) // [1, 2, 1, 2]: filter 0 sums neighbours, filter 1 is −x[i+1]
    // SAME on width 3 with a window of 2 pads one zero on the high side: filter 0 [3, 5, 3], filter 1 [−2, −3, 0]
    const y = layer.apply({ w, b: tensor([0.5, 1]) }, x)
    expect(toFlatArray(y)).toEqual([3.5, -1, 5.5, -2, 3.5, 1])
    expect(toFlatArray(conv(x, w, { padding: 'SAME' }))).toEqual([3, -2, 5, -3, 3, 0])
  })
})

describe('conv layers: initialisers take their fans from the window', () => {
  it('Glorot uniform (default): variance 2 / (fanIn + fanOut) with fanIn = 5·5·4, fanOut = 5·5·64', () => {
    const { params } = nn.conv2d(64, 5, { dtype: 'float64' }).init(random.key(3), [12, 12, 4])
    const w = toFlatArray(params.w)
    const want = 2 / (5 * 5 * 4 + 5 * 5 * 64) // U(−l, l) has variance l²/3 = 2/(fanIn + fanOut)
    expect(w.length).toBe(5 * 5 * 4 * 64)
    // 6400 draws of U(−l, l): the sample variance has a relative standard error √(4/5)/√6400 ≈ 1.1%
    expect(Math.abs(variance(w) / want - 1)).toBeLessThan(0.05)
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(3 * want))
  })
  it('He normal: variance 2 / fanIn with fanIn = window·inC/groups (3·3·8/2 = 36)', () => {
    const { params } = nn.conv2d(64, 3, { groups: 2, kernelInit: nn.init.heNormal, dtype: 'float64' }).init(random.key(4), [6, 6, 8])
    expect(params.w.shape).toEqual([3, 3, 4, 64])
    // 2304 normal draws: the sample variance has a relative standard error √(2/2304) ≈ 3%
    expect(Math.abs(variance(toFlatArray(params.w)) / (2 / 36) - 1)).toBeLessThan(0.12)
  })
  it('conv1d: He normal fanIn = 7·3', () => {
    const { params } = nn.conv1d(200, 7, { kernelInit: nn.init.heNormal, dtype: 'float64' }).init(random.key(5), [20, 3])
    // 4200 draws: relative standard error ≈ 2.2%
    expect(Math.abs(variance(toFlatArray(params.w)) / (2 / 21) - 1)).toBeLessThan(0.09)
  })
})

describe('conv layers: refusals name the layer', () => {
  it('at construction', () => {
    expectError(() => nn.conv2d(0, 3), ArgumentError, 'conv2d', 'filters')
    expectError(() => nn.conv2d(4, [3, 3, 3]), ArgumentError, 'conv2d(4)', 'kernelSize', '[3,3,3]')
    expectError(() => nn.conv1d(3, 2, { groups: 2 }), ArgumentError, 'conv1d(3)', 'multiple of groups')
    expectError(() => nn.conv2d(2, 2, { useBias: 1 as never }), ArgumentError, 'conv2d(2)', 'useBias')
  })
  it('at init: the example shape, its channels, the options and an empty output', () => {
    expectError(() => nn.conv2d(2, 3).init(random.key(0), [5, 5]), ShapeError, 'conv2d(2)', '[5,5]')
    expectError(() => nn.conv2d(2, 3, { groups: 2 }).init(random.key(0), [5, 5, 3]), ShapeError, 'conv2d(2)', '3 channels', 'groups = 2')
    expectError(() => nn.conv2d(2, 3, { strides: 0 }).init(random.key(0), [5, 5, 1]), ArgumentError, 'conv2d(2)', 'strides', '[5,5,1]')
    expectError(() => nn.conv2d(2, 7).init(random.key(0), [5, 5, 1]), ShapeError, 'conv2d(2)', 'empty output')
  })
  it('at apply: params and x', () => {
    const layer = nn.conv2d(2, 3)
    const { params } = layer.init(random.key(0), [5, 5, 1])
    expectError(() => layer.apply(params, zeros([2, 5, 5])), ShapeError, 'conv2d(2)', '[2,5,5]')
    expectError(() => layer.apply(params, zeros([2, 5, 5, 2])), ShapeError, 'conv2d(2)', 'channel mismatch')
    expectError(() => layer.apply({ w: params.w, b: zeros([3]) }, zeros([1, 5, 5, 1])), ShapeError, 'conv2d(2)', 'params.b', '[3]')
  })
})

describe('ModelSpec: conv1d and conv2d', () => {
  it('builds the same layer as the constructor (same params from the same key, same output)', () => {
    const r = nn.fromSpec({ layers: [{ type: 'conv2d', filters: 3, kernelSize: [3, 2], strides: 2, padding: 'SAME', dilation: [1, 1], groups: 1, useBias: false }] })
    if (!isRight(r)) throw r.left
    const direct = nn.sequential(nn.conv2d(3, [3, 2], { strides: 2, padding: 'SAME', useBias: false }))
    const a = r.right.init(random.key(9), [7, 6, 2])
    const b = direct.init(random.key(9), [7, 6, 2])
    expect(a.outputShape).toEqual([4, 3, 3])
    expect(toFlatArray((a.params[0] as nn.ConvParams).w)).toEqual(toFlatArray((b.params[0] as nn.ConvParams).w))
  })
  it('a conv1d with explicit padding decodes', () => {
    expect(isRight(nn.ModelSpec.decode({ layers: [{ type: 'conv1d', filters: 2, kernelSize: 3, padding: [[1, 0]] }] }))).toBe(true)
  })
  it.each([
    [{ type: 'conv2d', filters: 0, kernelSize: 3 }, 'layers.0.filters', 'positive integer'],
    [{ type: 'conv2d', filters: 2 }, 'layers.0.kernelSize', ''],
    [{ type: 'conv2d', filters: 2, kernelSize: [3, 3, 3] }, 'layers.0.kernelSize', '2 of them'],
    [{ type: 'conv1d', filters: 2, kernelSize: 3, strides: 0 }, 'layers.0.strides', 'positive integer'],
    [{ type: 'conv2d', filters: 2, kernelSize: 3, padding: 'same' }, 'layers.0.padding', "'SAME'"],
    [{ type: 'conv2d', filters: 2, kernelSize: 3, padding: [[1, 1]] }, 'layers.0.padding', '2 integer pairs'],
    [{ type: 'conv2d', filters: 2, kernelSize: 3, groups: 1.5 }, 'layers.0.groups', 'positive integer'],
    [{ type: 'conv2d', filters: 2, kernelSize: 3, kernel: 3 }, 'layers.0.kernel', 'unknown field'],
  ])('%j is a Left naming %s', (layer, path, part) => {
    const r = nn.fromSpec({ layers: [layer] })
    if (!isLeft(r)) throw new Error('expected a Left')
    expect(r.left.message).toContain(path)
    expect(r.left.message).toContain(part)
  })
  it('reshape turns flat rows into examples for a conv layer, and refuses another size naming itself', () => {
    const r = nn.fromSpec({
      layers: [
        { type: 'reshape', shape: [2, 3, 1] },
        { type: 'conv2d', filters: 1, kernelSize: 1, useBias: false },
      ],
    })
    if (!isRight(r)) throw r.left
    const { params, outputShape } = r.right.init(random.key(0), [6])
    expect(outputShape).toEqual([2, 3, 1])
    const w = (params[1] as nn.ConvParams).w
    const y = r.right.apply([{}, { w: tensor([[[[2]]]], w.dtype) }], tensor([[1, 2, 3, 4, 5, 6]]))
    expect([y.shape, toFlatArray(y)]).toEqual([
      [1, 2, 3, 1],
      [2, 4, 6, 8, 10, 12],
    ])
    expectError(() => r.right.init(random.key(0), [7]), ShapeError, 'reshape([2,3,1])', '[7]')
    const bad = nn.fromSpec({ layers: [{ type: 'reshape', shape: [2, 0] }] })
    if (!isLeft(bad)) throw new Error('expected a Left')
    expect(bad.left.message).toContain('layers.0.shape')
  })
  it('counts window·inC/groups·filters + filters parameters against maxParams', () => {
    // [28, 28, 1] → 5×5×32 (800 + 32 = 832) → [24, 24, 32] → 3×3×32/2×64 with 2 groups (9216 + 64 = 9280)
    const spec = {
      layers: [
        { type: 'conv2d', filters: 32, kernelSize: 5 },
        { type: 'conv2d', filters: 64, kernelSize: 3, groups: 2 },
      ],
    }
    const tight = nn.fromSpec(spec, { maxParams: 832 + 9280 - 1 })
    if (!isRight(tight)) throw tight.left
    expectError(() => tight.right.init(random.key(0), [28, 28, 1]), ArgumentError, '10112 parameters')
    const ok = nn.fromSpec(spec, { maxParams: 832 + 9280 })
    if (!isRight(ok)) throw ok.left
    expect(ok.right.init(random.key(0), [28, 28, 1]).outputShape).toEqual([22, 22, 64])
  })
})

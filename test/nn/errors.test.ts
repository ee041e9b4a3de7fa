/**
 * Bad input to a layer gets a PurediffError naming the layer (`dense(64)`, `maxout(2×3)`, and the
 * position inside a `sequential`) with the shapes or values it got and what it expected.
 */
import { describe, it } from 'vitest'
import * as P from '../../src/index.js'
import * as nn from '../../src/nn/index.js'
import { expectError } from '../helpers/errors.js'

const key = P.random.key(0)

describe('dense', () => {
  const layer = nn.dense(64)
  const { params } = layer.init(key, [5])
  it('a wrong input width names the layer and both widths, with the shapes', () => {
    expectError(() => layer.apply(params, P.zeros([8, 7])), P.ShapeError, /^dense\(64\): input width 7 does not match the kernel's 5/, 'x has shape [8,7]', 'the kernel [5,64]')
  })
  it('inside sequential, the position and the layer are named', () => {
    const model = nn.sequential(nn.dense(5), nn.relu(), nn.dense(10))
    const p = model.init(key, [3]).params
    const other = nn.sequential(nn.dense(4), nn.relu(), nn.dense(10)).init(key, [3]).params
    // layer 2 gets width 5 from layer 0's output but holds other's kernel [4, 10]
    expectError(
      () => model.apply([p[0], p[1], other[2]], P.zeros([2, 3])),
      P.ShapeError,
      /^sequential: layer 2 \(dense\(10\)\): dense\(10\): input width 5 does not match the kernel's 4/,
    )
    expectError(() => model.apply(p, P.zeros([2, 4])), P.ShapeError, /^sequential: layer 0 \(dense\(5\)\): dense\(5\): input width 4 does not match the kernel's 3/)
  })
  it('bad construction, init and params', () => {
    for (const u of [0, -2, 2.5, NaN]) expectError(() => nn.dense(u), P.ArgumentError, 'dense: units must be a positive integer', `number ${u}`)
    expectError(() => nn.dense('3' as never), P.ArgumentError, 'got string 3')
    expectError(() => nn.dense(2, { useBias: 1 as never }), P.ArgumentError, 'dense(2): useBias must be a boolean')
    expectError(() => nn.dense(2, { dtype: 'int8' as never }), P.DTypeError, 'dense(2)', 'int8')
    expectError(() => nn.dense(2, { kernelInit: 'glorot' as never }), P.ArgumentError, 'dense(2): kernelInit must be an initialiser')
    expectError(() => layer.init(key, []), P.ShapeError, 'dense(64): inputShape must have rank ≥ 1')
    expectError(() => layer.init(key, [2, -1]), P.ShapeError, 'dense(64): inputShape must be an array of non-negative integers', '[2,-1]')
    expectError(() => layer.init(7 as never, [3]), P.ArgumentError, 'dense(64): init needs a random key', 'number 7')
    expectError(() => layer.apply(params, P.zeros([5])), P.ShapeError, 'dense(64): x must have rank ≥ 2', '[5]')
    expectError(() => layer.apply({} as never, P.zeros([1, 5])), P.ArgumentError, 'dense(64): params.w must be a Tensor')
    expectError(() => layer.apply({ w: params.w, b: P.zeros([3]) }, P.zeros([1, 5])), P.ShapeError, 'dense(64): params.b must have shape [64]', '[3]')
    expectError(
      () => nn.dense(2, { kernelInit: (_k, s) => P.zeros([s[0]]) }).init(key, [3]),
      P.ShapeError,
      'dense(2): kernelInit returned a float32 tensor of shape [3]; expected float32 [3,2]',
    )
  })
})

describe('maxout', () => {
  it('names the layer with units×pieces; the kernel must have units·pieces columns', () => {
    const layer = nn.maxout({ units: 2, pieces: 3 })
    expectError(() => layer.apply({ w: P.zeros([4, 5]) }, P.zeros([1, 4])), P.ShapeError, 'maxout(2×3): params.w has 5 columns; expected units·pieces = 2·3 = 6')
    expectError(() => layer.apply(layer.init(key, [4]).params, P.zeros([1, 3])), P.ShapeError, /^maxout\(2×3\): input width 3 does not match the kernel's 4/)
    expectError(() => nn.maxout({ units: 2, pieces: 0 }), P.ArgumentError, 'maxout: pieces must be a positive integer, got number 0')
    expectError(() => nn.maxout(undefined as never), P.ArgumentError, 'maxout: units must be a positive integer, got undefined')
  })
})

describe('activations and prelu', () => {
  it('name the layer', () => {
    expectError(() => nn.relu().apply({}, 3 as never), P.ArgumentError, "relu: argument 'x' must be a Tensor")
    expectError(() => nn.sigmoid().apply({}, P.scalar(1)), P.ShapeError, 'sigmoid: x must have rank ≥ 1 (the batch on axis 0)')
    expectError(() => nn.leakyRelu(NaN), P.ArgumentError, 'leakyRelu: alpha must be a finite number')
    expectError(() => nn.elu('1' as never), P.ArgumentError, 'elu: alpha must be a finite number, got string 1')
    expectError(() => nn.tanh().init(key, 'x' as never), P.ShapeError, 'tanh: inputShape must be an array')
  })
  it('prelu: the slopes must match the units of x', () => {
    const layer = nn.prelu()
    const { params } = layer.init(key, [4])
    expectError(
      () => layer.apply(params, P.zeros([2, 5])),
      P.ShapeError,
      'prelu: params.alpha has shape [4] but x of shape [2,5] has 5 units on its last axis; expected alpha of shape [5]',
    )
    expectError(() => nn.prelu({ alphaInit: Infinity }), P.ArgumentError, 'prelu: alphaInit must be a finite number')
    expectError(() => nn.prelu({ dtype: 'x' as never }), P.DTypeError, 'prelu')
  })
})

describe('sequential and flatten', () => {
  it('sequential checks its layers and params', () => {
    expectError(() => nn.sequential(nn.relu(), {} as never), P.ArgumentError, 'sequential: argument 1 must be a layer { init, apply }')
    const model = nn.sequential(nn.dense(2), nn.relu())
    expectError(
      () => model.apply([{ w: P.zeros([3, 2]) }] as never, P.zeros([1, 3])),
      P.ArgumentError,
      'sequential: params must be an array of 2 entries (one per layer, as init returns), got an array of length 1',
    )
    expectError(() => model.init(key, []), P.ShapeError, /^sequential: layer 0 \(dense\(2\)\)\.init with input shape \[\]: dense\(2\): inputShape must have rank ≥ 1/)
    expectError(() => model.init(null as never, [3]), P.ArgumentError, 'sequential: init needs a random key')
    expectError(
      () => model.apply(model.init(key, [3]).params, P.zeros([1, 3]), { train: true, key: 3 as never }),
      P.ArgumentError,
      'sequential: ctx.key must be a random key or a key tensor, got number 3',
    )
  })
  it('flatten needs a batch axis', () => {
    expectError(() => nn.flatten().apply({}, P.scalar(1)), P.ShapeError, 'flatten: x must have rank ≥ 1')
  })
  it('initialisers name themselves', () => {
    expectError(() => nn.init.glorotUniform(key, [2, -1]), P.ShapeError, 'init.glorotUniform', '[2,-1]')
    expectError(() => nn.init.heNormal({} as never, [2]), P.ArgumentError, 'init.heNormal: init needs a random key')
    expectError(() => nn.init.constant(NaN), P.ArgumentError, 'init.constant: value must be a finite number')
  })
})

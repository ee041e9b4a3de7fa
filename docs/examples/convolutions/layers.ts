// The CNN layers of purediff/nn, and the same network as a JSON model spec.
import assert from 'node:assert/strict'
import { isRight } from 'fp-ts/lib/Either.js'
import { random, tree, zeros } from 'purediff'
import { type AnyLayer, avgPool2d, conv2d, dense, flatten, fromSpec, globalAvgPool, init, maxPool2d, relu, sequential } from 'purediff/nn'

const count = (params: unknown) => tree.leaves(params).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0)

// #region layers
// Each example is [height, width, channels]; init traces the shapes through the layers.
const he = { kernelInit: init.heNormal }
const layers: AnyLayer[] = [conv2d(6, 5, he), relu(), maxPool2d(2), conv2d(16, 5, he), relu(), maxPool2d(2), flatten(), dense(10)]
const shapes: number[][] = []
let shape = [28, 28, 1]
for (const layer of layers) {
  shape = layer.init(random.key(0), shape).outputShape.slice()
  shapes.push(shape)
}
// 28 −5+1→ 24 −pool→ 12 −5+1→ 8 −pool→ 4, and 4·4·16 = 256 features for the classifier
assert.deepEqual(shapes, [[24, 24, 6], [24, 24, 6], [12, 12, 6], [8, 8, 16], [8, 8, 16], [4, 4, 16], [256], [10]])
const lenet = sequential<AnyLayer[]>(...layers)
const { params } = lenet.init(random.key(0), [28, 28, 1])
// the kernels are HWIO with a bias per filter: 5·5·1·6 + 6, 5·5·6·16 + 16, then 256·10 + 10
assert.equal(count(params), 156 + 2416 + 2570)
assert.deepEqual(lenet.apply(params, zeros([32, 28, 28, 1])).shape, [32, 10])
// avgPool2d averages instead; globalAvgPool averages each channel over the whole image, so the
// classifier's input no longer depends on the image size
const head = sequential(conv2d(8, 3, { padding: 'SAME' }), relu(), avgPool2d(2), globalAvgPool(), dense(10))
assert.deepEqual(head.init(random.key(0), [28, 28, 1]).outputShape, [10])
assert.deepEqual(head.init(random.key(0), [64, 48, 1]).outputShape, [10])
// #endregion layers

// #region spec
// The same network as JSON (for `purediff train --model cnn.json`): 'reshape' turns the 784
// pixels of a data row into a [28, 28, 1] image
const json = {
  layers: [
    { type: 'reshape', shape: [28, 28, 1] },
    { type: 'conv2d', filters: 6, kernelSize: 5 },
    { type: 'relu' },
    { type: 'maxPool2d', window: 2 },
    { type: 'conv2d', filters: 16, kernelSize: 5 },
    { type: 'relu' },
    { type: 'maxPool2d', window: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 10 },
  ],
}
const model = fromSpec(json)
assert.ok(isRight(model))
const fromJson = model.right.init(random.key(0), [784])
assert.equal(count(fromJson.params), 156 + 2416 + 2570)
assert.deepEqual(model.right.apply(fromJson.params, zeros([3, 784])).shape, [3, 10])
// #endregion spec

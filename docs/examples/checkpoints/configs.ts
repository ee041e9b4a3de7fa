// Models and optimizers as JSON: fromSpec and fromConfig decode them, naming any bad field.
import assert from 'node:assert/strict'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { random, zeros } from 'purediff'
import { fromSpec } from 'purediff/nn'
import { fromConfig } from 'purediff/optim'

// #region good
const modelJson = `{
  "layers": [
    { "type": "dense", "units": 64 }, { "type": "relu" },
    { "type": "dropout", "rate": 0.5, "mode": "scaleAtTest" },
    { "type": "dense", "units": 10 }
  ]
}`
const optimizerJson = `{ "chain": [{ "name": "clipByGlobalNorm", "max": 1 }, { "name": "adam", "learningRate": 0.001 }] }`
const model = fromSpec(modelJson)
const optimizer = fromConfig(optimizerJson)
assert.ok(isRight(model) && isRight(optimizer))
const { params, outputShape } = model.right.init(random.key(0), [784])
assert.deepEqual(outputShape, [10])
assert.deepEqual(model.right.apply(params, zeros([2, 784])).shape, [2, 10])
const optState = optimizer.right.init(params)
assert.ok(optState !== undefined)
// #endregion good

// #region bad
// Every error says where: the path into the JSON, what was expected, and what was there.
const badRate = fromSpec({
  layers: [
    { type: 'dense', units: 64 },
    { type: 'dropout', rate: 1.5 },
  ],
})
assert.ok(isLeft(badRate) && badRate.left.message.includes('layers.1.rate'))
const typo = fromConfig({ chain: [{ name: 'adam', learningRat: 0.001 }] })
assert.ok(isLeft(typo) && typo.left.message.includes('learningRat'))
const notJson = fromConfig('{ "chain": [')
assert.ok(isLeft(notJson))
// #endregion bad

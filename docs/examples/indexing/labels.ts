// Integer class labels: the loss, accuracy and random integers, with no one-hot in sight.
import assert from 'node:assert/strict'
import { grad, item, oneHot, random, tensor, toArray, toFlatArray } from 'purediff'
import { accuracy, losses } from 'purediff/nn'

// #region labels
const logits = tensor(
  [
    [2, 0, -1],
    [0.5, 1.5, 0],
  ],
  'float64',
)
const labels = tensor([0, 2], 'int32') // one class index per row
// −log softmax(z)[label], averaged over rows: the same number as the one-hot form
const l = losses.softmaxCrossEntropyWithIntegerLabels(logits, labels)
assert.equal(item(l), item(losses.softmaxCrossEntropy(logits, oneHot(labels, 3, 'float64'))))
// its gradient is (softmax(z) − onehot(label)) / rows, and only the logits get one
const g = toArray(grad((z: typeof logits) => losses.softmaxCrossEntropyWithIntegerLabels(z, labels))(logits)) as number[][]
assert.ok(g[0][0] < 0 && g[0][1] > 0 && g[1][2] < 0)
// accuracy takes integer labels as well as one-hot rows
assert.equal(accuracy(logits, labels), 0.5)
// #endregion labels

// #region randint
// uniform integers on [min, max), int32, from a key like every draw
const ids = random.randint(random.key(7), [2, 4], { min: 0, max: 10 })
assert.equal(ids.dtype, 'int32')
assert.ok(toFlatArray(ids).every((v) => Number.isInteger(v) && v >= 0 && v < 10))
// #endregion randint

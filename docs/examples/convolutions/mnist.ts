/**
 * A small CNN trained on 2,000 real MNIST digits for one epoch (a few seconds): its learned
 * first-layer filters, the feature maps of one test digit, and the test accuracy as it trains.
 */
import { imagesSpec, lineSpec, type Point } from '../plot.js'

// #region data
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { type Tensor, fromArray, random, slice, toArray } from 'purediff'
import { conv2d, dense, flatten, init, losses, maxPool2d, relu, sequential } from 'purediff/nn'
import { adam } from 'purediff/optim'
import { evaluate, fit } from 'purediff/train'

// The `mnist` package holds 10,000 digits, about 1,000 per class: digit d's i-th image is
// mnist[d].get(i), 784 pixels in [0, 1], row by row.
const mnist = createRequire(import.meta.url)('mnist') as { length: number; get: (i: number) => number[] }[]
const all = mnist.flatMap((digit, label) => Array.from({ length: digit.length }, (_, i) => ({ pixels: digit.get(i), label })))
// a seeded shuffle, then 2,000 digits to train on and 300 to test on, as [n, 28, 28, 1] images
const order = random.permutation(random.key(0), all.length)
const take = (from: number, n: number) => {
  const rows = order.slice(from, from + n).map((i) => all[i])
  return {
    x: fromArray(
      rows.flatMap((r) => r.pixels),
      [n, 28, 28, 1],
    ),
    y: fromArray(
      rows.map((r) => r.label),
      [n],
      'int32',
    ),
  }
}
const train = take(0, 2000)
const test = take(2000, 300)
// #endregion data

// #region train
// conv 5×5 with 8 filters → ReLU → 2×2 max pooling → dense: 8·(5·5·1 + 1) + 12·12·8·10 + 10 parameters
const firstConv = conv2d(8, 5, { kernelInit: init.heNormal })
const model = sequential(firstConv, relu(), maxPool2d(2), flatten(), dense(10))
const loss = losses.softmaxCrossEntropyWithIntegerLabels
const initial = model.init(random.key(1), [28, 28, 1]).params
const curve: Point[] = [{ series: 'test accuracy', x: 0, y: evaluate(model, initial, test, loss).accuracy }]
const run = fit({
  model,
  params: initial,
  optimizer: adam(0.01),
  loss,
  train,
  epochs: 1,
  batchSize: 50,
  key: random.key(2),
  // every 5 updates, the accuracy on the 300 test digits
  onBatch: ({ epoch, batch, batches, state }) => {
    const step = epoch * batches + batch + 1
    if (step % 5 === 0) curve.push({ series: 'test accuracy', x: step, y: evaluate(model, state.params, test, loss).accuracy })
  },
})
const accuracy = evaluate(model, run.params, test, loss).accuracy
// from chance (about 0.1) to most digits right within 40 updates
assert.ok(curve[0].y < 0.3)
assert.ok(accuracy > 0.85, `test accuracy ${accuracy}`)
// #endregion train

// #region filters
// the kernel is HWIO [5, 5, 1, 8]: filter f is w[:, :, 0, f], a 5×5 image
const filters = (w: Tensor) => {
  const k = toArray(w) as number[][][][]
  return Array.from({ length: 8 }, (_, f) => k.map((row) => row.map((cell) => cell[0][f])))
}
const before = filters(initial[0].w)
const after = filters(run.params[0].w)
// what training added to each filter
const change = after.map((p, f) => p.map((row, i) => row.map((v, j) => v - before[f][i][j])))
// The change is smooth: neighbouring weights (left–right and up–down) move together, with a
// correlation well above 0 in every filter; in the random start they are unrelated.
const neighbourCorrelation = (p: number[][]) => {
  const pairs = p.flatMap((row, i) => [...row.slice(1).map((v, j) => [row[j], v]), ...(i + 1 < p.length ? row.map((v, j) => [v, p[i + 1][j]]) : [])])
  const mean = pairs.flat().reduce((a, v) => a + v, 0) / (2 * pairs.length)
  const cov = pairs.reduce((a, [u, v]) => a + (u - mean) * (v - mean), 0)
  const variance = pairs.reduce((a, [u, v]) => a + ((u - mean) ** 2 + (v - mean) ** 2) / 2, 0)
  return cov / variance
}
assert.ok(change.every((p) => neighbourCorrelation(p) > 0.3))
assert.ok(Math.abs(before.reduce((a, p) => a + neighbourCorrelation(p), 0) / 8) < 0.2)
// #endregion filters

// #region maps
// the first test digit that is a 2, through the first convolution and its ReLU: 8 maps of 24 × 24
const which = (toArray(test.y) as number[]).indexOf(2)
const digit = slice(test.x, [which, 0, 0, 0], [1, 28, 28, 1])
const maps = toArray(relu().apply({}, firstConv.apply(run.params[0], digit))) as number[][][][]
const map = (f: number) => maps[0].map((row) => row.map((cell) => cell[f]))
assert.equal(maps[0].length, 24)
// #endregion maps

export const plots = {
  filters: imagesSpec(
    'first-layer filters (5×5): at initialisation, after one epoch, and the change',
    [
      ...before.map((p, f) => ({ name: `init ${f + 1}`, pixels: p })),
      ...after.map((p, f) => ({ name: `trained ${f + 1}`, pixels: p })),
      ...change.map((p, f) => ({ name: `change ${f + 1}`, pixels: p })),
    ],
    { columns: 8, cell: 9 },
  ),
  maps: imagesSpec(
    'one test digit and its 8 feature maps after the first convolution and ReLU (dark = high)',
    [
      { name: 'digit', pixels: (toArray(digit) as number[][][][])[0].map((row) => row.map((c) => c[0])) },
      ...Array.from({ length: 8 }, (_, f) => ({ name: `map ${f + 1}`, pixels: map(f) })),
    ],
    { columns: 9, cell: 3 },
  ),
  accuracy: lineSpec('test accuracy (300 digits) while training on 2,000', 'update (batch of 50)', 'test accuracy', curve),
}

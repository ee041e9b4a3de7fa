/**
 * Why (1 − p): dropout trains 2ⁿ thinned networks that share their weights, and at test time we
 * want their average. Enumerate every mask of a network linear in the dropped units, weight
 * each by its probability, and compare with the test-time network: they agree exactly.
 */

// #region lecture
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { type Tensor, matmul, random, tensor, toFlatArray } from 'purediff'
import { type DropoutMode, dense, dropout, dropoutWithMask, relu } from 'purediff/nn'
import { compareAllMasks, dropoutLaws } from 'purediff/laws'

// The lecture's example: p = ½ and one neuron z = w₁x₁ + w₂x₂. The four masks give
// w₁x₁ + w₂x₂, w₂x₂, w₁x₁ and 0; their average is ½w₁x₁ + ½w₂x₂: the weights times (1 − p).
const w = tensor([[3], [5]], 'float64')
const x2 = tensor([[1, 2]], 'float64')
const outputs = [
  [1, 1],
  [0, 1],
  [1, 0],
  [0, 0],
].map((m) => toFlatArray(matmul(dropoutWithMask(x2, tensor([m], 'float64'), 0.5, 'scaleAtTest'), w))[0])
assert.deepEqual(outputs, [13, 10, 3, 0])
assert.equal(outputs.reduce((a, b) => a + b) / 4, 0.5 * 3 * 1 + 0.5 * 5 * 2) // 6.5
// #endregion lecture

// #region enumerate
// n = 10 droppable inputs, p = 0.3, then a dense layer 10 → 3 (float64). Mask m keeps unit i
// when bit i of m is set; its probability is p^(dropped)·(1 − p)^(kept).
const n = 10,
  p = 0.3
const [kx, kInit] = random.split(random.key(0))
const x = random.normal(kx, [1, n], { dtype: 'float64' })
const layer = dense(3, { dtype: 'float64' })
const { params } = layer.init(kInit, [n])
const net = (u: Tensor) => layer.apply(params, u)

const allMasksAverage = (mode: DropoutMode, rate: number, weighted = true): number[] => {
  const avg = [0, 0, 0]
  let total = 0
  for (let m = 0; m < 2 ** n; m++) {
    const bits = Array.from({ length: n }, (_, i) => (m >> i) & 1)
    const keptCount = bits.reduce((a, b) => a + b, 0)
    const prob = weighted ? rate ** (n - keptCount) * (1 - rate) ** keptCount : 2 ** -n
    toFlatArray(net(dropoutWithMask(x, tensor([bits], 'float64'), rate, mode))).forEach((v, k) => {
      avg[k] += prob * v
    })
    total += prob
  }
  assert.ok(Math.abs(total - 1) < 1e-12) // the probabilities of all 2ⁿ masks sum to 1
  return avg
}
const testTime = (mode: DropoutMode, rate: number) => toFlatArray(net(dropout(rate, { mode }).apply({}, x)))
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])))

for (const mode of ['scaleAtTest', 'inverted'] as const) {
  // E[x·m] = x·(1 − p) and E[x·m/(1 − p)] = x, and the affine layer commutes with the average:
  assert.ok(maxDiff(allMasksAverage(mode, p), testTime(mode, p)) < 1e-12, mode)
}
// An unweighted average of the 2ⁿ networks matches only at p = ½:
assert.ok(maxDiff(allMasksAverage('scaleAtTest', 0.5, false), testTime('scaleAtTest', 0.5)) < 1e-12)
assert.ok(maxDiff(allMasksAverage('scaleAtTest', p, false), testTime('scaleAtTest', p)) > 1e-2)
// #endregion enumerate

// #region nonlinear
// With a ReLU between two layers the network is no longer linear in the dropped units, and the
// equality fails. The laws module enumerates the masks for us (compareAllMasks):
const hidden = dense(8, { dtype: 'float64' }),
  out = dense(3, { dtype: 'float64' })
const [k1, k2] = random.split(random.key(1))
const h = hidden.init(k1, [n]).params,
  o = out.init(k2, [8]).params
const linear = compareAllMasks((u) => out.apply(o, hidden.apply(h, u)), x, p, 'inverted')
const withRelu = compareAllMasks((u) => out.apply(o, relu().apply({}, hidden.apply(h, u))), x, p, 'inverted')
assert.equal(linear.masks, 1024)
assert.ok(linear.maxDeviation < 1e-12) // dense → dense is still linear: exact
assert.ok(withRelu.maxDeviation > 1e-3) // dense → ReLU → dense: only an approximation
// #endregion nonlinear

// #region laws
// The same facts as property tests over random networks, rates and both modes (purediff/laws):
for (const [name, property] of Object.entries(dropoutLaws({ maxUnits: 6 }))) {
  const result = fc.check(property, { numRuns: 20 })
  assert.ok(!result.failed, `${name}: ${fc.defaultReportMessage(result)}`)
}
// #endregion laws

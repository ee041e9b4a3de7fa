// vmap: write the function of one example, get the batched one — per-example gradients, DP-SGD's clipping, Jacobians.
import assert from 'node:assert/strict'
import { dot, expandDims, grad, jacfwd, jacrev, mul, random, sin, take, tensor, toArray, toFlatArray, vmap } from 'purediff'
import { dense, losses, relu, sequential } from 'purediff/nn'
import { applyUpdates, chain, perExampleClip, sgd } from 'purediff/optim'
import { diagnose, gradientNormSpread } from 'purediff/train'

// #region basics
const xs = tensor([
  [1, 2],
  [3, 4],
  [5, 6],
])
// the function of ONE example (a vector), run once on the whole batch
const sq = vmap((x: typeof xs) => dot(x, x))(xs)
assert.deepEqual(toFlatArray(sq), [5, 25, 61])
// inAxes: where each argument's batch axis is (null: the same for every example); here the
// examples are the COLUMNS of xs, each scaled by v, and outAxes puts them back as columns
const v = tensor([10, 100, 1000])
assert.deepEqual(toArray(vmap((x: typeof xs, s: typeof v) => mul(x, s), { inAxes: [1, null], outAxes: 1 })(xs, v)), [
  [10, 20],
  [300, 400],
  [5000, 6000],
])
// #endregion basics

// #region perExample
const model = sequential(dense(16), relu(), dense(3))
const { params } = model.init(random.key(0), [4])
const X = random.normal(random.key(1), [8, 4])
const Y = tensor([0, 1, 2, 0, 1, 2, 0, 1], 'int32')
// the loss of one example: x of shape [4], y a class index
const loss = (p: typeof params, x: typeof X, y: typeof Y) => losses.softmaxCrossEntropyWithIntegerLabels(model.apply(p, expandDims(x, 0)), expandDims(y, 0))
// per-example gradients in one call: every leaf gets a leading batch axis of 8
const perExample = vmap(grad(loss), { inAxes: [null, 0, 0] })(params, X, Y)
const first = perExample[0] as { w: typeof X }
assert.deepEqual(first.w.shape, [8, 4, 16])
// the same as one grad per example
const g3 = grad(loss)(params, take(X, 3), take(Y, 3))
const row3 = toFlatArray(take(first.w, 3))
for (const [i, v] of toFlatArray((g3[0] as { w: typeof X }).w).entries()) assert.ok(Math.abs(v - row3[i]) <= 1e-6 * Math.max(1, Math.abs(v)))
// how far apart the examples pull: per layer, the spread of their gradient norms
const spread = gradientNormSpread(perExample as unknown[])
assert.equal(spread[0].norms.length, 8)
assert.ok(spread[0].min <= spread[0].median && spread[0].median <= spread[0].max)
// #endregion perExample

// #region diagnose
// a batch with an outlier: example 5 blown up 50× and given a wrong label (a corrupted row)
const Xo = mul(X, tensor([[1], [1], [1], [1], [1], [50], [1], [1]]))
const Yo = tensor([0, 1, 2, 0, 1, 0, 0, 1], 'int32')
const outliers = gradientNormSpread(vmap(grad(loss), { inAxes: [null, 0, 0] })(params, Xo, Yo) as unknown[])
// the history of a run (from fit): good on the training and on the validation data
const history = { trainLoss: [0.3], trainAccuracy: [0.95], validationLoss: [0.35], validationAccuracy: [0.93] }
const d = diagnose(history, { gradientSpread: outliers })
assert.equal(d.problem, 'none') // the spread never changes the recipe's verdict…
assert.equal(d.evidence.gradientSpread?.[0].maxExample, 5) // …it reports, per layer, min, median, max, max/median
assert.ok(d.advice.some((a) => a.startsWith('a few examples dominate') && a.includes('inspect example 5 ')))
// the clean batch: max/median below 10 in every layer, nothing to add
assert.deepEqual(diagnose(history, { gradientSpread: spread }).advice, [])
// #endregion diagnose

// #region dpsgd
// DP-SGD's clipping: each example's gradient clipped to norm 1, then averaged, then SGD
const opt = chain(perExampleClip(1), sgd(0.1))
const [updates] = opt.update(perExample, opt.init(params))
const next = applyUpdates(params, updates)
assert.deepEqual((next[0] as { w: typeof X }).w.shape, [4, 16])
// #endregion dpsgd

// #region jacobians
// jacrev: one vjp, its pullback vmapped over the output basis; jacfwd: a jvp vmapped over the input basis
const f = (x: typeof xs) => mul(sin(x), tensor([2, 3]))
const J1 = toArray(jacrev(f)(tensor([0, 0])))
const J2 = toArray(jacfwd(f)(tensor([0, 0])))
assert.deepEqual(J1, [
  [2, 0],
  [0, 3],
])
assert.deepEqual(J2, J1)
// #endregion jacobians

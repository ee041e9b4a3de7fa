/**
 * Dropout's two forms: 'inverted' (scale by 1/(1 − p) while training, nothing at test time) and
 * the lecture's 'scaleAtTest' (drop while training, multiply by (1 − p) at test time, which is
 * the same as multiplying the next layer's weights by (1 − p)).
 */

// #region modes
import assert from 'node:assert/strict'
import { matmul, mul, ones, random, tensor, toFlatArray } from 'purediff'
import { dropout } from 'purediff/nn'

const p = 0.25 // the probability of DROPPING a unit
const x = tensor([[2, 4, 6, 8, 10, 12, 14, 16]], 'float64')
const inverted = dropout(p) // mode 'inverted' is the default, as in PyTorch and Keras
const lecture = dropout(p, { mode: 'scaleAtTest' })

// Training: a fresh key per mini-batch draws a fresh mask m ~ Bernoulli(1 − p) per unit.
const ctx = { train: true, key: random.key(42) }
const yInv = toFlatArray(inverted.apply({}, x, ctx))
const yLec = toFlatArray(lecture.apply({}, x, ctx))
const xs = toFlatArray(x)
const kept = yLec.map((v) => (v === 0 ? 0 : 1)) // the mask (no x is 0 here)
// 'scaleAtTest' trains on x·m; 'inverted' on x·m/(1 − p). The same key gives the same mask.
assert.deepEqual(
  yLec,
  xs.map((v, i) => v * kept[i]),
)
assert.deepEqual(
  yInv,
  xs.map((v, i) => (v * kept[i]) / (1 - p)),
)
// Each unit is kept with probability 1 − p: over 10,000 units, about 7,500 (± 3.5 std devs).
const big = toFlatArray(lecture.apply({}, ones([1, 10_000]), { train: true, key: random.key(7) }))
const keptShare = big.filter((v) => v === 1).length / big.length
assert.ok(Math.abs(keptShare - (1 - p)) < 3.5 * Math.sqrt((p * (1 - p)) / 10_000))

// Testing: no dropout. 'inverted' passes x through; 'scaleAtTest' multiplies by 1 − p.
assert.deepEqual(toFlatArray(inverted.apply({}, x)), xs)
assert.deepEqual(
  toFlatArray(lecture.apply({}, x)),
  xs.map((v) => v * (1 - p)),
)
// #endregion modes

// #region weights
// Scaling the activations by (1 − p) before a dense layer is scaling its weights by (1 − p):
// (x·(1 − p))·W = x·((1 − p)·W). Both forms give the same test-time network once trained
// weights are rescaled: W_inverted = (1 − p)·W_lecture.
const W = tensor(
  [
    [1, -1],
    [0.5, 2],
    [0, 1],
    [3, 0],
    [-2, 1],
    [1, 1],
    [0.25, -0.5],
    [1, 0],
  ],
  'float64',
)
const viaActivations = toFlatArray(matmul(lecture.apply({}, x), W))
const viaWeights = toFlatArray(matmul(x, mul(W, 1 - p)))
assert.deepEqual(viaActivations, viaWeights)
// #endregion weights

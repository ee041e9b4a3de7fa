// conv and pooling, by hand: layouts, padding, strides, dilation, groups, transposed convolution.
import assert from 'node:assert/strict'
import { avgPool, conv, matmul, maxPool, random, reshape, sum, tensor, toArray, toFlatArray, vjp } from 'purediff'

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  assert.equal(a.length, b.length)
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${a[i]} vs ${b[i]} at ${i}`)
}

// #region basics
// x: [batch, height, width, channels] — one 3×3 image, one channel
const x = tensor([
  [
    [[1], [2], [3]],
    [[4], [5], [6]],
    [[7], [8], [9]],
  ],
])
// the kernel is HWIO: [kernelHeight, kernelWidth, inChannels, outChannels]; here one 2×2 filter
// with w[0, 0] = w[1, 1] = 1, so y[i, j] = x[i, j] + x[i + 1, j + 1]
const w = tensor([
  [[[1]], [[0]]],
  [[[0]], [[1]]],
])
// 'VALID' (the default): only windows inside the image, 3 − 2 + 1 = 2 per axis
const valid = conv(x, w)
assert.deepEqual(valid.shape, [1, 2, 2, 1])
assert.deepEqual(toFlatArray(valid), [1 + 5, 2 + 6, 4 + 8, 5 + 9])
// 'SAME': zero padding so that the output keeps ⌈3 / stride⌉ = 3 positions per axis; the one
// padding row and column go on the high side (as in TensorFlow)
assert.deepEqual(toFlatArray(conv(x, w, { padding: 'SAME' })), [6, 8, 3, 12, 14, 6, 7, 8, 9])
// strides 2: every other window, ⌈3 / 2⌉ = 2 per axis with 'SAME'
assert.deepEqual(toFlatArray(conv(x, w, { strides: 2, padding: 'SAME' })), [6, 3, 7, 9])
// explicit padding: one [low, high] pair per spatial axis
assert.deepEqual(
  conv(x, w, {
    padding: [
      [1, 1],
      [0, 0],
    ],
  }).shape,
  [1, 4, 2, 1],
)
// #endregion basics

// #region channels
// With C input channels a filter is a [kh, kw, C] block, and F filters give F output channels: a
// 1×1 convolution is a dense layer applied at every pixel
const images = random.normal(random.key(0), [2, 5, 5, 3])
const k = random.normal(random.key(1), [1, 1, 3, 4])
const perPixel = reshape(matmul(reshape(images, [50, 3]), reshape(k, [3, 4])), [2, 5, 5, 4])
close(toFlatArray(conv(images, k)), toFlatArray(perPixel))
// #endregion channels

// #region dilation
// 1-D (x: [batch, width, channels]); kernel dilation 2 spreads the window [1, 1] over every
// other input: y[i] = x[i] + x[i + 2]
const signal = tensor([[[1], [2], [3], [4], [5]]])
assert.deepEqual(toFlatArray(conv(signal, tensor([[[1]], [[1]]]), { dilation: 2 })), [1 + 3, 2 + 4, 3 + 5])
// #endregion dilation

// #region groups
// groups = in-channels is a depthwise convolution: each channel has its own filters and never
// mixes with the others. Two channels, c₀ = [1, 2, 3] and c₁ = [10, 20, 30]; the kernel is
// [window 2, inC / groups = 1, 2 filters]: filter 0 (a sum [1, 1]) sees c₀ only, filter 1 (a
// difference [−1, 1]) c₁ only
const two = tensor([
  [
    [1, 10],
    [2, 20],
    [3, 30],
  ],
])
const depthwise = tensor([[[1, -1]], [[1, 1]]])
assert.deepEqual(toArray(conv(two, depthwise, { groups: 2 })), [
  [
    [1 + 2, 20 - 10],
    [2 + 3, 30 - 20],
  ],
])
// #endregion groups

// #region transposed
// lhsDilation 2 puts a zero between neighbouring inputs, [1, 2, 3] → [1, 0, 2, 0, 3]; with the
// window [1, 1] and one zero of padding on each side, the output [1, 1, 2, 2, 3, 3] is the input
// upsampled 2×: a transposed convolution
const small = tensor([[[1], [2], [3]]])
const box = tensor([[[1]], [[1]]])
const up = conv(small, box, { lhsDilation: 2, padding: [[1, 1]] })
assert.deepEqual(toFlatArray(up), [1, 1, 2, 2, 3, 3])
// It is the transpose (the vjp) of the strided convolution that sums pairs, z ↦ [z₀ + z₁, z₂ + z₃, z₄ + z₅]
const [pairs, back] = vjp((z) => conv(z, box, { strides: 2 }), tensor([[[0], [0], [0], [0], [0], [0]]]))
assert.deepEqual(pairs.shape, [1, 3, 1])
assert.deepEqual(toFlatArray(back(small)), toFlatArray(up))
// #endregion transposed

// #region pooling
// the 4×4 image 1…16, one channel, pooled over 2×2 windows (strides default to the window)
const grid = reshape(tensor(Array.from({ length: 16 }, (_, i) => i + 1)), [1, 4, 4, 1])
assert.deepEqual(toFlatArray(maxPool(grid, 2)), [6, 8, 14, 16])
assert.deepEqual(toFlatArray(avgPool(grid, 2)), [(1 + 2 + 5 + 6) / 4, (3 + 4 + 7 + 8) / 4, (9 + 10 + 13 + 14) / 4, (11 + 12 + 15 + 16) / 4])
// 'SAME' average pooling divides by the number of elements a window covers, not its size:
// windows [1, 2], [2, 3] and [3] give 1.5, 2.5 and 3
assert.deepEqual(toFlatArray(avgPool(tensor([[[1], [2], [3]]]), 2, { strides: 1, padding: 'SAME' })), [1.5, 2.5, 3])
// the gradient of maxPool goes to each window's maximum (the first one if several tie)
const [, pull] = vjp((g) => sum(maxPool(g, 2)), grid)
assert.deepEqual(toFlatArray(pull(tensor(1))), [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1])
// #endregion pooling

/**
 * vmap of the primitives the op registry reaches only through a transform or a layer: the fused
 * derivative kernels (through grad, vjp and second derivatives of every activation), `affine`
 * (dense, and dense + relu fused by sequential), `maskScale` (dropout), the fused losses and
 * stopGradient. The property is the registry's: vmap(f)(stacked) equals stacking f over the
 * examples (test/helpers/vmapStack.ts), with each argument batched along a random axis or not at
 * all, and the result's batch axis first or last.
 */
import fc from 'fast-check'
import { describe, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import * as nn from '../../src/nn/index.js'
import { tensorOf } from '../specs/ops.js'
import { batchedSubsets, close, float, labels, mask, property } from '../helpers/vmapStack.js'

// --- activations through their fused derivatives

const ACTIVATIONS: readonly (readonly [string, (x: Tensor) => Tensor])[] = [
  ['relu', P.relu],
  ['sigmoid', P.sigmoid],
  ['tanh', P.tanh],
  ['softplus', P.softplus],
  ['leakyRelu', (x) => P.leakyRelu(x, 0.2)],
  ['elu', (x) => P.elu(x, 0.5)],
  ['erf', P.erf],
  ['gelu', (x) => P.gelu(x)],
  ['gelu (tanh)', (x) => P.gelu(x, { approximate: true })],
  ['silu', P.silu],
]

describe('vmap through the fused derivative of each activation', () => {
  for (const [name, act] of ACTIVATIONS) {
    // the cotangent reaching act is x (batched, at its own axis) and act's input is x·w
    const f = (x: Tensor, w: Tensor) => P.sum(P.mul(act(P.mul(x, w)), x))
    it(`${name}: vmap(grad(f)), the cotangent and the input batched or not`, () => {
      property([float([2, 3]), float([3])], P.grad(f))
    })
    it(`${name}: the pullback at one x over a batch of cotangents, and at a batch of x`, () => {
      property([float([2, 3]), float([2, 3])], (ct, x) => P.vjp(act, x)[1](ct))
    })
    it(`${name}: vmap of a second derivative (the fused kernels' own rules, batched)`, () => {
      property(
        [float([2, 3]), float([3])],
        P.grad((x: Tensor, w: Tensor) => P.sum(P.mul(P.grad(f)(x, w), x))),
        8,
      )
    })
  }
  it('prelu: vmap(grad) in x and in the slopes, each batched or not', () => {
    property([float([2, 3]), float([3])], (x, a) => P.grad((t: Tensor) => P.sum(P.mul(P.prelu(t, a), t)))(x))
    property(
      [float([3]), float([2, 3])],
      P.grad((a: Tensor, x: Tensor) => P.sum(P.mul(P.prelu(x, a), x))),
    )
  })
})

// --- dense (affine), dropout (maskScale), losses

const KEY = P.random.key(7)

describe('vmap of dense (the affine primitive)', () => {
  const layer = nn.dense(4, { dtype: 'float64' })
  const fusedRelu = nn.sequential(nn.dense(4, { dtype: 'float64' }), nn.relu())
  // every subset of (W, b, x) batched: each takes its own path (x alone folds into the rows, W
  // alone into the columns, a batched b is added after the kernel, x and W: a batched product)
  for (const which of batchedSubsets(3)) {
    const name = ['W', 'b', 'x'].filter((_, i) => which[i]).join(', ')
    it(`dense and dense + relu (fused), ${name} batched`, () => {
      property([float([3, 4]), float([4]), float([2, 3])], (w, b, x) => layer.apply({ w, b }, x), 6, which)
      property([float([3, 4]), float([4]), float([2, 3])], (w, b, x) => fusedRelu.apply([{ w, b }, {}], x), 6, which)
    })
  }
  it('without a bias, one row per example', () => {
    for (const which of batchedSubsets(2)) property([float([3, 4]), float([1, 3])], (w, x) => layer.apply({ w }, x), 6, which)
  })
  it('vmap of jvp (the affine forward rule, batched): tangents of x and W, each batched or not', () => {
    property([float([3, 4]), float([4]), float([2, 3]), float([2, 3]), float([3, 4])], (w, b, x, dx, dw) =>
      P.jvp((u: Tensor, v: Tensor) => fusedRelu.apply([{ w: v, b }, {}], u), [x, w], [dx, dw]),
    )
  })
  it('vmap(grad) and grad of a sum of vmap: per-example gradients of the parameters', () => {
    const f = (w: Tensor, b: Tensor, x: Tensor) => P.sum(P.square(fusedRelu.apply([{ w, b }, {}], x)))
    property([float([2, 3]), float([3, 4]), float([4])], (x, w, b) => P.grad(([w1, b1]: Tensor[]) => f(w1, b1, x))([w, b]))
    // Σ over the batch of f: its gradient in the shared W is the sum of the per-example ones
    fc.assert(
      fc.property(fc.array(tensorOf([2, 3]), { minLength: 1, maxLength: 3 }), tensorOf([3, 4]), tensorOf([4]), (xs, w, b) => {
        const total = P.grad((v: Tensor) => P.sum(P.vmap((x: Tensor) => f(v, b, x))(P.stack(xs))))(w)
        close(
          total,
          xs.map((x) => P.grad((v: Tensor) => f(v, b, x))(w)).reduce((s, g) => P.add(s, g)),
        )
      }),
      { numRuns: 10 },
    )
  })
})

describe('vmap of dropout (the maskScale primitive)', () => {
  it('dropoutWithMask: x and the mask each batched or not, and vmap(grad)', () => {
    property([float([2, 3]), mask([2, 3])], (x, m) => nn.dropoutWithMask(x, m, 0.25))
    property([float([2, 3]), mask([2, 3])], (x, m) => P.grad((t: Tensor) => P.sum(P.square(nn.dropoutWithMask(t, m, 0.25))))(x))
  })
  it('the dropout layer with one fixed key: one mask for every example', () => {
    const drop = nn.dropout(0.5)
    property([float([2, 3])], (x) => drop.apply({}, x, { train: true, key: KEY }))
  })
})

describe('vmap of the fused losses', () => {
  it('softmaxCrossEntropy (logSoftmaxDot): logits and labels batched or not, value and gradient', () => {
    property([float([2, 3]), float([2, 3], 'positive')], (z, y) => nn.losses.softmaxCrossEntropy(z, y))
    property([float([3]), float([3], 'positive')], (z, y) => nn.losses.softmaxCrossEntropy(z, y))
    property(
      [float([2, 3]), float([2, 3], 'positive')],
      P.grad((z: Tensor, y: Tensor) => nn.losses.softmaxCrossEntropy(z, y)),
    )
  })
  it('softmaxCrossEntropyWithIntegerLabels: int32 labels batched or not, value and gradient', () => {
    property([float([2, 3]), labels([2], 3)], (z, l) => nn.losses.softmaxCrossEntropyWithIntegerLabels(z, l))
    property([float([3]), labels([], 3)], (z, l) => nn.losses.softmaxCrossEntropyWithIntegerLabels(z, l))
    property(
      [float([2, 2, 3]), labels([2, 2], 3)],
      P.grad((z: Tensor, l: Tensor) => nn.losses.softmaxCrossEntropyWithIntegerLabels(z, l)),
    )
  })
  it('per-example gradients of a small MLP for both losses (vmap(grad(loss)), parameters unbatched)', () => {
    const mlp = nn.sequential(nn.dense(4, { dtype: 'float64' }), nn.relu(), nn.dense(3, { dtype: 'float64' }))
    const { params } = mlp.init(P.random.key(1), [3])
    const byLabel = (x: Tensor, l: Tensor) => P.grad((p: typeof params) => nn.losses.softmaxCrossEntropyWithIntegerLabels(mlp.apply(p, x), l))(params)
    const byDist = (x: Tensor, y: Tensor) => P.grad((p: typeof params) => nn.losses.softmaxCrossEntropy(mlp.apply(p, x), y))(params)
    property([float([1, 3]), labels([1], 3)], byLabel, 8)
    property([float([1, 3]), float([1, 3], 'positive')], byDist, 8)
  })
})

// --- nested

describe('vmap(vmap(f)) through the fused primitives (the rules run on an outer batch trace)', () => {
  const fusedRelu = nn.sequential(nn.dense(4, { dtype: 'float64' }), nn.relu())
  const { params } = fusedRelu.init(P.random.key(3), [3])
  // per example: a [2, 3] input and its [2] int labels; one loss through affine, reluGrad and the fused loss
  const f = (x: Tensor, l: Tensor) => P.grad((t: Tensor) => nn.losses.softmaxCrossEntropyWithIntegerLabels(P.gelu(fusedRelu.apply(params, t)), l))(x)
  it('equals f on every example of a [3, 2] grid of examples (inner batch axis 1, outer 0)', () => {
    fc.assert(
      fc.property(fc.array(tensorOf([2, 3]), { minLength: 6, maxLength: 6 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 12 }), (xs, ls) => {
        const labelsOf = (e: number) => P.tensor(ls.slice(2 * e, 2 * e + 2), 'int32')
        // example (i, j) is number 2i + j: x is [3 (i), 2 (rows), 2 (j), 3], so the inner vmap finds j
        // on axis 1 of an outer example; the labels are [3 (i), 2 (j), 2]
        const x = P.stack([0, 1, 2].map((i) => P.stack([xs[2 * i], xs[2 * i + 1]], 1)))
        const l = P.stack([0, 1, 2].map((i) => P.stack([labelsOf(2 * i), labelsOf(2 * i + 1)])))
        const got = P.vmap(P.vmap(f, { inAxes: [1, 0] }))(x, l)
        const want = P.stack([0, 1, 2].map((i) => P.stack([f(xs[2 * i], labelsOf(2 * i)), f(xs[2 * i + 1], labelsOf(2 * i + 1))])))
        close(got, want)
      }),
      { numRuns: 8 },
    )
  })
})

// --- stopGradient

describe('vmap of stopGradient', () => {
  it('keeps the batch: stacking, and the gradient of x·sg(x) is sg(x) = x under vmap in either order', () => {
    property([float([2, 3])], (x) => P.mul(x, P.stopGradient(x)))
    fc.assert(
      fc.property(tensorOf([3, 2]), (xs) => {
        const f = (x: Tensor) => P.mul(x, P.stopGradient(x))
        // d/dx Σ x·sg(x) = sg(x) = x (closed form), per example and for the whole batch
        close(P.grad((t: Tensor) => P.sum(P.vmap(f)(t)))(xs), xs)
        close(
          P.vmap(
            P.grad((x: Tensor) => P.sum(f(x))),
            { inAxes: 1, outAxes: 1 },
          )(xs),
          xs,
        )
      }),
      { numRuns: 10 },
    )
  })
})

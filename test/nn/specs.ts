/**
 * ONE row per layer configuration under test: the layer, the shape of one example, and (where
 * the layer has kinks) an input arbitrary that keeps every kink out of reach of the gradient
 * check's step. test/nn/layers.test.ts runs `layerLaws` over every row; the completeness test
 * fails when an export of purediff/nn is neither covered by a row nor listed in `testedElsewhere`.
 *
 * Kinks, and how each row avoids them:
 * - activation layers alone (relu, leakyRelu, prelu, elu): inputs with |x| ≥ 0.1, by construction
 *   (`arb.tensor({ awayFrom: [0] })`);
 * - layers whose kinks depend on the parameters (maxout's ties between pieces, a relu after a
 *   dense layer): inputs are drawn and kept only if every margin is ≥ 1e-3 — ties and zeros have
 *   measure zero, so this rejects a tiny fraction of draws, while the check's step (1e-6 on
 *   values of size ≤ 3) moves a pre-activation by less than 1e-5.
 */
import fc from 'fast-check'
import { type Tensor, add, fromArray, matmul, toFlatArray } from '../../src/index.js'
import * as nn from '../../src/nn/index.js'
import type { Layer } from '../../src/nn/index.js'
import { arb } from '../../src/testing/index.js'
import type { LayerLawOptions } from '../../laws/index.js'
import { tensorOf } from '../specs/ops.js'

// --- inputs away from kinks

const awayFromZero = (shape: readonly number[]) => (_p: unknown, batch: number) => arb.tensor({ shape: [batch, ...shape], min: -2, max: 2, awayFrom: [0], margin: 0.1 })

/** The smallest gap between the largest and second-largest piece of any maxout group. */
export function maxoutMargin(p: nn.DenseParams, x: Tensor, pieces: number): number {
  const z = toFlatArray(p.b === undefined ? matmul(x, p.w) : add(matmul(x, p.w), p.b))
  let least = Infinity
  for (let g = 0; g < z.length; g += pieces) {
    const group = z.slice(g, g + pieces).sort((a, b) => b - a)
    if (group.length > 1) least = Math.min(least, group[0] - group[1])
  }
  return least
}

/** Inputs whose maxout groups all have a winner ≥ 1e-3 ahead of the runner-up. */
const maxoutInputs = (inputs: number, pieces: number) => (p: nn.DenseParams, batch: number) =>
  arb.tensor({ shape: [batch, inputs], min: -2, max: 2 }).filter((x) => maxoutMargin(p, x, pieces) >= 1e-3)

/** Inputs whose first dense layer's pre-activations are all ≥ 1e-3 away from 0. */
const denseReluInputs =
  (inputs: number) =>
  ([d]: readonly [nn.DenseParams, ...unknown[]], batch: number) =>
    arb.tensor({ shape: [batch, inputs], min: -2, max: 2 }).filter((x) => toFlatArray(add(matmul(x, d.w), d.b ?? 0)).every((v) => Math.abs(v) >= 1e-3))

/**
 * Embedding inputs: ids of shape [batch, ...shape], uniform in [−vocab, vocab) (negative ids
 * count from the end), so repeats are frequent. Ids have no derivative: their rows say
 * `integerInputs`, which leaves the input-gradient law out.
 */
const ids = (vocab: number, shape: readonly number[]) => (_p: unknown, batch: number) => {
  const n = batch * shape.reduce((a, b) => a * b, 1)
  return fc.array(fc.integer({ min: -vocab, max: vocab - 1 }), { minLength: n, maxLength: n }).map((v) => fromArray(v, [batch, ...shape], 'int32'))
}
const idsOf = (vocab: number, shape: readonly number[]) => ({ inputs: ids(vocab, shape), integerInputs: true })

/**
 * Max-pooling inputs: all values of a batch distinct, ≥ 0.2 apart (a shuffled grid with jitter,
 * test/specs/ops.ts 'distinct'), so no window has a tie within reach of the gradient check's step.
 */
const distinctInputs = (shape: readonly number[]) => ({ inputs: (_p: unknown, batch: number) => tensorOf([batch, ...shape], 'distinct') })

// --- the registry

export interface LayerRow {
  readonly name: string
  /** The exports of purediff/nn this row exercises. */
  readonly covers: readonly string[]
  // biome-ignore lint/suspicious/noExplicitAny: rows hold layers with different params, and Layer is invariant in them (row() checks each pair)
  readonly layer: Layer<any>
  readonly inputShape: readonly number[]
  // biome-ignore lint/suspicious/noExplicitAny: as for layer, the options of that layer's params
  readonly opts?: LayerLawOptions<any>
}

const row = <P>(name: string, covers: readonly string[], layer: Layer<P>, inputShape: readonly number[], opts?: LayerLawOptions<P>): LayerRow => ({
  name,
  covers,
  layer,
  inputShape,
  opts,
})

export const layerRows: readonly LayerRow[] = [
  row('dense(3)', ['dense'], nn.dense(3), [4]),
  row('dense(2) float64, no bias, He init', ['dense', 'init'], nn.dense(2, { useBias: false, dtype: 'float64', kernelInit: nn.init.heNormal }), [3]),
  row('dense(2) on examples of shape [2, 3]', ['dense'], nn.dense(2, { kernelInit: nn.init.lecunNormal, biasInit: nn.init.constant(0.1) }), [2, 3]),
  row('sigmoid', ['sigmoid'], nn.sigmoid(), [4]),
  row('tanh', ['tanh'], nn.tanh(), [2, 2]),
  row('relu', ['relu'], nn.relu(), [4], { inputs: awayFromZero([4]) }),
  row('leakyRelu()', ['leakyRelu'], nn.leakyRelu(), [4], { inputs: awayFromZero([4]) }),
  row('leakyRelu(0.3)', ['leakyRelu'], nn.leakyRelu(0.3), [3], { inputs: awayFromZero([3]) }),
  row('prelu()', ['prelu'], nn.prelu(), [3], { inputs: awayFromZero([3]) }),
  row('prelu float64, slopes from glorotUniform', ['prelu'], nn.prelu({ alphaInit: nn.init.glorotUniform, dtype: 'float64' }), [2, 3], { inputs: awayFromZero([2, 3]) }),
  row('elu()', ['elu'], nn.elu(), [4], { inputs: awayFromZero([4]) }),
  row('elu(0.5)', ['elu'], nn.elu(0.5), [3], { inputs: awayFromZero([3]) }),
  row('softplus', ['softplus'], nn.softplus(), [4]),
  row('gelu()', ['gelu'], nn.gelu(), [4]),
  row('gelu({ approximate: true })', ['gelu'], nn.gelu({ approximate: true }), [3]),
  row('silu', ['silu'], nn.silu(), [2, 2]),
  row('maxout 2×3', ['maxout'], nn.maxout({ units: 2, pieces: 3 }), [3], { inputs: maxoutInputs(3, 3) }),
  row('maxout 3×2 float64, no bias', ['maxout'], nn.maxout({ units: 3, pieces: 2, useBias: false, dtype: 'float64' }), [2], { inputs: maxoutInputs(2, 2) }),
  row('maxout 2×1 (one piece: linear)', ['maxout'], nn.maxout({ units: 2, pieces: 1 }), [3]),
  row('dropout(0.5) inverted', ['dropout'], nn.dropout(0.5), [4]),
  row('dropout(0.3) scaleAtTest', ['dropout'], nn.dropout(0.3, { mode: 'scaleAtTest' }), [2, 2]),
  row('dropout(0)', ['dropout'], nn.dropout(0), [3]),
  row('flatten', ['flatten'], nn.flatten(), [2, 3]),
  row('embedding(7, 3) on sequences of 4 ids', ['embedding'], nn.embedding(7, 3), [4], idsOf(7, [4])),
  row('embedding(5, 2) float64, one id per example, glorotUniform table', ['embedding'], nn.embedding(5, 2, { dtype: 'float64', init: nn.init.glorotUniform }), [], idsOf(5, [])),
  row('sequential(embedding, flatten, dense, tanh)', ['embedding', 'sequential'], nn.sequential(nn.embedding(6, 2), nn.flatten(), nn.dense(2), nn.tanh()), [3], idsOf(6, [3])),
  row('maxPool2d(2)', ['maxPool2d'], nn.maxPool2d(2), [4, 4, 2], distinctInputs([4, 4, 2])),
  row("maxPool2d([2, 3], strides 1, 'SAME'): overlapping windows", ['maxPool2d'], nn.maxPool2d([2, 3], { strides: 1, padding: 'SAME' }), [3, 4, 1], distinctInputs([3, 4, 1])),
  row('avgPool2d(2)', ['avgPool2d'], nn.avgPool2d(2), [4, 5, 2]),
  row("avgPool2d(3, strides 2, 'SAME'): border windows average what they cover", ['avgPool2d'], nn.avgPool2d(3, { strides: 2, padding: 'SAME' }), [5, 4, 2]),
  row(
    'avgPool2d([2, 1], explicit padding)',
    ['avgPool2d'],
    nn.avgPool2d([2, 1], {
      padding: [
        [1, 1],
        [0, 0],
      ],
    }),
    [3, 2, 1],
  ),
  row('globalAvgPool on [3, 2, 2]', ['globalAvgPool'], nn.globalAvgPool(), [3, 2, 2]),
  row('globalAvgPool on [2, 2, 2, 3] (3-D)', ['globalAvgPool'], nn.globalAvgPool(), [2, 2, 2, 3]),
  row(
    'sequential(maxPool2d, avgPool2d, globalAvgPool, dense)',
    ['sequential', 'maxPool2d', 'avgPool2d', 'globalAvgPool'],
    nn.sequential(nn.maxPool2d(2), nn.avgPool2d(2, { strides: 1, padding: 'SAME' }), nn.globalAvgPool(), nn.dense(2)),
    [4, 4, 3],
    distinctInputs([4, 4, 3]),
  ),
  row('sequential()', ['sequential'], nn.sequential(), [3]),
  row('sequential(dense, tanh, dense)', ['sequential'], nn.sequential(nn.dense(3), nn.tanh(), nn.dense(2)), [4]),
  row('sequential(dense, relu, dense)', ['sequential'], nn.sequential(nn.dense(3), nn.relu(), nn.dense(2)), [3], { inputs: denseReluInputs(3) }),
  row(
    'sequential(flatten, dense, sigmoid, dropout, dense)',
    ['sequential', 'flatten'],
    nn.sequential(nn.flatten(), nn.dense(3), nn.sigmoid(), nn.dropout(0.25), nn.dense(2)),
    [2, 2],
  ),
  row('conv2d(3, 2) SAME, strides 2', ['conv2d'], nn.conv2d(3, 2, { strides: 2, padding: 'SAME' }), [4, 5, 2]),
  row(
    'conv2d(4, [2, 1]) float64, 2 groups, dilation [2, 1], no bias, He init',
    ['conv2d', 'init'],
    nn.conv2d(4, [2, 1], { groups: 2, dilation: [2, 1], useBias: false, dtype: 'float64', kernelInit: nn.init.heNormal }),
    [4, 3, 2],
  ),
  row('conv1d(2, 3) explicit padding [[1, 2]], dilation 2', ['conv1d'], nn.conv1d(2, 3, { padding: [[1, 2]], dilation: 2 }), [4, 3]),
  row(
    'fromSpec(reshape, conv2d, tanh, flatten, dense)',
    ['fromSpec', 'conv2d'],
    fromSpecOrThrow({
      layers: [
        { type: 'reshape', shape: [3, 4, 1] },
        { type: 'conv2d', filters: 2, kernelSize: 2, padding: 'SAME', strides: [1, 2] },
        { type: 'tanh' },
        { type: 'flatten' },
        { type: 'dense', units: 2 },
      ],
    }),
    [12],
  ),
  row(
    'fromSpec(dense, softplus, dropout scaleAtTest, dense)',
    ['fromSpec', 'ModelSpec', 'LayerSpec'],
    fromSpecOrThrow({
      layers: [{ type: 'dense', units: 3, kernelInit: 'heNormal' }, { type: 'softplus' }, { type: 'dropout', rate: 0.5, mode: 'scaleAtTest' }, { type: 'dense', units: 2 }],
    }),
    [3],
  ),
  row(
    'fromSpec(embedding, flatten, dense)',
    ['fromSpec', 'ModelSpec', 'LayerSpec', 'embedding'],
    fromSpecOrThrow({ layers: [{ type: 'embedding', vocab: 9, dim: 2, init: 'lecunNormal' }, { type: 'flatten' }, { type: 'dense', units: 2 }] }),
    [2],
    idsOf(9, [2]),
  ),
  row(
    'fromSpec(maxPool2d, flatten, dense)',
    ['fromSpec', 'ModelSpec', 'LayerSpec', 'maxPool2d'],
    fromSpecOrThrow({ layers: [{ type: 'maxPool2d', window: 2, strides: 1 }, { type: 'flatten' }, { type: 'dense', units: 2 }] }),
    [3, 3, 1],
    distinctInputs([3, 3, 1]),
  ),
]

function fromSpecOrThrow(spec: unknown): Layer<unknown[]> {
  const r = nn.fromSpec(spec)
  if (r._tag === 'Left') throw r.left
  return r.right
}

/** Exports of purediff/nn that are not layers, each with the test that covers it. */
export const testedElsewhere: Readonly<Record<string, string>> = {
  dropoutWithMask: 'test/nn/dropout.test.ts: the deterministic core, and the all-masks laws that enumerate masks through it',
  init: "test/nn/layers.test.ts: each initialiser's bound or variance, fans and determinism",
  losses:
    'test/nn/losses.test.ts: closed forms, ±1000 logits, gradients; test/nn/integerLabels.test.ts: the integer-label loss against the one-hot form, float64 gradient checks of orders 1 and 2',
  accuracy: 'test/nn/losses.test.ts, test/nn/integerLabels.test.ts: hand-counted rows; one-hot and int32 labels agree',
  l1Penalty: 'test/nn/losses.test.ts: exact values and gradients',
  l2Penalty: 'test/nn/losses.test.ts: exact values and gradients',
  weightsOf: 'test/nn/losses.test.ts: picks the kernels only',
  ModelSpec: 'test/nn/spec.test.ts: valid and invalid specs with paths, round trips',
  LayerSpec: 'test/nn/spec.test.ts: valid and invalid specs with paths, round trips',
  fromSpec: 'test/nn/spec.test.ts: never throws on junk; builds every layer type',
  DEFAULT_MAX_PARAMS: 'test/nn/specLimits.test.ts: the parameter limit, counted from shapes before allocating',
  MAX_UNITS: 'test/nn/specLimits.test.ts: widths above it are a Left naming the path',
  MAX_PIECES: 'test/nn/specLimits.test.ts: pieces above it are a Left naming the path',
  MAX_SPEC_DEPTH: 'test/nn/specLimits.test.ts: deep and cyclic specs are a Left, never a stack overflow',
}

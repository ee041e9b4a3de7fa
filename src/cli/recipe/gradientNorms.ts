/**
 * (b) Per-layer gradient norms of the two networks of (a) at initialisation, on one batch: the
 * sigmoid network's gradients shrink toward the input (the vanishing gradient); ReLU's do not.
 *
 * @internal
 */
import { type Tensor, random, valueAndGrad } from '../../index.js'
import type { Layer } from '../../nn/index.js'
import { gradientNorms as normsOf } from '../../train/index.js'
import { crossEntropy, rows } from '../dataset.js'
import { lineSpec } from '../plot.js'
import type { Context, Result } from './common.js'
import { deep, deepNet } from './sigmoidVsRelu.js'
import { gradientNormsDiffers } from './lecture.js'

/** The gradient of the cross-entropy on a batch with respect to the params (test mode). */
function gradientsOn(model: Layer<unknown[]>, params: unknown[], batch: { x: Tensor; y: Tensor }): unknown[] {
  return valueAndGrad((p: unknown[]) => crossEntropy(model.apply(p, batch.x), batch.y))(params)[1]
}

/** Runs (b). */
export function gradientNorms(ctx: Context): Result {
  const batch = rows(
    ctx.train,
    Array.from({ length: Math.min(500, ctx.train.n) }, (_, i) => i),
  )
  const norms = Object.fromEntries(
    (['sigmoid', 'relu'] as const).map((act) => {
      const model = deepNet(act, deep.depth, deep.width)
      const params = model.init(random.split(random.key(ctx.seed + 1), 2)[0], [ctx.train.d]).params
      // Dense layers sit at even positions of the sequential; activations have no params.
      const all = normsOf(gradientsOn(model, params, batch))
      return [act, all.filter((_, i) => i % 2 === 0)]
    }),
  )
  const ratio = (a: number[]) => a[0] / a[a.length - 1]
  const firstOverLast = { sigmoid: ratio(norms.sigmoid), relu: ratio(norms.relu) }
  return {
    id: 'b',
    title: 'per-layer gradient norms at initialisation (the vanishing gradient)',
    config: `the untrained networks of (a), ${deep.depth}×${deep.width} + output, one batch of ${Math.min(500, ctx.train.n)} digits, cross-entropy; layer 1 is nearest the input`,
    header: ['layer', 'sigmoid ‖∂L/∂W‖', 'ReLU ‖∂L/∂W‖'],
    rows: norms.sigmoid.map((s, i) => [i + 1, s.toExponential(2), norms.relu[i].toExponential(2)]),
    numbers: { norms, firstOverLast },
    plots: [
      {
        name: 'b-gradient-norms',
        spec: lineSpec(
          '(b) gradient norm per layer at init',
          'layer (1 = input side)',
          '‖∂L/∂W‖',
          Object.entries(norms).flatMap(([s, v]) => v.map((y, i) => ({ series: s, x: i + 1, y }))),
          true,
        ),
      },
    ],
    lecture: 'layers near the input get tiny gradients in a deep sigmoid net (σ′ ≤ 1/4 per layer)',
    differs: gradientNormsDiffers({ firstOverLast }),
  }
}

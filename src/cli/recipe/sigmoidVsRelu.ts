/**
 * (a) A deep sigmoid network vs the same network with ReLU (He init), plain SGD: the sigmoid
 * one stays near chance on the TRAINING data — a training problem, not overfitting.
 *
 * @internal
 */
import { random } from '../../index.js'
import { type AnyLayer, type Layer, dense, init, relu, sequential, sigmoid } from '../../nn/index.js'
import { sgd } from '../../optim/index.js'
import { type Context, type Result, curve, f4, train } from './common.js'
import { lineSpec } from '../plot.js'
import { sigmoidVsReluDiffers } from './lecture.js'

/** The deep network of (a) and (b): `depth` hidden layers of `width` units. */
export function deepNet(act: 'sigmoid' | 'relu', depth: number, width: number): Layer<unknown[]> {
  const layers: AnyLayer[] = []
  for (let i = 0; i < depth; i++) layers.push(act === 'relu' ? dense(width, { kernelInit: init.heNormal }) : dense(width), act === 'relu' ? relu() : sigmoid())
  layers.push(dense(10))
  return sequential(...layers)
}

/** Configuration of (a). */
export const deep = { depth: 8, width: 32, lr: 0.1, batchSize: 100 }

/** Runs (a). */
export function sigmoidVsRelu(ctx: Context): Result {
  const epochs = ctx.size.epochs
  const runs = (['sigmoid', 'relu'] as const).map((act) => ({
    act,
    ...train({
      model: deepNet(act, deep.depth, deep.width),
      optimizer: sgd(deep.lr),
      data: ctx.train,
      epochs,
      key: random.key(ctx.seed + 1),
      batchSize: deep.batchSize,
      progress: ctx.progress(act),
    }),
  }))
  const acc = Object.fromEntries(runs.map((r) => [r.act, r.history[r.history.length - 1].trainAccuracy]))
  return {
    id: 'a',
    title: 'deep sigmoid vs deep ReLU (training accuracy)',
    config: `${deep.depth}×${deep.width} hidden, cross-entropy, sgd(${deep.lr}), batch ${deep.batchSize}, ${epochs} epochs, ${ctx.train.n} train digits; ReLU layers He-initialised, sigmoid Glorot`,
    header: ['activation', 'train acc', 'train loss'],
    rows: runs.map((r) => [r.act, f4(acc[r.act]), f4(r.history[r.history.length - 1].trainLoss)]),
    numbers: { trainAccuracy: acc, curves: Object.fromEntries(runs.map((r) => [r.act, r.history.map((e) => e.trainAccuracy)])) },
    plots: [
      {
        name: 'a-sigmoid-vs-relu',
        spec: lineSpec(
          '(a) training accuracy, deep sigmoid vs ReLU',
          'epoch',
          'training accuracy',
          runs.flatMap((r) => curve(r.act, r.history, (e) => e.trainAccuracy)),
        ),
      },
    ],
    lecture: 'deep sigmoid 0.1127 train (collapse, predicts one class) vs deep ReLU 0.9978',
    differs: sigmoidVsReluDiffers({ trainAccuracy: { sigmoid: acc.sigmoid, relu: acc.relu }, epochs }),
  }
}

/**
 * (c) SGD vs Adagrad vs RMSprop vs Momentum vs Adam on the same ReLU network: training loss per
 * epoch.
 *
 * @internal
 */
import { random } from '../../index.js'
import { dense, init, relu, sequential } from '../../nn/index.js'
import { adagrad, adam, momentum, rmsprop, sgd } from '../../optim/index.js'
import { lineSpec } from '../plot.js'
import { type Context, type Result, curve, f4, train } from './common.js'
import { optimizersDiffers } from './lecture.js'

const optimizers = {
  sgd: { make: () => sgd(0.01), desc: 'sgd(0.01)' },
  adagrad: { make: () => adagrad(0.01), desc: 'adagrad(0.01)' },
  rmsprop: { make: () => rmsprop(0.001), desc: 'rmsprop(0.001)' },
  momentum: { make: () => momentum(0.01), desc: 'momentum(0.01, β=0.9)' },
  adam: { make: () => adam(0.001), desc: 'adam(0.001)' },
}

/** Runs (c). */
export function optimizers_(ctx: Context): Result {
  const epochs = ctx.size.epochs
  const model = sequential(dense(64, { kernelInit: init.heNormal }), relu(), dense(64, { kernelInit: init.heNormal }), relu(), dense(10))
  const runs = Object.entries(optimizers).map(([name, o]) => ({
    name,
    ...train({ model, optimizer: o.make(), data: ctx.train, epochs, key: random.key(ctx.seed + 3), progress: ctx.progress(name) }),
  }))
  const last = (h: { trainLoss: number }[]) => h[h.length - 1]
  const finalTrainLoss = Object.fromEntries(runs.map((r) => [r.name, last(r.history).trainLoss]))
  return {
    id: 'c',
    title: 'optimizers: training loss',
    config: `784→64→64→10 ReLU (He), cross-entropy, batch 100, ${epochs} epochs, ${ctx.train.n} train digits, same init for all; ${Object.values(optimizers)
      .map((o) => o.desc)
      .join(', ')}`,
    header: ['optimizer', 'train loss (epoch 1)', `train loss (epoch ${epochs})`, 'train acc'],
    rows: runs.map((r) => [r.name, f4(r.history[0].trainLoss), f4(last(r.history).trainLoss), f4(r.history[r.history.length - 1].trainAccuracy)]),
    numbers: { finalTrainLoss, curves: Object.fromEntries(runs.map((r) => [r.name, r.history.map((e) => e.trainLoss)])) },
    plots: [
      {
        name: 'c-optimizers',
        spec: lineSpec(
          '(c) training loss per optimizer',
          'epoch',
          'training loss',
          runs.flatMap((r) => curve(r.name, r.history, (e) => e.trainLoss)),
          true,
        ),
      },
    ],
    lecture: 'Adam instead of SGD: 0.9993 vs 0.9978 train — gets there faster',
    differs: optimizersDiffers({ finalTrainLoss }),
  }
}
export { optimizers_ as optimizers }

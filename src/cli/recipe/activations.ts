/**
 * (d) ReLU vs Leaky ReLU vs PReLU vs Maxout on the same 3-hidden-layer network, Adam.
 *
 * @internal
 */
import { random } from '../../index.js'
import { type AnyLayer, type Layer, dense, init, leakyRelu, maxout, prelu, relu, sequential } from '../../nn/index.js'
import { adam } from '../../optim/index.js'
import { lineSpec } from '../plot.js'
import { type Context, type Result, curve, f4, train } from './common.js'
import { activationsDiffers } from './lecture.js'

const W = 32
const hidden = (make: () => AnyLayer[]): Layer<unknown[]> => sequential<AnyLayer[]>(...make(), ...make(), ...make(), dense(10))
const nets: Record<string, () => Layer<unknown[]>> = {
  relu: () => hidden(() => [dense(W, { kernelInit: init.heNormal }), relu()]),
  leakyRelu: () => hidden(() => [dense(W, { kernelInit: init.heNormal }), leakyRelu(0.01)]),
  prelu: () => hidden(() => [dense(W, { kernelInit: init.heNormal }), prelu()]),
  maxout: () => hidden(() => [maxout({ units: W, pieces: 2 })]), // Glorot: He-initialised deep Maxout diverges
}

/** Runs (d). */
export function activations(ctx: Context): Result {
  const epochs = ctx.size.epochs
  const runs = Object.entries(nets).map(([name, make]) => ({
    name,
    ...train({ model: make(), optimizer: adam(0.001), data: ctx.train, validation: ctx.test, epochs, key: random.key(ctx.seed + 4), progress: ctx.progress(name) }),
  }))
  const last = (r: (typeof runs)[number]) => r.history[r.history.length - 1]
  const numbers = Object.fromEntries(runs.map((r) => [r.name, { trainAccuracy: last(r).trainAccuracy, testAccuracy: last(r).validationAccuracy, trainLoss: last(r).trainLoss }]))
  return {
    id: 'd',
    title: 'ReLU variants and Maxout',
    config: `3 hidden layers of ${W} units (Maxout: ${W} units × 2 pieces, Glorot; others He), adam(0.001), batch 100, ${epochs} epochs, ${ctx.train.n} train / ${ctx.test.n} test digits`,
    header: ['activation', 'train acc', 'test acc', 'train loss'],
    rows: runs.map((r) => [r.name, f4(last(r).trainAccuracy), f4(last(r).validationAccuracy), f4(last(r).trainLoss)]),
    numbers,
    plots: [
      {
        name: 'd-activations',
        spec: lineSpec(
          '(d) training loss per activation',
          'epoch',
          'training loss',
          runs.flatMap((r) => curve(r.name, r.history, (e) => e.trainLoss)),
          true,
        ),
      },
    ],
    lecture: 'no MNIST numbers in the lecture; variants of ReLU and Maxout all train a deep net (ReLU is a special case of Maxout)',
    differs: activationsDiffers(numbers),
  }
}

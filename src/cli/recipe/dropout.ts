/**
 * (g) Dropout ('inverted' and the lecture's 'scaleAtTest') vs none, tested on images with
 * Gaussian noise added.
 *
 * @internal
 */
import { random } from '../../index.js'
import { type AnyLayer, type Layer, dense, dropout as drop, init, relu, sequential } from '../../nn/index.js'
import { adam } from '../../optim/index.js'
import { evaluateOn, withNoise } from '../dataset.js'
import { type Context, type Result, f4, train } from './common.js'
import { dropoutDiffers } from './lecture.js'
import { dropoutSpec } from './plots.js'

const RATE = 0.5
const NOISE = 0.5
const W = 64

/** Runs (g). */
export function dropout(ctx: Context): Result {
  const epochs = ctx.size.epochs
  const net = (d: () => AnyLayer[]): Layer<unknown[]> =>
    sequential<AnyLayer[]>(dense(W, { kernelInit: init.heNormal }), relu(), ...d(), dense(W, { kernelInit: init.heNormal }), relu(), ...d(), dense(10))
  const nets: Record<string, Layer<unknown[]>> = {
    none: net(() => []),
    inverted: net(() => [drop(RATE, { mode: 'inverted' })]),
    scaleAtTest: net(() => [drop(RATE, { mode: 'scaleAtTest' })]),
  }
  const noisy = withNoise(random.key(ctx.seed + 70), ctx.test, NOISE)
  const results = Object.entries(nets).map(([name, model]) => {
    const { params, history } = train({ model, optimizer: adam(0.001), data: ctx.train, epochs, key: random.key(ctx.seed + 7), progress: ctx.progress(name) })
    return {
      name,
      trainAccuracy: history[history.length - 1].trainAccuracy,
      testAccuracy: evaluateOn(model, params, ctx.test).accuracy,
      noisyAccuracy: evaluateOn(model, params, noisy).accuracy,
    }
  })
  const numbers = Object.fromEntries(results.map((r) => [r.name, r]))
  const sets = [
    ['train', 'trainAccuracy'],
    ['clean test', 'testAccuracy'],
    [`noisy test (σ = ${NOISE})`, 'noisyAccuracy'],
  ] as const
  const bars = results.flatMap((r) => sets.map(([set, k]) => ({ mode: r.name, set, accuracy: r[k] })))
  return {
    id: 'g',
    title: 'dropout vs none on noisy test images',
    config: `784→${W}→${W}→10 ReLU (He), dropout ${RATE} after each hidden layer, adam(0.001), batch 100, ${epochs} epochs, ${ctx.train.n} train digits; test ${ctx.test.n} digits + N(0, ${NOISE}²) noise`,
    header: ['dropout', 'train acc', 'clean test acc', 'noisy test acc'],
    rows: results.map((r) => [r.name, f4(r.trainAccuracy), f4(r.testAccuracy), f4(r.noisyAccuracy)]),
    numbers,
    plots: [{ name: 'g-dropout', spec: dropoutSpec(`(g) dropout ${RATE} vs none: accuracy, ${epochs} epochs`, bars) }],
    lecture: 'noise std 1 on the test set: no dropout 1.000 / 0.475, dropout 0.7 (689-wide) 0.9907 / 0.612',
    differs: dropoutDiffers(numbers, epochs),
  }
}

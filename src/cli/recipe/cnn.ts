/**
 * (i) A small LeNet-style CNN against an MLP with the same number of parameters: the same
 * digits, optimizer, batch and epochs; the CNN sees each digit as a [28, 28, 1] image.
 *
 * @internal
 */
import { random, tree } from '../../index.js'
import { type AnyLayer, type Layer, conv2d, dense, flatten, init, maxPool2d, relu, sequential } from '../../nn/index.js'
import { adam } from '../../optim/index.js'
import { lineSpec } from '../plot.js'
import { type Context, type Result, type Size, curve, f4, train } from './common.js'
import { cnnDiffers } from './lecture.js'

/** The image shape the CNN is fed (MNIST's 784 pixels, row-major). */
const IMAGE = [28, 28, 1] as const

/** The most epochs (i) trains: a convolution costs far more per digit than the MLPs of (a)–(h), and a CNN is near its best by then. */
export const CNN_EPOCHS = 5

/** The CNN's widths, and its epochs at each size: the tiny run (the test suite's) has fewer of both, to stay fast. */
export function cnnSetup(size: Size): { filters: readonly [number, number]; hidden: number; epochs: number } {
  return size.name === 'tiny' ? { filters: [4, 8], hidden: 32, epochs: Math.min(2, size.epochs) } : { filters: [6, 16], hidden: 32, epochs: Math.min(CNN_EPOCHS, size.epochs) }
}

/** conv 5×5 → relu → maxPool 2 → conv 5×5 → relu → maxPool 2 → flatten → dense(hidden) → relu → dense(10), He init. */
export function lenet(filters: readonly [number, number], hidden: number): Layer<unknown[]> {
  const he = { kernelInit: init.heNormal }
  return sequential<AnyLayer[]>(conv2d(filters[0], 5, he), relu(), maxPool2d(2), conv2d(filters[1], 5, he), relu(), maxPool2d(2), flatten(), dense(hidden, he), relu(), dense(10))
}

/** 784 → hidden → 10 ReLU (He). */
export function mlp(hidden: number): Layer<unknown[]> {
  return sequential<AnyLayer[]>(dense(hidden, { kernelInit: init.heNormal }), relu(), dense(10))
}

/** The number of parameters of `model` initialised for examples of `shape`. */
export function paramCount(model: Layer<unknown[]>, shape: readonly number[]): number {
  return tree.leaves(model.init(random.key(0), shape).params).reduce((a, t) => a + t.shape.reduce((p, d) => p * d, 1), 0)
}

/** The MLP hidden width whose parameter count, 784·h + h + 10·h + 10, is nearest `budget`. */
export function mlpWidthFor(budget: number, d = 784): number {
  return Math.max(1, Math.round((budget - 10) / (d + 11)))
}

/** Runs (i). */
export function cnnVsMlp(ctx: Context): Result {
  const { filters, hidden, epochs } = cnnSetup(ctx.size)
  const cnn = lenet(filters, hidden)
  const cnnParams = paramCount(cnn, IMAGE)
  const width = mlpWidthFor(cnnParams, ctx.train.d)
  const fc = mlp(width)
  const mlpParams = paramCount(fc, [ctx.train.d])
  const models = [
    { name: 'cnn', model: cnn, count: cnnParams, inputShape: IMAGE },
    { name: 'mlp', model: fc, count: mlpParams, inputShape: [ctx.train.d] },
  ]
  const runs = models.map((m) => {
    const t0 = Date.now()
    const r = train({
      model: m.model,
      optimizer: adam(0.001),
      data: ctx.train,
      validation: ctx.test,
      epochs,
      key: random.key(ctx.seed + 9),
      inputShape: m.inputShape,
      progress: ctx.progress(m.name),
    })
    return { ...m, ...r, seconds: (Date.now() - t0) / 1000 }
  })
  const last = (r: (typeof runs)[number]) => r.history[r.history.length - 1]
  const numbers = Object.fromEntries(
    runs.map((r) => [
      r.name,
      {
        params: r.count,
        trainAccuracy: last(r).trainAccuracy,
        testAccuracy: last(r).validationAccuracy,
        seconds: r.seconds,
        testCurve: r.history.map((e) => e.validationAccuracy),
      },
    ]),
  ) as Record<'cnn' | 'mlp', { params: number; trainAccuracy: number; testAccuracy: number; seconds: number; testCurve: number[] }>
  const gap = Math.abs(cnnParams - mlpParams) / cnnParams
  const reduced =
    ctx.size.name === 'tiny'
      ? `; tiny run: ${filters[0]} and ${filters[1]} filters instead of 6 and 16 and ${epochs} epochs instead of ${ctx.size.epochs}, to stay fast`
      : epochs < ctx.size.epochs
        ? ` (at most ${CNN_EPOCHS} epochs, not ${ctx.size.epochs}: a CNN costs far more per digit)`
        : ''
  return {
    id: 'i',
    title: 'CNN vs MLP at the same parameter budget',
    config: `cnn: conv2d(${filters[0]}, 5) relu maxPool2d(2) conv2d(${filters[1]}, 5) relu maxPool2d(2) flatten dense(${hidden}) relu dense(10), ${cnnParams} params, on [28, 28, 1] images; mlp: 784→${width}→10 ReLU, ${mlpParams} params (${(100 * gap).toFixed(1)}% apart); He init, adam(0.001), batch 100, ${epochs} epochs, ${ctx.train.n} train / ${ctx.test.n} test digits, same keys${reduced}`,
    header: ['model', 'params', 'train acc', 'test acc', 'seconds'],
    rows: runs.map((r) => [r.name, r.count, f4(last(r).trainAccuracy), f4(last(r).validationAccuracy), r.seconds.toFixed(1)]),
    numbers,
    plots: [
      {
        name: 'i-cnn-vs-mlp',
        spec: lineSpec(
          '(i) test accuracy per epoch, CNN vs MLP of the same parameter count',
          'epoch',
          'test accuracy',
          runs.flatMap((r) => curve(`${r.name} (${r.count} params)`, r.history, (e) => e.validationAccuracy)),
        ),
      },
    ],
    lecture:
      'a pattern is much smaller than the image, the same pattern appears in different places, and subsampling keeps the object: so a CNN shares small filters over positions and pools, with far fewer parameters than a fully connected network; at the same budget it should do better on images',
    differs: cnnDiffers(numbers, epochs),
  }
}

/**
 * (e) Early stopping on an over-parameterised network trained on few digits: training loss
 * keeps falling while validation loss turns up; keep the params of the lowest validation loss
 * (patience-based stop) and report their test accuracy.
 *
 * @internal
 */
import { random } from '../../index.js'
import { dense, init, relu, sequential } from '../../nn/index.js'
import { adam } from '../../optim/index.js'
import { earlyStopping as stopper } from '../../train/index.js'
import { evaluateOn } from '../dataset.js'
import { type Context, type Result, f4, train } from './common.js'
import { earlyStoppingDiffers } from './lecture.js'
import { earlyStoppingSpec } from './plots.js'

/** Runs (e). Epochs count from 1 everywhere (table, plot, text): epoch 1 is the state after one pass. */
export function earlyStopping(ctx: Context): Result {
  const n = Math.min(500, ctx.train.n)
  const data = { ...ctx.train, x: ctx.train.x.subarray(0, n * ctx.train.d), y: ctx.train.y.slice(0, n), n }
  const epochs = Math.max(ctx.size.epochs * 2, 10)
  const patience = 3
  const model = sequential(dense(256, { kernelInit: init.heNormal }), relu(), dense(256, { kernelInit: init.heNormal }), relu(), dense(10))
  const { history } = train({
    model,
    optimizer: adam(0.001),
    data,
    validation: ctx.validation,
    epochs,
    key: random.key(ctx.seed + 5),
    batchSize: 50,
    progress: ctx.progress('784→256→256→10'),
  })
  // Replay the validation losses through purediff/train's early-stopping state machine (which,
  // like fit, counts epochs from 0: its bestEpoch 0 is our epoch 1). Training ran on to the end
  // so the table and plot show what stopping avoided.
  const es = stopper({ patience, minDelta: 0, restoreBest: true })
  let s = es.init<unknown>()
  let stop: number | null = null
  for (let e = 0; e < epochs && stop === null; e++) {
    s = es(s, history[e].validationLoss, history[e].params)
    if (s.stop) stop = e + 1
  }
  const best = s.bestEpoch + 1
  const restored = evaluateOn(model, history[best - 1].params, ctx.test)
  const lastEpoch = evaluateOn(model, history[epochs - 1].params, ctx.test)
  const numbers = {
    epochsCountedFrom: 1,
    epochs,
    bestEpoch: best,
    stopEpoch: stop,
    testAccuracyRestored: restored.accuracy,
    testAccuracyLastEpoch: lastEpoch.accuracy,
    trainLoss: history.map((h) => h.trainLoss),
    validationLoss: history.map((h) => h.validationLoss),
  }
  return {
    id: 'e',
    title: 'early stopping',
    config: `784→256→256→10 ReLU (He), adam(0.001), batch 50, ${epochs} epochs on ${n} train digits, validation ${ctx.validation.n}, earlyStopping({ patience: ${patience}, minDelta: 0, restoreBest: true }); epochs counted from 1`,
    header: ['epoch', 'train loss', 'validation loss', 'note'],
    rows: history.map((h, i) => [i + 1, f4(h.trainLoss), f4(h.validationLoss), i + 1 === best ? 'best (restored)' : i + 1 === stop ? `stop (patience ${patience} used up)` : '']),
    notes: [
      `test accuracy: ${f4(restored.accuracy)} with the restored params (epoch ${best}), ${f4(lastEpoch.accuracy)} after all ${epochs} epochs`,
      ...(stop === null ? [`patience never ran out: the validation loss kept reaching new lows within ${patience} epochs`] : []),
    ],
    numbers,
    plots: [{ name: 'e-early-stopping', spec: earlyStoppingSpec({ train: numbers.trainLoss, validation: numbers.validationLoss, best, stop, patience }) }],
    lecture: 'stop where the validation loss is lowest and keep those params (no numbers on the slide)',
    differs: earlyStoppingDiffers(numbers),
  }
}

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
import { evaluateOn } from '../loop.js'
import { lineSpec } from '../plot.js'
import { type Context, type Result, curve, f4, train } from './common.js'

/** Runs (e). */
export function earlyStopping(ctx: Context): Result {
  const n = Math.min(500, ctx.train.n)
  const data = { ...ctx.train, x: ctx.train.x.subarray(0, n * ctx.train.d), y: ctx.train.y.slice(0, n), n }
  const epochs = Math.max(ctx.size.epochs * 2, 10)
  const patience = 3
  const model = sequential(dense(256, { kernelInit: init.heNormal }), relu(), dense(256, { kernelInit: init.heNormal }), relu(), dense(10))
  const { history } = train({ model, optimizer: adam(0.001), data, validation: ctx.validation, epochs, key: random.key(ctx.seed + 5), batchSize: 50 })
  // Replay the validation losses through purediff/train's early-stopping state machine.
  const es = stopper({ patience, minDelta: 0, restoreBest: true })
  let s = es.init<unknown>()
  let stopped = epochs - 1
  for (let e = 0; e < epochs; e++) {
    s = es(s, history[e].validationLoss, history[e].params)
    if (s.stop) { stopped = e; break }
  }
  const best = s.bestEpoch
  const restored = evaluateOn(model, history[best].params, ctx.test)
  const lastEpoch = evaluateOn(model, history[epochs - 1].params, ctx.test)
  return {
    id: 'e', title: 'early stopping',
    config: `784→256→256→10 ReLU (He), adam(0.001), batch 50, ${epochs} epochs on ${n} train digits, validation ${ctx.validation.n}, earlyStopping({ patience: ${patience}, minDelta: 0, restoreBest: true })`,
    header: ['epoch', 'train loss', 'validation loss', 'note'],
    rows: [
      ...history.map((h, e) => [e, f4(h.trainLoss), f4(h.validationLoss), e === best ? 'best (restored)' : e === stopped ? 'stop' : '']),
      ['test', '', '', `acc ${f4(restored.accuracy)} with the restored params (epoch ${best}); ${f4(lastEpoch.accuracy)} after all ${epochs} epochs`],
    ],
    numbers: { bestEpoch: best, stoppedEpoch: stopped, testAccuracyRestored: restored.accuracy, testAccuracyLastEpoch: lastEpoch.accuracy, trainLoss: history.map((h) => h.trainLoss), validationLoss: history.map((h) => h.validationLoss) },
    plots: [{ name: 'e-early-stopping', spec: lineSpec(`(e) early stopping: best epoch ${best}`, 'epoch', 'loss', [...curve('train', history, (h) => h.trainLoss), ...curve('validation', history, (h) => h.validationLoss)], true) }],
    lecture: 'stop where the validation loss is lowest and keep those params (no numbers on the slide)',
  }
}

// Stop a `fit` run, checkpoint it, and continue it later: the result is bit for bit the run that
// never stopped — params, optimizer state, history and early-stopping state.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isRight } from 'fp-ts/lib/Either.js'
import { oneHot, random, toFlatArray, tree } from 'purediff'
import { dense, dropout, losses, relu, sequential } from 'purediff/nn'
import { adam } from 'purediff/optim'
import { type FitResume, fit, fitAsync } from 'purediff/train'
import { encodeCheckpoint, loadCheckpoint, saveCheckpoint } from 'purediff/io'

// #region setup
// Two classes in 5 dimensions (the sign of the first feature), with noisy labels; dropout, so
// every step also uses the random key.
const [kx, kl, kInit] = random.split(random.key(3), 3)
const x = random.normal(kx, [200, 5])
const flipped = random.permutation(kl, 200).map((p) => p < 30) // 30 labels flipped, so early stopping has work
const firstFeature = toFlatArray(x).filter((_, i) => i % 5 === 0)
const y = oneHot(
  firstFeature.map((v, i) => (v > 0 !== flipped[i] ? 1 : 0)),
  2,
)
const data = { x, y }
const model = sequential(dense(32), relu(), dropout(0.2), dense(2))
const options = {
  model,
  params: model.init(kInit, [5]).params,
  optimizer: adam(0.01),
  loss: losses.softmaxCrossEntropy,
  train: data,
  validation: data,
  batchSize: 20,
  key: random.key(4),
  earlyStopping: { patience: 5 },
}
// #endregion setup

// #region resume
// 8 epochs, saved; then the same options with `resume`, to 20 epochs counted from the start.
const firstPart = fit({ ...options, epochs: 8 })
const dir = mkdtempSync(join(tmpdir(), 'purediff-docs-'))
const file = join(dir, 'run.json')
assert.ok(isRight(await saveCheckpoint(file, firstPart.resume))) // { epoch, state, history, earlyStopping }
const loaded = await loadCheckpoint(file)
rmSync(dir, { recursive: true })
assert.ok(isRight(loaded))
type Resume = FitResume<typeof options.params, ReturnType<typeof options.optimizer.init>>
const resumed = fit({ ...options, epochs: 20, resume: loaded.right as unknown as Resume })

const straight = fit({ ...options, epochs: 20 })
// every bit of everything: the checkpoint text of both results is the same
const all = (r: typeof straight) => encodeCheckpoint({ params: r.params, state: r.state, resume: r.resume })
assert.equal(all(resumed), all(straight))
assert.deepEqual(resumed.history, straight.history)
assert.equal(resumed.stoppedEpoch, straight.stoppedEpoch)
assert.equal(tree.leaves(resumed.params).length, 4)
// #endregion resume

// #region abort
// Stop in the middle of an epoch: abort a signal (a Stop button, or a Ctrl-C handler:
// process.on('SIGINT', () => stop.abort())). fitAsync lets such handlers run after every batch;
// the run then returns with `aborted: true` and a resume point mid-epoch — here after step 25,
// batch 5 of epoch 2 (10 batches of 20 per epoch).
const stop = new AbortController()
const cut = await fitAsync({
  ...options,
  epochs: 20,
  signal: stop.signal,
  onBatch: (b) => {
    if (b.state.step === 25) stop.abort()
  },
})
assert.ok(cut.aborted)
assert.deepEqual([cut.resume.epoch, cut.resume.batch], [2, 5])
// resumed (it could go through a checkpoint as above), it is still the run that never stopped
assert.equal(all(fit({ ...options, epochs: 20, resume: cut.resume })), all(straight))
// #endregion abort

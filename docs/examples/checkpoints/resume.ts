// Save a training run half-way, load it, and resume: the result is bit for bit the run that
// never stopped, because the whole TrainState (params, optimizer state, key, step) is plain data.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isRight } from 'fp-ts/lib/Either.js'
import { mul, random, slice, toFlatArray, tree } from 'purediff'
import { dense, dropout, losses, relu, sequential } from 'purediff/nn'
import { adam } from 'purediff/optim'
import { type TrainState, initTrainState, trainStep } from 'purediff/train'
import { loadCheckpoint, saveCheckpoint } from 'purediff/io'
import { curvesSpec } from '../plot.js'

// #region setup
// Regression of y = x₀·x₁ with dropout, so each step also depends on the random key.
const [kx, kInit, kRun] = random.split(random.key(7), 3)
const x = random.uniform(kx, [128, 2], { min: -1, max: 1 })
const y = mul(slice(x, [0, 0], [128, 1]), slice(x, [0, 1], [128, 1])) // [128, 1]
const model = sequential(dense(32), relu(), dropout(0.1), dense(1))
const optimizer = adam(0.01)
const step = trainStep({ model, optimizer, loss: losses.mse })
type State = TrainState<ReturnType<typeof model.init>['params'], ReturnType<typeof optimizer.init>>
const first: State = initTrainState(model.init(kInit, [2]).params, optimizer, kRun)
/** n steps from s; each step's loss is appended to `log`. */
const run = (s: State, n: number, log: number[]): State => {
  for (let i = 0; i < n; i++) {
    s = step(s, { x, y })
    log.push(s.loss)
  }
  return s
}
// #endregion setup

// #region resume
const straightLosses: number[] = []
const straight = run(first, 200, straightLosses)

const resumedLosses: number[] = []
const halfway = run(first, 100, resumedLosses)
const dir = mkdtempSync(join(tmpdir(), 'purediff-docs-'))
const file = join(dir, 'checkpoint.json')
assert.ok(isRight(await saveCheckpoint(file, halfway))) // atomic: a temporary file, then a rename
const loaded = await loadCheckpoint(file)
rmSync(dir, { recursive: true })
assert.ok(isRight(loaded))
const resumed = run(loaded.right as unknown as State, 100, resumedLosses)

// The same params, optimizer state, step and losses as the run that never stopped, bit for bit.
const numbers = (s: State) => [...tree.leaves(s.params), ...tree.leaves(s.optState)].flatMap(toFlatArray)
assert.deepEqual(numbers(resumed), numbers(straight))
assert.equal(resumed.step, 200)
assert.deepEqual(resumedLosses, straightLosses)
assert.ok(straightLosses[199] < straightLosses[0] / 4)
// #endregion resume

export const plot = curvesSpec(
  'Saved at step 100, loaded, resumed: the same run',
  'step',
  'training loss',
  [
    ...straightLosses.map((l, i) => ({ series: 'a run without stopping', x: i + 1, y: l })),
    ...resumedLosses.slice(100).map((l, i) => ({ series: 'resumed from the checkpoint at step 100', x: i + 101, y: l })),
  ],
  { logY: true },
)

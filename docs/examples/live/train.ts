/**
 * The live page's training run, in Node: the very module the browser runs, and the claims the
 * page makes about it (the loss halves within a hundred steps; the curved boundary beats a line).
 */
import assert from 'node:assert/strict'
import { random } from 'purediff'
import { dense, losses } from 'purediff/nn'
import { adam } from 'purediff/optim'
import { evaluate, initTrainState, trainStep } from 'purediff/train'
import { probabilityGrid, run, score, start } from './trainer.js'

const { data, state } = start(0)
// Before training the logits are small, so both classes get p ≈ ½ and the loss is near
// ln 2 ≈ 0.693, the cross-entropy of a coin flip.
const before = score(state, data)
assert.ok(Math.abs(before.loss - Math.LN2) < 0.15, `initial loss ${before.loss}`)

const early = score(run(state, data, 100), data)
assert.ok(early.loss < before.loss / 2, `loss after 100 steps: ${before.loss} → ${early.loss}`)
const trained = run(state, data, 400)
const after = score(trained, data)
assert.ok(after.loss < early.loss && after.accuracy > 0.95, `after 400 steps: ${JSON.stringify(after)}`)

// Purity: training made new states; the first one is untouched and scores as before.
assert.equal(score(state, data).loss, before.loss)
assert.equal(trained.step, 400)

// The moons are not linearly separable: the best line (a dense layer alone, trained to
// convergence) misclassifies the tips of the moons, which the hidden layers bend around.
const line = dense(2)
const lineStep = trainStep({ model: line, optimizer: adam(0.05), loss: losses.softmaxCrossEntropy })
let ls = initTrainState(line.init(random.key(1), [2]).params, adam(0.05), random.key(2))
for (let i = 0; i < 500; i++) ls = lineStep(ls, data)
const lineScore = evaluate(line, ls.params, data, losses.softmaxCrossEntropy)
assert.ok(lineScore.accuracy < 0.95 && lineScore.accuracy < after.accuracy, `a line: ${lineScore.accuracy}`)

// The probability map the page draws is confident at the moons' extreme points: the top of
// moon 0 at (0, 1) and the bottom of moon 1 at (1, −½).
const [top] = probabilityGrid(trained, [-0.01, 0.01], [0.99, 1.01], 1)
const [bottom] = probabilityGrid(trained, [0.99, 1.01], [-0.51, -0.49], 1)
assert.ok(top < 0.1 && bottom > 0.9, `P(class 1) at (0, 1): ${top}, at (1, −½): ${bottom}`)

/**
 * The loop of `purediff train`, in process: interrupted after ANY batch or evaluation chunk,
 * checkpointed (through the real encoder and the io-ts decoder) and resumed — once or several
 * times — it ends bit-identical to a run never interrupted, with and without early stopping and
 * with dropout; the checkpoint decoder refuses inconsistent trees with the path; the tree check
 * names the first mismatching parameter and both shapes.
 */
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { dense, dropout, relu, sequential } from '../../src/nn/index.js'
import { adagrad, adam } from '../../src/optim/index.js'
import { decodeCheckpoint, encodeCheckpoint } from '../../src/io/index.js'
import type { Dataset } from '../../src/cli/dataset.js'
import { type RunMeta, fingerprint, readRunTree, runTree } from '../../src/cli/runFile.js'
import { RunDiverged, type RunSetup, type RunState, evalParams, runEpochs, startState } from '../../src/cli/trainRun.js'
import { firstMismatch } from '../../src/cli/treeCheck.js'

/** n rows of 3 features, 3 classes by the sign pattern of two features (a fixed LCG, no Math.random). */
function data(n: number, seed: number): Dataset {
  let s = seed
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return (s / 2 ** 31) * 2 - 1
  }
  const x = new Float32Array(n * 3).map(() => rnd())
  const y = Array.from({ length: n }, (_, i) => (x[3 * i] > 0 ? 1 : 0) + (x[3 * i + 1] > 0.3 ? 1 : 0))
  return { x, y, n, d: 3, classes: 3 }
}

const model = sequential(dense(8), relu(), dropout(0.25), dense(3))
const train = data(45, 1)
const validation = data(2100, 2) // three evaluation chunks of 1000 rows: interruptible between them
const setup = (patience?: number): RunSetup => ({ model, optimizer: adam(0.05), train, validation, batchSize: 8, epochs: 5, ...(patience === undefined ? {} : { patience }) })
const meta = (patience?: number): RunMeta => ({
  model: { layers: [] },
  optimizer: { name: 'adam', learningRate: 0.05 },
  seed: 0,
  batchSize: 8,
  patience: patience ?? null,
  epochs: 5,
  inputs: 3,
  classes: 3,
  data: { source: 'test', fingerprint: fingerprint(train), rows: 45 },
})
const fresh = (patience?: number): RunState => {
  const params = model.init(P.random.key(0), [3]).params
  return startState(params, adam(0.05).init(params as never), P.random.key(1), patience !== undefined)
}
const text = (s: RunState, patience?: number) => encodeCheckpoint(runTree(meta(patience), s, evalParams(s)))
const never = { interrupted: () => false, pause: async () => {} }

/** Through a checkpoint's text and back, as `train --resume` reads it. */
function reload(s: RunState, patience?: number): RunState {
  const tree = decodeCheckpoint(text(s, patience))
  if (E.isLeft(tree)) throw tree.left
  const r = readRunTree(tree.right)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right.state
}

/** Runs from `s`, interrupted at the `after`-th pause (batch or evaluation chunk). */
async function until(s: RunState, after: number, patience?: number) {
  let pauses = 0
  return runEpochs(setup(patience), s, {
    pause: async () => {
      pauses++
    },
    interrupted: () => pauses >= after,
  })
}

describe("train's loop resumes exactly", () => {
  it('interrupted after any batch or evaluation chunk, checkpointed and resumed (maybe twice): the same final checkpoint, bit for bit', async () => {
    const straight = new Map<string, string>()
    for (const p of [undefined, 2]) straight.set(String(p), text((await runEpochs(setup(p), fresh(p), never)).state, p))
    // 5 epochs of 6 batches and 4 evaluation chunks (the 45 training rows, then the 2100 validation rows): 50 pauses
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 49 }), fc.integer({ min: 1, max: 49 }), fc.boolean(), fc.constantFrom(undefined, 2), async (a, b, twice, p) => {
        const first = await until(fresh(p), a, p)
        let s = reload(first.state, p)
        if (first.end === 'interrupted' && twice) s = reload((await until(s, b, p)).state, p)
        const rest = await runEpochs(setup(p), s, never)
        expect(rest.end).not.toBe('interrupted')
        expect(text(rest.state, p)).toBe(straight.get(String(p)))
      }),
      { numRuns: 25 },
    )
  })

  it('an interruption mid-epoch keeps the running sums and the batch index; after the last batch it keeps batch = batches (trained, not evaluated)', async () => {
    const mid = await until(fresh(), 4)
    expect(mid.end).toBe('interrupted')
    expect([mid.state.epoch, mid.state.batch, mid.state.history.trainLoss.length]).toEqual([0, 4, 0])
    const trained = await until(fresh(), 7) // 6 batches, then the first evaluation chunk
    expect([trained.state.epoch, trained.state.batch, trained.state.history.trainLoss.length]).toEqual([0, 6, 0])
  })

  it("early stopping: the checkpoint's params are the best epoch's, and a stopped run stays stopped", async () => {
    const r = await runEpochs({ ...setup(1), epochs: 40 }, fresh(1), never)
    const es = r.state.earlyStopping
    expect(es).toBeDefined()
    if (es === undefined) return
    expect(r.end).toBe('stopped') // noisy labels: the validation loss rises within 40 epochs
    expect(r.state.epoch).toBe(es.bestEpoch + 2) // patience 1: one epoch past the best
    expect(evalParams(r.state)).toBe(es.bestParams)
    const again = await runEpochs({ ...setup(1), epochs: 40 }, reload(r.state, 1), never)
    expect(again.end).toBe(r.end)
    expect(again.state.epoch).toBe(r.state.epoch)
  })
})

describe('the checkpoint decoder refuses inconsistent trees', () => {
  const tree = () => {
    const t = decodeCheckpoint(text(fresh(2), 2))
    if (E.isLeft(t)) throw t.left
    // the parts these cases rewrite
    return t.right as Record<string, unknown> & { readonly run: Record<string, unknown> & { readonly earlyStopping: Record<string, unknown> } }
  }
  const err = (t: unknown) => {
    const r = readRunTree(t)
    if (E.isRight(r)) throw new Error('accepted')
    return r.left
  }
  it('names the path', () => {
    expect(E.isRight(readRunTree(tree()))).toBe(true)
    expect(err({ ...tree(), format: 'purediff-cli/9' })).toMatch(/at format/)
    expect(err({ ...tree(), extra: 1 })).toMatch(/at extra: unknown field 'extra'/)
    const t = tree()
    expect(err({ ...t, run: { ...t.run, orderKey: [1, 2 ** 32] } })).toMatch(/at run\.orderKey\.1/)
    expect(err({ ...t, run: { ...t.run, epoch: 1 } })).toMatch(/at history: expected 1 entries per metric/)
    expect(err({ ...t, run: { ...t.run, earlyStopping: null } })).toMatch(/at run\.earlyStopping: present exactly when patience is set/)
    expect(err({ ...t, run: { ...t.run, earlyStopping: { ...t.run.earlyStopping, epoch: 3 } } })).toMatch(/at run\.earlyStopping\.epoch/)
    expect(err({ ...t, batchSize: 0 })).toMatch(/at batchSize: expected a positive integer/)
  })
})

describe('firstMismatch names the first parameter that does not fit, with both shapes', () => {
  const t = (shape: number[], dtype: 'float32' | 'float64' = 'float32') => P.zeros(shape, dtype)
  const m = (e: unknown, a: unknown) => firstMismatch(e, a, 'the model', 'the checkpoint')
  it('agrees with itself and ignores values', () => {
    expect(m([{ w: t([3, 8]), b: t([8]) }, {}], [{ w: P.ones([3, 8]), b: t([8]) }, {}])).toBeUndefined()
  })
  it('shapes, dtypes, structure', () => {
    expect(m([{ w: t([3, 8]), b: t([8]) }], [{ w: t([2, 8]), b: t([8]) }])).toBe('at [0].w: the model has shape [3,8] (float32) but the checkpoint has shape [2,8] (float32)')
    expect(m({ w: t([2]) }, { w: t([2], 'float64') })).toMatch(/at \.w: .*\[2\] \(float32\) .*\[2\] \(float64\)/)
    expect(m([t([1]), t([1])], [t([1])])).toBe('at <root>: the model has 2 entries, the checkpoint has 1')
    expect(m({ w: t([1]), b: t([1]) }, { w: t([1]) })).toMatch(/at <root>: the checkpoint has no field 'b'/)
    expect(m({ w: t([1]) }, { w: t([1]), q: t([1]) })).toMatch(/the checkpoint has a field 'q'/)
    expect(m({ w: t([1]), b: t([1]) }, { b: t([1]), w: t([1]) })).toMatch(/another order/)
    expect(m({ w: t([1]) }, { w: 3 })).toMatch(/at \.w: the model has a tensor of shape \[1\] \(float32\), the checkpoint has a number/)
    expect(m({ count: 0 }, { count: 'x' })).toMatch(/at \.count: the model has a number, the checkpoint has a string/)
  })
})

describe('runEpochs: an overflowed optimizer state is divergence', () => {
  it("stops at the end of the epoch, naming the state leaf, when Adagrad's float32 accumulator overflows on finite data", async () => {
    // features of 1e21: the kernel's gradient is x·(softmax − onehot), up to ~1e21, and its square
    // (1e42) overflows float32 (max ≈ 3.4e38) in Adagrad's sum; the loss stays finite (the update is 0)
    const huge: Dataset = { ...train, x: train.x.map((v) => v * 1e21) }
    const params = model.init(P.random.key(0), [3]).params
    const state = startState(params, adagrad(0.01).init(params as never), P.random.key(1), false)
    const run = runEpochs({ model, optimizer: adagrad(0.01), train: huge, validation, batchSize: 8, epochs: 3 }, state, never)
    await expect(run).rejects.toBeInstanceOf(RunDiverged)
    await expect(run).rejects.toThrow(/optimizer state became non-finite at .*\[0\]\.w/)
    await expect(run).rejects.toMatchObject({ epoch: 0 })
  })
})

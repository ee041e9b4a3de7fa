/**
 * What `fit` gained for callers that drive it (the CLI, a UI): `onBatch` after every batch, an
 * AbortSignal looked at after every batch and evaluation chunk — an aborted run returns a
 * `resume` that continues, mid-epoch, to the very bits of a run never stopped (also through a
 * checkpoint) —, `fitAsync` (the same bits, awaiting its callbacks and a pause), and a `penalty`
 * on the params inside the objective (checked against a hand-derived step).
 */
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { dense, dropout, losses, relu, sequential } from '../../src/nn/index.js'
import { adam, sgd } from '../../src/optim/index.js'
import { decodeCheckpoint, encodeCheckpoint } from '../../src/io/index.js'
import { noisy } from './noisyData.js'
import { type FitOptions, type FitResult, type FitResume, fit, fitAsync } from '../../src/train/index.js'

const model = sequential(dense(8), relu(), dropout(0.2), dense(2))
const train = noisy(1, 30) // batch 7: 5 batches per epoch; evalBatchSize 16: 2 chunks
const validation = noisy(2, 20) // 2 chunks
const PAUSES_PER_EPOCH = 5 + 2 + 2
type Opts = FitOptions<unknown, unknown>
const options = (seed: number, patience?: number): Opts => ({
  model: model as never,
  params: model.init(P.random.key(seed), [2]).params,
  optimizer: adam(0.05) as never,
  loss: losses.softmaxCrossEntropy,
  train,
  validation,
  epochs: 4,
  batchSize: 7,
  evalBatchSize: 16,
  key: P.random.key(seed + 100),
  ...(patience === undefined ? {} : { earlyStopping: { patience } }),
})
const bits = (r: FitResult<unknown, unknown>) => encodeCheckpoint({ params: r.params, state: r.state, resume: r.resume, bestEpoch: r.bestEpoch, stoppedEpoch: r.stoppedEpoch })
function roundTrip(r: FitResume<unknown, unknown>): FitResume<unknown, unknown> {
  const back = decodeCheckpoint(encodeCheckpoint(r))
  if (E.isLeft(back)) throw back.left
  return back.right as unknown as FitResume<unknown, unknown>
}

/** fitAsync aborted at its `k`-th pause (counted from 1). */
async function cutAt(o: Opts, k: number): Promise<FitResult<unknown, unknown>> {
  const stop = new AbortController()
  let pauses = 0
  return fitAsync({
    ...o,
    signal: stop.signal,
    pause: async () => {
      if (++pauses === k) stop.abort()
    },
  })
}

describe('fit stops on an AbortSignal and resumes exactly', () => {
  it('fitAsync aborted after any batch or evaluation chunk, resumed (through a checkpoint, maybe aborted again): the bits of a run never stopped', async () => {
    const straight = new Map([undefined, 2].map((p) => [p, bits(fit(options(5, p)))]))
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 * PAUSES_PER_EPOCH - 1 }), fc.integer({ min: 1, max: 20 }), fc.constantFrom(undefined, 2), async (k, k2, p) => {
        const o = options(5, p)
        const first = await cutAt(o, k)
        expect(first.aborted || first.stoppedEpoch !== null).toBe(true)
        let r = first
        if (r.aborted) {
          const second = await cutAt({ ...o, resume: roundTrip(r.resume) }, k2)
          r = second.aborted ? await fitAsync({ ...o, resume: roundTrip(second.resume) }) : second
        }
        expect(r.aborted).toBe(false)
        expect(bits(r)).toBe(straight.get(p))
      }),
      { numRuns: 25 },
    )
  })

  it('the resume point says where it stopped: mid-epoch after a batch, batch = batches when aborted while evaluating', async () => {
    const mid = await cutAt(options(5), PAUSES_PER_EPOCH + 3) // epoch 1, after its 3rd batch
    expect([mid.resume.epoch, mid.resume.batch, mid.state.step, mid.history.trainLoss.length]).toEqual([1, 3, 8, 1])
    const evaluating = await cutAt(options(5), 6) // the 5 batches of epoch 0, then the first chunk
    expect([evaluating.resume.epoch, evaluating.resume.batch, evaluating.state.step, evaluating.history.trainLoss.length]).toEqual([0, 5, 5, 0])
  })

  it('fit (synchronous) aborted from onBatch stops after that batch; a signal aborted before the start does nothing', () => {
    const o = options(7)
    const stop = new AbortController()
    const cut = fit({
      ...o,
      signal: stop.signal,
      onBatch: (b) => {
        if (b.epoch === 2 && b.batch === 1) stop.abort()
      },
    })
    expect([cut.aborted, cut.resume.epoch, cut.resume.batch, cut.state.step]).toEqual([true, 2, 2, 12])
    expect(bits(fit({ ...o, resume: cut.resume }))).toBe(bits(fit(o)))
    const never = fit({ ...o, signal: AbortSignal.abort() })
    expect([never.aborted, never.state.step, never.resume.epoch, never.resume.batch, never.history.trainLoss.length]).toEqual([true, 0, 0, undefined, 0])
  })

  it('an abort during the last onEpoch does not make a complete run aborted', () => {
    const stop = new AbortController()
    const r = fit({
      ...options(7),
      signal: stop.signal,
      onEpoch: (log) => {
        if (log.epoch === 3) stop.abort()
      },
    })
    expect(r.aborted).toBe(false)
    expect(r.history.trainLoss).toHaveLength(4)
  })

  it('refuses a resume batch outside the epoch, and a signal that is not one', () => {
    const r = fit(options(7)).resume
    expect(() =>
      fit({ ...options(7), resume: { ...r, epoch: 1, batch: 6, history: { trainLoss: [1], trainAccuracy: [1], validationLoss: [1], validationAccuracy: [1] } } }),
    ).toThrow(/resume\.batch must be an integer from 0 to 5/)
    expect(() => fit({ ...options(7), signal: {} as AbortSignal })).toThrow(/signal must be an AbortSignal/)
    // 4 epochs of 5 batches are 20 steps; with another batch size they would be another count
    expect(() => fit({ ...options(7), batchSize: 10, epochs: 6, resume: r })).toThrow(
      /resume\.state\.step is 20, but 4 epochs of 3 batches make 12: resume with the data and batch size/,
    )
  })
})

describe('onBatch and fitAsync', () => {
  it('onBatch sees every batch in order, with its loss and the state after it', () => {
    const seen: [number, number, number, number][] = []
    const r = fit({
      ...options(9),
      onBatch: (b) => {
        expect(b.loss).toBe(b.state.loss)
        seen.push([b.epoch, b.batch, b.batches, b.state.step])
      },
    })
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => [Math.floor(i / 5), i % 5, 5, i + 1]))
    expect(r.state.step).toBe(20)
  })

  it('fitAsync gives the bits of fit and awaits the promises its callbacks return before going on', async () => {
    const events: string[] = []
    const r = await fitAsync({
      ...options(9),
      onEpoch: async (log) => {
        await new Promise((res) => setTimeout(res, 2))
        events.push(`saved ${log.epoch}`)
      },
      onBatch: (b) => {
        if (b.batch === 0) events.push(`batch ${b.epoch}`)
      },
    })
    expect(bits(r)).toBe(bits(fit(options(9))))
    expect(events).toEqual(['batch 0', 'saved 0', 'batch 1', 'saved 1', 'batch 2', 'saved 2', 'batch 3', 'saved 3'])
    await expect(fitAsync({ ...options(9), epochs: -1 })).rejects.toThrow(/fitAsync: epochs must be a non-negative integer/)
  })
})

describe('a penalty on the params', () => {
  it('one SGD step on a zero loss with penalty λ·Σw² is w ← w − η·2λ·w (η = 1/2, λ = 1/4: w ← w − w/4, one rounding); the objective includes it, the history does not', () => {
    const m = dense(3)
    const params = m.init(P.random.key(3), [2]).params
    const zeroLoss = (logits: P.Tensor) => P.mul(0, P.sum(logits))
    const penalty = (p: { w: P.Tensor; b?: P.Tensor }) => P.mul(0.25, P.add(P.sum(P.square(p.w)), P.sum(P.square(p.b as P.Tensor))))
    const data = { x: P.tensor([[1, 2]]), y: P.tensor([[0, 0, 0]]) }
    const r = fit({ model: m, params, optimizer: sgd(0.5), loss: zeroLoss, penalty, train: data, epochs: 1, batchSize: 1, key: P.random.key(4) })
    for (const k of ['w', 'b'] as const) {
      const before = P.toFlatArray(params[k] as P.Tensor)
      expect(P.toFlatArray(r.params[k] as P.Tensor)).toEqual(before.map((w) => Math.fround(w - w / 4)))
    }
    expect(r.state.loss).toBe(P.item(penalty(params)))
    expect(r.state.loss).toBeGreaterThan(0)
    expect(r.history.trainLoss).toEqual([0])
  })

  it('a penalty that is not a function is refused by name', () => {
    expect(() => fit({ ...options(1), penalty: 3 as never })).toThrow(/penalty must be a function \(params\) => scalar tensor/)
  })
})

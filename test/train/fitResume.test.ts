/**
 * `fit` resumes: fit(0..k) then fit-resumed(k..n) is fit(0..n), every bit of params, optimizer
 * state, history and early-stopping state (compared as checkpoint text, which keeps every bit),
 * also when the resume point went through a checkpoint, from an EpochLog, with dropout and with
 * early stopping; a resume that does not fit the run is an ArgumentError.
 */
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { dense, dropout, losses, relu, sequential } from '../../src/nn/index.js'
import { adam, momentum } from '../../src/optim/index.js'
import { decodeCheckpoint, encodeCheckpoint } from '../../src/io/index.js'
import { noisy } from './noisyData.js'
import { type FitOptions, type FitResult, type FitResume, fit } from '../../src/train/index.js'

const model = sequential(dense(16), relu(), dropout(0.2), dense(2))
const train = noisy(1, 40)
const validation = noisy(2, 40)

type Opts = FitOptions<unknown, unknown>
function options(seed: number, es: 'none' | 'restore' | 'keepLast', opt: 'adam' | 'momentum'): Omit<Opts, 'epochs'> {
  return {
    model: model as never,
    params: model.init(P.random.key(seed), [2]).params,
    optimizer: (opt === 'adam' ? adam(0.05) : momentum(0.1)) as never,
    loss: losses.softmaxCrossEntropy,
    train,
    validation,
    batchSize: 7,
    key: P.random.key(seed + 100),
    ...(es === 'none' ? {} : { earlyStopping: { patience: 2, restoreBest: es === 'restore' } }),
  }
}

/** Every bit of a result: the checkpoint text of everything it holds. */
const bits = (r: FitResult<unknown, unknown>) => encodeCheckpoint({ params: r.params, state: r.state, resume: r.resume, bestEpoch: r.bestEpoch, stoppedEpoch: r.stoppedEpoch })

/** A resume point through a checkpoint and back. */
function roundTrip(r: FitResume<unknown, unknown>): FitResume<unknown, unknown> {
  const back = decodeCheckpoint(encodeCheckpoint(r))
  if (E.isLeft(back)) throw back.left
  return back.right as unknown as FitResume<unknown, unknown>
}

describe('fit resume', () => {
  it('fit(0..k) then fit-resumed(k..n) equals fit(0..n) bitwise, through a checkpoint, with and without early stopping', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom('none', 'restore', 'keepLast') as fc.Arbitrary<'none' | 'restore' | 'keepLast'>,
        fc.constantFrom('adam', 'momentum') as fc.Arbitrary<'adam' | 'momentum'>,
        fc.boolean(),
        (seed, k, es, opt, viaCheckpoint) => {
          const o = options(seed, es, opt)
          const straight = fit({ ...o, epochs: 6 })
          const first = fit({ ...o, epochs: k })
          const resumed = fit({ ...o, epochs: 6, resume: viaCheckpoint ? roundTrip(first.resume) : first.resume })
          expect(bits(resumed)).toBe(bits(straight))
          expect(resumed.history.trainLoss).toHaveLength(straight.history.trainLoss.length)
        },
      ),
      { numRuns: 12 },
    )
  })

  it("resumes from the resume point of any epoch's log, and a finished or stopped run returns at once", () => {
    const o = options(3, 'restore', 'adam')
    const logs: FitResume<unknown, unknown>[] = []
    const straight = fit({
      ...o,
      epochs: 8,
      onEpoch: (log) => {
        logs.push(roundTrip(log.resume))
      },
    })
    expect(logs.map((l) => l.epoch)).toEqual(logs.map((_, i) => i + 1))
    for (const l of logs) expect(bits(fit({ ...o, epochs: 8, resume: l }))).toBe(bits(straight))
    // the final resume point is complete: resuming it runs nothing and changes nothing
    expect(bits(fit({ ...o, epochs: 8, resume: straight.resume }))).toBe(bits(straight))
  })

  it('an early-stopped run stays stopped when resumed with more epochs', () => {
    const o = options(4, 'restore', 'adam')
    const r = fit({ ...o, epochs: 200 })
    expect(r.stoppedEpoch).not.toBeNull() // noisy labels and patience 2: it stops well before 200
    const again = fit({ ...o, epochs: 400, resume: roundTrip(r.resume) })
    expect(again.stoppedEpoch).toBe(r.stoppedEpoch)
    expect(bits(again)).toBe(bits(r))
  })

  it('a resume that does not fit the run is an ArgumentError naming what differs', () => {
    const o = options(5, 'restore', 'adam')
    const r = fit({ ...o, epochs: 2 }).resume
    expect(() => fit({ ...o, key: P.random.key(999), epochs: 4, resume: r })).toThrow(/resume\.state\.key .* the key the run started with/)
    const { earlyStopping: _es, ...noEs } = o
    expect(() => fit({ ...noEs, epochs: 4, resume: r })).toThrow(/no earlyStopping option/)
    const plain = fit({ ...noEs, epochs: 2 }).resume
    expect(() => fit({ ...o, epochs: 4, resume: plain })).toThrow(/no earlyStopping state/)
    expect(() => fit({ ...o, epochs: 4, resume: { ...r, epoch: 3 } })).toThrow(/resume\.history\.trainLoss must hold one entry per epoch done \(3\)/)
    expect(() => fit({ ...o, epochs: 4, resume: { ...r, epoch: -1 } })).toThrow(/resume\.epoch must be a non-negative integer/)
    expect(() => fit({ ...o, epochs: 4, resume: null as never })).toThrow(/resume must be/)
  })
})

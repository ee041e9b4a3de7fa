/**
 * The early-stopping state machine: the best is the minimum of the validation losses (first on
 * ties, NaN never), `stop` fires exactly when `patience` epochs passed without an improvement
 * by more than `minDelta`, the best params are kept whenever `restoreBest` (the default), and
 * the machine is pure.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentError } from '../../src/index.js'
import { earlyStopping } from '../../src/train/index.js'

const loss = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(NaN) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, 1, 2) },
)

/** A reference written the long way: indices of the run, per epoch. */
function reference(losses: readonly number[], patience: number, minDelta: number) {
  let best = -1
  let ref = Infinity
  let lastSig = -1
  const out: { best: number; stop: boolean }[] = []
  losses.forEach((l, i) => {
    if (!Number.isNaN(l) && (best < 0 || l < losses[best])) best = i
    if (!Number.isNaN(l) && (lastSig < 0 || l < ref - minDelta)) {
      ref = l
      lastSig = i
    }
    const wait = lastSig < 0 ? i + 1 : i - lastSig
    out.push({ best, stop: wait >= patience })
  })
  return out
}

describe('earlyStopping', () => {
  it('tracks the minimum and stops after `patience` epochs without a significant improvement (vs a reference)', () => {
    fc.assert(
      fc.property(fc.array(loss, { maxLength: 30 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(0, 0.1, 1), (losses, patience, minDelta) => {
        const es = earlyStopping({ patience, minDelta })
        let s = es.init<number>()
        const ref = reference(losses, patience, minDelta)
        losses.forEach((l, i) => {
          s = es(s, l, i)
          expect(s.epoch).toBe(i + 1)
          expect(s.bestEpoch).toBe(ref[i].best)
          expect(s.bestParams).toBe(ref[i].best < 0 ? undefined : ref[i].best) // restoreBest defaults to true
          expect(s.stop).toBe(ref[i].stop)
          if (ref[i].best >= 0) expect(s.bestLoss).toBe(losses[ref[i].best])
        })
      }),
      { numRuns: 300 },
    )
  })

  it('with minDelta, the params kept are still those of the true minimum', () => {
    const es = earlyStopping({ patience: 2, minDelta: 0.5 })
    let s = es(undefined, 1, 'a')
    s = es(s, 0.9, 'b') // better, but not by more than 0.5: wait 1
    s = es(s, 0.95, 'c') // wait 2: stop
    expect([s.stop, s.bestParams, s.bestEpoch, s.bestLoss]).toEqual([true, 'b', 1, 0.9])
  })

  it('restoreBest: false keeps no params; a strictly falling loss never stops', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4 }), (n, patience) => {
        const keep = earlyStopping({ patience, restoreBest: false })
        let s = keep.init<number>()
        for (let i = 0; i < n; i++) s = keep(s, 100 - i, i)
        expect(s.stop).toBe(false)
        expect(s.bestParams).toBeUndefined()
        expect(s.bestEpoch).toBe(n - 1)
      }),
    )
  })

  it('stops exactly `patience` epochs after the last improvement', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 6 }), (down, patience) => {
        const es = earlyStopping({ patience })
        let s = es.init<number>()
        let epoch = 0
        for (; epoch < down; epoch++) s = es(s, 10 - epoch, epoch)
        let stoppedAt = -1
        for (; epoch < down + 20 && stoppedAt < 0; epoch++) {
          s = es(s, 50, epoch)
          if (s.stop) stoppedAt = epoch
        }
        expect(stoppedAt).toBe(down - 1 + patience)
        expect(s.bestParams).toBe(down - 1)
      }),
    )
  })

  it('is pure: a state can be reused and is never changed', () => {
    const es = earlyStopping({ patience: 1 })
    const s0 = Object.freeze(es(undefined, 1, 'a'))
    const a = es(s0, 2, 'b'),
      b = es(s0, 0.5, 'c')
    expect(a.stop).toBe(true)
    expect(b.stop).toBe(false)
    expect(s0.epoch).toBe(1)
    expect(es.options).toEqual({ patience: 1, minDelta: 0, restoreBest: true })
  })

  it('refuses bad options', () => {
    expect(() => earlyStopping({ patience: 0 })).toThrow(ArgumentError)
    expect(() => earlyStopping({ patience: 2, minDelta: -1 })).toThrow(/minDelta/)
    expect(() => earlyStopping({ patience: 2, restoreBest: 'yes' as never })).toThrow(/restoreBest/)
  })
})

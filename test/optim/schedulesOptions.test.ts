/**
 * Schedule options at their bounds and in their messages, where mutation testing found them
 * unobserved: alpha = 1 is allowed (a constant cosine "decay"), exponent must be > 0, and each
 * refusal names the schedule, the option and the value.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentError } from '../../src/index.js'
import { constantSchedule, cosineDecay, warmupCosine } from '../../src/optim/index.js'

/** The message of the ArgumentError `run` throws. */
function messageOf(run: () => unknown): string {
  try {
    run()
  } catch (e) {
    if (e instanceof ArgumentError) return e.message
    throw new Error(`expected an ArgumentError, got ${String(e)}`)
  }
  throw new Error('expected a throw')
}

describe('schedule options', () => {
  it('cosineDecay with alpha = 1 is the constant initValue (init·((1 − α)·c + α) = init)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: -5, max: 100 }),
        (init, steps, t) => cosineDecay({ initValue: init, decaySteps: steps, alpha: 1 })(t) === init,
      ),
      { numRuns: 50 },
    )
  })
  it('warmupCosine names the option and the value it refuses', () => {
    const base = { initValue: 0, peakValue: 1, warmupSteps: 1, decaySteps: 4 }
    expect(messageOf(() => warmupCosine({ ...base, initValue: -1 }))).toBe('warmupCosine: initValue must be a finite number ≥ 0, got -1')
    expect(messageOf(() => warmupCosine({ ...base, exponent: 0 }))).toBe('warmupCosine: exponent must be a finite number > 0, got 0')
    expect(messageOf(() => warmupCosine({ ...base, endValue: -0.5 }))).toBe('warmupCosine: endValue must be a finite number ≥ 0, got -0.5')
  })
  it('constantSchedule names itself', () => {
    expect(messageOf(() => constantSchedule(-1))).toBe('constantSchedule: value must be a finite number ≥ 0, got -1')
  })
})

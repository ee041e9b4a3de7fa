/**
 * Schedules against their closed forms at the key steps (start, middle, end, past the end),
 * the options they share with Optax (staircase, transitionBegin, endValue, alpha, exponent),
 * and their argument checks.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import * as O from '../../src/optim/index.js'

const near = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(b)))

describe('constantSchedule', () => {
  it('is the value at every step', () => {
    fc.assert(fc.property(fc.nat(), (t) => O.constantSchedule(0.3)(t) === 0.3))
  })
})

describe('exponentialDecay', () => {
  it('init·rate^(t/T), continuous or staircase', () => {
    const s = O.exponentialDecay({ initValue: 0.8, transitionSteps: 4, decayRate: 0.5 })
    near(s(0), 0.8)
    near(s(4), 0.4)
    near(s(8), 0.2)
    near(s(2), 0.8 * Math.SQRT1_2)
    near(s(6), 0.4 * Math.SQRT1_2)
    const st = O.exponentialDecay({ initValue: 0.8, transitionSteps: 4, decayRate: 0.5, staircase: true })
    expect([0, 3, 4, 7, 8].map(st)).toEqual([0.8, 0.8, 0.4, 0.4, 0.2])
  })
  it('holds the initial value before transitionBegin, and clips at endValue', () => {
    const s = O.exponentialDecay({ initValue: 1, transitionSteps: 1, decayRate: 0.5, transitionBegin: 10, endValue: 0.2 })
    expect([0, 9, 10, 11, 12, 13, 100].map(s)).toEqual([1, 1, 1, 0.5, 0.25, 0.2, 0.2])
    const grow = O.exponentialDecay({ initValue: 1, transitionSteps: 1, decayRate: 2, endValue: 5 })
    expect([0, 1, 2, 3, 50].map(grow)).toEqual([1, 2, 4, 5, 5])
  })
})

describe('cosineDecay', () => {
  it('init at 0, init·(1 + α)/2 halfway, α·init at decaySteps and after', () => {
    const s = O.cosineDecay({ initValue: 2, decaySteps: 10, alpha: 0.25 })
    near(s(0), 2)
    near(s(5), (2 * (1 + 0.25)) / 2)
    near(s(10), 0.5)
    near(s(1000), 0.5)
    // a quarter of the way: c = ½(1 + cos(π/4))
    near(s(2.5), 2 * (0.75 * 0.5 * (1 + Math.SQRT1_2) + 0.25))
  })
  it('exponent p raises the cosine factor: halfway it is init·((1 − α)/2^p + α)', () => {
    near(O.cosineDecay({ initValue: 1, decaySteps: 8, exponent: 2 })(4), 0.25)
  })
  it('never increases', () => {
    const s = O.cosineDecay({ initValue: 1, decaySteps: 50, alpha: 0.1 })
    for (let t = 0; t < 60; t++) expect(s(t + 1)).toBeLessThanOrEqual(s(t))
  })
})

describe('warmupCosine', () => {
  it('linear from init to peak over the warm-up, then a cosine down to end at decaySteps', () => {
    const s = O.warmupCosine({ initValue: 0.1, peakValue: 1.1, warmupSteps: 4, decaySteps: 24, endValue: 0.1 })
    near(s(0), 0.1)
    near(s(2), 0.6)
    near(s(4), 1.1)
    near(s(14), 0.6)
    near(s(24), 0.1)
    near(s(99), 0.1)
    // 5 steps into the 20-step decay: end + (peak − end)·½(1 + cos(π/4))
    near(s(9), 0.1 + 0.5 * (1 + Math.SQRT1_2))
  })
  it('without warm-up it is a cosine decay from the peak to endValue', () => {
    const a = O.warmupCosine({ initValue: 0, peakValue: 1, warmupSteps: 0, decaySteps: 10, endValue: 0.2 })
    const b = O.cosineDecay({ initValue: 1, decaySteps: 10, alpha: 0.2 })
    for (let t = 0; t <= 12; t++) near(a(t), b(t))
  })
})

describe('argument checks', () => {
  it('invalid options are ArgumentErrors naming the schedule and the option', () => {
    expect(() => O.exponentialDecay({ initValue: 1, transitionSteps: 0, decayRate: 0.5 })).toThrow(/exponentialDecay.*transitionSteps/)
    expect(() => O.exponentialDecay({ initValue: 1, transitionSteps: 1, decayRate: 0 })).toThrow(/decayRate/)
    expect(() => O.cosineDecay({ initValue: 1, decaySteps: 10, alpha: 2 })).toThrow(/cosineDecay.*alpha/)
    expect(() => O.warmupCosine({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 10 })).toThrow(/warmupCosine.*warmupSteps/)
    expect(() => O.constantSchedule(NaN)).toThrow(P.ArgumentError)
    expect(() => O.cosineDecay(undefined as never)).toThrow(/cosineDecay.*options object/)
  })
})

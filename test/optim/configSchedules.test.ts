/**
 * Schedules in optimizer configs (`fromConfig`), where mutation testing found the optional
 * fields of 'warmupCosine' and the learning-rate message unobserved: the optional fields are
 * accepted and used, invalid ones are refused by name.
 */
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { tensor, toFlatArray } from '../../src/index.js'
import { fromConfig } from '../../src/optim/index.js'

const warmupCosine = (extra: Record<string, unknown>) => ({
  name: 'sgd',
  learningRate: { schedule: 'warmupCosine', initValue: 0, peakValue: 1, warmupSteps: 1, decaySteps: 3, ...extra },
})

describe('fromConfig with a warmupCosine schedule', () => {
  it('takes endValue and exponent, and the rate ends at endValue', () => {
    const r = fromConfig(warmupCosine({ endValue: 0.25, exponent: 2 }))
    if (!isRight(r)) throw r.left
    const opt = r.right
    const g = [tensor([1], 'float64')]
    let s = opt.init(g)
    const steps: number[] = []
    for (let i = 0; i < 5; i++) {
      const [u, next] = opt.update(g, s)
      steps.push(toFlatArray((u as typeof g)[0])[0])
      s = next
    }
    // step 0: the warm-up starts at initValue 0 (−0 = −η·1 with η = 0); step 1: the peak, 1;
    // steps 3 and 4 (≥ decaySteps): endValue 0.25. sgd's update is −η·g.
    expect(steps[0]).toBe(-0)
    expect(steps[1]).toBe(-1)
    expect(steps.slice(3)).toEqual([-0.25, -0.25])
  })
  it('refuses an invalid endValue or exponent, naming it', () => {
    for (const [extra, field] of [
      [{ endValue: -1 }, 'endValue'],
      [{ exponent: 0 }, 'exponent'],
      [{ endValue: 'low' }, 'endValue'],
    ] as const) {
      const r = fromConfig(warmupCosine(extra))
      expect(isLeft(r)).toBe(true)
      if (isLeft(r)) expect(r.left.message).toMatch(new RegExp(`^fromConfig: invalid optimizer config: .*${field}`))
    }
  })
  it('a learning rate that is neither a number nor a schedule is named as such', () => {
    const r = fromConfig({ name: 'sgd', learningRate: 'fast' })
    expect(isLeft(r)).toBe(true)
    if (isLeft(r)) expect(r.left.message).toContain('expected a learning rate (a number > 0 or a schedule object), got')
  })
})

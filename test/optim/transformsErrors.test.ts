/**
 * The optimizer parts' checks name the part, the option or argument, and the value (mutation
 * testing found these messages unobserved, and a decay given as a string accepted when the
 * type test is removed). One property per kind of mistake, over every part.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentError, type PurediffError, ShapeError, tensor } from '../../src/index.js'
import { scaleByAdam, scaleByRms, scaleByRss, trace } from '../../src/optim/index.js'
import type { GradientTransformation } from '../../src/optim/index.js'

type Make = (opts: Record<string, unknown>) => GradientTransformation<unknown>
const parts: Record<string, { make: Make; decays: string[]; numbers: string[] }> = {
  scaleByAdam: { make: (o) => scaleByAdam(o), decays: ['b1', 'b2'], numbers: ['eps', 'epsRoot'] },
  scaleByRss: { make: (o) => scaleByRss(o), decays: [], numbers: ['initialAccumulator', 'eps'] },
  scaleByRms: { make: (o) => scaleByRms(o), decays: ['decay'], numbers: ['eps', 'initialScale'] },
  trace: { make: (o) => trace(o), decays: ['decay'], numbers: [] },
}

/** The message of the error (an ArgumentError unless told) `run` throws, checked to name `op`. */
function messageOf(op: string, run: () => unknown, kind: typeof PurediffError = ArgumentError): string {
  try {
    run()
  } catch (e) {
    if (!(e instanceof kind)) throw new Error(`expected a ${kind.name}, got ${String(e)}`)
    expect(e.op).toBe(op)
    return e.message
  }
  throw new Error('expected a throw')
}

const badDecay = fc.oneof(fc.constantFrom(1, -0.1, 2, NaN, Infinity), fc.constantFrom('0.5', true, [0.5]))
const badNumber = fc.oneof(fc.constantFrom(-1, -1e-300, NaN, Infinity, -Infinity), fc.constantFrom('1e-8', false, {}))

// (null and undefined mean the default: `opts.x ?? default`.)
describe('invalid hyperparameters', () => {
  const decayCases = Object.entries(parts).flatMap(([op, p]) => p.decays.map((name) => [op, name] as const))
  const numberCases = Object.entries(parts).flatMap(([op, p]) => p.numbers.map((name) => [op, name] as const))
  it('a decay outside [0, 1), or not a number (a string too), names the part and the option', () => {
    fc.assert(
      fc.property(fc.constantFrom(...decayCases), badDecay, ([op, name], v) => {
        const msg = messageOf(op, () => parts[op].make({ [name]: v }))
        expect(msg.startsWith(`${op}: ${name} must be a number in [0, 1), got `)).toBe(true)
        if (typeof v === 'number') expect(msg.endsWith(`got ${v}`)).toBe(true) // a number is shown as itself
      }),
      { numRuns: 60 },
    )
  })
  it('a negative, non-finite or non-number ε or initial value names the part and the option', () => {
    fc.assert(
      fc.property(fc.constantFrom(...numberCases), badNumber, ([op, name], v) => {
        const msg = messageOf(op, () => parts[op].make({ [name]: v }))
        expect(msg.startsWith(`${op}: ${name} must be a finite number ≥ 0, got `)).toBe(true)
        if (typeof v === 'number') expect(msg.endsWith(`got ${v}`)).toBe(true)
      }),
      { numRuns: 60 },
    )
  })
})

describe('invalid updates and states', () => {
  const params = [tensor([1, 2], 'float64')]
  it('updates that are not a pytree of tensors', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(parts)), fc.constantFrom('g', 3, [[1, 2]], { a: 'x' }), (op, bad) => {
        const t = parts[op].make({})
        expect(messageOf(op, () => t.update(bad as never, t.init(params))).startsWith(`${op}: updates: `)).toBe(true)
      }),
      { numRuns: 20 },
    )
  })
  it('a state whose leaves do not match the updates names the state field', () => {
    const fields: Record<string, string> = { scaleByAdam: 'state.mu', scaleByRss: 'state.sumOfSquares', scaleByRms: 'state.nu', trace: 'state.trace' }
    for (const [op, where] of Object.entries(fields)) {
      const t = parts[op].make({})
      const s = t.init([tensor([1, 2, 3], 'float64')])
      expect(
        messageOf(op, () => t.update(params, s), ShapeError),
        op,
      ).toContain(`${op}: ${where} at [0] has shape [3]; expected [2]`)
    }
  })
})

/**
 * Every elementwise op names itself when an argument is not a tensor or a number (mutation
 * testing found most op names unobserved: only a few ops had such a test). The property draws
 * the op, the bad argument and its position.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'

const unary = [
  'abs',
  'exp',
  'expm1',
  'log',
  'log1p',
  'sqrt',
  'square',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
  'softplus',
  'logSigmoid',
  'leakyRelu',
  'elu',
  'neg',
  'erf',
  'gelu',
  'silu',
  'rsqrt',
] as const
const binary = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'prelu', 'greater', 'greaterEqual', 'less', 'equal'] as const
const notATensor = fc.oneof(fc.string(), fc.constant(null), fc.constant(undefined), fc.object(), fc.boolean(), fc.constant([[1, 2]]))

/** The op of the error `run` throws (it must be an ArgumentError). */
function opOf(run: () => unknown): string {
  try {
    run()
  } catch (e) {
    if (e instanceof P.ArgumentError) return e.op
    throw new Error(`expected an ArgumentError, got ${String(e)}`)
  }
  throw new Error('expected a throw')
}

describe('elementwise ops name themselves for a non-tensor argument', () => {
  it('unary ops', () => {
    fc.assert(
      fc.property(fc.constantFrom(...unary), notATensor, (name, bad) => {
        const op = (P as unknown as Record<string, (x: unknown) => unknown>)[name]
        expect(opOf(() => op(bad))).toBe(name)
      }),
      { numRuns: 120 },
    )
  })
  it('binary ops, either side', () => {
    fc.assert(
      fc.property(fc.constantFrom(...binary), notATensor, fc.boolean(), (name, bad, first) => {
        const op = (P as unknown as Record<string, (a: unknown, b: unknown) => unknown>)[name]
        const ok = P.ones([2], 'float64')
        expect(opOf(() => (first ? op(bad, ok) : op(ok, bad)))).toBe(name)
      }),
      { numRuns: 120 },
    )
  })
})

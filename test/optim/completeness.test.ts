/**
 * The optimizer registry is complete and the contract is honoured: every runtime export of
 * src/optim/index.ts has a row in test/specs/optimizers.ts or a stated reason, every name the
 * public name of `purediff/optim` listed below is exported, and no row names a ghost.
 */
import { describe, expect, it } from 'vitest'
import * as O from '../../src/optim/index.js'
import { notTransforms, optimizerRows } from '../specs/optimizers.js'

/** The public names of `purediff/optim` (a contract: code outside imports them; none may be renamed or removed). */
const contract = [
  'applyUpdates',
  'sgd',
  'momentum',
  'adagrad',
  'rmsprop',
  'adam',
  'adamw',
  'chain',
  'scaleByLearningRate',
  'addDecayedWeights',
  'addL1',
  'clipByGlobalNorm',
  'constantSchedule',
  'exponentialDecay',
  'cosineDecay',
  'warmupCosine',
  'fromConfig',
]
/** Names the issue adds: the wrappers, the codec, Optax's parts. */
const promised = ['applyIfFinite', 'multiSteps', 'OptimizerConfig', 'scaleByAdam', 'scaleByRss', 'scaleByRms', 'trace', 'identity', 'stateless']

describe('optim completeness', () => {
  it('every name of the contract and of the issue is exported', () => {
    expect([...contract, ...promised].filter((n) => !(n in O))).toEqual([])
  })
  it('every export has a registry row or a stated reason', () => {
    const covered = new Set([...optimizerRows.flatMap((r) => r.covers), ...Object.keys(notTransforms)])
    expect(Object.keys(O).filter((n) => !covered.has(n))).toEqual([])
  })
  it('no row names an export that does not exist, and rows are uniquely named', () => {
    expect([...optimizerRows.flatMap((r) => r.covers), ...Object.keys(notTransforms)].filter((n) => !(n in O))).toEqual([])
    expect(new Set(optimizerRows.map((r) => r.name)).size).toBe(optimizerRows.length)
  })
  it('every profile of every profiled optimizer has a row', () => {
    for (const opt of ['momentum', 'adagrad', 'rmsprop', 'adam']) {
      for (const p of ['pytorch', 'optax', 'tfjs', 'lecture']) {
        expect(
          optimizerRows.some((r) => r.name.startsWith(`${opt} (${p}`)),
          `${opt} ${p}`,
        ).toBe(true)
      }
    }
  })
})

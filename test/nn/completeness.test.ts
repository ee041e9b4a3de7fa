/**
 * The nn registry is complete and the contract is honoured: every runtime export of
 * purediff/nn is exercised by a row of the layer registry (test/nn/specs.ts) or listed with the
 * test that covers it, and every public name of purediff/nn (and of the nn parts of
 * purediff/testing and purediff/laws) listed below exists.
 */
import { describe, expect, it } from 'vitest'
import * as nn from '../../src/nn/index.js'
import * as laws from '../../laws/index.js'
import { arb } from '../../src/testing/index.js'
import { layerRows, testedElsewhere } from './specs.js'

/** The layer constructors of purediff/nn: each needs a layer-law row and is a contract name. */
const LAYERS = [
  'dense',
  'sigmoid',
  'tanh',
  'relu',
  'leakyRelu',
  'prelu',
  'elu',
  'softplus',
  'gelu',
  'silu',
  'maxout',
  'dropout',
  'flatten',
  'sequential',
  'embedding',
  'conv1d',
  'conv2d',
  'maxPool2d',
  'avgPool2d',
  'globalAvgPool',
]

describe('purediff/nn completeness', () => {
  it('every export is covered by a registry row or a named test', () => {
    const covered = new Set([...layerRows.flatMap((r) => r.covers), ...Object.keys(testedElsewhere)])
    expect(Object.keys(nn).filter((n) => !covered.has(n))).toEqual([])
  })
  it('no row or entry names an export that does not exist', () => {
    const ghosts = [...layerRows.flatMap((r) => r.covers), ...Object.keys(testedElsewhere)].filter((n) => !(n in nn))
    expect(ghosts).toEqual([])
  })
  it('every layer constructor has a row of its own', () => {
    const layers = LAYERS
    const withRow = new Set(layerRows.flatMap((r) => r.covers))
    expect(layers.filter((l) => !withRow.has(l))).toEqual([])
  })
  it('every public name of the contract exists', () => {
    const names = [...LAYERS, 'dropoutWithMask', 'init', 'losses', 'accuracy', 'l1Penalty', 'l2Penalty', 'fromSpec', 'ModelSpec']
    expect(names.filter((n) => !(n in nn))).toEqual([])
    for (const n of ['glorotUniform', 'heNormal', 'lecunNormal', 'zeros', 'constant']) expect(typeof (nn.init as Record<string, unknown>)[n]).toBe('function')
    for (const n of ['mse', 'softmaxCrossEntropy', 'softmaxCrossEntropyWithIntegerLabels', 'sigmoidBinaryCrossEntropy'])
      expect(typeof (nn.losses as Record<string, unknown>)[n]).toBe('function')
    expect(typeof laws.layerLaws).toBe('function')
    expect(typeof laws.dropoutLaws).toBe('function')
    expect(typeof arb.params).toBe('function')
  })
})

/**
 * Every row of the layer registry (test/nn/specs.ts) through `layerLaws`: init deterministic in
 * the key, apply pure (params and x unchanged, same output twice, in train and test mode),
 * output shape as declared, and gradients w.r.t. params and inputs against float64 central
 * differences — 100 random cases per law and row.
 */
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { layerLaws } from '../../laws/index.js'
import { layerRows } from './specs.js'

const RUNS = 100

describe.each(layerRows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
  for (const [law, property] of Object.entries(layerLaws(row.layer, row.inputShape, row.opts))) {
    it(law, () => {
      fc.assert(property, { numRuns: RUNS })
    })
  }
})

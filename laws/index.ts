/**
 * purediff/laws: law suites, each a record of named fast-check properties that the caller runs
 * with the runner and seed of their choice (`fc.assert(laws['linearity'], { seed })`), plus the
 * pure checkers behind them, returning `{ ok, detail }`. This file only re-exports.
 *
 * Suites: `gradientLaws` and `immutabilityLaws` over an `OpSubject`. Later suites
 * (optimizerLaws, layerLaws, dropoutLaws) are re-exported here too and build on these.
 *
 * fast-check is a peer dependency of this entry point.
 *
 * @since 0.1.0
 */

// --- shared model and immutability
export { immutabilityLaws, opCase, snapshot, unchanged } from './immutability.js'
export type { ImmutabilityLawOptions, LawResult, LawSuite, OpCase, OpSubject, Snapshot } from './immutability.js'

// --- gradients
export { gradientLaws, checkNumericAgreement, checkLinearity, checkChainRule, checkAdjointness } from './gradient.js'
export type { GradientLawOptions } from './gradient.js'

// --- layers and dropout (purediff/nn)
export * from './layer.js'
export * from './dropout.js'

// --- optimizers (purediff/optim)
export * from './optimizer.js'

// --- vmap
export * from './vmap.js'

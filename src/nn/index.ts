/**
 * purediff/nn: pure layers as `{ init, apply }` pairs (stax style), initialisers, dropout in
 * both forms, losses, penalties, metrics and JSON model specs. This file only re-exports.
 *
 * @since 0.1.0
 */

// --- the layer model and combinators
export { sequential, flatten } from './Layer.js'
export type { Layer, AnyLayer, LayerInit, ApplyContext, EmptyParams, ParamsOf, SequentialParams, LayerFusion } from './Layer.js'

// --- layers
export { dense } from './dense.js'
export type { DenseOptions, DenseParams } from './dense.js'
export { conv1d, conv2d } from './conv.js'
export type { ConvLayerOptions, ConvParams } from './conv.js'
export { sigmoid, tanh, relu, leakyRelu, prelu, elu, softplus, gelu, silu } from './activations.js'
export type { PreluOptions, PreluParams } from './activations.js'
export { maxout } from './maxout.js'
export type { MaxoutOptions } from './maxout.js'
export { dropout, dropoutWithMask } from './dropout.js'
export { embedding } from './embedding.js'
export { maxPool2d, avgPool2d, globalAvgPool } from './pool.js'
export type { EmbeddingOptions, EmbeddingParams } from './embedding.js'
export type { DropoutMode, DropoutOptions } from './dropout.js'

// --- initialisers
export * as init from './init.js'
export type { Initializer } from './init.js'

// --- losses, metrics, penalties
export * as losses from './losses.js'
export { accuracy } from './metrics.js'
export { l1Penalty, l2Penalty, weightsOf } from './penalties.js'

// --- model specs (io-ts)
export { ModelSpec, LayerSpec, fromSpec, DEFAULT_MAX_PARAMS, MAX_UNITS, MAX_PIECES, MAX_SPEC_DEPTH } from './spec.js'
export type { FromSpecOptions } from './spec.js'

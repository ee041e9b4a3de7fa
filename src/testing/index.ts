/**
 * purediff/testing: the property-test harness. `checkGrad` compares gradients with central
 * differences in float64, `arb` holds fast-check arbitraries for shapes, tensors and keys, and
 * `gradientProperty` wraps a gradient check as a fast-check property. This file only re-exports.
 *
 * fast-check is a peer dependency of this entry point.
 *
 * @since 0.1.0
 */
export { checkGrad, formatGradCheck } from './checkGrad.js'
export type { GradCheckOptions, GradCheckResult, GradCheckElement, GradCheckWorst } from './checkGrad.js'
export * as arb from './arb.js'
export type { ShapeConstraints, TensorConstraints, BroadcastConstraints, Shapes } from './arb.js'
export { gradientProperty } from './gradientProperty.js'

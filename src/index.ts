/**
 * purediff: immutable tensors, reverse-mode autodiff with JAX-style transforms, pytrees and
 * counter-based random keys. This file only re-exports.
 *
 * @since 0.1.0
 */
export { Tensor, tensor, scalar, zeros, ones, full, fromArray, arange, eye, toArray, toFlatArray, item } from './tensor/Tensor.js'
export type { DType, FloatDType } from './tensor/dtype.js'
export type { NestedArray } from './tensor/format.js'
export { PurediffError, ShapeError, DTypeError, ArgumentError } from './tensor/errors.js'
export type { TensorLike } from './ops/prim.js'
export { add, sub, mul, div, pow, maximum, minimum, neg, floorDiv, mod, where, cast } from './ops/arithmetic.js'
export { equal, notEqual, greater, greaterEqual, less, lessEqual, logicalAnd, logicalOr, logicalXor, logicalNot } from './ops/logic.js'
export { abs, sign, exp, expm1, log, log1p, sqrt, square, sin, cos, tanh, sigmoid, relu, softplus } from './ops/unary.js'
export { leakyRelu, prelu, elu, clip, logSigmoid } from './ops/activations.js'
export { erf, gelu, silu, rsqrt } from './ops/gelu.js'
export type { GeluOptions } from './ops/gelu.js'
export { sum, mean, max, min, logSumExp, argmax, argmin, softmax, logSoftmax } from './ops/reduce.js'
export type { Axis } from './ops/reduce.js'
export { reshape, transpose, expandDims, squeeze, broadcastTo, concat, stack, slice, oneHot } from './ops/shape.js'
export { matmul, dot } from './ops/linalg.js'
export { pad, cumsum, flip, tile } from './ops/movement.js'
export { einsum } from './ops/einsum.js'
export { take, takeAlongAxis, scatterAdd } from './ops/indexing.js'
export type { Indices } from './ops/indexing.js'
export { sort, argsort, topK } from './ops/sort.js'
export { vjp, grad, valueAndGrad, jvp, jacobian, hessian, customVjp } from './core/transforms.js'
export type { Jacobian, Hessian } from './core/transforms.js'
export { stopGradient } from './core/stopGradient.js'
export * as tree from './tree/public.js'
export type { Tree } from './tree/index.js'
export * as random from './random/index.js'
export type { Key } from './random/index.js'

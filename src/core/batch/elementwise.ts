/**
 * Batching rules of the elementwise primitives: unary ones keep the batch axis where it is,
 * broadcasting ones align their operands (see `alignForBroadcast`).
 *
 * @internal
 */
import { type BatchRule, elementwiseBroadcast, elementwiseUnary } from './common.js'

const unary = ['neg', 'abs', 'sign', 'exp', 'expm1', 'log', 'log1p', 'sqrt', 'square', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'softplus', 'cast', 'logicalNot']
const broadcast = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'floorDiv',
  'mod',
  'equal',
  'notEqual',
  'greater',
  'greaterEqual',
  'less',
  'lessEqual',
  'logicalAnd',
  'logicalOr',
  'logicalXor',
  'where',
]

/** Rules of the elementwise primitives. */
export const elementwiseRules: Readonly<Record<string, BatchRule>> = Object.freeze({
  ...Object.fromEntries(unary.map((n) => [n, elementwiseUnary])),
  ...Object.fromEntries(broadcast.map((n) => [n, elementwiseBroadcast])),
})

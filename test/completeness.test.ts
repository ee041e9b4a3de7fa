/**
 * The registry is complete and the contract is honoured: every exported op has a row in
 * test/specs/ops.ts (or a stated reason), and every public name of `purediff` listed below is
 * exported.
 */
import { describe, expect, it } from 'vitest'
import * as P from '../src/index.js'
import { nonDifferentiable, opRows, testedElsewhere } from './specs/ops.js'

/** Exports that are not ops, by kind. */
const notOps = new Set([
  'Tensor',
  'tensor',
  'scalar',
  'zeros',
  'ones',
  'full',
  'fromArray',
  'arange',
  'eye',
  'toArray',
  'toFlatArray',
  'item',
  'PurediffError',
  'ShapeError',
  'DTypeError',
  'ArgumentError',
  'vjp',
  'grad',
  'valueAndGrad',
  'jvp',
  'jacobian',
  'hessian',
  'customVjp',
  'vmap',
  'jacfwd',
  'jacrev',
  'tree',
  'random',
])

/** The public names of `purediff` (a contract: code outside imports them; none may be renamed or removed). */
const contract = [
  'tensor',
  'scalar',
  'zeros',
  'ones',
  'full',
  'fromArray',
  'arange',
  'eye',
  'cast',
  'toArray',
  'toFlatArray',
  'item',
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'neg',
  'abs',
  'sign',
  'exp',
  'log',
  'log1p',
  'sqrt',
  'square',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
  'leakyRelu',
  'prelu',
  'elu',
  'softplus',
  'erf',
  'gelu',
  'silu',
  'rsqrt',
  'where',
  'clip',
  'equal',
  'notEqual',
  'greater',
  'greaterEqual',
  'less',
  'lessEqual',
  'logicalAnd',
  'logicalOr',
  'logicalNot',
  'floorDiv',
  'mod',
  'sum',
  'mean',
  'max',
  'min',
  'logSumExp',
  'argmax',
  'argmin',
  'softmax',
  'logSoftmax',
  'reshape',
  'transpose',
  'expandDims',
  'squeeze',
  'broadcastTo',
  'concat',
  'stack',
  'slice',
  'oneHot',
  'matmul',
  'dot',
  'pad',
  'cumsum',
  'flip',
  'tile',
  'einsum',
  'conv',
  'take',
  'takeAlongAxis',
  'scatterAdd',
  'sort',
  'argsort',
  'topK',
  'maxPool',
  'avgPool',
  'grad',
  'valueAndGrad',
  'vjp',
  'jvp',
  'jacobian',
  'hessian',
  'stopGradient',
  'customVjp',
  'vmap',
  'jacfwd',
  'jacrev',
  'tree',
  'random',
  'PurediffError',
  'ShapeError',
  'DTypeError',
  'ArgumentError',
]

describe('completeness', () => {
  it('every name of the contract is exported', () => {
    const missing = contract.filter((n) => !(n in P))
    expect(missing).toEqual([])
    for (const n of ['map', 'leaves', 'reduce', 'zerosLike', 'structureEquals']) expect(typeof (P.tree as Record<string, unknown>)[n]).toBe('function')
    for (const n of ['key', 'split', 'foldIn', 'uniform', 'normal', 'bernoulli', 'permutation', 'randint']) expect(typeof (P.random as Record<string, unknown>)[n]).toBe('function')
  })
  it('every exported op has a spec row or a stated reason', () => {
    const covered = new Set([...opRows.map((r) => r.op), ...Object.keys(nonDifferentiable), ...Object.keys(testedElsewhere)])
    const uncovered = Object.keys(P).filter((n) => !notOps.has(n) && !covered.has(n))
    expect(uncovered).toEqual([])
  })
  it('no row names an op that does not exist', () => {
    const ghost = [...opRows.map((r) => r.op), ...Object.keys(nonDifferentiable)].filter((n) => !(n in P))
    expect(ghost).toEqual([])
  })
})

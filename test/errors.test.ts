/**
 * Bad input gets a PurediffError subclass whose message names the operation, the shapes or
 * values it got, and what it expected — one block per op family.
 */
import { describe, it } from 'vitest'
import * as P from '../src/index.js'
import type { Tensor } from '../src/index.js'
import { expectError } from './helpers/errors.js'

describe('constructors and readers', () => {
  it('names the constructor and the problem', () => {
    expectError(() => P.tensor([[1, 2], [3]]), P.ShapeError, 'tensor', 'ragged', '[1]')
    expectError(() => P.tensor([1, 'a' as never]), P.ShapeError, 'tensor', 'string a')
    expectError(() => P.zeros([2, -1]), P.ShapeError, 'zeros', '[2,-1]')
    expectError(() => P.ones([2.5]), P.ShapeError, 'ones', 'non-negative integers')
    expectError(() => P.fromArray([1, 2, 3], [2, 2]), P.ShapeError, 'fromArray', '3 values', '[2,2]', 'expected 4')
    expectError(() => P.zeros([2], 'int64' as never), P.DTypeError, 'zeros', 'int64', "'float32', 'float64', 'int32' or 'bool'")
    expectError(() => P.arange(-1), P.ArgumentError, 'arange', '-1')
    expectError(() => P.eye(1.5), P.ArgumentError, 'eye', '1.5')
    expectError(() => P.item(P.zeros([2])), P.ShapeError, 'item', '[2]', 'exactly one element')
    expectError(() => P.toArray([1] as never), P.ArgumentError, 'toArray', 'must be a Tensor')
  })
})

describe('elementwise ops', () => {
  it('broadcasting failures name the op and both shapes', () => {
    for (const [name, op] of [
      ['add', P.add],
      ['sub', P.sub],
      ['mul', P.mul],
      ['div', P.div],
      ['pow', P.pow],
      ['maximum', P.maximum],
      ['minimum', P.minimum],
      ['greater', P.greater],
    ] as const) {
      expectError(() => op(P.zeros([2, 3]), P.zeros([4])), P.ShapeError, name, '[2,3]', '[4]', 'cannot be broadcast')
    }
    expectError(() => P.where(P.zeros([2]), P.zeros([3]), 0), P.ShapeError, 'where', '[2]', '[3]')
  })
  it('non-tensor arguments are named', () => {
    expectError(() => P.add('1' as never, 2), P.ArgumentError, 'add', "'a'", 'string 1')
    expectError(() => P.exp('3' as never), P.ArgumentError, 'exp', "'x'", 'string 3')
    expectError(() => P.where(1 as never, 1, 2), P.ArgumentError, 'where', "'cond'")
    expectError(() => P.cast(P.zeros([1]), 'float16' as never), P.DTypeError, 'cast', 'float16')
    expectError(() => P.leakyRelu(P.zeros([1]), NaN), P.ArgumentError, 'leakyRelu', 'alpha')
    expectError(() => P.clip(P.zeros([1]), 2, 1), P.ArgumentError, 'clip', 'lo 2', 'hi 1')
  })
})

describe('reductions', () => {
  it('axes out of range, repeated, and empty reductions', () => {
    expectError(() => P.sum(P.zeros([2, 3]), 2), P.ShapeError, 'sum', 'axis 2', 'rank 2', '[-2, 1]')
    expectError(() => P.mean(P.zeros([2, 3]), [0, -2]), P.ShapeError, 'mean', 'repeat')
    expectError(() => P.max(P.zeros([0, 3]), 0), P.ShapeError, 'max', 'empty axis 0', '[0,3]')
    expectError(() => P.argmax(P.zeros([2]), 1), P.ShapeError, 'argmax', 'axis 1')
    expectError(() => P.softmax(P.zeros([2]), 3), P.ShapeError, 'softmax', 'axis 3')
    expectError(() => P.logSumExp(P.zeros([2]), -2), P.ShapeError, 'logSumExp', 'axis -2')
  })
})

describe('shape ops', () => {
  it('name the shapes involved', () => {
    expectError(() => P.reshape(P.zeros([2, 3]), [4, 2]), P.ShapeError, 'reshape', '[2,3]', '[4,2]', '6 elements')
    expectError(() => P.reshape(P.zeros([2, 3]), [-1, -1]), P.ShapeError, 'reshape', 'more than one -1')
    expectError(() => P.reshape(P.zeros([2, 3]), [4, -1]), P.ShapeError, 'reshape', 'infer')
    expectError(() => P.transpose(P.zeros([2, 3]), [0, 0]), P.ShapeError, 'transpose', 'not a permutation', '[2,3]')
    expectError(() => P.broadcastTo(P.zeros([3]), [2, 2]), P.ShapeError, 'broadcastTo', '[3]', '[2,2]')
    expectError(() => P.broadcastTo(P.zeros([2, 1]), [1, 1]), P.ShapeError, 'broadcastTo', '[2,1]', '[1,1]')
    expectError(() => P.squeeze(P.zeros([2, 3]), 0), P.ShapeError, 'squeeze', 'axis 0', 'length 2', 'expected 1')
    expectError(() => P.concat([P.zeros([2, 3]), P.zeros([2, 4])], 0), P.ShapeError, 'concat', '[2,3]', '[2,4]', 'axis 0')
    expectError(() => P.concat([]), P.ArgumentError, 'concat', 'non-empty')
    expectError(() => P.stack([P.zeros([2]), P.zeros([3])]), P.ShapeError, 'stack', '[2]', '[3]')
    expectError(() => P.slice(P.zeros([2, 3]), [1, 1], [2, 1]), P.ShapeError, 'slice', '[2,3]', 'axis 0')
    expectError(() => P.slice(P.zeros([2, 3]), [0]), P.ShapeError, 'slice', 'one entry per axis')
    expectError(() => P.oneHot([0, 3], 3), P.ArgumentError, 'oneHot', 'index 3', 'position 1', '[0, 3)')
  })
})

describe('linear algebra', () => {
  it('matmul and dot name both shapes and the mismatched dimensions', () => {
    expectError(() => P.matmul(P.zeros([2, 3]), P.zeros([4, 5])), P.ShapeError, 'matmul', '[2,3]', '[4,5]', '3 vs 4')
    expectError(() => P.matmul(P.zeros([2, 2, 3]), P.zeros([3, 3, 1])), P.ShapeError, 'matmul', '[2]', '[3]')
    expectError(() => P.matmul(P.scalar(1), P.zeros([1])), P.ShapeError, 'matmul', 'rank ≥ 1')
    expectError(() => P.dot(P.zeros([2]), P.zeros([3])), P.ShapeError, 'dot', '[2]', '[3]')
    expectError(() => P.dot(P.zeros([1, 1, 1]), P.zeros([1])), P.ShapeError, 'dot', 'rank 1 or 2')
  })
})

describe('transforms and trees', () => {
  it('grad of a non-scalar function says so', () => {
    expectError(() => P.grad((x: Tensor) => P.mul(x, 2))(P.zeros([3])), P.ShapeError, 'grad', 'scalar', '[3]', 'jacobian')
    expectError(() => P.valueAndGrad((x: Tensor) => P.mul(x, 2))(P.zeros([3])), P.ShapeError, 'valueAndGrad', 'scalar')
    expectError(() => P.grad((() => 3) as never)(P.zeros([1])), P.ArgumentError, 'grad', 'number 3')
  })
  it('pytree leaves must be tensors, and the bad path is named', () => {
    expectError(() => P.grad((p: { w: Tensor }) => P.sum(p.w))({ w: P.zeros([1]), lr: 0.1 } as never), P.ArgumentError, 'grad', '.lr', 'number 0.1')
    expectError(() => P.tree.map((x: Tensor) => x, [P.zeros([1]), new Date()] as never), P.ArgumentError, 'tree.map', '[1]', 'Date')
    expectError(() => P.tree.map((x: Tensor) => x, { a: P.zeros([1]) }, { b: P.zeros([1]) }), P.ArgumentError, 'tree.map', 'different structure')
  })
  it('pullback and jvp check cotangent and tangent shapes', () => {
    const [, pb] = P.vjp((x: Tensor) => P.mul(x, 2), P.zeros([3]))
    expectError(() => pb(P.zeros([2])), P.ShapeError, 'vjp pullback', '[2]', '[3]')
    expectError(() => P.jvp((x: Tensor) => x, [P.zeros([2])], [P.zeros([3])]), P.ShapeError, 'jvp', '[3]', '[2]')
    expectError(() => P.jvp((x: Tensor) => x, [P.zeros([2])], [] as never), P.ArgumentError, 'jvp', 'same length')
  })
  it('customVjp checks what bwd returns', () => {
    const bad = P.customVjp(
      (x: Tensor) => x,
      (x: Tensor) => [x, null] as const,
      () => [],
    )
    expectError(() => P.grad((x: Tensor) => P.sum(bad(x)))(P.zeros([2])), P.ArgumentError, 'customVjp', 'one cotangent per argument')
  })
})

/**
 * The index argument of take, takeAlongAxis and scatterAdd: errors that name the index, its
 * position and the bound (never clamped), the int32 dtype required of an index tensor, indices
 * that are tracers (a primitive input, never read through the trace), and every argument left
 * as it was. (Values and rules: indexing.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Primitive } from '../../src/engine/primitive.js'
import { type Trace, bind, isTracerOf, newLevel, newTracer } from '../../src/engine/trace.js'
import { expectError } from '../helpers/errors.js'

/**
 * A staging-like trace: its tracers have no value one level down (the value is in the payload),
 * so an op that read indices through a tracer would throw. It records primitive names.
 */
class NoPrimalTrace implements Trace {
  readonly level = newLevel()
  readonly names: string[] = []
  input(value: P.Tensor): P.Tensor {
    return newTracer<P.Tensor, null>(this, value, null, value, 0)
  }
  payload(x: P.Tensor): P.Tensor {
    return isTracerOf<P.Tensor, null>(this, x) ? x._aux : x
  }
  process<Q>(prim: Primitive<Q>, inputs: readonly P.Tensor[], params: Q): P.Tensor {
    this.names.push(prim.name)
    return this.input(
      bind(
        prim,
        inputs.map((x) => this.payload(x)),
        params,
      ),
    )
  }
}

describe('traced indices (an input of the primitive, never read through a tracer)', () => {
  const x = P.tensor(
    [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    'float64',
  )
  const i = P.tensor([2, -1, 0, 2], 'int32')
  const ops: [string, (x: P.Tensor, i: P.Tensor) => P.Tensor, string[]][] = [
    ['take', (t, k) => P.take(t, k), ['take']],
    ['scatterAdd', (t, k) => P.scatterAdd(t, k, P.ones([4, 2], 'float64')), ['scatterAdd']],
    ['takeAlongAxis (indices broadcast)', (t, k) => P.takeAlongAxis(t, P.reshape(k, [4, 1]), 0), ['reshape', 'broadcastTo', 'takeAlongAxis']],
  ]
  for (const [name, f, names] of ops) {
    it(`${name}: the trace sees the primitive with the indices as an input, and the values are eager's`, () => {
      const tr = new NoPrimalTrace()
      const y = f(tr.input(x), tr.input(i))
      expect(tr.names).toEqual(names)
      expect(P.toFlatArray(tr.payload(y))).toEqual(P.toFlatArray(f(x, i)))
      // the rules too: the gradient w.r.t. x with traced indices, computed on the trace
      const inner = new NoPrimalTrace()
      const ti = inner.input(i)
      const g = P.grad((t: P.Tensor) => P.sum(P.square(f(t, ti))))(inner.input(x))
      expect(P.toFlatArray(inner.payload(g))).toEqual(P.toFlatArray(P.grad((t: P.Tensor) => P.sum(P.square(f(t, i))))(x)))
    })
  }
})

describe('indexing leaves its arguments unchanged', () => {
  it('the index array, the index tensor, x, target and updates are as before after the ops and their gradients', () => {
    const x = P.tensor(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      'float64',
    )
    const arr = [
      [2, -1],
      [0, 2],
    ]
    const idx = P.fromArray([2, -1, 0], [3], 'int32')
    const u = P.ones([3, 2], 'float64')
    const before = JSON.stringify([P.toArray(x), arr, P.toArray(idx), P.toArray(u)])
    P.grad((t: P.Tensor) => P.sum(P.square(P.take(t, arr))))(x)
    P.grad((t: P.Tensor) => P.sum(P.square(P.scatterAdd(t, idx, u))))(x)
    P.grad((t: P.Tensor) => P.sum(P.square(P.takeAlongAxis(t, [[0, 1]], 0))))(x)
    expect(JSON.stringify([P.toArray(x), arr, P.toArray(idx), P.toArray(u)])).toBe(before)
  })
})

describe('errors', () => {
  const x = P.zeros([5, 3])
  it('an index outside [−n, n) names the op, the index, its position and the bound; never clamped', () => {
    expectError(() => P.take(x, [0, 5]), P.ArgumentError, 'take', 'index 5', 'indices[1]', 'axis 0 (length 5)', '[5,3]', '[-5, 5)')
    expectError(() => P.take(x, [[0], [-4]], 1), P.ArgumentError, 'take', 'index -4', 'indices[1][0]', 'axis 1 (length 3)', '[-3, 3)')
    expectError(() => P.take(x, P.fromArray([0, 1, 2, -6], [2, 2], 'int32')), P.ArgumentError, 'take', 'index -6', 'indices[1,1]', '[-5, 5)')
    expectError(() => P.scatterAdd(x, [7], P.zeros([1, 3])), P.ArgumentError, 'scatterAdd', 'index 7', 'indices[0]', 'axis 0 (length 5) of target', '[-5, 5)')
    expectError(() => P.takeAlongAxis(x, [[3, 0, 1]], 1), P.ArgumentError, 'takeAlongAxis', 'index 3', 'indices[0][0]', '[-3, 3)')
    expectError(() => P.take(P.zeros([0, 2]), [0]), P.ArgumentError, 'take', 'index 0', 'axis 0 (length 0)')
  })
  it('non-integer indices and ragged or non-numeric index arrays are ArgumentErrors naming the entry', () => {
    expectError(() => P.take(x, [1.5]), P.ArgumentError, 'take', 'index 1.5', 'indices[0]', 'not an integer')
    expectError(() => P.take(x, [[0, 1], [2]]), P.ArgumentError, 'take', 'ragged', 'indices[1]')
    expectError(() => P.take(x, ['1'] as never), P.ArgumentError, 'take', 'indices[0]', 'string 1')
    expectError(() => P.take(x, 'a' as never), P.ArgumentError, 'take', 'string a')
  })
  it('an index tensor that is not int32 is a DTypeError naming its dtype and shape', () => {
    expectError(() => P.take(x, P.tensor([0, 1])), P.DTypeError, 'take', 'int32', 'float32 tensor of shape [2]', "cast(indices, 'int32')")
    expectError(() => P.scatterAdd(x, P.tensor([0], 'float64'), P.zeros([1, 3])), P.DTypeError, 'scatterAdd', 'float64 tensor of shape [1]')
    expectError(() => P.takeAlongAxis(x, P.tensor([[1]], 'bool'), 0), P.DTypeError, 'takeAlongAxis', 'bool tensor of shape [1,1]')
    expectError(() => P.take(x, [2 ** 31]), P.ArgumentError, 'take', `index ${2 ** 31}`)
  })
  it('bad axes, rank-0 inputs, shapes that do not fit and non-tensors are errors naming the op', () => {
    expectError(() => P.take(x, [0], 2), P.ShapeError, 'take', 'axis 2')
    expectError(() => P.take(P.scalar(1), [0]), P.ShapeError, 'take', 'rank 0')
    expectError(() => P.take(x, [0], '1' as never), P.ArgumentError, 'take', 'axis must be an integer')
    expectError(() => P.take([1, 2] as never, [0]), P.ArgumentError, 'take', "argument 'x'")
    expectError(() => P.scatterAdd(x, [0, 1], P.zeros([2, 4])), P.ShapeError, 'scatterAdd', 'updates have shape [2,4]', 'expected [2,3]')
    expectError(() => P.scatterAdd(x, [0], null as never), P.ArgumentError, 'scatterAdd', "argument 'updates'")
    expectError(() => P.takeAlongAxis(x, [0, 1], 0), P.ShapeError, 'takeAlongAxis', 'rank 1', 'rank 2')
    expectError(() => P.takeAlongAxis(x, [[0], [1]], 1), P.ShapeError, 'takeAlongAxis', 'do not broadcast', '[2,1]', '[5,3]')
  })
})

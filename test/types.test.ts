/**
 * Type-level contract (checked by `tsc --noEmit`, which `npm test` runs first): gradients have
 * the static type of the differentiated argument, extra arguments pass through typed, and
 * `jvp`/`vjp` keep the output's type.
 */
import { expectTypeOf, it } from 'vitest'
import { type Tensor, grad, jvp, matmul, sum, tensor, valueAndGrad, vjp, tree } from '../src/index.js'
import { arb } from '../src/testing/index.js'
import type fc from 'fast-check'

interface Params {
  readonly w: Tensor
  readonly layers: readonly { readonly b: Tensor }[]
}
const loss = (p: Params, x: Tensor, _scale: number) => sum(matmul(x, p.w))

it('grads mirror the parameter type; rest arguments stay typed', () => {
  const params: Params = { w: tensor([[1], [2]]), layers: [{ b: tensor([0]) }] }
  const g = grad(loss)(params, tensor([[1, 1]]), 2)
  expectTypeOf(g).toEqualTypeOf<Params>()
  expectTypeOf(grad(loss)).parameters.toEqualTypeOf<[Params, Tensor, number]>()
  const [v, g2] = valueAndGrad(loss)(params, tensor([[1, 1]]), 2)
  expectTypeOf(v).toEqualTypeOf<Tensor>()
  expectTypeOf(g2).toEqualTypeOf<Params>()
  const [y, pb] = vjp((t: Tensor) => ({ out: t }), tensor([1]))
  expectTypeOf(y).toEqualTypeOf<{ out: Tensor }>()
  expectTypeOf(pb).toEqualTypeOf<(ct: { out: Tensor }) => Tensor>()
  const [, t] = jvp((a: Tensor, b: Tensor) => [a, b] as const, [tensor([1]), tensor([2])] as const, [tensor([1]), tensor([1])] as const)
  expectTypeOf(t).toEqualTypeOf<readonly [Tensor, Tensor]>()
  expectTypeOf(tree.zerosLike(params)).toEqualTypeOf<Params>()
})

it('arb.broadcastableShapes is a tuple of n shapes when n is a literal', () => {
  expectTypeOf(arb.broadcastableShapes()).toEqualTypeOf<fc.Arbitrary<[number[], number[]]>>()
  expectTypeOf(arb.broadcastableShapes({ n: 3 })).toEqualTypeOf<fc.Arbitrary<[number[], number[], number[]]>>()
  const n: number = 4
  expectTypeOf(arb.broadcastableShapes({ n })).toEqualTypeOf<fc.Arbitrary<number[][]>>()
})

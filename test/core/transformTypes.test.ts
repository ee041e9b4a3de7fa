/**
 * Type-level contract of jacobian, hessian and toArray (checked by `tsc --noEmit`, which
 * `npm test` runs first): no `any` in their results. A Jacobian has the output's structure with
 * the input's structure at each leaf; a Hessian, the input's structure twice; toArray a
 * NestedArray (a number, or arrays of NestedArray).
 */
import { expectTypeOf, it } from 'vitest'
import { type Hessian, type Jacobian, type NestedArray, type Tensor, hessian, jacobian, mul, sum, tensor, toArray } from '../../src/index.js'

interface P {
  readonly a: Tensor
  readonly b: readonly Tensor[]
}
const p: P = { a: tensor([1, 2]), b: [tensor([3])] }

it('jacobian follows the input and output types', () => {
  const j1 = jacobian((x: Tensor) => mul(x, 2))(tensor([1]))
  expectTypeOf(j1).toEqualTypeOf<Tensor>()
  expectTypeOf(j1).not.toBeAny()
  const j2 = jacobian((q: P) => mul(q.a, 2))(p)
  expectTypeOf(j2).toEqualTypeOf<P>()
  const j3 = jacobian((x: Tensor) => ({ y: x, z: [x, x] as const }))(tensor([1]))
  expectTypeOf(j3).toEqualTypeOf<{ y: Tensor; z: readonly [Tensor, Tensor] }>()
  const j4 = jacobian((q: P) => [q.a, q.a])(p)
  expectTypeOf(j4).toEqualTypeOf<P[]>()
  expectTypeOf<Jacobian<P, { out: Tensor }>>().toEqualTypeOf<{ out: P }>()
  // rest arguments stay typed
  expectTypeOf(jacobian((x: Tensor, k: number) => mul(x, k))).parameters.toEqualTypeOf<[Tensor, number]>()
})

it('hessian has the input structure twice', () => {
  const h1 = hessian((x: Tensor) => sum(x))(tensor([1]))
  expectTypeOf(h1).toEqualTypeOf<Tensor>()
  expectTypeOf(h1).not.toBeAny()
  const h2 = hessian((q: P) => sum(q.a))(p)
  expectTypeOf(h2).toEqualTypeOf<Hessian<P>>()
  expectTypeOf(h2.a).toEqualTypeOf<P>()
  expectTypeOf(h2.b[0].b[0]).toEqualTypeOf<Tensor>()
})

it('toArray returns a NestedArray, narrowed by a cast where the rank is known', () => {
  const v = toArray(tensor([[1, 2]]))
  expectTypeOf(v).toEqualTypeOf<NestedArray>()
  expectTypeOf(v).not.toBeAny()
  expectTypeOf<NestedArray>().toEqualTypeOf<number | NestedArray[]>()
  // @ts-expect-error the rank is not known statically: indexing needs a narrowing
  void v[0]
  expectTypeOf((v as number[][])[0][1]).toBeNumber()
})

/**
 * Type-level contract of `sequential` (checked by `tsc --noEmit`, which `npm test` runs first):
 * its params are a tuple of its layers' params, in order; any layer is an `AnyLayer`, and an
 * array of them gives a `Layer<unknown[]>`.
 */
import { expectTypeOf, it } from 'vitest'
import { type AnyLayer, type DenseParams, type EmptyParams, type Layer, type ParamsOf, dense, relu, sequential } from '../../src/nn/index.js'

it('sequential(...layers) is a Layer of the tuple of its layers’ params', () => {
  const m = sequential(dense(3), relu())
  expectTypeOf(m).toEqualTypeOf<Layer<[DenseParams, EmptyParams]>>()
  expectTypeOf(sequential(m, dense(1))).toEqualTypeOf<Layer<[[DenseParams, EmptyParams], DenseParams]>>()
  expectTypeOf(sequential()).toEqualTypeOf<Layer<[]>>()
  expectTypeOf<ParamsOf<typeof m>>().toEqualTypeOf<[DenseParams, EmptyParams]>()
})

it('every layer is an AnyLayer; an array of them makes a Layer<unknown[]>', () => {
  expectTypeOf(dense(2)).toMatchTypeOf<AnyLayer>()
  expectTypeOf(sequential(dense(2))).toMatchTypeOf<AnyLayer>()
  const layers: AnyLayer[] = [dense(2), relu()]
  expectTypeOf(sequential(...layers)).toEqualTypeOf<Layer<unknown[]>>()
  expectTypeOf<ParamsOf<AnyLayer>>().toEqualTypeOf<unknown>()
})

/**
 * Type-level contract of purediff/nn (checked by `tsc --noEmit`, which `npm test` runs first):
 * `sequential` types its params as a tuple of its layers' params, gradients keep that type, and
 * `ModelSpec` is both a codec and the decoded type.
 */
import type { Either } from 'fp-ts/lib/Either.js'
import { expectTypeOf, it } from 'vitest'
import { type Tensor, grad, random, sum, zeros } from '../../src/index.js'
import {
  type DenseParams,
  type EmptyParams,
  type Layer,
  type LayerSpec,
  type PreluParams,
  ModelSpec,
  dense,
  fromSpec,
  maxout,
  prelu,
  relu,
  sequential,
} from '../../src/nn/index.js'

it('sequential params are a typed tuple, and gradients keep the type', () => {
  const model = sequential(dense(3), relu(), prelu(), maxout({ units: 2, pieces: 2 }))
  const { params, outputShape } = model.init(random.key(0), [4])
  expectTypeOf(params).toEqualTypeOf<[DenseParams, EmptyParams, PreluParams, DenseParams]>()
  expectTypeOf(outputShape).toEqualTypeOf<number[]>()
  const g = grad((p: typeof params, x: Tensor) => sum(model.apply(p, x)))(params, zeros([1, 4]))
  expectTypeOf(g).toEqualTypeOf<typeof params>()
  expectTypeOf(model).toMatchTypeOf<Layer<[DenseParams, EmptyParams, PreluParams, DenseParams]>>()
})

it('ModelSpec is a codec and a type; fromSpec returns Either<Error, Layer<unknown[]>>', () => {
  const spec: ModelSpec = {
    layers: [
      { type: 'dense', units: 2, kernelInit: { constant: 1 } },
      { type: 'sequential', layers: [{ type: 'relu' }] },
    ],
  }
  expectTypeOf(ModelSpec.decode(spec)).toMatchTypeOf<Either<unknown, ModelSpec>>()
  expectTypeOf(spec.layers).toEqualTypeOf<LayerSpec[]>()
  expectTypeOf(fromSpec(spec)).toEqualTypeOf<Either<Error, Layer<unknown[]>>>()
})

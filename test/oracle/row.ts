/**
 * The model of the TF.js oracle's op table (ops.ts, opsShape.ts): a row says how to generate
 * valid inputs and parameters, how to call the op in each library, and which inputs to
 * differentiate.
 */
import type * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import type { Tensor } from '../../src/index.js'
import { type Input, type Instance, uniform } from './harness.js'

export interface OpRow {
  readonly name: string
  /** Instances for the forward check. */
  readonly forward: fc.Arbitrary<Instance>
  /** Instances for the gradient check and the inputs to differentiate; absent: no gradient. */
  readonly grad?: { readonly arb: fc.Arbitrary<Instance>; readonly wrt: readonly number[] }
}

type PdFn<P> = (xs: readonly Tensor[], p: P) => Tensor
type TfFn<P> = (xs: readonly tf.Tensor[], p: P) => tf.Tensor

/** Binds generated inputs and parameters to both libraries; prints as data in counterexamples. */
export function bind<P>(name: string, pdf: PdFn<P>, tff: TfFn<P>) {
  return (arb: fc.Arbitrary<readonly [Input[], P]>): fc.Arbitrary<Instance> =>
    arb.map(([inputs, params]) => ({
      inputs,
      params,
      pd: (xs: readonly Tensor[]) => pdf(xs, params),
      tf: (xs: readonly tf.Tensor[]) => tff(xs, params),
      [fc.toStringMethod]: () => `${name}(params ${fc.stringify(params)}) on ${fc.stringify(inputs)}`,
    }))
}

/** A row with parameters, differentiated with respect to the inputs `wrt`. */
export function row<P>(name: string, gen: fc.Arbitrary<readonly [Input[], P]>, pdf: PdFn<P>, tff: TfFn<P>, wrt: number[]): OpRow {
  const arb = bind(name, pdf, tff)(gen)
  return { name, forward: arb, grad: { arb, wrt } }
}

export const noParams = (arb: fc.Arbitrary<Input[]>) => arb.map((xs) => [xs, undefined] as const)
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

/** Generic values: the domain of every op defined everywhere. */
export const ANY = uniform(-5, 5)

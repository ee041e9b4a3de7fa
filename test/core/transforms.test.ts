/**
 * The transforms' argument checks (mutation testing found their messages and the customVjp
 * output check unobserved): every transform given something that is not a function throws an
 * ArgumentError naming itself and the argument; customVjp names which of f, fwd, bwd is wrong,
 * and refuses an f that returns something other than a Tensor.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ArgumentError, customVjp, grad, hessian, jacobian, mul, scalar, sum, tensor, toFlatArray, valueAndGrad, vjp } from '../../src/index.js'
import type { Tensor } from '../../src/index.js'

const notAFunction = fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.constant(undefined), fc.object(), fc.boolean())

/** The error `run` throws, or a failure when it throws nothing. */
function thrown(run: () => unknown): ArgumentError {
  try {
    run()
  } catch (e) {
    if (e instanceof ArgumentError) return e
    throw new Error(`expected an ArgumentError, got ${String(e)}`)
  }
  throw new Error('expected a throw')
}

describe('transforms refuse a non-function, naming themselves', () => {
  const cases: [string, (f: never) => unknown][] = [
    ['grad', (f) => grad(f)],
    ['valueAndGrad', (f) => valueAndGrad(f)],
    ['jacobian', (f) => jacobian(f)],
    ['hessian', (f) => hessian(f)],
    ['vjp', (f) => vjp(f, tensor([1]))],
  ]
  for (const [name, call] of cases) {
    it(name, () => {
      fc.assert(
        fc.property(notAFunction, (f) => {
          const e = thrown(() => call(f as never))
          expect(e.op).toBe(name)
          expect(e.message.startsWith(`${name}: f must be a function, got `)).toBe(true)
        }),
        { numRuns: 20 },
      )
    })
  }
})

describe('customVjp', () => {
  const f = (x: Tensor) => mul(x, 2)
  const fwd = (x: Tensor) => [mul(x, 2), null] as const
  const bwd = (_r: null, g: Tensor) => [mul(g, 2)]

  it('names the argument that is not a function', () => {
    fc.assert(
      fc.property(notAFunction, fc.constantFrom(0, 1, 2), (bad, which) => {
        const args: unknown[] = [f, fwd, bwd]
        args[which] = bad
        const e = thrown(() => customVjp(...(args as [typeof f, typeof fwd, typeof bwd])))
        expect(e.op).toBe('customVjp')
        expect(e.message.startsWith(`customVjp: ${['f', 'fwd', 'bwd'][which]} must be a function, got `)).toBe(true)
      }),
      { numRuns: 30 },
    )
  })

  it('refuses an f that returns something other than a Tensor', () => {
    const h = customVjp((() => 3) as unknown as typeof f, fwd, bwd)
    const e = thrown(() => h(scalar(1, 'float64')))
    expect(e.message.startsWith('customVjp: f must return a Tensor, got ')).toBe(true)
  })

  it('the value is f’s and the gradient is bwd’s, even when bwd is not f’s derivative', () => {
    // f(x) = 2x but bwd says 3·g: grad must follow bwd (3), the value f (2·1.5 = 3).
    const h = customVjp(f, fwd, (_r: null, g: Tensor) => [mul(g, 3)])
    expect(toFlatArray(h(tensor([1.5], 'float64')))).toEqual([3])
    expect(toFlatArray(grad((x: Tensor) => sum(h(x)))(tensor([1.5, -2], 'float64')))).toEqual([3, 3])
  })
})

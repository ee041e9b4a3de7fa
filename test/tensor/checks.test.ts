/**
 * The one home of argument checks (src/tensor/checks.ts): `describe` names any value the same way
 * everywhere, a traced tensor included, and `checkTensor` names the op and the argument.
 */
import { describe as suite, expect, it } from 'vitest'
import { ArgumentError, type Tensor, grad, jvp, scalar, sum, tensor } from '../../src/index.js'
import { checkTensor, describe } from '../../src/tensor/checks.js'

suite('describe', () => {
  it('names values by kind', () => {
    expect(describe(null)).toBe('null')
    expect(describe(undefined)).toBe('undefined undefined')
    expect(describe([1, 2])).toBe('an array of length 2')
    expect(describe(3)).toBe('number 3')
    expect(describe('a')).toBe('string a')
    expect(describe({})).toBe('an object (Object)')
    expect(describe(new Map())).toBe('an object (Map)')
    expect(describe(Object.create(null))).toBe('an object (Object)')
  })

  it('names every tensor, concrete or traced, by its public class', () => {
    const seen: string[] = [describe(tensor([1]))]
    grad((x: Tensor) => {
      seen.push(describe(x))
      return sum(x)
    })(tensor([1]))
    jvp(
      (x: Tensor) => {
        seen.push(describe(x))
        return x
      },
      [scalar(1)],
      [scalar(1)],
    )
    expect(seen).toEqual(['an object (Tensor)', 'an object (Tensor)', 'an object (Tensor)'])
  })
})

suite('checkTensor', () => {
  it('returns a tensor and rejects anything else naming the op and the argument', () => {
    const t = tensor([1])
    expect(checkTensor('op', t)).toBe(t)
    expect(() => checkTensor('sum', [1], 'x')).toThrow(new ArgumentError('sum', "argument 'x' must be a Tensor, got an array of length 1"))
    expect(() => checkTensor('where', 1, 'cond')).toThrow(/where.*argument 'cond' must be a Tensor, got number 1/)
  })
})

/**
 * A tensor's fast-check string form (what counterexamples print): a call that rebuilds the
 * same tensor bit for bit when evaluated, shape and dtype included, with the shortest exact
 * numbers; a summary for tensors too big to print.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { DType, Tensor } from '../../src/index.js'

/** Evaluates printed source with the constructors it may call. */
const evaluate = (source: string): Tensor => new Function('tensor', 'zeros', `return ${source}`)(P.tensor, P.zeros) as Tensor

const special = fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, 0.1, 1e21, 1e-7)
const element = fc.oneof(fc.double(), special)
const anyTensor = fc.tuple(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }), fc.constantFrom<DType>('float32', 'float64')).chain(([shape, dtype]) => {
  const n = shape.reduce((a, b) => a * b, 1)
  return fc.array(element, { minLength: n, maxLength: n }).map((v) => P.fromArray(v, shape, dtype))
})

/** Same shape, dtype and bits (NaN equals NaN, −0 differs from 0). */
function sameTensor(a: Tensor, b: Tensor): void {
  expect(a.dtype).toBe(b.dtype)
  expect(a.shape).toEqual(b.shape)
  const x = P.toFlatArray(a),
    y = P.toFlatArray(b)
  x.forEach((v, i) => {
    expect(Object.is(v, y[i]), `element ${i}: ${v} vs ${y[i]}`).toBe(true)
  })
}

describe("a tensor's fast-check string form", () => {
  it('evaluates back to the same tensor, bit for bit (NaN, ±Infinity, −0, subnormals, empty shapes)', () => {
    fc.assert(
      fc.property(anyTensor, (t) => {
        const s = fc.stringify(t)
        sameTensor(evaluate(s), t)
      }),
      { numRuns: 300 },
    )
  })

  it('prints exactly the values, in nested arrays, with the dtype', () => {
    expect(
      fc.stringify(
        P.tensor(
          [
            [1, 2],
            [3, -0],
          ],
          'float64',
        ),
      ),
    ).toBe("tensor([[1, 2], [3, -0]], 'float64')")
    expect(fc.stringify(P.tensor([NaN, Infinity, -Infinity, 5e-324], 'float64'))).toBe("tensor([NaN, Infinity, -Infinity, 5e-324], 'float64')")
    expect(fc.stringify(P.scalar(0.1 + 0.2, 'float64'))).toBe("tensor(0.30000000000000004, 'float64')")
    // float32 0.1 is 0.100000001490116…: "0.1" reads back to the same float32, and is shortest
    expect(fc.stringify(P.tensor([0.1, 1 / 3, 16777217]))).toBe("tensor([0.1, 0.33333334, 16777216], 'float32')")
    // the same float32 value held in float64 needs all its digits
    expect(fc.stringify(P.tensor([Math.fround(0.1)], 'float64'))).toBe("tensor([0.10000000149011612], 'float64')")
    expect(fc.stringify(P.zeros([0, 3], 'float64'))).toBe("zeros([0, 3], 'float64')")
    // inside the objects that counterexamples are made of
    expect(fc.stringify({ args: [P.tensor([2], 'float64')], alpha: 0.5 })).toBe(`{"args":[tensor([2], 'float64')],"alpha":0.5}`)
  })

  it('float32 numbers are the shortest decimals that read back to the same float32', () => {
    fc.assert(
      fc.property(
        fc.float({ noNaN: true, noDefaultInfinity: true }).filter((v) => v !== 0),
        (v) => {
          const text = fc.stringify(P.tensor([v], 'float32')).slice('tensor(['.length, -"], 'float32')".length)
          expect(Math.fround(Number(text))).toBe(v)
          const digits = text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length
          // significant digits (leading and trailing zeros are not): one fewer never reads back
          if (digits > 1) expect(Math.fround(Number(v.toPrecision(digits - 1)))).not.toBe(v)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('prints the values of a traced tensor (inside grad)', () => {
    let seen = ''
    P.grad((x: Tensor) => {
      seen = fc.stringify(x)
      return P.sum(x)
    })(P.tensor([1.5, -2], 'float64'))
    expect(seen).toBe("tensor([1.5, -2], 'float64')")
  })

  it('summarises tensors of more than 1000 elements: shape, count, first and last values', () => {
    const s = fc.stringify(P.reshape(P.arange(2002, 'float64'), [2, 1001]))
    expect(s).toBe('Tensor(float64 [2, 1001], 2002 values, too many to print; row-major: 0, 1, 2, 3, 4, 5, …, 1996, 1997, 1998, 1999, 2000, 2001)')
    expect(fc.stringify(P.arange(1000))).toMatch(/^tensor\(\[0, 1, .*, 999\], 'float32'\)$/)
  })
})

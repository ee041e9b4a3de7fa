/**
 * einsum against its definition — a brute-force sum over every assignment of the indices, on
 * random specs of one to three operands, explicit or implicit output — and, where it lowers to
 * one matrix product, bit for bit against `matmul`. Errors name the spec, the operand and the
 * sizes. (Gradients: the law suites over its rows in test/specs/ops.ts; TF.js:
 * test/oracle/opsMovement.ts.)
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { tensorOf } from '../specs/ops.js'

const bits = (t: P.Tensor) => ({ shape: [...t.shape], dtype: t.dtype, values: P.toFlatArray(t) })

/** out[o] = Σ over every assignment of the indices with the output's fixed, of Π operands. */
function reference(inputs: readonly string[], output: string, ops: readonly P.Tensor[], size: ReadonlyMap<string, number>): { shape: number[]; values: number[] } {
  const letters = [...size.keys()]
  const data = ops.map((t) => P.toFlatArray(t))
  const shape = [...output].map((l) => size.get(l) ?? 0)
  const values = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0)
  const at = new Map<string, number>()
  const flat = (term: string) => [...term].reduce((a, l) => a * (size.get(l) ?? 0) + (at.get(l) ?? 0), 0)
  const visit = (k: number): void => {
    if (k === letters.length) {
      let p = 1
      inputs.forEach((term, i) => {
        p *= data[i][flat(term)]
      })
      values[flat(output)] += p
      return
    }
    for (let v = 0; v < (size.get(letters[k]) ?? 0); v++) {
      at.set(letters[k], v)
      visit(k + 1)
    }
  }
  visit(0)
  return { shape, values }
}

const LETTERS = 'abcdeZ'

/** Integer-valued float64 operands: every sum of products is exact, in any order. */
const intTensor = (shape: readonly number[]) => {
  const n = shape.reduce((a, b) => a * b, 1)
  return fc.array(fc.integer({ min: -3, max: 3 }), { minLength: n, maxLength: n }).map((v) => P.fromArray(v, shape, 'float64'))
}

const caseArb = fc
  .tuple(
    fc.array(fc.integer({ min: 1, max: 3 }), { minLength: LETTERS.length, maxLength: LETTERS.length }),
    // distinct letters per operand, or (a third of the time) letters that may repeat: diagonals
    fc.array(
      fc.oneof(
        fc.shuffledSubarray([...LETTERS], { maxLength: 3 }),
        fc.shuffledSubarray([...LETTERS], { maxLength: 3 }),
        fc.array(fc.constantFrom(...LETTERS.slice(0, 3)), { maxLength: 3 }),
      ),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
    fc.boolean(),
  )
  .chain(([sizes, terms, explicit]) => {
    const used = [...new Set(terms.flat())]
    const counts = new Map<string, number>()
    for (const l of terms.flat()) counts.set(l, (counts.get(l) ?? 0) + 1)
    // NumPy's implicit output: the indices seen once, sorted ('Z' before the lower-case letters)
    const implicit = used.filter((l) => counts.get(l) === 1).sort()
    const size = new Map(used.map((l) => [l, sizes[LETTERS.indexOf(l)]]))
    return fc.tuple(
      fc.constant(terms.map((t) => t.join(''))),
      explicit ? fc.shuffledSubarray(used).map((o) => o.join('')) : fc.constant<string | null>(null),
      fc.constant(implicit.join('')),
      fc.constant(size),
      fc.tuple(...terms.map((t) => intTensor(t.map((l) => size.get(l) ?? 0)))),
    )
  })

describe('einsum', () => {
  it('equals the brute-force sum of products on random specs (1–3 operands, explicit or implicit output, diagonals)', () => {
    fc.assert(
      fc.property(caseArb, ([terms, out, implicit, size, ops]) => {
        const spec = out === null ? terms.join(',') : `${terms.join(',')}->${out}`
        const want = reference(terms, out ?? implicit, ops, size)
        const got = P.einsum(spec, ...ops)
        // + 0: a product with no sum may be −0 (0·−1), which the reference's 0 + (−0) is not
        expect({ shape: [...got.shape], values: P.toFlatArray(got).map((v) => v + 0) }).toEqual(want)
      }),
      { numRuns: 200 },
    )
  })
  it("'ij,jk->ik' and 'bij,bjk->bik' are matmul bit for bit (they lower to it), in float32", () => {
    const d = fc.integer({ min: 1, max: 5 })
    fc.assert(
      fc.property(
        fc.tuple(d, d, d, d).chain(([b, m, k, n]) => fc.tuple(tensorOf([b, m, k]), tensorOf([b, k, n]), tensorOf([m, k]), tensorOf([k, n]))),
        ([a3, b3, a2, b2]) => {
          const [x3, y3, x2, y2] = [a3, b3, a2, b2].map((t) => P.cast(t, 'float32'))
          expect(bits(P.einsum('ij,jk->ik', x2, y2))).toEqual(bits(P.matmul(x2, y2)))
          expect(bits(P.einsum('bij,bjk->bik', x3, y3))).toEqual(bits(P.matmul(x3, y3)))
        },
      ),
      { numRuns: 50 },
    )
  })
  it("'...' equals spelling its axes out (broadcast from the right, first in an implicit output)", () => {
    // a random case, then E leading axes per operand (some of size 1, some missing): the same
    // einsum with those axes named by fresh letters 'pqr' and the operands broadcast by hand
    fc.assert(
      fc.property(
        caseArb,
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 })), { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        ([terms, out, , , ops0], lead0, per, explicit) => {
          const ops = ops0.map((x, i) => {
            const k = Math.min(per[i][0], lead0.length) // this operand's ellipsis axes: the last k
            const shape = lead0.slice(lead0.length - k).map((d, j) => (per[i][1][j] ? 1 : d))
            return P.broadcastTo(P.reshape(x, [...shape.map(() => 1), ...x.shape]), [...shape, ...x.shape])
          })
          const k = ops.map((x, i) => x.rank - ops0[i].rank)
          // '...' stands for as many axes as the operand with the most has (NumPy)
          const e = Math.max(0, ...k)
          // the broadcast of the operands' ellipsis shapes (each axis 1 or the drawn size)
          const lead = Array.from({ length: e }, (_, j) => Math.max(1, ...ops.map((x, i) => (j >= e - k[i] ? x.shape[j - (e - k[i])] : 1))))
          const ell = 'pqr'.slice(0, e)
          const outTerm = out ?? null
          const spec = `${terms.map((t) => `...${t}`).join(',')}${explicit ? `->...${outTerm ?? ''}` : outTerm === null ? '' : `->...${outTerm}`}`
          const full = ops.map((x, i) => P.broadcastTo(P.reshape(x, [...new Array(e - k[i]).fill(1), ...x.shape]), [...lead, ...ops0[i].shape]))
          const named = terms.map((t) => `${ell}${t}`)
          const counts = new Map<string, number>()
          for (const l of terms.join('')) counts.set(l, (counts.get(l) ?? 0) + 1)
          const once = [...counts.keys()]
            .filter((l) => counts.get(l) === 1)
            .sort()
            .join('')
          const namedOut = `${ell}${explicit || outTerm !== null ? (outTerm ?? '') : once}`
          const want = P.einsum(`${named.join(',')}->${namedOut}`, ...full)
          const got = P.einsum(spec, ...ops)
          expect(bits(got)).toEqual(bits(want))
        },
      ),
      { numRuns: 60 },
    )
  })
  it('diagonals: the trace, a diagonal, and a gradient that lands on the diagonal only', () => {
    const a = P.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ],
      'float64',
    )
    expect(P.item(P.einsum('ii', a))).toBe(15)
    expect(P.toFlatArray(P.einsum('ii->i', a))).toEqual([1, 5, 9])
    // d/dA trace(A) = I
    expect(P.toArray(P.grad((t: P.Tensor) => P.einsum('ii->', t))(a))).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ])
    // a triple diagonal: Σᵢ x[i,i,i]
    const x = P.reshape(P.arange(8, 'float64'), [2, 2, 2])
    expect(P.item(P.einsum('iii', x))).toBe(0 + 7)
  })
  it('accepts spaces, a scalar operand and a single operand (transpose, sum, both)', () => {
    const a = P.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ])
    expect(P.toArray(P.einsum(' ij -> ji ', a))).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ])
    expect(P.toFlatArray(P.einsum('ij->j', a))).toEqual([5, 7, 9])
    expect(P.item(P.einsum('ij', P.tensor([[3]])))).toBe(3)
    expect(P.toFlatArray(P.einsum(',i->i', P.scalar(2), P.tensor([1, 2])))).toEqual([2, 4])
    // implicit output with an index in two operands: summed, like 'i,i->'
    expect(P.item(P.einsum('i,i', P.tensor([1, 2]), P.tensor([3, 4])))).toBe(11)
  })
  it('refuses bad specs and operands with an error naming the spec, the operand and the sizes', () => {
    const m = P.zeros([2, 3])
    const err = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return e as Error
      }
      throw new Error('expected a throw')
    }
    const cases: [() => unknown, new (...a: never[]) => Error, string[]][] = [
      [() => P.einsum('ij,jk->ik', m, P.zeros([4, 2])), P.ShapeError, ["'ij,jk->ik'", "index 'j'", 'size 3', '4', 'operand 1', '[4,2]']],
      [() => P.einsum('ijk->i', m), P.ShapeError, ["'ijk->i'", 'operand 0', '3 axes', '[2,3]']],
      [() => P.einsum('ij,jk->ik', m), P.ArgumentError, ['names 2 operands but 1 was given']],
      [() => P.einsum('ii->i', m), P.ShapeError, ["index 'i'", 'size 2', '3', '[2,3]']],
      [() => P.einsum('...ij,...jk', P.zeros([2, 2, 3]), P.zeros([3, 3, 1])), P.ShapeError, ["'...'", 'do not broadcast', '2 and 3']],
      [() => P.einsum('......i', m), P.ArgumentError, ["more than one '...'"]],
      [() => P.einsum('i.j', m), P.ArgumentError, ["has '.'"]],
      [() => P.einsum('...i.j', m), P.ArgumentError, ["'.' outside '...'"]],
      [() => P.einsum('...ijk', m), P.ShapeError, ['3 axes besides', '[2,3]']],
      [() => P.einsum('ij->ik', m), P.ArgumentError, ["output index 'k'", 'no operand']],
      [() => P.einsum('ij->ii', m), P.ArgumentError, ["output repeats index 'i'"]],
      [() => P.einsum('i1->i', m), P.ArgumentError, ["'1'", 'letters']],
      [() => P.einsum('ij->i->j', m), P.ArgumentError, ["one '->'"]],
      [() => P.einsum('ij'), P.ArgumentError, ['at least one operand']],
      [() => P.einsum('ij', [1] as never), P.ArgumentError, ['operand 0', 'must be a Tensor']],
      [() => P.einsum(3 as never, m), P.ArgumentError, ['spec must be a string']],
    ]
    for (const [f, cls, parts] of cases) {
      const e = err(f)
      expect(e).toBeInstanceOf(cls)
      expect(e.message).toContain('einsum')
      for (const p of parts) expect(e.message).toContain(p)
    }
  })
})

/**
 * vmap's contract: axis specs (numbers, negative, null, per argument, pytrees), results placed
 * by outAxes, errors that name what is wrong, and composition in every order with itself and
 * the autodiff transforms — each checked against the per-example computation stacked by hand.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { expectError } from '../helpers/errors.js'
import { tensorOf } from '../specs/ops.js'

const arr = (t: Tensor) => P.toArray(t)
/** Slice k of `x` along `axis` (the per-example value). */
const slice = (x: Tensor, axis: number, k: number): Tensor =>
  P.squeeze(
    P.slice(
      x,
      x.shape.map((_, d) => (d === axis ? k : 0)),
      x.shape.map((n, d) => (d === axis ? 1 : n)),
    ),
    [axis],
  )
/** f applied to every slice along the axes, stacked along `out`. */
const stacked = (f: (...a: Tensor[]) => Tensor, args: Tensor[], axes: (number | null)[], out = 0): Tensor => {
  const size = args.find((_, i) => axes[i] !== null)?.shape[axes.find((a) => a !== null) as number] ?? 0
  return P.stack(
    Array.from({ length: size }, (_, k) => f(...args.map((a, i) => (axes[i] === null ? a : slice(a, axes[i] as number, k))))),
    out,
  )
}
// a smooth function of one example built from several kinds of op
const g = (x: Tensor, w: Tensor) => P.sum(P.tanh(P.matmul(P.expandDims(x, 0), w)))
const h = (x: Tensor) => P.mul(P.sin(x), P.exp(P.neg(P.square(x))))

describe('vmap: axis specs', () => {
  const xs = P.tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    'float64',
  )
  it('batches along any axis, negative ones counted from the end, and places the result by outAxes', () => {
    expect(arr(P.vmap(h)(xs))).toEqual(arr(stacked(h, [xs], [0])))
    expect(arr(P.vmap(h, { inAxes: 1 })(xs))).toEqual(arr(stacked(h, [xs], [1])))
    expect(arr(P.vmap(h, { inAxes: -1 })(xs))).toEqual(arr(stacked(h, [xs], [1])))
    expect(arr(P.vmap(h, { inAxes: 1, outAxes: 1 })(xs))).toEqual(arr(stacked(h, [xs], [1], 1)))
    expect(arr(P.vmap(h, { outAxes: -1 })(xs))).toEqual(arr(stacked(h, [xs], [0], 1)))
  })
  it('null leaves an argument unbatched; a result that does not depend on the batch is broadcast', () => {
    const w = P.tensor([10, 20, 30], 'float64')
    expect(arr(P.vmap(P.add, { inAxes: [0, null] })(xs, w))).toEqual(arr(stacked(P.add, [xs, w], [0, null])))
    expect(arr(P.vmap((_x: Tensor) => w)(xs))).toEqual(arr(P.stack([w, w], 0)))
  })
  it('pytrees: an axis spec per leaf, a tree of results, a tree of outAxes', () => {
    const p = { a: xs, b: [P.transpose(xs)] }
    const f = (t: { a: Tensor; b: Tensor[] }) => ({ s: P.add(t.a, t.b[0]), d: P.mul(t.a, 2) })
    const out = P.vmap(f, { inAxes: { a: 0, b: [1] }, outAxes: { s: 0, d: 1 } })(p) as { s: Tensor; d: Tensor }
    expect(arr(out.s)).toEqual(arr(P.mul(xs, 2)))
    expect(arr(out.d)).toEqual(arr(P.transpose(P.mul(xs, 2))))
  })
  it('refuses what it cannot do, naming the sizes, the axis or the spec', () => {
    expectError(() => P.vmap(P.add)(xs, P.zeros([3, 3])), P.ShapeError, 'vmap', 'batch sizes differ', '2', '3')
    expectError(() => P.vmap(h, { inAxes: 2 })(xs), P.ArgumentError, 'vmap', 'axis 2', 'rank 2')
    expectError(() => P.vmap(P.add, { inAxes: [0] })(xs, xs), P.ArgumentError, 'inAxes has 1 entries', '2 arguments')
    expectError(() => P.vmap(h, { inAxes: null })(xs), P.ArgumentError, 'no argument is batched')
    expectError(() => P.vmap(h, { outAxes: null })(xs), P.ArgumentError, 'outAxes is null', 'depends on the batch')
    expectError(() => P.vmap((t: { a: Tensor }) => t.a, { inAxes: { b: 0 } })({ a: xs }), P.ArgumentError, 'does not match')
    // one example has no values of its own: reading it inside vmap is refused, not the batch
    expect(() => P.vmap((x: Tensor) => P.scalar(P.toFlatArray(x)[0]))(xs)).toThrow(/traced value/)
  })
})

const run = { numRuns: 10 }
const batch = (shape: number[]) => tensorOf(shape)

describe('vmap composes with itself and with the autodiff transforms', () => {
  it('vmap(vmap(f)) is f over both axes', () => {
    fc.assert(
      fc.property(batch([2, 3, 4]), (x) => {
        const got = P.vmap(P.vmap(h), { inAxes: 1 })(x)
        const want = stacked((col) => stacked(h, [col], [0]), [x], [1])
        expect(arr(got)).toEqual(arr(want))
      }),
      run,
    )
  })
  it('vmap(grad(f)) gives per-example gradients; grad of a vmap-based loss is the sum of them', () => {
    fc.assert(
      fc.property(batch([3, 4]), batch([4, 2]), (x, w) => {
        const loss = (wt: Tensor, xe: Tensor) => g(xe, wt)
        const per = P.vmap(P.grad(loss), { inAxes: [null, 0] })(w, x)
        expect(arr(per)).toEqual(arr(stacked((xe) => P.grad(loss)(w, xe), [x], [0])))
        const total = P.grad((wt: Tensor) => P.sum(P.vmap((xe: Tensor) => loss(wt, xe))(x)))(w)
        const sumPer = P.sum(per, 0)
        P.toFlatArray(total).forEach((v, i) => {
          expect(v).toBeCloseTo(P.toFlatArray(sumPer)[i], 12)
        })
      }),
      run,
    )
  })
  it('jvp(vmap(f)) and vmap(jvp(f)) agree with the per-example tangents', () => {
    fc.assert(
      fc.property(batch([3, 2]), batch([3, 2]), (x, v) => {
        const [, t1] = P.jvp(P.vmap(h), [x], [v])
        const t2 = P.vmap((xe: Tensor, ve: Tensor) => P.jvp(h, [xe], [ve])[1])(x, v)
        const want = stacked((xe, ve) => P.jvp(h, [xe], [ve])[1], [x, v], [0, 0])
        expect(arr(t1)).toEqual(arr(want))
        expect(arr(t2)).toEqual(arr(want))
      }),
      run,
    )
  })
  it('stopGradient under vmap keeps the values and blocks the gradient per example', () => {
    const x = P.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      'float64',
    )
    const f = (xe: Tensor) => P.sum(P.mul(P.stopGradient(xe), xe))
    expect(arr(P.vmap(P.grad(f))(x))).toEqual(arr(x))
  })
})

describe('jacrev and jacfwd', () => {
  /** The Jacobian by hand: one pullback per output element (the definition, no vmap). */
  const byRows = (f: (x: Tensor) => Tensor, x: Tensor): Tensor => {
    const [y, pull] = P.vjp(f, x)
    const rows = Array.from({ length: y.size }, (_, e) => pull(P.reshape(P.oneHot([e], y.size, 'float64'), y.shape)))
    return P.reshape(P.stack(rows, 0), [...y.shape, ...x.shape])
  }
  it('equal the Jacobian row by row, and jacfwd(jacrev(f)) is the Hessian', () => {
    fc.assert(
      fc.property(batch([3]), (x) => {
        const f = (t: Tensor) => P.mul(h(t), P.sum(t))
        const want = P.toFlatArray(byRows(f, x))
        for (const J of [P.jacrev(f)(x), P.jacfwd(f)(x)]) {
          expect(J.shape).toEqual([3, 3])
          P.toFlatArray(J).forEach((v, i) => {
            expect(v).toBeCloseTo(want[i], 12)
          })
        }
        const s = (t: Tensor) => P.sum(P.mul(h(t), t))
        const H = P.toFlatArray(P.jacfwd(P.jacrev(s))(x))
        P.toFlatArray(byRows(P.grad(s), x)).forEach((v, i) => {
          expect(H[i]).toBeCloseTo(v, 12)
        })
      }),
      run,
    )
  })
})

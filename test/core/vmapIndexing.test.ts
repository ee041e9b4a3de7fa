/**
 * vmap of the gathers and scatters where the registry test cannot reach: there, indices are
 * constants of each row, so only the data is ever batched. Here the INDICES are batched (int32
 * tensors stacked along a random axis), the data batched along another random axis or not, and
 * `vmap(f)(xs)` must equal stacking `f` over the examples exactly; the same through grad, whose
 * vjps are the scatters (takeTranspose, takeAlongAxisTranspose).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { batchAxis, checkStacking, examples, indicesOf, intValued, outAxisFor, shapeOf } from '../helpers/vmapStacking.js'

const RUNS = { numRuns: 25 }

// --- gathers and scatters with batched indices

describe('vmap with batched indices equals stacking over examples', () => {
  it('take: data batched along a random axis or shared, indices batched along a random axis', () => {
    const arb = fc
      .record({ xs: shapeOf(1, 3), is: shapeOf(0, 2), count: fc.integer({ min: 1, max: 3 }), o: fc.nat(6) })
      .chain(({ xs, is, count, o }) =>
        fc.record({
          axis: fc.integer({ min: 0, max: xs.length - 1 }),
          x: examples(intValued(xs), count),
          dx: batchAxis(xs.length, true),
          di: batchAxis(is.length, false),
          o: fc.constant(o),
          is: fc.constant(is),
          xs: fc.constant(xs),
          count: fc.constant(count),
        }),
      )
      .chain((r) => examples(indicesOf(r.is, r.xs[r.axis]), r.count).map((idx) => ({ ...r, idx })))
    fc.assert(
      fc.property(arb, ({ axis, x, dx, di, idx, o }) => {
        const f = (a: Tensor, i: Tensor) => P.take(a, i, axis)
        checkStacking(f, [x, idx], [dx, di], outAxisFor(() => f(x[0], idx[0]))(o))
      }),
      RUNS,
    )
  })

  it('takeAlongAxis: data batched or shared, indices batched (some of their axes of length 1, broadcast)', () => {
    const arb = fc.record({ xs: shapeOf(1, 3), count: fc.integer({ min: 1, max: 3 }), m: fc.integer({ min: 1, max: 3 }), o: fc.nat(6) }).chain(({ xs, count, m, o }) =>
      fc
        .record({
          axis: fc.integer({ min: 0, max: xs.length - 1 }),
          ones: fc.array(fc.boolean(), { minLength: xs.length, maxLength: xs.length }),
          x: examples(intValued(xs), count),
          dx: batchAxis(xs.length, true),
          di: batchAxis(xs.length, false),
        })
        .chain((r) => {
          const is = xs.map((d, i) => (i === r.axis ? m : r.ones[i] ? 1 : d))
          return examples(indicesOf(is, xs[r.axis]), count).map((idx) => ({ ...r, idx, o }))
        }),
    )
    fc.assert(
      fc.property(arb, ({ axis, x, dx, di, idx, o }) => {
        const f = (a: Tensor, i: Tensor) => P.takeAlongAxis(a, i, axis)
        checkStacking(f, [x, idx], [dx, di], outAxisFor(() => f(x[0], idx[0]))(o))
      }),
      RUNS,
    )
  })

  it('scatterAdd: indices batched, target and updates each batched or shared (duplicates add up)', () => {
    const arb = fc.record({ ts: shapeOf(1, 3), is: shapeOf(0, 2), count: fc.integer({ min: 1, max: 3 }), o: fc.nat(6) }).chain(({ ts, is, count, o }) =>
      fc.integer({ min: 0, max: ts.length - 1 }).chain((axis) => {
        const us = [...ts.slice(0, axis), ...is, ...ts.slice(axis + 1)]
        return fc.record({
          axis: fc.constant(axis),
          t: examples(intValued(ts), count),
          idx: examples(indicesOf(is, ts[axis]), count),
          u: examples(intValued(us), count),
          dt: batchAxis(ts.length, true),
          di: batchAxis(is.length, false),
          du: batchAxis(us.length, true),
          o: fc.constant(o % (ts.length + 1)),
        })
      }),
    )
    fc.assert(
      fc.property(arb, ({ axis, t, idx, u, dt, di, du, o }) => {
        checkStacking((a, i, v) => P.scatterAdd(a, i, v, axis), [t, idx, u], [dt, di, du], o)
      }),
      RUNS,
    )
  })

  it('scatterAdd with shared indices: target and updates batched at any axes (one of them shared)', () => {
    const arb = fc.record({ ts: shapeOf(1, 3), is: shapeOf(0, 2), count: fc.integer({ min: 1, max: 3 }), o: fc.nat(6) }).chain(({ ts, is, count, o }) =>
      fc.integer({ min: 0, max: ts.length - 1 }).chain((axis) => {
        const us = [...ts.slice(0, axis), ...is, ...ts.slice(axis + 1)]
        return fc.record({
          axis: fc.constant(axis),
          t: examples(intValued(ts), count),
          idx: indicesOf(is, ts[axis]).map((i) => [i]),
          u: examples(intValued(us), count),
          dt: batchAxis(ts.length, true),
          du: batchAxis(us.length, true),
          o: fc.constant(o % (ts.length + 1)),
        })
      }),
    )
    fc.assert(
      fc.property(arb, ({ axis, t, idx, u, dt, du, o }) => {
        const axes = dt === null && du === null ? [0, null, null] : [dt, null, du]
        checkStacking((a, i, v) => P.scatterAdd(a, i, v, axis), [t, idx, u], axes, o)
      }),
      RUNS,
    )
  })
})

// --- per-example gradients through the gathers (their vjps are the scatters)

describe('vmap(grad) through take and takeAlongAxis, indices batched', () => {
  it('vmap(grad(Σ w·take(x, i, axis))) equals stacking the per-example gradients (takeTranspose batched)', () => {
    const arb = fc.record({ xs: shapeOf(1, 3), is: shapeOf(0, 2), count: fc.integer({ min: 1, max: 3 }) }).chain(({ xs, is, count }) =>
      fc.integer({ min: 0, max: xs.length - 1 }).chain((axis) => {
        const ys = [...xs.slice(0, axis), ...is, ...xs.slice(axis + 1)]
        return fc.record({
          axis: fc.constant(axis),
          x: examples(intValued(xs), count),
          idx: examples(indicesOf(is, xs[axis]), count),
          w: examples(intValued(ys), count),
          dx: batchAxis(xs.length, true),
          di: batchAxis(is.length, true),
          dw: batchAxis(ys.length, true),
          o: fc.nat(xs.length),
        })
      }),
    )
    fc.assert(
      fc.property(arb, ({ axis, x, idx, w, dx, di, dw, o }) => {
        const axes = dx === null && di === null && dw === null ? [0, null, null] : [dx, di, dw]
        const f = (a: Tensor, i: Tensor, v: Tensor) => P.grad((z: Tensor) => P.sum(P.mul(v, P.take(z, i, axis))))(a)
        checkStacking(f, [x, idx, w], axes, o)
      }),
      RUNS,
    )
  })

  it('vmap(grad(Σ w·takeAlongAxis(x, i, axis))) equals stacking (takeAlongAxisTranspose batched)', () => {
    const arb = fc.record({ xs: shapeOf(1, 3), count: fc.integer({ min: 1, max: 3 }), m: fc.integer({ min: 1, max: 3 }) }).chain(({ xs, count, m }) =>
      fc.integer({ min: 0, max: xs.length - 1 }).chain((axis) => {
        const is = xs.map((d, i) => (i === axis ? m : d))
        return fc.record({
          axis: fc.constant(axis),
          x: examples(intValued(xs), count),
          idx: examples(indicesOf(is, xs[axis]), count),
          w: examples(intValued(is), count),
          dx: batchAxis(xs.length, true),
          di: batchAxis(is.length, true),
          dw: batchAxis(is.length, true),
          o: fc.nat(xs.length),
        })
      }),
    )
    fc.assert(
      fc.property(arb, ({ axis, x, idx, w, dx, di, dw, o }) => {
        const axes = dx === null && di === null && dw === null ? [null, 0, null] : [dx, di, dw]
        const f = (a: Tensor, i: Tensor, v: Tensor) => P.grad((z: Tensor) => P.sum(P.mul(v, P.takeAlongAxis(z, i, axis))))(a)
        checkStacking(f, [x, idx, w], axes, o)
      }),
      RUNS,
    )
  })

  it('per-example gradients of a gather, by hand: example b gets w_b[j] added at row i_b[j]', () => {
    // x: [3] per example (shared), i: [[0, 2, 0], [-1, -1, 1]], w: [[1, 2, 4], [8, 16, 32]].
    // d/dx Σ_j w[j]·x[i[j]] = Σ_j w[j]·e_{i[j]}: example 0 → [1 + 4, 0, 2]; example 1 (−1 is 2)
    // → [0, 32, 8 + 16].
    const x = P.tensor([10, 20, 30], 'float64')
    const i = P.tensor(
      [
        [0, 2, 0],
        [-1, -1, 1],
      ],
      'int32',
    )
    const w = P.tensor(
      [
        [1, 2, 4],
        [8, 16, 32],
      ],
      'float64',
    )
    const g = P.vmap((a: Tensor, k: Tensor, v: Tensor) => P.grad((z: Tensor) => P.sum(P.mul(v, P.take(z, k))))(a), { inAxes: [null, 0, 0] })(x, i, w)
    expect(P.toArray(g)).toEqual([
      [5, 0, 2],
      [0, 32, 24],
    ])
  })
})

// --- composition: nested vmap, grad of a vmap-based loss

describe('take with batched indices composes', () => {
  const arb = fc.record({ xs: shapeOf(1, 2), is: shapeOf(0, 2), outer: fc.integer({ min: 1, max: 3 }), inner: fc.integer({ min: 1, max: 3 }) }).chain(({ xs, is, outer, inner }) =>
    fc.integer({ min: 0, max: xs.length - 1 }).chain((axis) =>
      fc.record({
        axis: fc.constant(axis),
        x: examples(examples(intValued(xs), inner), outer),
        idx: examples(examples(indicesOf(is, xs[axis]), inner), outer),
        w: examples(intValued([...xs.slice(0, axis), ...is, ...xs.slice(axis + 1)]), inner),
      }),
    ),
  )

  it('vmap(vmap(take)) with data and indices batched at both levels equals the double stack', () => {
    fc.assert(
      fc.property(arb, ({ axis, x, idx }) => {
        const f = (a: Tensor, i: Tensor) => P.take(a, i, axis)
        const want = P.stack(x.map((xo, b) => P.stack(xo.map((xi, c) => f(xi, idx[b][c])))))
        // inner batch on axis 1 of x and axis 0 of the indices; outer batch on 0 and 1
        const X = P.stack(x.map((xo) => P.stack(xo, 1)))
        const I = P.stack(
          idx.map((io) => P.stack(io)),
          1,
        )
        const got = P.vmap(P.vmap(f, { inAxes: [1, 0] }), { inAxes: [0, 1] })(X, I)
        expect(got.shape).toEqual(want.shape)
        expect(P.toFlatArray(got)).toEqual(P.toFlatArray(want))
      }),
      { numRuns: 15 },
    )
  })

  it('grad of Σ w·vmap(take)(x, i) equals the gradient of the loop over examples', () => {
    fc.assert(
      fc.property(arb, ({ axis, x, idx, w }) => {
        const [xs, is] = [x[0], idx[0]]
        const W = P.stack(w)
        const batched = (X: Tensor) => P.sum(P.mul(W, P.vmap((a: Tensor, i: Tensor) => P.take(a, i, axis))(X, P.stack(is))))
        const loop = (X: Tensor) => P.sum(P.mul(W, P.stack(xs.map((_, b) => P.take(P.take(X, b), is[b], axis)))))
        const X = P.stack(xs)
        expect(P.toFlatArray(P.grad(batched)(X))).toEqual(P.toFlatArray(P.grad(loop)(X)))
      }),
      { numRuns: 15 },
    )
  })
})

// --- vmap of a pullback: batched cotangents at any axis (the scatters with shared indices)

describe('vmap of the pullback of a gather equals stacking the pullbacks (rows of a Jacobian)', () => {
  const arb = fc.record({ xs: shapeOf(1, 3), is: shapeOf(0, 2), count: fc.integer({ min: 1, max: 3 }), along: fc.boolean() }).chain(({ xs, is, count, along }) =>
    fc.integer({ min: 0, max: xs.length - 1 }).chain((axis) => {
      const ishape = along ? xs.map((d, i) => (i === axis ? (is[0] ?? 2) : d)) : is
      const ys = along ? ishape : [...xs.slice(0, axis), ...is, ...xs.slice(axis + 1)]
      return fc.record({
        along: fc.constant(along),
        axis: fc.constant(axis),
        x: intValued(xs),
        idx: indicesOf(ishape, xs[axis]),
        ct: examples(intValued(ys), count),
        d: batchAxis(ys.length, false),
        o: fc.nat(xs.length),
      })
    }),
  )
  it('take (takeTranspose) and takeAlongAxis (takeAlongAxisTranspose), cotangent batched along a random axis', () => {
    fc.assert(
      fc.property(arb, ({ along, axis, x, idx, ct, d, o }) => {
        const [, pullback] = P.vjp((z: Tensor) => (along ? P.takeAlongAxis(z, idx, axis) : P.take(z, idx, axis)), x)
        checkStacking((c) => pullback(c), [ct], [d], o)
      }),
      RUNS,
    )
  })
})

/**
 * vmap of customVjp functions, in every order with grad and jvp. The batching rule re-binds the
 * customVjp with vmapped f, fwd and bwd, so an outer grad still uses the user's bwd: the bwd
 * here is deliberately NOT f's derivative (it scales it by 10 and 100), so the expected
 * gradients (closed forms in the comments) tell which one ran.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { tensorOf } from '../specs/ops.js'
import { close, float, property } from '../helpers/vmapStack.js'
import { expectError } from '../helpers/errors.js'

// f(x, w) = x·w (elementwise); bwd gives dx = 10·g·w and dw = 100·g·x (10× and 100× the truth).
const cf = P.customVjp(
  (x: Tensor, w: Tensor) => P.mul(x, w),
  (x: Tensor, w: Tensor) => [P.mul(x, w), { x, w }] as const,
  (r: { x: Tensor; w: Tensor }, g: Tensor) => [P.mul(P.mul(g, r.w), 10), P.mul(P.mul(g, r.x), 100)],
)
const total = (x: Tensor, w: Tensor) => P.sum(cf(x, w))

/** `t` repeated as `n` rows. */
const rows = (t: Tensor, n: number) => P.broadcastTo(P.expandDims(t, 0), [n, ...t.shape])

const batch = fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(fc.array(tensorOf([3]), { minLength: n, maxLength: n }), tensorOf([3])))

describe('vmap of a customVjp function', () => {
  it('the value: stacking f over the examples, each argument batched or not', () => {
    property([float([3]), float([3])], cf)
  })

  it("vmap(grad(f)) runs the user's bwd per example: 10·w for x and 100·x for w", () => {
    property([float([3]), float([3])], P.grad(total))
    fc.assert(
      fc.property(batch, ([xs, w]) => {
        const x = P.stack(xs)
        close(P.vmap(P.grad(total), { inAxes: [0, null] })(x, w), P.mul(rows(w, xs.length), 10))
        close(
          P.vmap(
            P.grad((v: Tensor, t: Tensor) => total(t, v)),
            { inAxes: [null, 1], outAxes: 1 },
          )(w, P.transpose(x)),
          P.mul(P.transpose(x), 100),
        )
      }),
      { numRuns: 10 },
    )
  })

  it("grad of a sum of vmap(f) runs the user's bwd, batched: a shared w gets the sum over the batch", () => {
    fc.assert(
      fc.property(batch, ([xs, w]) => {
        const x = P.stack(xs)
        const loss = (t: Tensor, v: Tensor) => P.sum(P.vmap(cf, { inAxes: [1, null] })(t, v))
        // x batched along axis 1: d/dx = 10·w in every column; d/dw = 100·Σ_b x_b
        close(P.grad(loss)(P.transpose(x), w), P.transpose(P.mul(rows(w, xs.length), 10)))
        close(P.grad((v: Tensor) => loss(P.transpose(x), v))(w), P.mul(P.sum(x, 0), 100))
        // both batched: [10·w_b, 100·x_b] per example
        const ws = P.stack(xs.map((t) => P.add(t, w)))
        const [gx, gw] = P.grad(([t, v]: Tensor[]) => P.sum(P.vmap(cf)(t, v)))([x, ws])
        close(gx, P.mul(ws, 10))
        close(gw, P.mul(x, 100))
      }),
      { numRuns: 10 },
    )
  })

  it('vmap(vmap(f)) and the gradient through it', () => {
    fc.assert(
      fc.property(tensorOf([2, 3, 3]), tensorOf([3]), (x, w) => {
        const inner = P.vmap(cf, { inAxes: [0, null] })
        const outer = P.vmap(inner, { inAxes: [1, null] })
        // outer example j is x[:, j]; inner example i of it is x[i, j]: the result [j, i, :] is x[i, j]·w
        close(outer(x, w), P.mul(P.transpose(x, [1, 0, 2]), w))
        close(P.grad((v: Tensor) => P.sum(outer(x, v)))(w), P.mul(P.sum(x, [0, 1]), 100))
        close(P.vmap(P.vmap(P.grad(total), { inAxes: [0, null] }), { inAxes: [0, null] })(x, w), P.mul(P.broadcastTo(w, x.shape), 10))
      }),
      { numRuns: 8 },
    )
  })

  it('jvp of vmap(f) and vmap of jvp(f): forward mode differentiates f itself (t·w)', () => {
    fc.assert(
      fc.property(batch, tensorOf([3]), ([xs, w], t) => {
        const x = P.stack(xs)
        const tx = rows(t, xs.length)
        const [y, dy] = P.jvp((u: Tensor) => P.vmap(cf, { inAxes: [0, null] })(u, w), [x], [tx])
        close(y, P.mul(x, w))
        close(dy, P.mul(tx, w))
        const per = P.vmap((u: Tensor, du: Tensor) => P.jvp((v: Tensor) => cf(v, w), [u], [du])[1])(x, tx)
        close(per, P.mul(tx, w))
      }),
      { numRuns: 10 },
    )
  })

  it('pytree arguments, residuals that are not tensors, and a cotangent in a broadcast shape', () => {
    // identity with its gradient clipped to [−1, 1] (no residuals): grad of Σ 5·f(x) is clip(5) = 1
    const clipGrad = P.customVjp(
      (x: Tensor) => x,
      (x: Tensor) => [x, null] as const,
      (_r: null, g: Tensor) => [P.clip(g, -1, 1)],
    )
    // ({a, b}, c) ↦ a + b + c, bwd: 2g for a, 3g for b and none for c (so c's gradient is 0)
    const pair = P.customVjp(
      (p: { a: Tensor; b: Tensor }, c: Tensor) => P.add(P.add(p.a, p.b), c),
      (p: { a: Tensor; b: Tensor }, c: Tensor) => [P.add(P.add(p.a, p.b), c), null] as const,
      (_r: null, g: Tensor) => [{ a: P.mul(g, 2), b: P.mul(g, 3) }, null],
    )
    // x·s for a scalar s; bwd returns s's cotangent g·x in x's shape: it is summed back to s
    const scaled = P.customVjp(
      (x: Tensor, s: Tensor) => P.mul(x, s),
      (x: Tensor, s: Tensor) => [P.mul(x, s), { x, s }] as const,
      (r: { x: Tensor; s: Tensor }, g: Tensor) => [P.mul(g, r.s), P.mul(g, r.x)],
    )
    fc.assert(
      fc.property(tensorOf([2, 3]), tensorOf([3]), tensorOf([]), (x, b, s) => {
        close(P.vmap(P.grad((t: Tensor) => P.sum(P.mul(clipGrad(t), 5))))(x), P.broadcastTo(P.scalar(1, 'float64'), x.shape))
        const full = (v: number) => P.broadcastTo(P.scalar(v, 'float64'), x.shape)
        const g = P.vmap(
          P.grad((p: { a: Tensor; b: Tensor; c: Tensor }) => P.sum(pair({ a: p.a, b: p.b }, p.c))),
          { inAxes: [{ a: 0, b: null, c: 1 }] },
        )({ a: x, b, c: P.transpose(x) })
        close(g, { a: full(2), b: full(3), c: full(0) })
        // d/ds Σ_b Σ_i x_bi·s = Σ x (s shared, so summed over the batch too)
        close(P.grad((v: Tensor) => P.sum(P.vmap(scaled, { inAxes: [0, null] })(x, v)))(s), P.sum(x))
        close(
          P.vmap(
            P.grad((v: Tensor, t: Tensor) => P.sum(scaled(t, v))),
            { inAxes: [null, 0] },
          )(s, x),
          P.sum(x, 1),
        )
      }),
      { numRuns: 10 },
    )
  })

  it('a bwd of the wrong arity is an ArgumentError naming customVjp under vmap too', () => {
    const bad = P.customVjp(
      (x: Tensor) => P.mul(x, 2),
      (x: Tensor) => [P.mul(x, 2), null] as const,
      (_r: null, g: Tensor) => [g, g],
    )
    const xs = P.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      'float64',
    )
    expectError(() => P.grad((t: Tensor) => P.sum(P.vmap(bad)(t)))(xs), P.ArgumentError, 'customVjp', 'one cotangent per argument (1)')
    expectError(() => P.vmap(P.grad((t: Tensor) => P.sum(bad(t))))(xs), P.ArgumentError, 'customVjp', 'one cotangent per argument (1)')
    expect(P.toFlatArray(P.vmap(bad)(xs))).toEqual([2, 4, 6, 8])
  })
})

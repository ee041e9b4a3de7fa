/**
 * The wrappers, by hand: applyIfFinite (skips an update holding NaN or ±Infinity; after more
 * than maxConsecutiveErrors skips in a row, applies it anyway) and multiSteps (k calls make one
 * inner step on the mean gradient).
 */
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import * as O from '../../src/optim/index.js'
import type { GradientTransformation } from '../../src/optim/index.js'
import { flat, steps, t64 } from './steps.js'

describe('applyIfFinite', () => {
  it('skips updates holding NaN or ±Infinity, counts them, and keeps the inner state', () => {
    const opt = O.applyIfFinite(O.momentum(0.1, { beta: 0.5 }))
    const seq = [
      [1, 2],
      [NaN, 1],
      [1, Infinity],
      [-2, 1],
      [1, -Infinity],
    ]
    let p = [t64([0, 0])]
    let s = opt.init(p)
    const counts: number[][] = []
    for (const g of seq) {
      const [u, next] = opt.update([t64(g)], s, p)
      p = O.applyUpdates(p, u)
      s = next
      counts.push([P.item(s.notFiniteCount), P.item(s.totalNotFinite), P.item(s.lastFinite)])
    }
    expect(counts).toEqual([
      [0, 0, 1],
      [1, 1, 0],
      [2, 2, 0],
      [0, 2, 1],
      [1, 3, 0],
    ])
    // the same as momentum on the finite gradients only
    expect(flat(p[0])).toEqual(
      steps(
        O.momentum(0.1, { beta: 0.5 }),
        [0, 0],
        [
          [1, 2],
          [-2, 1],
        ],
      ).at(-1),
    )
  })
  it('also skips when the inner transform overflows on finite gradients', () => {
    const overflow = O.stateless((u: unknown) => P.tree.map((x: Tensor) => P.mul(x, 1e308), u))
    const opt = O.applyIfFinite(O.chain(overflow, O.sgd(10)))
    const [u, s] = opt.update([t64([1e10, 1])], opt.init([t64([0, 0])]))
    expect(flat(u[0])).toEqual([0, 0])
    expect(P.item(s.totalNotFinite)).toBe(1)
  })
  it('after more than maxConsecutiveErrors skips in a row, applies the update anyway (Optax)', () => {
    const opt = O.applyIfFinite(O.sgd(1), { maxConsecutiveErrors: 1 })
    let s = opt.init([t64([0])])
    const out: number[] = []
    for (let i = 0; i < 3; i++) {
      const [u, n] = opt.update([t64([NaN])], s)
      s = n
      out.push(flat(u[0])[0])
    }
    expect(out.map(Number.isNaN)).toEqual([false, true, true])
  })
})

describe('multiSteps', () => {
  const gs = [
    [0.3, -1.7],
    [2.9, 0.1],
    [-0.4, 1.1],
    [1, 2],
    [0.5, -0.25],
    [3, 3],
  ]
  it('k calls equal one inner step on the mean gradient (Σg)/k, bit for bit in float64', () => {
    const inners: GradientTransformation<unknown>[] = [O.adam(0.1), O.momentum(0.1), O.rmsprop(0.01, { profile: 'lecture' })]
    for (const inner of inners) {
      const got = steps(O.multiSteps(inner, 3), [1, -1], gs)
      const mean = (a: number[][]) => a[0].map((_, i) => (0 + a[0][i] + a[1][i] + a[2][i]) / 3)
      const want = steps(inner, [1, -1], [mean(gs.slice(0, 3)), mean(gs.slice(3, 6))])
      expect([got[0], got[1]]).toEqual([
        [1, -1],
        [1, -1],
      ]) // no movement until the k-th call
      expect(got[2]).toEqual(want[0])
      expect(got[5]).toEqual(want[1])
    }
  })
  it('k = 1 is the inner transform; state counts calls and real steps', () => {
    expect(steps(O.multiSteps(O.adam(0.1), 1), [1, -1], gs)).toEqual(steps(O.adam(0.1), [1, -1], gs))
    const opt = O.multiSteps(O.sgd(0.1), 4)
    let s = opt.init([t64([0])])
    for (let i = 0; i < 5; i++) s = opt.update([t64([1])], s)[1]
    expect([P.item(s.miniStep), P.item(s.gradientStep)]).toEqual([1, 1])
  })
})

/**
 * Integer labels in the losses and metrics: softmaxCrossEntropyWithIntegerLabels equals the
 * one-hot form (values, first and second derivatives), has the closed form
 * mean(logSumExp(z) − z[label]) and gradient (softmax − onehot)/B, passes float64 gradient checks
 * (orders 1 and 2), sends nothing to the labels, and refuses bad labels by name; accuracy gives
 * the same number for one-hot and int32 labels.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { accuracy, losses } from '../../src/nn/index.js'
import { arb, checkGrad, formatGradCheck } from '../../src/testing/index.js'
import { thrown } from '../helpers/errors.js'

const flat = P.toFlatArray
const xentInt = losses.softmaxCrossEntropyWithIntegerLabels

/** Logits of shape [...lead, c] (float64) and int32 labels of shape lead, with their one-hot. */
const problem = (min = -5, max = 5) =>
  fc
    .tuple(fc.oneof(fc.tuple(fc.integer({ min: 1, max: 4 })), fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }))), fc.integer({ min: 1, max: 5 }))
    .chain(([lead, c]) => {
      const rows = lead.reduce((a, b) => a * b, 1)
      return fc.tuple(arb.tensor({ shape: [...lead, c], min, max }), fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: rows, maxLength: rows })).map(([z, cls]) => ({
        z,
        labels: P.fromArray(cls, lead, 'int32'),
        y: P.reshape(P.oneHot(cls, c, 'float64'), [...lead, c]),
        cls,
        rows,
        c,
      }))
    })

describe('losses.softmaxCrossEntropyWithIntegerLabels', () => {
  it('equals softmaxCrossEntropy with the one-hot labels, value and gradient bit for bit (up to the sign of a zero), also over leading axes', () => {
    fc.assert(
      fc.property(problem(), ({ z, labels, y }) => {
        const a = P.item(xentInt(z, labels))
        const b = P.item(losses.softmaxCrossEntropy(z, y))
        expect(a === b).toBe(true) // the same roundings in the same order (=== also takes 0 for −0)
        const ga = flat(P.grad((q: Tensor) => xentInt(q, labels))(z))
        const gb = flat(P.grad((q: Tensor) => losses.softmaxCrossEntropy(q, y))(z))
        // (softmax − onehot)/B here, (y − softmax)·(−1/B) there: exact negations of each other
        for (const [i, v] of ga.entries()) expect(v === gb[i]).toBe(true)
      }),
      { numRuns: 40 },
    )
  })

  it('is mean(logSumExp(z) − z[label]) with gradient (softmax(z) − onehot)/B, computed from the definition', () => {
    fc.assert(
      fc.property(problem(), ({ z, cls, rows, c, labels }) => {
        const zs = flat(z)
        let want = 0
        const grad: number[] = []
        for (let r = 0; r < rows; r++) {
          const row = zs.slice(r * c, (r + 1) * c)
          const m = Math.max(...row)
          const s = row.reduce((acc, v) => acc + Math.exp(v - m), 0)
          want += m + Math.log(s) - row[cls[r]]
          for (let j = 0; j < c; j++) grad.push((Math.exp(row[j] - m) / s - (j === cls[r] ? 1 : 0)) / rows)
        }
        want /= rows
        expect(Math.abs(P.item(xentInt(z, labels)) - want)).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(want)))
        for (const [i, v] of flat(P.grad((q: Tensor) => xentInt(q, labels))(z)).entries()) expect(Math.abs(v - grad[i])).toBeLessThanOrEqual(1e-15)
      }),
      { numRuns: 30 },
    )
  })

  it('passes float64 gradient checks, orders 1 and 2, and its Hessian-vector products equal the one-hot form', () => {
    fc.assert(
      fc.property(problem(-3, 3), ({ z, labels, y }) => {
        const f = (q: Tensor) => xentInt(q, labels)
        const r1 = checkGrad(f, z)
        if (!r1.ok) throw new Error(formatGradCheck(r1))
        // second order: the gradient of ⟨∇f(q), v⟩ for a fixed direction v
        const v = P.sin(P.add(z, 1))
        const hv = (g: (q: Tensor) => Tensor) => (q: Tensor) => P.sum(P.mul(P.grad(g)(q), v))
        const r2 = checkGrad(hv(f), z)
        if (!r2.ok) throw new Error(formatGradCheck(r2))
        const a = flat(P.grad(hv(f))(z)),
          b = flat(P.grad(hv((q: Tensor) => losses.softmaxCrossEntropy(q, y)))(z))
        for (const [i, x] of a.entries()) expect(Math.abs(x - b[i])).toBeLessThanOrEqual(1e-14)
      }),
      { numRuns: 15 },
    )
  })

  it('forward mode agrees with reverse mode (jvp against the gradient)', () => {
    fc.assert(
      fc.property(problem(), ({ z, labels }) => {
        const f = (q: Tensor) => xentInt(q, labels)
        const dz = P.cos(z)
        const [, t] = P.jvp(f, [z], [dz])
        const want = flat(P.grad(f)(z)).reduce((s, g, i) => s + g * flat(dz)[i], 0)
        expect(Math.abs(P.item(t) - want)).toBeLessThanOrEqual(1e-14)
      }),
      { numRuns: 20 },
    )
  })

  it('stable for logits like ±1000: finite loss and gradient, from the closed form', () => {
    const z = P.tensor(
      [
        [1000, -1000, 0],
        [-1000, 1000, 1000],
      ],
      'float64',
    )
    const labels = P.tensor([1, 2], 'int32')
    // row 0: lse = 1000, loss 1000 − (−1000) = 2000; row 1: lse = 1000 + ln 2, loss ln 2
    expect(P.item(xentInt(z, labels))).toBeCloseTo((2000 + Math.LN2) / 2, 10)
    // gradient /2: row 0 softmax ≈ [1, 0, 0] − e₁; row 1 [0, ½, ½] − e₂
    const g = flat(P.grad((q: Tensor) => xentInt(q, labels))(z))
    expect(g.map((x) => Math.round(x * 4) / 4)).toEqual([0.5, -0.5, 0, 0, 0.25, -0.25])
  })

  it('float32 logits give a float32 loss equal to the one-hot form', () => {
    const z = P.tensor([[0.1, 2.5, -1.25, 3]], 'float32')
    const l = xentInt(z, P.tensor([2], 'int32'))
    expect(l.dtype).toBe('float32')
    expect(P.item(l)).toBe(P.item(losses.softmaxCrossEntropy(z, P.oneHot([2], 4, 'float32'))))
  })

  it('no gradient flows to the labels: grad with respect to them is a DTypeError', () => {
    const z = P.tensor([[1, 2]], 'float64')
    const e = thrown(() => P.grad((l: Tensor) => xentInt(z, l))(P.tensor([0], 'int32')))
    expect(e).toBeInstanceOf(P.DTypeError)
  })

  it('a label outside [0, C) is an ArgumentError naming it and the bound, never clamped', () => {
    const z = P.zeros([2, 3], 'float64')
    for (const [bad, where] of [
      [[0, 3], 'labels\\[1\\]'],
      [[-1, 0], 'labels\\[0\\]'],
      [[2, 7], 'labels\\[1\\]'],
    ] as const) {
      const e = thrown(() => xentInt(z, P.tensor([...bad], 'int32')))
      expect(e).toBeInstanceOf(P.ArgumentError)
      const label = bad[0] < 0 ? bad[0] : bad[1]
      expect(e.message).toMatch(new RegExp(`^losses\\.softmaxCrossEntropyWithIntegerLabels: label ${label} at ${where} is outside \\[0, 3\\)`))
    }
    expect(
      thrown(() =>
        xentInt(
          P.zeros([2, 2, 3], 'float64'),
          P.tensor(
            [
              [0, 1],
              [2, 5],
            ],
            'int32',
          ),
        ),
      ).message,
    ).toMatch(/label 5 at labels\[1,1\] is outside \[0, 3\)/)
  })

  it('float or bool labels are a DTypeError saying to cast; shapes must fit', () => {
    const z = P.zeros([2, 3], 'float64')
    for (const dtype of ['float32', 'float64', 'bool'] as const) {
      const e = thrown(() => xentInt(z, P.tensor([0, 1], dtype)))
      expect(e).toBeInstanceOf(P.DTypeError)
      expect(e.message).toMatch(new RegExp(`labels must be int32 class indices, got ${dtype}; cast them with cast\\(labels, 'int32'\\)`))
    }
    for (const labels of [P.tensor([0, 1, 2], 'int32'), P.tensor([[0], [1]], 'int32'), P.oneHot([0, 1], 3, 'int32')]) {
      const e = thrown(() => xentInt(z, labels))
      expect(e).toBeInstanceOf(P.ShapeError)
      expect(e.message).toMatch(/labels \[.*\] must have the shape of logits \[2,3\] without its last \(class\) axis, \[2\]/)
    }
    expect(thrown(() => xentInt(P.zeros([0, 3]), P.tensor([], 'int32'))).message).toContain('empty')
    expect(thrown(() => xentInt(P.tensor([[1, 2]], 'int32'), P.tensor([0], 'int32')))).toBeInstanceOf(P.DTypeError)
  })

  it('does not change its inputs', () => {
    const z = P.tensor([[1, 2, 3]], 'float64')
    const labels = P.tensor([2], 'int32')
    P.grad((q: Tensor) => xentInt(q, labels))(z)
    expect(flat(z)).toEqual([1, 2, 3])
    expect(flat(labels)).toEqual([2])
  })
})

describe('accuracy with int32 labels', () => {
  it('gives the same number for one-hot and int32 labels', () => {
    fc.assert(
      fc.property(problem(), ({ z, labels, y }) => {
        expect(accuracy(z, labels)).toBe(accuracy(z, y))
      }),
      { numRuns: 30 },
    )
  })

  it('counts hand-checked rows (ties: the first maximum)', () => {
    const logits = P.tensor([
      [1, 3, 2],
      [5, 5, 0],
      [0, 0, 1],
      [2, 1, 0],
    ])
    // argmax per row: 1, 0 (tie), 2, 0 — against labels 1, 1, 2, 2: rows 0 and 2 hit
    expect(accuracy(logits, P.tensor([1, 1, 2, 2], 'int32'))).toBe(0.5)
  })

  it('refuses float index labels, labels outside [0, C) and shapes that fit neither form', () => {
    const z = P.zeros([2, 3])
    const f = thrown(() => accuracy(z, P.tensor([0, 1])))
    expect(f).toBeInstanceOf(P.DTypeError)
    expect(f.message).toMatch(/accuracy: class-index labels of shape \[2\] must be int32, got float32; cast them/)
    const r = thrown(() => accuracy(z, P.tensor([0, 3], 'int32')))
    expect(r).toBeInstanceOf(P.ArgumentError)
    expect(r.message).toMatch(/accuracy: label 3 at row 1 is outside \[0, 3\)/)
    expect(thrown(() => accuracy(z, P.tensor([0, 1, 2], 'int32')))).toBeInstanceOf(P.ShapeError)
  })
})

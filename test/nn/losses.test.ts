/**
 * Losses against their closed forms (values and gradients), stability for logits like ±1000 and ±1e4,
 * accuracy on hand-counted rows, the penalties' exact values and gradients, and `weightsOf`.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { accuracy, dense, l1Penalty, l2Penalty, losses, maxout, prelu, relu, sequential, weightsOf } from '../../src/nn/index.js'
import { arb, checkGrad, formatGradCheck } from '../../src/testing/index.js'
import { thrown } from '../helpers/errors.js'

const flat = P.toFlatArray
const t64 = (v: number[], s: number[]) => P.fromArray(v, s, 'float64')
const EPS = 2 ** -52

/** A batch of logits [b, c] and one-hot labels for random classes. */
const logitsAndLabels = (min = -5, max = 5) =>
  fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 }))
    .chain(([b, c]) =>
      fc
        .tuple(arb.tensor({ shape: [b, c], min, max }), fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: b, maxLength: b }))
        .map(([z, cls]) => ({ z, y: P.oneHot(cls, c, 'float64'), cls, b, c })),
    )

describe('losses.mse', () => {
  it('is the mean over every element of (p − t)², with gradient 2(p − t)/N', () => {
    fc.assert(
      fc.property(
        arb.shape({ minRank: 1, maxRank: 3 }).chain((s) => fc.tuple(arb.tensor({ shape: s }), arb.tensor({ shape: s }))),
        ([p, t]) => {
          const d = flat(p).map((v, i) => v - flat(t)[i])
          const want = d.reduce((s, v) => s + v * v, 0) / d.length
          // relative rounding, plus 1e-300 where generated subnormal differences underflow
          expect(Math.abs(P.item(losses.mse(p, t)) - want)).toBeLessThanOrEqual(4 * EPS * want * d.length + 1e-300)
          const g = flat(P.grad((q: Tensor) => losses.mse(q, t))(p))
          g.forEach((v, i) => {
            expect(Math.abs(v - (2 * d[i]) / d.length)).toBeLessThanOrEqual(4 * EPS * Math.abs((2 * d[i]) / d.length) + 1e-300)
          })
        },
      ),
      { numRuns: 100 },
    )
  })
  it('refuses shapes that would broadcast', () => {
    const e = thrown(() => losses.mse(P.zeros([3]), P.zeros([3, 1])))
    expect(e).toBeInstanceOf(P.ShapeError)
    expect(e.message).toMatch(/losses\.mse.*\[3\].*\[3,1\]/)
  })
})

describe('losses.softmaxCrossEntropy', () => {
  it('is −(1/B)·Σ log softmax(z)[class] and its gradient is (softmax(z) − y)/B', () => {
    fc.assert(
      fc.property(logitsAndLabels(), ({ z, y, cls, b, c }) => {
        const zs = flat(z)
        let want = 0
        const grad = new Array<number>(b * c)
        for (let i = 0; i < b; i++) {
          const row = zs.slice(i * c, i * c + c),
            m = Math.max(...row)
          const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0))
          want += (lse - row[cls[i]]) / b
          row.forEach((v, j) => {
            grad[i * c + j] = (Math.exp(v - lse) - (j === cls[i] ? 1 : 0)) / b
          })
        }
        expect(Math.abs(P.item(losses.softmaxCrossEntropy(z, y)) - want)).toBeLessThanOrEqual(1e-14 * (1 + Math.abs(want)))
        const g = flat(P.grad((q: Tensor) => losses.softmaxCrossEntropy(q, y))(z))
        g.forEach((v, i) => {
          expect(Math.abs(v - grad[i])).toBeLessThanOrEqual(1e-15)
        })
      }),
      { numRuns: 100 },
    )
  })
  it('checks numerically, soft labels included', () => {
    fc.assert(
      fc.property(logitsAndLabels(), ({ z, y }) => {
        const soft = P.softmax(P.add(y, 0.3)) // rows sum to 1
        const r = checkGrad((q: Tensor) => losses.softmaxCrossEntropy(q, soft), z)
        if (!r.ok) throw new Error(formatGradCheck(r))
      }),
      { numRuns: 50 },
    )
  })
  it('logits like ±1000: a finite loss and finite gradients, equal to the closed forms', () => {
    const z = t64([1000, -1000, 0, -1000, 1000, 1000, 1000, 1000, 1000], [3, 3])
    const y = t64([0, 1, 0, 1, 0, 0, 0, 0, 1], [3, 3])
    // rows: lse = 1000, 1000 + ln 2, 1000 + ln 3; losses 2000, 1000 + ln 2 + 1000, ln 3
    const want = (2000 + (2000 + Math.LN2) + Math.log(3)) / 3
    const l = P.item(losses.softmaxCrossEntropy(z, y))
    expect(Math.abs(l - want)).toBeLessThanOrEqual(1e-12)
    const g = flat(P.grad((q: Tensor) => losses.softmaxCrossEntropy(q, y))(z))
    const soft = [1, 0, 0, 0, 0.5, 0.5, 1 / 3, 1 / 3, 1 / 3]
    g.forEach((v, i) => {
      expect(Math.abs(v - (soft[i] - flat(y)[i]) / 3)).toBeLessThanOrEqual(1e-16)
    })
    // float32 too
    const l32 = P.item(losses.softmaxCrossEntropy(P.cast(z, 'float32'), P.cast(y, 'float32')))
    expect(Number.isFinite(l32)).toBe(true)
  })
  it('refuses mismatched shapes and scalars', () => {
    expect(thrown(() => losses.softmaxCrossEntropy(P.zeros([2, 3]), P.zeros([2, 4]))).message).toMatch(/softmaxCrossEntropy.*\[2,3\].*\[2,4\]/)
    expect(thrown(() => losses.softmaxCrossEntropy(P.scalar(1), P.scalar(1))).message).toContain('rank ≥ 1')
  })
})

describe('losses.sigmoidBinaryCrossEntropy', () => {
  const closed = (z: number, y: number) => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)))
  const sigma = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)))
  it('is the mean of max(z, 0) − z·y + log(1 + e^(−|z|)), with gradient (σ(z) − y)/N', () => {
    fc.assert(
      fc.property(
        arb.shape({ minRank: 1, maxRank: 2 }).chain((s) => fc.tuple(arb.tensor({ shape: s, min: -30, max: 30 }), arb.tensor({ shape: s, min: 0, max: 1 }))),
        ([z, y]) => {
          const zs = flat(z),
            ys = flat(y),
            n = zs.length
          const terms = zs.map((v, i) => closed(v, ys[i]))
          const want = terms.reduce((s, v) => s + v, 0) / n
          const scale = zs.reduce((s, v, i) => s + Math.abs(v * ys[i]) + Math.abs(v) + 1, 0) / n
          expect(Math.abs(P.item(losses.sigmoidBinaryCrossEntropy(z, y)) - want)).toBeLessThanOrEqual(8 * EPS * scale)
          const g = flat(P.grad((q: Tensor) => losses.sigmoidBinaryCrossEntropy(q, y))(z))
          g.forEach((v, i) => {
            expect(Math.abs(v - (sigma(zs[i]) - ys[i]) / n)).toBeLessThanOrEqual((4 * EPS) / n)
          })
        },
      ),
      { numRuns: 100 },
    )
  })
  it('is exact at z = 0 (value ln 2, gradient (½ − y)/N) and finite at ±1000', () => {
    const y = t64([1, 0, 0.25, 1, 0], [5])
    const z = t64([0, 0, 0, 1000, -1000], [5])
    const g = flat(P.grad((q: Tensor) => losses.sigmoidBinaryCrossEntropy(q, y))(z))
    expect(g.slice(0, 3)).toEqual([(0.5 - 1) / 5, 0.5 / 5, 0.25 / 5])
    expect(g.slice(3)).toEqual([0, 0]) // σ(1000) − 1 = 0, σ(−1000) − 0 = 0
    // 3·ln 2 + 0 + 0
    expect(Math.abs(P.item(losses.sigmoidBinaryCrossEntropy(z, y)) - (3 * Math.LN2) / 5)).toBeLessThanOrEqual(1e-16)
    // wrong-way ±1000: loss 1000 each, gradient ∓1/N, all finite
    const bad = t64([-1000, 1000], [2]),
      yb = t64([1, 0], [2])
    expect(P.item(losses.sigmoidBinaryCrossEntropy(bad, yb))).toBe(1000)
    expect(flat(P.grad((q: Tensor) => losses.sigmoidBinaryCrossEntropy(q, yb))(bad))).toEqual([-0.5, 0.5])
  })
  it('logits ±1e4 in both dtypes: finite, equal to the closed forms, with gradient (σ(z) − y)/N', () => {
    // max(z, 0) − z·y + log1p(e^(−|z|)) with e^(−1e4) = 0: z = 1e4 gives 1e4·(1 − y), z = −1e4 gives 1e4·y
    const zs = [1e4, 1e4, 1e4, -1e4, -1e4, -1e4],
      ys = [1, 0, 0.25, 1, 0, 0.25]
    const want = [0, 1e4, 7500, 1e4, 0, 2500]
    // σ(1e4) = 1, σ(−1e4) = 0
    const wantGrad = [0, 1, 0.75, -1, 0, -0.25].map((v) => v / 6)
    for (const dtype of ['float32', 'float64'] as const) {
      const z = P.fromArray(zs, [6], dtype),
        y = P.fromArray(ys, [6], dtype)
      zs.forEach((_, i) => {
        const one = (t: Tensor) => losses.sigmoidBinaryCrossEntropy(P.slice(t, [i], [1]), P.slice(y, [i], [1]))
        expect(P.item(one(z))).toBe(want[i])
      })
      expect(P.item(losses.sigmoidBinaryCrossEntropy(z, y))).toBe(want.reduce((a, b) => a + b) / 6)
      const g = flat(P.grad((q: Tensor) => losses.sigmoidBinaryCrossEntropy(q, y))(z))
      g.forEach((v, i) => {
        expect(v).toBe(dtype === 'float32' ? Math.fround(wantGrad[i]) : wantGrad[i])
      })
    }
  })
  it('equals −mean(y·logSigmoid(z) + (1 − y)·logSigmoid(−z)) for logits of any magnitude', () => {
    // the defining formula, with log σ computed by the stable op: both sides finite everywhere
    const logit = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -30, max: 30, noNaN: true }))
    fc.assert(
      fc.property(fc.array(fc.tuple(logit, fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 8 }), (pairs) => {
        const z = t64(
            pairs.map((p) => p[0]),
            [pairs.length],
          ),
          y = t64(
            pairs.map((p) => p[1]),
            [pairs.length],
          )
        const loss = P.item(losses.sigmoidBinaryCrossEntropy(z, y))
        const byDefinition = -P.item(P.mean(P.add(P.mul(y, P.logSigmoid(z)), P.mul(P.sub(1, y), P.logSigmoid(P.neg(z))))))
        expect(Number.isFinite(loss)).toBe(true)
        // both are sums of terms of size ≤ |z| + 1: rounding relative to that scale
        const scale = pairs.reduce((s, [zi]) => s + Math.abs(zi) + 1, 0) / pairs.length
        expect(Math.abs(loss - byDefinition)).toBeLessThanOrEqual(16 * EPS * scale)
      }),
      { numRuns: 100 },
    )
  })
})

describe('accuracy', () => {
  it('counts the rows whose argmax agrees (ties: the first maximum)', () => {
    const logits = P.tensor([
      [1, 3, 2],
      [5, 5, 0],
      [0, 0, 1],
      [2, 1, 0],
    ])
    const labels = P.tensor([
      [0, 1, 0],
      [0, 1, 0],
      [0, 0, 1],
      [0, 0, 1],
    ])
    // row 1: argmax 1 = 1 ✓; row 2: tie → 0 ≠ 1 ✗; row 3 ✓; row 4: 0 ≠ 2 ✗
    expect(accuracy(logits, labels)).toBe(0.5)
    expect(accuracy(P.tensor([[0.2, 0.8]]), P.tensor([[0, 1]]))).toBe(1)
    expect(
      accuracy(
        P.tensor([
          [
            [1, 0],
            [0, 1],
          ],
          [
            [1, 0],
            [1, 0],
          ],
        ]),
        P.tensor([
          [
            [1, 0],
            [0, 1],
          ],
          [
            [1, 0],
            [0, 1],
          ],
        ]),
      ),
    ).toBe(0.75)
  })
  it('refuses mismatched or empty shapes', () => {
    expect(thrown(() => accuracy(P.zeros([2, 3]), P.zeros([3, 3]))).message).toMatch(/accuracy.*\[2,3\].*\[3,3\]/)
    expect(thrown(() => accuracy(P.zeros([0, 3]), P.zeros([0, 3]))).message).toContain('empty')
  })
})

describe('penalties', () => {
  const params = { w: t64([1, -2, 0, 3], [2, 2]), layers: [{ b: t64([-0.5], [1]) }] }
  it('l1Penalty = λ·Σ|w|, gradient λ·sgn(w) with sgn(0) = 0', () => {
    expect(P.item(l1Penalty(params, 0.25))).toBe(0.25 * 6.5)
    const g = P.grad((p: typeof params) => l1Penalty(p, 0.25))(params)
    expect(flat(g.w)).toEqual([0.25, -0.25, 0, 0.25])
    expect(flat(g.layers[0].b)).toEqual([-0.25])
  })
  it('l2Penalty = λ·½·Σw², gradient λ·w', () => {
    // ½·(1 + 4 + 0 + 9 + 0.25) = 7.125
    expect(P.item(l2Penalty(params, 0.5))).toBe(0.5 * 7.125)
    const g = P.grad((p: typeof params) => l2Penalty(p, 0.5))(params)
    expect(flat(g.w)).toEqual([0.5, -1, 0, 1.5])
    expect(flat(g.layers[0].b)).toEqual([-0.25])
  })
  it('random trees: the closed forms', () => {
    fc.assert(
      fc.property(
        fc.array(arb.tensor({ shape: arb.shape({ maxRank: 2 }) }), { maxLength: 4 }),
        fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 10, noNaN: true })),
        (leaves, lambda) => {
          const all = leaves.flatMap(flat)
          const a = all.reduce((s, v) => s + Math.abs(v), 0),
            q = all.reduce((s, v) => s + v * v, 0)
          // relative rounding of the sums and the product, plus 1e-300 for subnormal elements (w² underflows)
          expect(Math.abs(P.item(l1Penalty(leaves, lambda)) - lambda * a)).toBeLessThanOrEqual(8 * EPS * lambda * a + 1e-300)
          expect(Math.abs(P.item(l2Penalty(leaves, lambda)) - (lambda * q) / 2)).toBeLessThanOrEqual(8 * EPS * lambda * q + 1e-300)
        },
      ),
      { numRuns: 100 },
    )
  })
  it('no leaves: 0; bad λ or a non-pytree: an error naming the penalty', () => {
    expect(P.item(l2Penalty({}, 1))).toBe(0)
    expect(P.item(l1Penalty([{}, []], 1))).toBe(0)
    for (const bad of [-1, NaN, Infinity]) expect(thrown(() => l2Penalty(params, bad)).message).toMatch(/^l2Penalty: lambda must be a finite number ≥ 0/)
    expect(thrown(() => l1Penalty({ w: [1, 2] }, 1)).message).toMatch(/^l1Penalty: pytree leaf at \.w\[0\]/)
  })
  it('weightsOf picks the kernels w of dense and maxout layers, not biases or PReLU slopes', () => {
    const model = sequential(dense(3), prelu(), maxout({ units: 2, pieces: 2 }), relu(), dense(1, { useBias: false }))
    const { params: p } = model.init(P.random.key(0), [4])
    const ws = weightsOf(p)
    expect(ws.map((w) => w.shape.join())).toEqual(['4,3', '3,4', '2,1'])
    expect(ws[0]).toBe(p[0].w)
    expect(P.item(l2Penalty(ws, 1))).toBeCloseTo(ws.reduce((s, w) => s + flat(w).reduce((a, v) => a + v * v, 0), 0) / 2, 5)
  })
})

/**
 * The lecture's facts (docs/guide/relu-family.md, vanishing-gradient.md) as tests: Maxout with a zero second piece IS ReLU; the
 * Maxout gradient reaches only the winning piece; the PReLU slope's gradient is the batch sum of
 * the unit's negative inputs; Leaky ReLU's slope is 0.01; and the vanishing gradient: in an
 * 8-layer sigmoid network the first layer's gradient is orders of magnitude below the last
 * layer's, while in the same network with ReLU it is not.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { type DenseParams, type Layer, dense, init, leakyRelu, losses, maxout, prelu, relu, sequential, sigmoid } from '../../src/nn/index.js'
import { arb } from '../../src/testing/index.js'
import { maxoutMargin } from './specs.js'

const flat = P.toFlatArray
const bias = (p: DenseParams): P.Tensor => {
  if (p.b === undefined) throw new Error('expected a bias')
  return p.b
}

describe('Maxout', () => {
  /** Maxout params whose odd columns (piece 1 of each unit) are 0, and the dense params of piece 0. */
  const zeroSecondPiece = fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.constantFrom<P.DType>('float32', 'float64'))
    .chain(([inputs, units, batch, dtype]) =>
      fc
        .record({
          w: arb.tensor({ shape: [inputs, units], dtype }),
          b: arb.tensor({ shape: [units], dtype }),
          x: arb.tensor({ shape: [batch, inputs], dtype }),
        })
        .map(({ w, b, x }) => {
          // interleave: column 2j is unit j's piece 0 (w, b), column 2j + 1 its piece 1 (all zeros)
          const wz = P.reshape(P.stack([w, P.zeros(w.shape, w.dtype)], -1), [inputs, 2 * units])
          const bz = P.reshape(P.stack([b, P.zeros(b.shape, b.dtype)], -1), [2 * units])
          return { units, first: { w, b }, maxoutParams: { w: wz, b: bz }, x }
        }),
    )

  it("with pieces = 2 and the second piece's weights and bias zero, it equals ReLU of the first piece, exactly", () => {
    fc.assert(
      fc.property(zeroSecondPiece, ({ units, first, maxoutParams, x }) => {
        const m = flat(maxout({ units, pieces: 2 }).apply(maxoutParams, x))
        const r = flat(relu().apply({}, dense(units).apply(first, x)))
        // max(z₁, 0) = relu(z₁) for every z₁, compared as numbers (a z₁ of −0 gives −0 from max)
        expect(m.length).toBe(r.length)
        m.forEach((v, i) => {
          if (v !== r[i]) expect(v).toBe(r[i])
        })
      }),
      { numRuns: 200 },
    )
  })

  it('the gradient reaches only the winning piece of each group (ties: the first)', () => {
    // One example x, upstream gradient g: ∂(Σ g ⊙ a)/∂W[:, j·P + k] = x·gⱼ if piece k wins unit j,
    // else 0; ∂/∂b[j·P + k] = gⱼ or 0.
    const layer = maxout({ units: 3, pieces: 4, dtype: 'float64' })
    fc.assert(
      fc.property(arb.key(), arb.tensor({ shape: [1, 5] }), arb.tensor({ shape: [1, 3], min: -1, max: 1 }), (key, x, g) => {
        const params = layer.init(key, [5]).params
        fc.pre(maxoutMargin(params, x, 4) >= 1e-9) // a strict winner in every group
        const z = flat(P.add(P.matmul(x, params.w), bias(params)))
        const grads = P.grad((p: DenseParams) => P.sum(P.mul(g, layer.apply(p, x))))(params)
        const gw = flat(grads.w),
          gb = flat(bias(grads)),
          xs = flat(x),
          gs = flat(g)
        for (let j = 0; j < 3; j++) {
          const group = z.slice(4 * j, 4 * j + 4)
          const winner = group.indexOf(Math.max(...group))
          for (let k = 0; k < 4; k++) {
            const col = 4 * j + k
            // exact products; "0" here may be −0 (g·0 with g < 0): compare as numbers
            expect(gb[col] === (k === winner ? gs[j] : 0)).toBe(true)
            for (let i = 0; i < 5; i++) expect(gw[i * 12 + col] === (k === winner ? xs[i] * gs[j] : 0)).toBe(true)
          }
        }
      }),
      { numRuns: 100 },
    )
    // an exact tie: both pieces equal; the first takes the whole gradient
    const tie = { w: P.tensor([[1, 1]], 'float64'), b: P.tensor([0, 0], 'float64') }
    const gt = P.grad((p: DenseParams) => P.sum(maxout({ units: 1, pieces: 2 }).apply(p, P.tensor([[2]], 'float64'))))(tie)
    expect(flat(gt.w)).toEqual([2, 0])
  })
})

describe('Leaky and Parametric ReLU', () => {
  it("leakyRelu() has the lecture's slope 0.01 for z ≤ 0", () => {
    const y = flat(leakyRelu().apply({}, P.tensor([[-3, 0, 2]], 'float64')))
    expect(y).toEqual([-3 * 0.01, 0, 2])
  })

  it("the PReLU slope's gradient is the sum over the batch of that unit's negative inputs (times the upstream gradient)", () => {
    const layer = prelu({ dtype: 'float64' })
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), arb.key(), (batch, units, key) => {
        const [kx, kg] = P.random.split(key)
        const x = P.random.normal(kx, [batch, units], { dtype: 'float64' })
        const up = P.random.normal(kg, [batch, units], { dtype: 'float64' })
        const params = layer.init(key, [units]).params
        const xs = flat(x),
          us = flat(up)
        // ∂(Σ a)/∂αⱼ = Σ_b min(x_bj, 0): exactly the sum of the negative inputs (float64 sums in order)
        const plain = flat(P.grad((p: typeof params) => P.sum(layer.apply(p, x)))(params).alpha)
        const weighted = flat(P.grad((p: typeof params) => P.sum(P.mul(up, layer.apply(p, x))))(params).alpha)
        for (let j = 0; j < units; j++) {
          let neg = 0,
            negWeighted = 0,
            scale = 0
          for (let b = 0; b < batch; b++) {
            const v = xs[b * units + j]
            if (v < 0) {
              neg += v
              negWeighted += us[b * units + j] * v
              scale += Math.abs(us[b * units + j] * v)
            }
          }
          expect(plain[j]).toBe(neg)
          // with an upstream gradient: Σ_b g_bj·min(x_bj, 0), up to the rounding of the products' sum
          expect(Math.abs(weighted[j] - negWeighted)).toBeLessThanOrEqual(batch * 2 ** -52 * scale)
        }
      }),
      { numRuns: 100 },
    )
  })
})

describe('the vanishing gradient', () => {
  /** ‖∂L/∂Wᵢ‖ (Frobenius) for each of the 8 dense kernels of an 8-layer network. */
  function kernelGradNorms(activation: () => Layer<Readonly<Record<string, never>>>, kernelInit: (typeof init)['glorotUniform']): number[] {
    const width = 32
    const hidden = Array.from({ length: 7 }, () => [dense(width, { kernelInit, dtype: 'float64' }), activation()]).flat()
    const layers = [...hidden, dense(10, { kernelInit, dtype: 'float64' })]
    const model = sequential(...layers)
    const [k1, k2, k3] = P.random.split(P.random.key(0), 3)
    const { params } = model.init(k1, [width])
    const x = P.random.normal(k2, [64, width], { dtype: 'float64' })
    const y = P.oneHot(
      P.random.permutation(k3, 64).map((i) => i % 10),
      10,
      'float64',
    )
    const g = P.grad((p: typeof params) => losses.softmaxCrossEntropy(model.apply(p, x), y))(params)
    return g.filter((_, i) => i % 2 === 0).map((l) => Math.sqrt(P.item(P.sum(P.square(P.tree.leaves(l)[0]))))) // leaves of { w, b }: w first
  }

  it("8 sigmoid layers: the first layer's gradient is orders of magnitude below the last's; 8 ReLU layers: it is not", () => {
    // Width 32, batch 64 of N(0, 1) inputs, 10 classes, softmax cross-entropy, key 0; Glorot for
    // sigmoid, He for ReLU. Measured ‖∂L/∂Wᵢ‖, layer 1 → 8:
    //   sigmoid: 2.77e-5 8.04e-5 3.78e-4 1.38e-3 6.01e-3 2.94e-2 1.33e-1 3.89e-1 → first/last 7.14e-5
    //   ReLU:    1.10    1.68    2.24    2.76    1.97    2.17    2.77    2.05    → first/last 0.538
    // Each sigmoid layer divides the gradient by about 4 (σ′ ≤ 1/4); ReLU passes it unchanged on
    // the active units. (Keys 1 and 2 give 5.6e-5 / 0.82 and 1.1e-4 / 0.70.)
    const s = kernelGradNorms(sigmoid, init.glorotUniform)
    const r = kernelGradNorms(relu, init.heNormal)
    const sigmoidRatio = s[0] / s[7],
      reluRatio = r[0] / r[7]
    expect(sigmoidRatio).toBeCloseTo(7.141e-5, 7)
    expect(reluRatio).toBeCloseTo(0.5376, 3)
    expect(sigmoidRatio).toBeLessThan(1e-3)
    expect(reluRatio).toBeGreaterThan(0.1)
    // the sigmoid norms grow layer by layer towards the output; the ReLU norms stay within 3×
    for (let i = 1; i < 8; i++) expect(s[i]).toBeGreaterThan(s[i - 1])
    expect(Math.max(...r) / Math.min(...r)).toBeLessThan(3)
  })
})

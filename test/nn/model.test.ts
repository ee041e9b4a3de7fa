/**
 * The layer model itself: dense's formula against hand-computed sums, sequential's key
 * splitting and shape threading, flatten, the initialisers' bounds, variances and fans, test
 * mode by default, and apply's purity (no input changes) on every registry row in both modes.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import * as nn from '../../src/nn/index.js'
import { arb } from '../../src/testing/index.js'
import { snapshot, unchanged } from '../../laws/index.js'
import { layerRows } from './specs.js'

const flat = P.toFlatArray

describe('dense', () => {
  it('y = x·W + b, W of shape [inputs, units], against the sums written out', () => {
    fc.assert(
      fc.property(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 })), arb.key(), ([batch, inputs, units], key) => {
        const layer = nn.dense(units, { dtype: 'float64', biasInit: nn.init.glorotUniform })
        const { params } = layer.init(key, [inputs])
        const x = P.random.normal(P.random.foldIn(key, 1), [batch, inputs], { dtype: 'float64' })
        const y = flat(layer.apply(params, x)),
          xs = flat(x),
          w = flat(params.w),
          b = flat(params.b ?? P.zeros([units]))
        for (let i = 0; i < batch; i++)
          for (let j = 0; j < units; j++) {
            let s = b[j],
              scale = Math.abs(b[j])
            for (let k = 0; k < inputs; k++) {
              s += xs[i * inputs + k] * w[k * units + j]
              scale += Math.abs(xs[i * inputs + k] * w[k * units + j])
            }
            expect(Math.abs(y[i * units + j] - s)).toBeLessThanOrEqual((inputs + 1) * 2 ** -52 * scale)
          }
      }),
      { numRuns: 50 },
    )
  })
  it('acts on the last axis of examples of any rank, as on each row', () => {
    const layer = nn.dense(3, { dtype: 'float64' })
    const { params, outputShape } = layer.init(P.random.key(1), [2, 4])
    expect(outputShape).toEqual([2, 3])
    const x = P.random.normal(P.random.key(2), [5, 2, 4], { dtype: 'float64' })
    const rows = layer.apply(params, P.reshape(x, [10, 4]))
    expect(flat(layer.apply(params, x))).toEqual(flat(rows))
  })
  it('defaults: glorotUniform kernel, zero bias, float32; useBias false has no b', () => {
    const { params } = nn.dense(7).init(P.random.key(3), [5])
    expect(params.w.dtype).toBe('float32')
    expect(flat(params.w)).toEqual(flat(nn.init.glorotUniform(P.random.split(P.random.key(3))[0], [5, 7])))
    expect(params.b && flat(params.b)).toEqual(new Array(7).fill(0))
    expect(Object.keys(nn.dense(2, { useBias: false }).init(P.random.key(0), [3]).params)).toEqual(['w'])
  })
})

describe('sequential', () => {
  it('splits the key once per layer and threads the shapes', () => {
    const layers = [nn.flatten(), nn.dense(4), nn.prelu(), nn.maxout({ units: 2, pieces: 2 })] as const
    const model = nn.sequential(...layers)
    const key = P.random.key(11)
    const { params, outputShape } = model.init(key, [2, 3])
    expect(outputShape).toEqual([2])
    const keys = P.random.split(key, 4)
    let shape = [2, 3]
    layers.forEach((l, i) => {
      const r = l.init(keys[i], shape)
      expect(P.tree.leaves(params[i]).map(flat)).toEqual(P.tree.leaves(r.params).map(flat))
      shape = r.outputShape
    })
    // typed params: [flatten {}, dense { w, b }, prelu { alpha }, maxout { w, b }]
    expect(params[2].alpha.shape).toEqual([4])
    expect(params[3].w.shape).toEqual([4, 4])
  })
  it('with no layers is the identity', () => {
    const id = nn.sequential()
    const { params, outputShape } = id.init(P.random.key(0), [3, 2])
    expect(params).toEqual([])
    expect(outputShape).toEqual([3, 2])
    const x = P.ones([1, 3, 2])
    expect(id.apply(params, x)).toBe(x)
  })
  it('nests, and a nested sequential gets a split of the key', () => {
    const inner = nn.sequential(nn.dense(3), nn.tanh())
    const model = nn.sequential(inner, nn.dense(1))
    const key = P.random.key(4)
    const { params } = model.init(key, [2])
    const [k0] = P.random.split(key, 2)
    expect(P.tree.leaves(params[0]).map(flat)).toEqual(P.tree.leaves(inner.init(k0, [2]).params).map(flat))
  })
})

describe('flatten', () => {
  it('keeps the batch axis and the row-major order', () => {
    const x = P.reshape(P.arange(12), [2, 3, 2])
    const y = nn.flatten().apply({}, x)
    expect(y.shape).toEqual([2, 6])
    expect(flat(y)).toEqual(flat(x))
    expect(nn.flatten().apply({}, P.zeros([0, 3, 2])).shape).toEqual([0, 6])
    expect(nn.flatten().init(P.random.key(0), []).outputShape).toEqual([1])
  })
})

describe('initialisers', () => {
  const k = P.random.key(21)
  const stats = (t: P.Tensor) => {
    const v = flat(t),
      m = v.reduce((s, a) => s + a, 0) / v.length
    return { mean: m, variance: v.reduce((s, a) => s + (a - m) ** 2, 0) / v.length, max: Math.max(...v.map(Math.abs)) }
  }
  it('glorotUniform: U(−l, l), l = √(6/(fanIn + fanOut)), variance l²/3', () => {
    const s = stats(nn.init.glorotUniform(k, [100, 200], 'float64'))
    const l = Math.sqrt(6 / 300)
    expect(s.max).toBeLessThan(l)
    // 20000 draws: the variance l²/3 = 0.00667 has a standard error of about l²·√(4/45/20000) = 4.2e-5
    expect(Math.abs(s.variance - (l * l) / 3)).toBeLessThan(5 * 4.2e-5)
  })
  it('heNormal: variance 2/fanIn; lecunNormal: 1/fanIn (standard error σ²·√(2/N))', () => {
    const he = stats(nn.init.heNormal(k, [50, 400], 'float64')),
      lc = stats(nn.init.lecunNormal(k, [50, 400], 'float64'))
    expect(Math.abs(he.variance - 2 / 50)).toBeLessThan(5 * (2 / 50) * Math.sqrt(2 / 20000))
    expect(Math.abs(lc.variance - 1 / 50)).toBeLessThan(5 * (1 / 50) * Math.sqrt(2 / 20000))
    expect(Math.abs(he.mean)).toBeLessThan(5 * Math.sqrt(2 / 50 / 20000))
  })
  it('fans: rank ≥ 3 multiplies by the receptive field, a vector uses its length', () => {
    // [3, 3, 16, 32]: fanIn = 3·3·16 = 144, fanOut = 288; glorot bound √(6/432)
    expect(stats(nn.init.glorotUniform(k, [3, 3, 16, 32], 'float64')).max).toBeLessThan(Math.sqrt(6 / 432))
    expect(stats(nn.init.glorotUniform(k, [3, 3, 16, 32], 'float64')).max).toBeGreaterThan(0.95 * Math.sqrt(6 / 432))
    // a vector [n]: fanIn = fanOut = n, bound √(6/2n)
    expect(stats(nn.init.glorotUniform(k, [3000], 'float64')).max).toBeLessThan(Math.sqrt(1 / 1000))
  })
  it('zeros, constant; the dtype; deterministic in the key; empty shapes', () => {
    expect(flat(nn.init.zeros(k, [2, 2]))).toEqual([0, 0, 0, 0])
    expect(flat(nn.init.constant(-1.5)(k, [3], 'float64'))).toEqual([-1.5, -1.5, -1.5])
    for (const f of [nn.init.glorotUniform, nn.init.heNormal, nn.init.lecunNormal, nn.init.zeros, nn.init.constant(2)]) {
      expect(f(k, [2, 3]).dtype).toBe('float32')
      expect(f(k, [2, 3], 'float64').dtype).toBe('float64')
      expect(flat(f(k, [4, 5]))).toEqual(flat(f(k, [4, 5])))
      expect(f(k, [0, 5]).shape).toEqual([0, 5])
    }
    expect(flat(nn.init.heNormal(k, [4, 5]))).not.toEqual(flat(nn.init.heNormal(P.random.key(22), [4, 5])))
  })
})

describe('apply', () => {
  it('is in test mode unless ctx.train is true', () => {
    const x = P.ones([1, 4])
    expect(flat(nn.dropout(0.5, { mode: 'scaleAtTest' }).apply({}, x))).toEqual([0.5, 0.5, 0.5, 0.5])
    expect(flat(nn.dropout(0.5, { mode: 'scaleAtTest' }).apply({}, x, {}))).toEqual([0.5, 0.5, 0.5, 0.5])
  })
  it('never changes params or x, in either mode, for every registry row (and neither do its gradients)', () => {
    for (const row of layerRows) {
      const { params } = row.layer.init(P.random.key(5), row.inputShape)
      // ids for an embedding (integerInputs: its own generator, and no gradient w.r.t. them)
      const ids = row.opts?.integerInputs === true ? row.opts.inputs : undefined
      const x = ids ? fc.sample(ids(params, 2), { numRuns: 1, seed: 6 })[0] : P.random.normal(P.random.key(6), [2, ...row.inputShape], { dtype: 'float64' })
      const before = snapshot({ params, x })
      for (const ctx of [{}, { train: true, key: P.random.key(7) }]) {
        row.layer.apply(params, x, ctx)
        P.grad((p: unknown, u: P.Tensor) => P.sum(row.layer.apply(p, u, ctx)))(params, x)
        if (!ids) P.grad((u: P.Tensor) => P.sum(row.layer.apply(params, u, ctx)))(x)
      }
      const r = unchanged(before, { params, x })
      expect(r.ok, `${row.name}: ${r.detail}`).toBe(true)
    }
  })
})

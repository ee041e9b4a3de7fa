/**
 * The fused kernels of a training step against the compositions they replace:
 * - sequential(dense, relu) runs relu(x·W + b) as one node: forward values and gradients are
 *   bitwise those of the layers applied one by one (relu(add(matmul(x, W), b))), in both dtypes
 *   and with both kernel paths;
 * - inverted dropout's (x·m)/(1 − p) is one node, bitwise the composition's values;
 * - losses.softmaxCrossEntropy runs Σ y·logSoftmax(z) as one node: bitwise the composition's
 *   value, and its gradients (first and second order) agree with central differences.
 */
import fc from 'fast-check'
import { afterEach, assert, describe, expect, it } from 'vitest'
import { type Tensor, add, div, fromArray, grad, hessian, logSoftmax, matmul, mean, mul, neg, random, relu, sum, toFlatArray, valueAndGrad } from '../../src/index.js'
import { kernelMode, setKernelMode } from '../../src/kernels/backend.js'
import { dense, dropoutWithMask, losses, relu as reluLayer, sequential } from '../../src/nn/index.js'
import { checkGrad } from '../../src/testing/index.js'

const initial = kernelMode()
afterEach(() => {
  setKernelMode(initial)
})

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`element ${i}: ${a[i]} vs ${b[i]}`)
}

const dims = fc.record({
  m: fc.oneof(fc.constantFrom(1, 3, 17), fc.integer({ min: 1, max: 40 })),
  k: fc.oneof(fc.constantFrom(1, 3, 255), fc.integer({ min: 1, max: 40 })),
  n: fc.oneof(fc.constantFrom(1, 3, 17), fc.integer({ min: 1, max: 40 })),
  dtype: fc.constantFrom('float32' as const, 'float64' as const),
  mode: fc.constantFrom('js' as const, 'wasm' as const),
  seed: fc.nat(),
  special: fc.option(fc.constantFrom(NaN, Infinity, -0), { nil: undefined }),
})

describe('sequential(dense, relu) fuses into one kernel with bitwise the same results', () => {
  it('forward values and the gradients of x, W and b', () => {
    fc.assert(
      fc.property(dims, ({ m, k, n, dtype, mode, seed, special }) => {
        setKernelMode(mode)
        const [k1, k2] = random.split(random.key(seed))
        const model = sequential(dense(n, { dtype }), reluLayer())
        const params = model.init(k1, [k]).params
        const p = { ...params[0], b: random.normal(k2, [n], { dtype }) }
        let x = random.normal(random.foldIn(k2, 1), [m, k], { dtype })
        if (special !== undefined)
          x = fromArray(
            toFlatArray(x).map((v, i) => (i === 0 ? special : v)),
            [m, k],
            dtype,
          )
        const fused = (q: typeof p, xi: Tensor) => sum(mul(model.apply([q, {}], xi), model.apply([q, {}], xi)))
        const plain = (q: typeof p, xi: Tensor) => {
          assert.exists(q.b)
          const y = relu(add(matmul(xi, q.w), q.b))
          return sum(mul(y, y))
        }
        sameBits(toFlatArray(model.apply([p, {}], x)), toFlatArray(relu(add(matmul(x, p.w), p.b))))
        const [vf, gf] = valueAndGrad((a: { q: typeof p; x: Tensor }) => fused(a.q, a.x))({ q: p, x })
        const [vp, gp] = valueAndGrad((a: { q: typeof p; x: Tensor }) => plain(a.q, a.x))({ q: p, x })
        sameBits(toFlatArray(vf), toFlatArray(vp))
        sameBits(toFlatArray(gf.x), toFlatArray(gp.x))
        sameBits(toFlatArray(gf.q.w), toFlatArray(gp.q.w))
        assert.exists(gf.q.b)
        assert.exists(gp.q.b)
        sameBits(toFlatArray(gf.q.b), toFlatArray(gp.q.b))
      }),
      { numRuns: 120 },
    )
  })

  it('leading batch axes and a kernel without bias', () => {
    const model = sequential(dense(4, { useBias: false, dtype: 'float64' }), reluLayer())
    const params = model.init(random.key(3), [5]).params
    const x = random.normal(random.key(4), [2, 3, 5], { dtype: 'float64' })
    const y = model.apply(params, x)
    expect(y.shape).toEqual([2, 3, 4])
    sameBits(toFlatArray(y), toFlatArray(relu(matmul(x, params[0].w))))
  })

  it('has correct first and second derivatives (central differences, float64)', () => {
    const model = sequential(dense(3, { dtype: 'float64' }), reluLayer(), dense(2, { dtype: 'float64' }))
    const params = model.init(random.key(5), [4]).params
    const x = random.normal(random.key(6), [5, 4], { dtype: 'float64' })
    const f = (q: typeof params) => sum(mul(model.apply(q, x), model.apply(q, x)))
    const r = checkGrad(f, params)
    expect(r.ok, JSON.stringify(r.worst)).toBe(true)
    // Second order: the gradient of the fused layer is itself differentiable (d/dx of Σ ∂f/∂W).
    const g2 = checkGrad((xi: Tensor) => sum(grad((q: typeof params) => sum(mul(model.apply(q, xi), model.apply(q, xi))))(params)[0].w), x)
    expect(g2.ok, JSON.stringify(g2.worst)).toBe(true)
  })
})

describe('inverted dropout as one fused node', () => {
  it('is bitwise div(mul(x, m), 1 − p) in both dtypes, and its gradients match central differences', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.double({ min: 0, max: 0.95, noNaN: true }),
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.integer({ min: 1, max: 300 }),
        (seed, p, dtype, n) => {
          const [k1, k2] = random.split(random.key(seed))
          const x = random.normal(k1, [n], { dtype })
          const m = random.bernoulli(k2, 1 - p, [n], dtype)
          sameBits(toFlatArray(dropoutWithMask(x, m, p)), toFlatArray(div(mul(x, m), 1 - p)))
        },
      ),
      { numRuns: 150 },
    )
    const x = random.normal(random.key(7), [4, 5], { dtype: 'float64' })
    const m = random.uniform(random.key(8), [4, 5], { dtype: 'float64' }) // any mask, not only 0/1
    const r = checkGrad((a: { x: Tensor; m: Tensor }) => sum(mul(dropoutWithMask(a.x, a.m, 0.3), a.x)), { x, m })
    expect(r.ok, JSON.stringify(r.worst)).toBe(true)
    const h = toFlatArray(hessian((xi: Tensor) => sum(mul(dropoutWithMask(xi, m, 0.3), xi)))(x))
    // f = Σ xᵢ²·mᵢ/q, so the Hessian is diagonal with 2mᵢ/q.
    const md = toFlatArray(m)
    h.forEach((v, i) => {
      const r0 = Math.floor(i / 20),
        c0 = i % 20
      expect(Math.abs(v - (r0 === c0 ? (2 * md[r0]) / 0.7 : 0))).toBeLessThanOrEqual(1e-12)
    })
  })
})

describe('softmax cross-entropy as one fused node', () => {
  const rowsArb = fc.record({
    b: fc.integer({ min: 1, max: 6 }),
    c: fc.integer({ min: 1, max: 12 }),
    seed: fc.nat(),
    dtype: fc.constantFrom('float32' as const, 'float64' as const),
    scale: fc.constantFrom(1, 30, 1000),
    special: fc.option(fc.constantFrom(NaN, Infinity, -Infinity), { nil: undefined }),
  })

  it('is bitwise −mean(Σ y·logSoftmax(z)), special values included', () => {
    fc.assert(
      fc.property(rowsArb, ({ b, c, seed, dtype, scale, special }) => {
        const [k1, k2] = random.split(random.key(seed))
        let z = mul(random.normal(k1, [b, c], { dtype }), scale)
        if (special !== undefined)
          z = fromArray(
            toFlatArray(z).map((v, i) => (i === 0 ? special : v)),
            [b, c],
            dtype,
          )
        const y = random.uniform(k2, [b, c], { dtype })
        const composed = neg(mean(sum(mul(y, logSoftmax(z, -1)), -1)))
        sameBits(toFlatArray(losses.softmaxCrossEntropy(z, y)), toFlatArray(composed))
      }),
      { numRuns: 200 },
    )
  })

  it('has gradients in logits and labels, and a Hessian, that match central differences', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 6 }), fc.nat(), (b, c, seed) => {
        const [k1, k2] = random.split(random.key(seed))
        const z = random.normal(k1, [b, c], { dtype: 'float64' })
        const y = random.uniform(k2, [b, c], { dtype: 'float64' })
        const r = checkGrad((a: { z: Tensor; y: Tensor }) => losses.softmaxCrossEntropy(a.z, a.y), { z, y })
        expect(r.ok, JSON.stringify(r.worst)).toBe(true)
        // The Hessian in z against the composition's (an independent path through logSoftmax).
        const h = toFlatArray(hessian((zi: Tensor) => losses.softmaxCrossEntropy(zi, y))(z))
        const h0 = toFlatArray(hessian((zi: Tensor) => neg(mean(sum(mul(y, logSoftmax(zi, -1)), -1))))(z))
        h.forEach((v, i) => {
          expect(Math.abs(v - h0[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(h0[i])))
        })
      }),
      { numRuns: 40 },
    )
  })
})

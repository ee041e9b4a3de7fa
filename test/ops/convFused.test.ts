/**
 * The fused convolution layer's primitive `convBias`, relu?(conv(x, W) + b), against the
 * composition it replaces, relu(add(conv(x, W), b)): the same values, gradients (x, W and b),
 * forward derivatives and per-example batches, bit for bit (NaN equal to NaN), with and without
 * ReLU, in float32 and float64, with the TypeScript kernels and with the WebAssembly ones (whose
 * epilogue adds the bias and applies ReLU in the product). Geometries: random strides, padding,
 * dilations and groups over 1 or 2 spatial axes. And `sequential(conv2d, relu)`, which runs the
 * fused call, equals the same layers with the ReLU's fusion descriptor removed.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { type KernelMode, kernelMode, setKernelMode } from '../../src/kernels/backend.js'
import { conv2d, relu, sequential } from '../../src/nn/index.js'
import { convBias } from '../../src/ops/convFused.js'
import { resolveConv } from '../../src/ops/convOptions.js'

const initial = kernelMode()
afterEach(() => {
  setKernelMode(initial)
})

const int = (min: number, max: number) => fc.integer({ min, max })

function filled(n: number, seed: number): number[] {
  const a: number[] = []
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    a.push(s / 2 ** 31 - 1)
  }
  return a
}

interface Case {
  readonly x: Tensor
  readonly w: Tensor
  readonly b: Tensor
  readonly opts: P.ConvOptions
  readonly relu: boolean
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    r: int(1, 2),
    batch: int(1, 3),
    groups: int(1, 2),
    cg: int(1, 3),
    og: int(1, 3),
    k: int(1, 3),
    n: int(1, 4), // positions beyond the dilated window
    s: int(1, 2),
    d: int(1, 2),
    same: fc.boolean(),
    relu: fc.boolean(),
    dtype: fc.constantFrom<P.DType>('float32', 'float64'),
    seed: int(1, 0x7fffffff),
  })
  .map((c) => {
    const sp = new Array<number>(c.r).fill(c.n + (c.k - 1) * c.d)
    const inC = c.cg * c.groups,
      outC = c.og * c.groups
    const xs = [c.batch, ...sp, inC],
      ws = [...new Array<number>(c.r).fill(c.k), c.cg, outC]
    const size = (v: number[]) => v.reduce((p, q) => p * q, 1)
    const t = (n: number[], seed: number) => P.fromArray(filled(size(n), seed), n, c.dtype)
    return {
      x: t(xs, c.seed),
      w: t(ws, c.seed ^ 0x5bd1e995),
      b: t([outC], c.seed ^ 0x1234567),
      opts: { strides: c.s, dilation: c.d, padding: c.same ? 'SAME' : 'VALID', groups: c.groups } as P.ConvOptions,
      relu: c.relu,
    }
  })

const fused = (c: Case) => (x: Tensor, w: Tensor, b: Tensor) => convBias(x, w, b, resolveConv(x.shape, w.shape, c.opts).params, c.relu)
const plain = (c: Case) => (x: Tensor, w: Tensor, b: Tensor) => {
  const z = P.add(P.conv(x, w, c.opts), b)
  return c.relu ? P.relu(z) : z
}

function same(a: Tensor, b: Tensor, what: string): void {
  expect(a.shape, what).toEqual(b.shape)
  const u = P.toFlatArray(a),
    v = P.toFlatArray(b)
  for (let i = 0; i < u.length; i++) if (!(Object.is(u[i], v[i]) || (Number.isNaN(u[i]) && Number.isNaN(v[i])))) throw new Error(`${what}: entry ${i}: ${u[i]} vs ${v[i]}`)
}

describe.each(['js', 'wasm'] as KernelMode[])('convBias (%s kernels) is relu?(add(conv(x, W), b)) bit for bit', (mode) => {
  it('values, the gradients with respect to x, W and b, and the forward derivative', () => {
    setKernelMode(mode)
    fc.assert(
      fc.property(caseArb, (c) => {
        const f = fused(c),
          g = plain(c)
        same(f(c.x, c.w, c.b), g(c.x, c.w, c.b), 'value')
        // a cotangent that is not all ones, so each output weighs differently
        const y = g(c.x, c.w, c.b)
        const ct = P.fromArray(filled(y.size, 99), y.shape, y.dtype)
        const loss = (h: typeof f) => (a: { x: Tensor; w: Tensor; b: Tensor }) => P.sum(P.mul(h(a.x, a.w, a.b), ct))
        const gf = P.grad(loss(f))({ x: c.x, w: c.w, b: c.b }),
          gp = P.grad(loss(g))({ x: c.x, w: c.w, b: c.b })
        same(gf.x, gp.x, 'dx')
        same(gf.w, gp.w, 'dW')
        same(gf.b, gp.b, 'db')
        const tx = P.mul(c.x, 0.5),
          tw = P.mul(c.w, -0.25),
          tb = P.mul(c.b, 2)
        const [, jf] = P.jvp((x: Tensor, w: Tensor, b: Tensor) => f(x, w, b), [c.x, c.w, c.b], [tx, tw, tb])
        const [, jp] = P.jvp((x: Tensor, w: Tensor, b: Tensor) => g(x, w, b), [c.x, c.w, c.b], [tx, tw, tb])
        same(jf, jp, 'jvp')
      }),
      { numRuns: 25 },
    )
  })

  it('under vmap: a batch of examples, of kernels, of biases (each alone and together) equals stacking', () => {
    setKernelMode(mode)
    fc.assert(
      fc.property(
        caseArb,
        fc.constantFrom<[number | null, number | null, number | null]>([0, null, null], [null, 0, null], [null, null, 0], [0, 0, 0], [1, null, 0]),
        (c, axes) => {
          const V = 2
          const stackOf = (t: Tensor, ax: number | null, seed: number) => (ax === null ? t : P.stack([t, P.fromArray(filled(t.size, seed), t.shape, t.dtype)], ax))
          const xs = stackOf(c.x, axes[0], 7),
            ws = stackOf(c.w, axes[1], 8),
            bs = stackOf(c.b, axes[2], 9)
          const f = fused(c),
            g = plain(c)
          const got = P.vmap(f, { inAxes: axes })(xs, ws, bs)
          for (let v = 0; v < V; v++) {
            const pick = (t: Tensor, ax: number | null) => (ax === null ? t : P.take(t, P.scalar(v, 'int32'), ax))
            same(P.take(got, P.scalar(v, 'int32'), 0), g(pick(xs, axes[0]), pick(ws, axes[1]), pick(bs, axes[2])), `example ${v}`)
          }
        },
      ),
      { numRuns: 15 },
    )
  })
})

describe('sequential(conv2d, relu)', () => {
  it('runs the fused call and equals the same layers unfused, value and gradient', () => {
    const layers = [conv2d(3, 3, { padding: 'SAME' }), relu()] as const
    const fusedNet = sequential(...layers)
    const plainNet = sequential(layers[0], { ...layers[1], fusion: undefined })
    const { params } = fusedNet.init(P.random.key(3), [5, 5, 2])
    const x = P.random.normal(P.random.key(4), [2, 5, 5, 2])
    same(fusedNet.apply(params, x), plainNet.apply(params, x), 'value')
    const gf = P.grad((p: typeof params) => P.sum(P.sin(fusedNet.apply(p, x))))(params)
    const gp = P.grad((p: typeof params) => P.sum(P.sin(plainNet.apply(p, x))))(params)
    same(gf[0].w, gp[0].w, 'dW')
    same(gf[0].b as Tensor, gp[0].b as Tensor, 'db')
  })
})

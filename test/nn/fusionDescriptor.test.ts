/**
 * Fusion in `sequential` follows the layers' descriptors (`fusion`), not their identity:
 * - dense then relu, fused, gives bitwise the values and gradients (x, W, b) of the same layers
 *   with their descriptors removed (which forces one layer after the other), on random sizes,
 *   leading axes, dtypes (mixed too), kernel paths, with and without bias, special inputs;
 * - the fused path is observed, not assumed: a relu whose `apply` counts its calls (a spread
 *   copy with `apply` replaced, which keeps the descriptor) is never called when fused, and is
 *   called when not; so copies and forwarding wrappers stay fused and stripped layers do not;
 * - fusing a pair does not shift the keys the later layers get (dropout after the pair);
 * - a malformed descriptor is an error naming `sequential` and the argument.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { ArgumentError, type DType, type Tensor, fromArray, mul, random, sum, toFlatArray, valueAndGrad } from '../../src/index.js'
import { kernelMode, setKernelMode } from '../../src/kernels/backend.js'
import { type DenseParams, type EmptyParams, type Layer, type LayerFusion, dense, dropout, relu, sequential, sigmoid } from '../../src/nn/index.js'

const initialMode = kernelMode()
afterEach(() => {
  setKernelMode(initialMode)
})

/** The same layer with its descriptor removed: `sequential` cannot fuse it. */
const strip = <P>(l: Layer<P>): Layer<P> => ({ ...l, fusion: undefined })

/** A copy whose `apply` counts its calls; the descriptor is kept (spread), as a user's logging copy would. */
function counted<P>(l: Layer<P>): { l: Layer<P>; calls: () => number } {
  let n = 0
  return {
    l: {
      ...l,
      apply: (p, x, ctx) => {
        n++
        return l.apply(p, x, ctx)
      },
    },
    calls: () => n,
  }
}

function sameBits(a: Tensor, b: Tensor): void {
  expect(a.dtype).toBe(b.dtype)
  expect(a.shape).toEqual(b.shape)
  const x = toFlatArray(a),
    y = toFlatArray(b)
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) throw new Error(`element ${i}: ${x[i]} vs ${y[i]}`)
}

const missing = (): never => {
  throw new Error('no gradient for the bias')
}

const cases = fc.record({
  m: fc.integer({ min: 1, max: 12 }),
  k: fc.integer({ min: 1, max: 20 }),
  n: fc.integer({ min: 1, max: 20 }),
  lead: fc.constantFrom<number[]>([], [2], [1, 3]),
  paramType: fc.constantFrom<DType>('float32', 'float64'),
  inputType: fc.constantFrom<DType>('float32', 'float64'),
  useBias: fc.boolean(),
  mode: fc.constantFrom('js' as const, 'wasm' as const),
  seed: fc.nat(),
  special: fc.option(fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1e30), { nil: undefined }),
})

describe('sequential(dense, relu): fused = the two layers unfused, bit for bit', () => {
  it('values and the gradients of x, W and b; the fused path is the one that ran', () => {
    fc.assert(
      fc.property(cases, ({ m, k, n, lead, paramType, inputType, useBias, mode, seed, special }) => {
        setKernelMode(mode)
        const [k1, k2, k3] = random.split(random.key(seed), 3)
        const spy = counted(relu())
        const fused = sequential(dense(n, { dtype: paramType, useBias }), spy.l)
        const apart = sequential(strip(dense(n, { dtype: paramType, useBias })), strip(relu()))
        const init = fused.init(k1, [...lead, k]).params
        // a random bias: the initial one is zeros
        const params: typeof init = useBias ? [{ ...init[0], b: random.normal(k2, [n], { dtype: paramType }) }, {}] : init
        let x = random.normal(k3, [m, ...lead, k], { dtype: inputType })
        if (special !== undefined)
          x = fromArray(
            toFlatArray(x).map((v, i) => (i % 7 === 0 ? special : v)),
            x.shape,
            inputType,
          )
        sameBits(fused.apply(params, x), apart.apply(params, x))
        const loss = (model: typeof fused) => (a: { q: typeof params; x: Tensor }) => {
          const y = model.apply(a.q, a.x)
          return sum(mul(y, y))
        }
        const [vf, gf] = valueAndGrad(loss(fused))({ q: params, x })
        const [va, ga] = valueAndGrad(loss(apart))({ q: params, x })
        sameBits(vf, va)
        sameBits(gf.x, ga.x)
        sameBits(gf.q[0].w, ga.q[0].w)
        if (useBias) sameBits(gf.q[0].b ?? missing(), ga.q[0].b ?? missing())
        expect(spy.calls()).toBe(0)
      }),
      { numRuns: 100 },
    )
  })
})

describe('what keeps fusion and what drops it, observed', () => {
  const x = random.normal(random.key(1), [3, 4])
  /** How many times the relu's own apply ran in one apply of sequential(first, relu). */
  const reluCalls = <P>(first: Layer<P>, second: Layer<EmptyParams> = relu()): number => {
    const spy = counted(second)
    const model = sequential(first, spy.l)
    model.apply(model.init(random.key(0), [4]).params, x)
    return spy.calls()
  }

  it('dense itself, a spread copy, a renamed copy and a copy with a counted apply stay fused', () => {
    expect(reluCalls(dense(2))).toBe(0)
    expect(reluCalls({ ...dense(2) })).toBe(0)
    expect(reluCalls({ ...dense(2), name: 'hidden' })).toBe(0)
    const d = counted(dense(2))
    expect(reluCalls(d.l)).toBe(0)
    expect(d.calls()).toBe(0) // fused: neither layer's apply runs
    expect(reluCalls(dense(2), { ...relu(), name: 'act' })).toBe(0)
  })

  it('a wrapper that forwards the descriptor stays fused', () => {
    const inits: string[] = []
    const logged = <P>(l: Layer<P>): Layer<P> => ({
      name: l.name,
      init: (key, shape) => {
        inits.push(l.name ?? '?')
        return l.init(key, shape)
      },
      apply: l.apply,
      fusion: l.fusion, // same math: passed on
    })
    expect(reluCalls(logged(dense(2)), logged(relu()))).toBe(0)
    expect(inits).toEqual(['dense(2)', 'relu'])
  })

  it('without a descriptor on either side, or with another activation, nothing is fused (the count can fail)', () => {
    expect(reluCalls(strip(dense(2)))).toBe(1)
    expect(reluCalls(dense(2), strip(relu()))).toBe(1)
    expect(reluCalls({ init: dense(2).init, apply: dense(2).apply })).toBe(1) // a user's own layer: no descriptor
    expect(reluCalls(sigmoid())).toBe(1)
    expect(reluCalls(relu())).toBe(1)
  })

  it('pairs fuse left to right; a nested sequential fuses inside', () => {
    const spies = [counted(relu()), counted(relu()), counted(relu())]
    const model = sequential(dense(3), spies[0].l, spies[1].l, sequential(dense(2), spies[2].l))
    model.apply(model.init(random.key(2), [4]).params, x)
    expect(spies.map((s) => s.calls())).toEqual([0, 1, 0])
  })

  it('fusing a pair does not shift the keys of the later layers', () => {
    const make = (f: <P>(l: Layer<P>) => Layer<P>) => sequential(f(dense(5, { dtype: 'float64' })), f(relu()), dropout(0.5))
    const fused = make((l) => l),
      apart = make(strip)
    const params = fused.init(random.key(3), [4]).params
    const ctx = { train: true, key: random.key(4) }
    const x64 = random.normal(random.key(5), [6, 4], { dtype: 'float64' })
    sameBits(fused.apply(params, x64, ctx), apart.apply(params, x64, ctx))
  })
})

describe('a malformed descriptor is refused by name', () => {
  it.each<[string, unknown]>([
    ['an unknown kind', { kind: 'dense' }],
    ['affine without a function', { kind: 'affine' }],
    ['not an object', 'relu'],
    ['null', null],
  ])('%s', (_, fusion) => {
    const bad = { ...relu(), fusion } as unknown as Layer
    expect(() => sequential(dense(2), bad)).toThrow(ArgumentError)
    expect(() => sequential(dense(2), bad)).toThrow(/^sequential: argument 1 has fusion .*expected undefined, \{ kind: 'relu' \}/)
  })
})

describe('the descriptor is typed', () => {
  it('layers and copies carry it with their params type; a malformed one does not type-check', () => {
    expectTypeOf(dense(2).fusion).toEqualTypeOf<LayerFusion<DenseParams> | undefined>()
    expectTypeOf({ ...relu() }.fusion).toEqualTypeOf<LayerFusion<EmptyParams> | undefined>()
    // @ts-expect-error an affine descriptor needs its fused apply
    const noApply: LayerFusion<DenseParams> = { kind: 'affine' }
    // @ts-expect-error only the known kinds
    const unknownKind: LayerFusion<EmptyParams> = { kind: 'sigmoid' }
    expect([noApply, unknownKind].map((f) => f.kind)).toEqual(['affine', 'sigmoid'])
  })
})

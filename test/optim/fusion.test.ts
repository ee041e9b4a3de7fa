/**
 * Fusion in `chain` follows the transforms' descriptors (`fusion`), not their identity:
 * - every fusable pair (a scaling part, or a chain ending in one, then the learning rate) gives
 *   bitwise the updates and states of the same members with their descriptors removed (which
 *   forces two passes), on random options, rates, dtypes, kernel paths and gradients with
 *   NaN, ±Infinity, −0 and huge values;
 * - the fused path is observed, not assumed: a learning rate whose `update` counts its calls
 *   (a spread copy with `update` replaced, which keeps the descriptor) is never called when
 *   fused, and is called when not; so a spread copy, a forwarding wrapper and a chain ending in
 *   a scaling part stay fused, and `applyIfFinite`/`multiSteps` (which change the math) drop it;
 * - the optimizers themselves run fused: the separate scaling kernel (`scale`, which only an
 *   unfused learning rate runs) is never called by adam, adagrad, rmsprop, momentum, nor by
 *   them inside applyIfFinite and multiSteps;
 * - a malformed descriptor is an error naming `chain` and the argument.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import * as P from '../../src/index.js'
import { kernelMode, setKernelMode } from '../../src/kernels/backend.js'
import * as O from '../../src/optim/index.js'
import type { GradientTransformation } from '../../src/optim/index.js'

// Counts the separate scaling pass (the unfused learning rate's kernel); everything else is the real module.
const scaleCalls = vi.hoisted(() => ({ n: 0 }))
vi.mock('../../src/optim/kernels.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/optim/kernels.js')>()
  return {
    ...m,
    scale: (...a: Parameters<typeof m.scale>) => {
      scaleCalls.n++
      m.scale(...a)
    },
  }
})

const initialMode = kernelMode()
afterEach(() => {
  setKernelMode(initialMode)
})

type T = GradientTransformation<unknown>

/** The same transform with its descriptor removed: `chain` cannot fuse it. */
const strip = (t: T): T => ({ ...t, fusion: undefined })

/** A copy whose `update` counts its calls; the descriptor is kept (spread), as a user's logging copy would. */
function counted(t: T): { t: T; calls: () => number } {
  let n = 0
  return {
    t: {
      ...t,
      update: (u, s, p) => {
        n++
        return t.update(u, s, p)
      },
    },
    calls: () => n,
  }
}

/** Every element of every leaf, as bits: −0 and 0 differ, NaN equals NaN. */
function sameBits(a: unknown, b: unknown): void {
  const la = P.tree.leaves(a),
    lb = P.tree.leaves(b)
  expect(la.length).toBe(lb.length)
  la.forEach((l, i) => {
    expect(l.dtype).toBe(lb[i].dtype)
    const x = P.toFlatArray(l),
      y = P.toFlatArray(lb[i])
    expect(x.length).toBe(y.length)
    for (let j = 0; j < x.length; j++) if (!Object.is(x[j], y[j])) throw new Error(`leaf ${i}, element ${j}: ${x[j]} vs ${y[j]}`)
  })
}

const decay = fc.double({ min: 0, max: 0.999, noNaN: true })
const eps = fc.oneof(fc.constant(0), fc.constantFrom(1e-10, 1e-8, 1e-7), fc.double({ min: 0, max: 1, noNaN: true }))
/** Every scaling part, with random options. */
const scalingPart: fc.Arbitrary<[string, () => T]> = fc.oneof(
  fc.record({ b1: decay, b2: decay, eps, epsRoot: eps }).map((o): [string, () => T] => [`scaleByAdam ${JSON.stringify(o)}`, () => O.scaleByAdam(o)]),
  fc
    .record({ initialAccumulator: fc.constantFrom(0, 0.1), eps, epsInSqrt: fc.boolean() })
    .map((o): [string, () => T] => [`scaleByRss ${JSON.stringify(o)}`, () => O.scaleByRss(o)]),
  fc
    .record({ decay, eps, epsInSqrt: fc.boolean(), initialScale: fc.constantFrom(0, 1), seedWithFirstGradient: fc.boolean() })
    .map((o): [string, () => T] => [`scaleByRms ${JSON.stringify(o)}`, () => O.scaleByRms(o)]),
  fc.record({ decay, nesterov: fc.boolean() }).map((o): [string, () => T] => [`trace ${JSON.stringify(o)}`, () => O.trace(o)]),
)
const rate: fc.Arbitrary<O.LearningRate> = fc.oneof(
  fc.constantFrom(0, 1e-3, 0.1, 1e300),
  fc.double({ min: 0, max: 10, noNaN: true }),
  fc.constantFrom<O.Schedule>(
    (t) => 0.1 / (t + 1),
    (t) => (t % 2 === 0 ? 0.5 : 0),
    (t) => 3 ** -t,
  ),
)
const value = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e30, -1e200, 1e-310) },
)
/** Leaf sizes (the number of leaves is the array's length) and the gradients of a few steps. */
const problem = fc
  .record({
    dtype: fc.constantFrom<P.DType>('float32', 'float64'),
    mode: fc.constantFrom('js' as const, 'wasm' as const),
    sizes: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 3 }),
    steps: fc.integer({ min: 1, max: 4 }),
    seed: fc.nat(),
  })
  .chain((p) =>
    fc.record({
      p: fc.constant(p),
      grads: fc.array(fc.tuple(...p.sizes.map((n) => fc.array(value, { minLength: n, maxLength: n }))), { minLength: p.steps, maxLength: p.steps }),
    }),
  )

type Problem = typeof problem extends fc.Arbitrary<infer V> ? V : never

/** Runs both optimizers side by side on the same gradients, checking updates and states at every step. */
function agree(fused: T, apart: T, { p, grads }: Problem): void {
  setKernelMode(p.mode)
  const k = P.random.split(P.random.key(p.seed), p.sizes.length)
  let params = p.sizes.map((n, i) => P.random.normal(k[i], [n], { dtype: p.dtype }))
  let sf = fused.init(params),
    sa = apart.init(params)
  for (const g of grads) {
    const gt = g.map((v) => P.fromArray(v, [v.length], p.dtype))
    const [uf, nf] = fused.update(gt, sf, params)
    const [ua, na] = apart.update(gt, sa, params)
    sameBits(uf, ua)
    sameBits(nf, na)
    params = O.applyUpdates(params, uf)
    sf = nf
    sa = na
  }
}

describe('chain(scaling part, learning rate): fused = the members unfused, bit for bit', () => {
  it('every scaling part, random options and rates, both dtypes and kernel paths, special values', () => {
    fc.assert(
      fc.property(scalingPart, rate, problem, ([, part], lr, prob) => {
        const spy = counted(O.scaleByLearningRate(lr))
        agree(O.chain(part(), spy.t), O.chain(strip(part()), strip(O.scaleByLearningRate(lr))), prob)
        expect(spy.calls()).toBe(0) // the fused pass ran: the rate's own update never did
      }),
      { numRuns: 150 },
    )
  })

  it('a chain ending in a scaling part is one: chain(chain(clip, part), lr), fused, = unfused', () => {
    fc.assert(
      fc.property(scalingPart, rate, problem, fc.constantFrom(0.5, 10), ([, part], lr, prob, max) => {
        const spy = counted(O.scaleByLearningRate(lr))
        const inner = O.chain(O.clipByGlobalNorm(max), part())
        expect(inner.fusion?.kind).toBe('scaling')
        agree(O.chain(inner, spy.t), O.chain(O.clipByGlobalNorm(max), strip(part()), strip(O.scaleByLearningRate(lr))), prob)
        expect(spy.calls()).toBe(0)
      }),
      { numRuns: 60 },
    )
  })
})

describe('what keeps fusion and what drops it, observed', () => {
  const g = [P.tensor([0.5, -2, 3])]
  /** How many times the rate's own update ran in 3 steps of chain(first, rate). */
  const rateCalls = (first: T): number => {
    const spy = counted(O.sgd(0.1))
    const opt = O.chain(first, spy.t)
    let s = opt.init(g)
    for (let i = 0; i < 3; i++) s = opt.update(g, s, g)[1]
    return spy.calls()
  }
  const parts: [string, () => T][] = [
    ['scaleByAdam', () => O.scaleByAdam()],
    ['scaleByRss', () => O.scaleByRss()],
    ['scaleByRms', () => O.scaleByRms()],
    ['trace', () => O.trace()],
  ]

  it.each(parts)('%s: itself, a spread copy and a renamed copy stay fused; without its descriptor it is not', (_, part) => {
    expect(rateCalls(part())).toBe(0)
    expect(rateCalls({ ...part() })).toBe(0)
    expect(rateCalls(Object.assign({}, part(), { label: 'mine' }))).toBe(0)
    expect(rateCalls(strip(part()))).toBe(3) // the observation can fail: unfused, the rate runs every step
  })

  it('a wrapper that forwards the descriptor stays fused, and its scaled update is the one that runs', () => {
    const log: string[] = []
    const logging = (t: T): T => {
      const f = t.fusion
      return {
        init: (p) => t.init(p),
        update: (u, s, p) => {
          log.push('update')
          return t.update(u, s, p)
        },
        // same math, so the descriptor is passed on; the fused call is logged too
        fusion:
          f?.kind === 'scaling'
            ? {
                kind: 'scaling',
                scaledUpdate: (u, s, p, a) => {
                  log.push(`scaled ${a}`)
                  return f.scaledUpdate(u, s, p, a)
                },
              }
            : f,
      }
    }
    expect(rateCalls(logging(O.scaleByAdam()))).toBe(0)
    expect(log).toEqual(['scaled -0.1', 'scaled -0.1', 'scaled -0.1'])
  })

  it('applyIfFinite and multiSteps drop the descriptor (they change the math); a chain inside them stays fused', () => {
    // applyIfFinite checks the unscaled updates: trace's u = 1e308 is finite, −10·u is not, so a
    // fused rate would turn an applied step into a skipped one.
    expect(O.applyIfFinite(O.trace()).fusion).toBeUndefined()
    expect(O.multiSteps(O.scaleByAdam(), 2).fusion).toBeUndefined()
    expect(rateCalls(O.applyIfFinite(O.scaleByAdam()))).toBe(3)
    expect(rateCalls(O.multiSteps(O.scaleByAdam(), 1))).toBe(3)
    const spy = counted(O.sgd(0.1))
    for (const opt of [O.applyIfFinite(O.chain(O.scaleByAdam(), spy.t)), O.multiSteps(O.chain(O.scaleByAdam(), spy.t), 2)] as T[]) {
      let s = opt.init(g)
      for (let i = 0; i < 4; i++) s = opt.update(g, s, g)[1]
    }
    expect(spy.calls()).toBe(0)
  })

  it('a descriptor kept by `{ ...t, update }` is trusted: replacing update needs `fusion: undefined` (as documented)', () => {
    // the documented sharp edge: the fused pass does not call a replaced update
    const doubled = (t: T): T => ({
      ...t,
      update: (u, s, p) => {
        const [v, s2] = t.update(u, s, p)
        return [P.tree.map((x) => P.mul(x, 2), v) as typeof v, s2]
      },
    })
    const run = (first: T) => {
      const opt = O.chain(first, O.sgd(1))
      return P.toFlatArray(opt.update(g, opt.init(g), g)[0][0] as P.Tensor)
    }
    const plain = run(O.trace())
    expect(run(doubled(O.trace()))).toEqual(plain) // the descriptor (kept) wins
    expect(run({ ...doubled(O.trace()), fusion: undefined })).toEqual(plain.map((x) => 2 * x))
  })
})

describe('the optimizers run fused: the separate scaling pass never runs', () => {
  const g = {
    w: P.tensor([
      [0.5, -2],
      [3, 0],
    ]),
    b: P.tensor([1, -1]),
  }
  const passes = (opt: T): number => {
    scaleCalls.n = 0
    let s = opt.init(g)
    for (let i = 0; i < 3; i++) s = opt.update(g, s, g)[1]
    return scaleCalls.n
  }
  it.each<[string, () => T]>([
    ['adam', () => O.adam(0.1)],
    ['adam (schedule)', () => O.adam(O.cosineDecay({ initValue: 0.1, decaySteps: 10 }))],
    ['adagrad', () => O.adagrad(0.1)],
    ['rmsprop', () => O.rmsprop(0.1)],
    ['momentum', () => O.momentum(0.1, { nesterov: true })],
    ['momentum (tfjs)', () => O.momentum(0.1, { profile: 'tfjs' })],
    ['applyIfFinite(adam)', () => O.applyIfFinite(O.adam(0.1))],
    ['multiSteps(adam, 2)', () => O.multiSteps(O.adam(0.1), 2)],
    ['chain(clipByGlobalNorm, adam)', () => O.chain(O.clipByGlobalNorm(1), O.adam(0.1))],
  ])('%s', (_, make) => {
    expect(passes(make())).toBe(0)
  })
  it('while an unfused rate does run it (the count can fail)', () => {
    expect(passes(O.sgd(0.1))).toBe(6) // 2 leaves × 3 steps
    expect(passes(O.chain(strip(O.scaleByAdam()), O.sgd(0.1)))).toBe(6)
    expect(passes(O.momentum(0.1, { profile: 'lecture' }))).toBe(6) // the rate comes first there: nothing to fuse
  })
})

describe('a malformed descriptor is refused by name', () => {
  it.each<[string, unknown]>([
    ['an unknown kind', { kind: 'scale' }],
    ['scaling without a function', { kind: 'scaling', scaledUpdate: 1 }],
    ['a rate that is not a number or schedule', { kind: 'learningRate', lr: '0.1' }],
    ['not an object', 'scaling'],
    ['null', null],
  ])('%s', (_, fusion) => {
    const bad = { ...O.trace(), fusion } as unknown as T
    expect(() => O.chain(O.identity(), bad)).toThrow(P.ArgumentError)
    expect(() => O.chain(O.identity(), bad)).toThrow(/^chain: argument 1 has fusion .*expected undefined, \{ kind: 'scaling'/)
  })
})

describe('the descriptor is typed', () => {
  it('parts and copies carry it with their state type; a malformed one does not type-check', () => {
    expectTypeOf(O.scaleByAdam().fusion).toEqualTypeOf<O.TransformFusion<O.ScaleByAdamState> | undefined>()
    expectTypeOf({ ...O.trace() }.fusion).toEqualTypeOf<O.TransformFusion<O.TraceState> | undefined>()
    // @ts-expect-error a scaling descriptor needs its scaled update
    const noUpdate: O.TransformFusion<O.TraceState> = { kind: 'scaling' }
    // @ts-expect-error the rate is a number or a schedule
    const badRate: O.TransformFusion<unknown> = { kind: 'learningRate', lr: '0.1' }
    expect([noUpdate, badRate].map((f) => f.kind)).toEqual(['scaling', 'learningRate'])
  })
})

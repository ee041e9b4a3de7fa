/**
 * `OptimizerConfig` and `fromConfig`: an arbitrary of valid configs agrees with the decoder
 * (decode ∘ encode is the identity, `is` holds, the built transform runs); invalid fields are
 * `Left`s whose message names their path; random JSON and random values never make it throw;
 * a config builds the same optimizer as its constructor.
 */
import fc from 'fast-check'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import * as O from '../../src/optim/index.js'
import type { GradientTransformation, OptimizerConfig } from '../../src/optim/index.js'

// --- the arbitrary of valid configs

const pos = fc.double({ min: 1e-6, max: 10, noNaN: true })
const nonNeg = fc.double({ min: 0, max: 10, noNaN: true })
const decay = fc.double({ min: 0, max: 0.999, noNaN: true })
const profile = fc.constantFrom('pytorch', 'optax', 'tfjs', 'lecture')
const opt = <T>(r: { [K in keyof T]: fc.Arbitrary<T[K]> }, required: (keyof T)[]) => fc.record(r, { requiredKeys: required })

const schedule = fc.oneof(
  fc.record({ schedule: fc.constant('constant' as const), value: nonNeg }),
  opt(
    {
      schedule: fc.constant('exponentialDecay' as const),
      initValue: nonNeg,
      transitionSteps: pos,
      decayRate: pos,
      transitionBegin: nonNeg,
      staircase: fc.boolean(),
      endValue: nonNeg,
    },
    ['schedule', 'initValue', 'transitionSteps', 'decayRate'],
  ),
  opt({ schedule: fc.constant('cosineDecay' as const), initValue: nonNeg, decaySteps: pos, alpha: fc.double({ min: 0, max: 1, noNaN: true }), exponent: pos }, [
    'schedule',
    'initValue',
    'decaySteps',
  ]),
  fc
    .tuple(nonNeg, nonNeg, fc.nat(20), fc.integer({ min: 1, max: 20 }))
    .map(([initValue, peakValue, warmupSteps, extra]) => ({ schedule: 'warmupCosine' as const, initValue, peakValue, warmupSteps, decaySteps: warmupSteps + extra })),
)
const lr = fc.oneof(pos, schedule)
const adamish = { b1: decay, b2: decay, eps: nonNeg }

const leafStep = fc.oneof(
  fc.record({ name: fc.constant('sgd' as const), learningRate: lr }),
  opt({ name: fc.constant('momentum' as const), learningRate: lr, beta: decay, nesterov: fc.boolean(), profile }, ['name', 'learningRate']),
  opt({ name: fc.constant('adagrad' as const), learningRate: lr, eps: nonNeg, initialAccumulator: nonNeg, profile }, ['name', 'learningRate']),
  opt({ name: fc.constant('rmsprop' as const), learningRate: lr, decay, eps: nonNeg, profile }, ['name', 'learningRate']),
  opt({ name: fc.constant('adam' as const), learningRate: lr, ...adamish, profile }, ['name', 'learningRate']),
  opt({ name: fc.constant('adamw' as const), learningRate: lr, ...adamish, weightDecay: nonNeg }, ['name', 'learningRate']),
  fc.record({ name: fc.constant('scaleByLearningRate' as const), learningRate: lr }),
  opt({ name: fc.constant('scaleByAdam' as const), ...adamish, epsRoot: nonNeg }, ['name']),
  opt({ name: fc.constant('scaleByRss' as const), initialAccumulator: nonNeg, eps: nonNeg, epsInSqrt: fc.boolean() }, ['name']),
  opt({ name: fc.constant('scaleByRms' as const), decay, eps: nonNeg, epsInSqrt: fc.boolean(), initialScale: nonNeg, seedWithFirstGradient: fc.boolean() }, ['name']),
  opt({ name: fc.constant('trace' as const), decay, nesterov: fc.boolean() }, ['name']),
  fc.record({ name: fc.constant('addDecayedWeights' as const), lambda: nonNeg }),
  fc.record({ name: fc.constant('addL1' as const), lambda: nonNeg }),
  fc.record({ name: fc.constant('clipByGlobalNorm' as const), max: pos }),
  fc.record({ name: fc.constant('identity' as const) }),
)

const configArb: fc.Arbitrary<OptimizerConfig> = fc.letrec<{ config: OptimizerConfig }>((tie) => ({
  config: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafStep,
    fc.record({ chain: fc.array(tie('config'), { maxLength: 3 }) }),
    opt({ name: fc.constant('applyIfFinite' as const), inner: tie('config'), maxConsecutiveErrors: fc.nat(5) }, ['name', 'inner']),
    fc.record({ name: fc.constant('multiSteps' as const), inner: tie('config'), k: fc.integer({ min: 1, max: 3 }) }),
  ),
})).config

// --- helpers

function built(json: unknown): GradientTransformation<unknown> {
  const r = O.fromConfig(json)
  if (isLeft(r)) throw new Error(r.left.message)
  return r.right
}

function leftMessage(json: unknown): string {
  const r = O.fromConfig(json)
  if (isRight(r)) throw new Error(`expected a Left for ${JSON.stringify(json)}`)
  expect(r.left).toBeInstanceOf(P.ArgumentError)
  return r.left.message
}

const trajectory = (t: GradientTransformation<unknown>) => {
  let p = { w: P.tensor([1, -1, 0.5], 'float64') }
  let s = t.init(p)
  for (const g of [
    [0.5, -2, 1],
    [1, 1, -1],
    [0.1, 0.2, 0.3],
  ]) {
    const [u, n] = t.update({ w: P.tensor(g, 'float64') }, s, p)
    p = O.applyUpdates(p, u)
    s = n
  }
  return P.toFlatArray(p.w)
}

// --- tests

describe('valid configs', () => {
  it('the arbitrary agrees with the codec: decode(encode(c)) = c, is(c), and the transform runs', () => {
    fc.assert(
      fc.property(configArb, (c) => {
        const json = JSON.parse(JSON.stringify(O.OptimizerConfig.encode(c)))
        const d = O.OptimizerConfig.decode(json)
        if (isLeft(d)) throw new Error(`rejected ${JSON.stringify(c)}`)
        expect(d.right).toEqual(c)
        expect(O.OptimizerConfig.is(c)).toBe(true)
        const t = built(json)
        const p = [P.tensor([1, -2], 'float32')]
        const [u] = t.update([P.tensor([0.5, 0.25], 'float32')], t.init(p), p)
        expect(P.tree.structureEquals(u, p)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
  it('a config builds the same optimizer as its constructor', () => {
    expect(trajectory(built({ name: 'adam', learningRate: 0.001, b1: 0.9 }))).toEqual(trajectory(O.adam(0.001, { b1: 0.9 })))
    expect(
      trajectory(
        built({
          chain: [
            { name: 'clipByGlobalNorm', max: 1 },
            { name: 'sgd', learningRate: 0.1 },
          ],
        }),
      ),
    ).toEqual(trajectory(O.chain(O.clipByGlobalNorm(1), O.sgd(0.1))))
    expect(trajectory(built({ name: 'rmsprop', learningRate: { schedule: 'cosineDecay', initValue: 0.1, decaySteps: 3 }, profile: 'lecture' }))).toEqual(
      trajectory(O.rmsprop(O.cosineDecay({ initValue: 0.1, decaySteps: 3 }), { profile: 'lecture' })),
    )
    expect(trajectory(built({ name: 'multiSteps', k: 2, inner: { name: 'applyIfFinite', inner: { name: 'adamw', learningRate: 0.01, weightDecay: 0.1 } } }))).toEqual(
      trajectory(O.multiSteps(O.applyIfFinite(O.adamw(0.01, { weightDecay: 0.1 })), 2)),
    )
  })
  it('accepts a string of JSON', () => {
    expect(isRight(O.fromConfig('{ "name": "momentum", "learningRate": 0.1, "nesterov": true }'))).toBe(true)
  })
})

describe('invalid configs are Lefts naming the path', () => {
  const cases: [unknown, RegExp][] = [
    [{ name: 'adamax', learningRate: 0.1 }, /at name: unknown optimizer name "adamax"; expected one of sgd, momentum/],
    [{ chain: [{ name: 'sgd', learningRate: 0.1 }, { name: 'nope' }] }, /at chain\.1\.name: unknown/],
    [{ name: 'sgd', learningRate: 0 }, /at learningRate: expected a finite number > 0, got 0/],
    [{ name: 'sgd', learningRate: -0.5 }, /at learningRate: .*got -0\.5/],
    [{ name: 'sgd', learningRate: '0.1' }, /at learningRate: expected a learning rate .*got "0\.1"/],
    [{ name: 'sgd' }, /at learningRate: expected a learning rate.*got undefined/],
    [{ name: 'sgd', learningRate: Infinity }, /at learningRate/],
    [
      {
        chain: [
          { name: 'clipByGlobalNorm', max: 1 },
          { name: 'sgd', learningRate: -1 },
        ],
      },
      /at chain\.1\.learningRate/,
    ],
    [{ name: 'adam', learningRate: 0.1, b1: 1 }, /at b1: expected a decay rate in \[0, 1\), got 1/],
    [{ name: 'adam', learningRate: 0.1, b2: 1.5 }, /at b2/],
    [{ name: 'rmsprop', learningRate: 0.1, decay: -0.1 }, /at decay: expected a decay rate in \[0, 1\)/],
    [{ name: 'momentum', learningRate: 0.1, beta: 1 }, /at beta/],
    [{ name: 'adam', learningRate: 0.1, beta1: 0.9 }, /at beta1: unknown field 'beta1'.*allowed fields: name, learningRate, b1, b2, eps, profile/],
    [{ name: 'momentum', learningRate: 0.1, profile: 'keras' }, /at profile/],
    [{ name: 'multiSteps', inner: { name: 'sgd', learningRate: 0.1 }, k: 0 }, /at k: expected a positive integer/],
    [{ name: 'applyIfFinite', inner: { name: 'adam', learningRate: -3 } }, /at inner\.learningRate/],
    [{ name: 'sgd', learningRate: { schedule: 'cosineDecay', initValue: 0.1 } }, /at learningRate\.decaySteps/],
    [{ name: 'sgd', learningRate: { schedule: 'linear' } }, /at learningRate\.schedule: unknown schedule/],
    [
      { name: 'sgd', learningRate: { schedule: 'warmupCosine', initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 10 } },
      /at learningRate\.warmupSteps: expected warmupSteps < decaySteps/,
    ],
    [{ chain: 'x' }, /at chain: /],
    [{ chain: [], name: 'sgd', learningRate: 1 }, /at chain: unknown field/],
    [null, /at <root>: expected optimizer/],
    [[], /at <root>/],
    ['{ "name": ', /not valid JSON/],
  ]
  for (const [json, re] of cases) {
    it(JSON.stringify(json) ?? String(json), () => {
      expect(leftMessage(json)).toMatch(re)
    })
  }
})

describe('fromConfig never throws', () => {
  it('on random JSON values and random JS values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything(), fc.string()), (u) => {
        const r = O.fromConfig(u)
        expect(isLeft(r) || isRight(r)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })
  it('on valid configs with one field replaced by random JSON', () => {
    fc.assert(
      fc.property(leafStep, fc.jsonValue(), fc.nat(), (c, junk, i) => {
        const keys = Object.keys(c)
        const broken = { ...c, [keys[i % keys.length]]: junk }
        const r = O.fromConfig(broken)
        if (isLeft(r)) expect(r.left.message).toMatch(/^fromConfig: /)
      }),
      { numRuns: 500 },
    )
  })
})

describe('deep and cyclic configs: a Left with the path, never a stack overflow', () => {
  // Root = level 1; each chain entry or inner step one more. Nested configs are built in a loop,
  // and as JSON text by repetition, so the test itself never recurses.
  const chained = (levels: number): unknown => {
    let c: unknown = { name: 'sgd', learningRate: 0.5 }
    for (let i = 1; i < levels; i++) c = { chain: [c] }
    return c
  }
  const wrapped = (levels: number): unknown => {
    let c: unknown = { name: 'sgd', learningRate: 0.5 }
    for (let i = 1; i < levels; i++) c = i % 2 === 0 ? { name: 'applyIfFinite', inner: c } : { name: 'multiSteps', inner: c, k: 1 }
    return c
  }
  it('100 levels decode, build and run (an sgd step of 0.5 through 99 chains)', () => {
    for (const c of [chained(100), wrapped(100)]) {
      const r = O.fromConfig(c)
      if (!isRight(r)) throw r.left
      const p = [P.tensor([1], 'float64')]
      const [u] = r.right.update([P.tensor([2], 'float64')], r.right.init(p), p)
      expect(P.toFlatArray(u[0])).toEqual([-1]) // −lr·g = −0.5·2
    }
  })
  it('101, 5,000 and 50,000 levels are a Left naming the path where the limit is crossed', () => {
    for (const levels of [101, 5000, 50000]) {
      const m = leftMessage(chained(levels))
      expect(m).toMatch(/^fromConfig: invalid optimizer config: at chain\.0\.chain\.0\..*: the config is nested deeper than 100 levels$/)
      expect(m.length).toBeLessThan(400)
      expect(leftMessage(wrapped(levels))).toMatch(/at inner\.inner\.inner\..*: the config is nested deeper than 100 levels/)
      expect(O.OptimizerConfig.is(chained(levels))).toBe(false)
      expect(isLeft(O.OptimizerConfig.decode(wrapped(levels)))).toBe(true)
      const text = `${'{"chain":['.repeat(levels - 1)}{"name":"sgd","learningRate":1}${']}'.repeat(levels - 1)}`
      expect(leftMessage(text)).toContain('nested deeper than 100 levels')
    }
  })
  it('a config that contains itself is a Left', () => {
    const c: { chain: unknown[] } = { chain: [] }
    c.chain.push(c)
    expect(leftMessage(c)).toContain('nested deeper than 100 levels')
    const w: Record<string, unknown> = { name: 'applyIfFinite' }
    w.inner = w
    expect(leftMessage(w)).toContain('nested deeper than 100 levels')
    expect(O.OptimizerConfig.is(c)).toBe(false)
  })
})

/**
 * diagnose with `gradientSpread` (the spread of per-example gradient norms): it adds evidence and
 * advice and never changes the verdict; the advice fires exactly where the thresholds say, on
 * spreads built from known per-example grads and on a real vmap(grad) run checked against one
 * grad per example; a malformed spread or threshold is an ArgumentError naming diagnose.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { dense, losses, sequential, sigmoid } from '../../src/nn/index.js'
import { leaves } from '../../src/tree/index.js'
import { type History, diagnose, gradientNormSpread } from '../../src/train/index.js'
import { expectError } from '../helpers/errors.js'

/** Bad on the training data (the sigmoid collapse), overfitting, and good: one of each verdict. */
const bad: History = { trainLoss: [2.3], trainAccuracy: [0.1], validationLoss: [2.3], validationAccuracy: [0.1] }
const overfit: History = { trainLoss: [0.01], trainAccuracy: [1], validationLoss: [1.5], validationAccuracy: [0.6] }
const good: History = { trainLoss: [0.1], trainAccuracy: [0.97], validationLoss: [0.12], validationAccuracy: [0.95] }

/** Per-example grads of one layer whose example b has gradient norm norms[b] ≥ 0: a [B, 1] kernel holding them. */
const layer = (norms: readonly number[]) => ({ w: P.fromArray(norms, [norms.length, 1], 'float64') })

/** A spread of three examples, norms derived by hand (see the first test). */
const handSpread = () =>
  gradientNormSpread([
    {
      w: P.tensor(
        [
          [3, 4],
          [6, 8],
          [0, 5],
        ],
        'float64',
      ),
      b: P.tensor([0, 0, 0], 'float64'),
    },
    {},
    {
      w: P.tensor(
        [
          [0.3, 0.4],
          [0.6, 0.8],
          [30, 40],
        ],
        'float64',
      ),
    },
  ])

describe('diagnose reads the spread of per-example gradient norms', () => {
  it('known per-example grads: the evidence and the advice, derived by hand', () => {
    // layer 0: rows (3,4), (6,8), (0,5), bias 0 → norms 5, 10, 5: median 5, max 10, ratio 2
    // layer 1: an activation, no params: not reported
    // layer 2: rows (0.3,0.4), (0.6,0.8), (30,40) → norms 0.5, 1, 50: median 1, ratio 50 > 10, max at example 2
    // first/last median 5/1 = 5, far above 1e-3: no vanishing gradient; no layer all 0
    const spread = handSpread()
    expect(spread.map((s) => s.params)).toEqual([3, 0, 2])
    for (const h of [bad, overfit, good]) {
      const d = diagnose(h, { gradientSpread: spread })
      const before = diagnose(h)
      expect(d.problem).toBe(before.problem)
      expect(d.advice.slice(0, before.advice.length)).toEqual(before.advice)
      const extra = d.advice.slice(before.advice.length)
      expect(extra).toHaveLength(1)
      expect(extra[0]).toMatch(
        /^a few examples dominate the gradient: .* more than 10× the median in layer 2 \(50\.0×, example 2\); clip .*perExampleClip.* inspect example 2 of the batch/,
      )
      const ev = d.evidence.gradientSpread ?? []
      expect(ev.map((l) => [l.layer, l.maxExample])).toEqual([
        [0, 1],
        [2, 2],
      ])
      const want = [
        [5, 5, 10, 2],
        [0.5, 1, 50, 50],
      ]
      ev.forEach((l, i) => {
        ;[l.min, l.median, l.max, l.ratio].forEach((v, j) => {
          expect(v).toBeCloseTo(want[i][j], 12)
        })
      })
      expect(d.evidence.summary).toBe(`${before.evidence.summary}\nper-example gradient norms of 3 examples (median, max/median): layer 0 5.00e+0, 2.0×; layer 2 1.00e+0, 50.0×`)
    }
    // the threshold decides: 50 > 49 fires, 50 > 51 does not
    expect(diagnose(good, { gradientSpread: spread, maxNormRatio: 49 }).advice).toHaveLength(1)
    expect(diagnose(good, { gradientSpread: spread, maxNormRatio: 51 }).advice).toEqual([])
  })

  it('each advice fires exactly when its threshold is crossed (dead layer, vanishing gradient, heavy tail)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 7 }),
        fc.record({ heavy: fc.boolean(), vanishing: fc.boolean(), dead: fc.boolean(), zero: fc.boolean() }),
        fc.constantFrom(bad, overfit, good),
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.infiniteStream(fc.double({ min: 1, max: 2, noNaN: true })),
        (b, want, history, pick, u, base) => {
          const it = base[Symbol.iterator]()
          const draw = () => Array.from({ length: b }, () => it.next().value as number)
          // live layers at 0, 2, 4 (activations between), every norm in [1, 2]: max/median ≤ 2 < 10
          const norms = [draw(), [], want.dead ? new Array<number>(b).fill(0) : draw(), [], draw()]
          // vanishing: the first layer scaled by s ≤ 1e-4, so its median ≤ 2e-4 against the last's ≥ 1: below 1e-3;
          // else s ≥ 1e-2: its median ≥ 1e-2 against ≤ 2: at least 5e-3
          const s = want.vanishing ? 10 ** (-8 + 4 * u) : 10 ** (-2 + 2 * u)
          norms[0] = norms[0].map((v) => v * s)
          // heavy: one example of one live (not dead) layer raised 100×: max/median ≥ 100/2 > 10
          const live = want.dead ? [0, 4] : [0, 2, 4]
          const j = live[pick % live.length]
          const k = pick % b
          if (want.heavy) norms[j][k] *= 100
          // an example with gradient 0 in a live middle layer is not a dead layer (nor moves a median below 1)
          if (want.zero && !want.dead) norms[2][(k + 1) % b] = 0
          const spread = gradientNormSpread(norms.map((n) => (n.length === 0 ? {} : layer(n))))
          const before = diagnose(history)
          const d = diagnose(history, { gradientSpread: spread })
          expect(d.problem).toBe(before.problem)
          expect(d.advice.slice(0, before.advice.length)).toEqual(before.advice)
          const extra = d.advice.slice(before.advice.length)
          const expected: RegExp[] = []
          if (want.dead) expected.push(/^layer 2: the gradient is 0 for every example: dead units/)
          if (want.vanishing && d.problem === 'training') expected.push(/^the first layers barely learn: .* layer 0 .* layer 4's .*vanishing gradient; use ReLU or Maxout/)
          if (want.heavy) expected.push(new RegExp(`^a few examples dominate the gradient: .*in layer ${j} \\([0-9.]+×, example ${k}\\);.* inspect example ${k} of the batch`))
          expect(extra).toHaveLength(expected.length)
          extra.forEach((a, i) => {
            expect(a).toMatch(expected[i])
          })
          expect(d.evidence.gradientSpread?.map((l) => l.layer)).toEqual([0, 2, 4])
          if (want.heavy) expect(d.evidence.gradientSpread?.find((l) => l.layer === j)?.maxExample).toBe(k)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('without gradientSpread nothing changes; with it the verdict, numbers and advice of before stay, first', () => {
    const spread = handSpread()
    fc.assert(
      fc.property(
        fc.record({
          trainLoss: fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 1, maxLength: 3 }),
          trainAccuracy: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
          validationLoss: fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }),
          validationAccuracy: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
        }),
        fc.record(
          {
            minTrainAccuracy: fc.double({ min: 0, max: 1, noNaN: true }),
            maxLossGap: fc.double({ min: 0, max: 2, noNaN: true }),
            layers: fc.array(fc.constantFrom('dense', 'sigmoid', 'tanh', 'relu', 'maxout')),
            optimizer: fc.constantFrom('sgd', 'adam'),
          },
          { requiredKeys: [] },
        ),
        (history, options) => {
          const d = diagnose(history, options)
          expect('gradientSpread' in d.evidence).toBe(false)
          expect(d.evidence.summary).not.toContain('\n')
          // the spread's thresholds do nothing without a spread
          expect(diagnose(history, { ...options, maxNormRatio: 2, vanishingRatio: 0.5 })).toEqual(d)
          const w = diagnose(history, { ...options, gradientSpread: spread })
          expect(w.problem).toBe(d.problem)
          const { summary, gradientSpread, ...numbers } = w.evidence
          const { summary: s0, ...numbers0 } = d.evidence
          expect(numbers).toEqual(numbers0)
          expect(summary.split('\n')).toEqual([s0, expect.stringMatching(/^per-example gradient norms of 3 examples/)])
          expect(gradientSpread).toHaveLength(2)
          expect(w.advice.slice(0, d.advice.length)).toEqual(d.advice)
        },
      ),
      { numRuns: 30 },
    )
  })

  it('bad input is an ArgumentError naming diagnose, the option and what was expected', () => {
    const ok = handSpread()
    const bad1 = (gradientSpread: unknown) => () => diagnose(bad, { gradientSpread: gradientSpread as never })
    expectError(bad1({}), P.ArgumentError, 'diagnose', 'gradientSpread must be the output of gradientNormSpread', 'got an object')
    expectError(bad1(3), P.ArgumentError, 'diagnose', 'gradientSpread must be', 'got number 3')
    expectError(bad1([]), P.ArgumentError, 'diagnose', 'gradientSpread is empty')
    expectError(bad1([ok[0], null]), P.ArgumentError, 'diagnose', 'gradientSpread[1] must be a NormSpread')
    expectError(bad1([{ ...ok[0], norms: [] }]), P.ArgumentError, 'gradientSpread[0].norms must be a non-empty array')
    expectError(bad1([{ ...ok[0], norms: [1, -2, 3] }]), P.ArgumentError, 'gradientSpread[0].norms[1] must be a gradient norm (a number ≥ 0), got number -2')
    expectError(bad1([{ ...ok[0], norms: [1, 'x', 3] }]), P.ArgumentError, 'gradientSpread[0].norms[1]', 'got string x')
    expectError(bad1([{ ...ok[0], norms: [1, Number.NaN, 3] }]), P.ArgumentError, 'norms[1]', 'the run diverged')
    expectError(bad1([ok[0], ok[1], { ...ok[2], norms: [1, 2] }]), P.ArgumentError, 'gradientSpread[2].norms has 2 examples but gradientSpread[0].norms has 3')
    expectError(bad1([{ ...ok[0], params: 1.5 }]), P.ArgumentError, "gradientSpread[0].params must be the layer's number of params", 'got number 1.5')
    expectError(bad1([ok[0], { ...ok[1], norms: [0, 1, 0] }]), P.ArgumentError, 'gradientSpread[1] has no params (params 0) but a nonzero gradient norm')
    expectError(bad1([ok[1]]), P.ArgumentError, 'gradientSpread has no layer with params')
    for (const r of [0.5, Number.NaN, '10']) {
      expectError(() => diagnose(bad, { gradientSpread: ok, maxNormRatio: r as never }), P.ArgumentError, 'diagnose', 'maxNormRatio must be a number ≥ 1')
    }
    for (const r of [0, 1, -1e-3, Number.NaN]) {
      expectError(() => diagnose(bad, { gradientSpread: ok, vanishingRatio: r }), P.ArgumentError, 'diagnose', 'vanishingRatio must be a number in (0, 1)')
    }
  })
})

describe('a real run: vmap(grad) of a sigmoid MLP, read by gradientNormSpread and diagnose', () => {
  it('reports the norms of one grad per example, and its advice follows from them', () => {
    const f64 = { dtype: 'float64' } as const
    const model = sequential(dense(6, f64), sigmoid(), dense(5, f64), sigmoid(), dense(3, f64))
    const { params } = model.init(P.random.key(3), [4])
    const B = 7
    const X = P.random.normal(P.random.key(4), [B, 4], f64)
    const Y = P.oneHot([0, 1, 2, 0, 1, 2, 0], 3, 'float64')
    const loss = (p: typeof params, x: P.Tensor, y: P.Tensor) => losses.softmaxCrossEntropy(model.apply(p, P.expandDims(x, 0)), P.expandDims(y, 0))
    const spread = gradientNormSpread(P.vmap(P.grad(loss), { inAxes: [null, 0, 0] })(params, X, Y) as unknown[])
    // independently: one grad per example in a loop, each layer's norm the hypot of all its entries
    const perExample = Array.from({ length: B }, (_, b) =>
      (P.grad(loss)(params, P.take(X, b), P.take(Y, b)) as unknown[]).map((g) => Math.hypot(...leaves(g).flatMap((l) => P.toFlatArray(l)))),
    )
    const hand = [0, 2, 4].map((layer) => {
      const norms = perExample.map((r) => r[layer])
      const sorted = [...norms].sort((a, c) => a - c)
      const median = sorted[(B - 1) / 2] // B odd
      const max = sorted[B - 1]
      return { layer, min: sorted[0], median, max, ratio: max / median, maxExample: norms.indexOf(max) }
    })
    expect([1, 3].map((l) => perExample.every((r) => r[l] === 0))).toEqual([true, true]) // the sigmoids have no params
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.abs(b))
    const check = (d: ReturnType<typeof diagnose>) => {
      const ev = d.evidence.gradientSpread ?? []
      expect(ev.map((l) => [l.layer, l.maxExample])).toEqual(hand.map((l) => [l.layer, l.maxExample]))
      ev.forEach((l, i) => {
        for (const k of ['min', 'median', 'max', 'ratio'] as const) close(l[k], hand[i][k])
      })
    }
    // the defaults on an untrained network and random inputs: max/median well below 10, the first
    // layer's median within 1e-3 of the last's: nothing to add to the recipe
    expect(Math.max(...hand.map((l) => l.ratio))).toBeLessThan(10)
    const q = hand[0].median / hand[2].median
    expect(q).toBeGreaterThan(1e-3)
    expect(q).toBeLessThan(1) // the sigmoid picture: the first layer learns slower than the last
    for (const h of [bad, good]) {
      const d = diagnose(h, { gradientSpread: spread })
      check(d)
      expect(d.advice).toEqual(diagnose(h).advice)
    }
    // thresholds placed between the hand numbers: the heavy tail names exactly the layer of the
    // largest ratio and its example; the vanishing gradient fires just above q, not just below
    const byRatio = [...hand].sort((a, c) => c.ratio - a.ratio)
    const t = (byRatio[0].ratio + byRatio[1].ratio) / 2
    const top = byRatio[0]
    const d = diagnose(bad, { gradientSpread: spread, maxNormRatio: t, vanishingRatio: q * 1.01 })
    check(d)
    const extra = d.advice.slice(diagnose(bad).advice.length)
    expect(extra).toHaveLength(2)
    expect(extra[0]).toMatch(/^the first layers barely learn: .* of layer 0 .* layer 4's/)
    expect(extra[1]).toMatch(new RegExp(`in layer ${top.layer} \\([0-9.]+×, example ${top.maxExample}\\); .*inspect example ${top.maxExample} of`))
    expect(diagnose(bad, { gradientSpread: spread, maxNormRatio: t, vanishingRatio: q * 0.99 }).advice.slice(3)).toEqual([extra[1]])
    expect(diagnose(good, { gradientSpread: spread, maxNormRatio: t, vanishingRatio: q * 1.01 }).advice).toEqual([extra[1]]) // vanishing: only for a training problem
  })
})

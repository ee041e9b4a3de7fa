/**
 * `diagnose` reads the recipe off crafted histories, and `gradientNorms` gives one L2 norm per
 * layer, showing the vanishing gradient of a deep sigmoid network. Then `purediff recipe`'s
 * output: text wrapped to 100 columns, progress while a model trains, the "differs from the
 * lecture" decisions (constructed numbers both ways), the plots' marks, and one `--tiny` run in
 * process that checks all of these together.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: these tests read results.json and Vega-Lite specs (untyped JSON) by deep paths
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WIDTH, recipe, sizes, wrap } from '../../src/cli/recipe/index.js'
import { shapedData } from '../../src/cli/recipe/common.js'
import * as L from '../../src/cli/recipe/lecture.js'
import { ranges, validationDomain } from '../../src/cli/recipe/plots.js'
import { progressLine, reporter } from '../../src/cli/recipe/progress.js'
import * as P from '../../src/index.js'
import { dense, losses, relu, sequential, sigmoid } from '../../src/nn/index.js'
import { diagnose, gradientNorms, testingAdvice, trainingAdvice } from '../../src/train/index.js'

const one = (ta: number, va: number, tl = 0.3, vl = 0.4) => ({ trainLoss: [tl], trainAccuracy: [ta], validationLoss: [vl], validationAccuracy: [va] })

describe('diagnose', () => {
  it("gives the lecture's verdicts on its MNIST table", () => {
    // sigmoid + MSE: stuck at 0.1127 / 0.1135 — a training problem, not overfitting
    const stuck = diagnose(one(0.1127, 0.1135))
    expect(stuck.problem).toBe('training')
    expect(stuck.advice).toEqual(trainingAdvice)
    expect(stuck.advice.join(' ')).toMatch(/ReLU/)
    expect(stuck.advice.join(' ')).toMatch(/Maxout/)
    expect(stuck.advice.join(' ')).toMatch(/Adam/)
    expect(stuck.evidence.trainAccuracy).toBe(0.1127)
    // ReLU + Adam on the noisy test set: 1.000 / 0.475 — a testing problem
    const noisy = diagnose(one(1, 0.475))
    expect(noisy.problem).toBe('testing')
    expect(noisy.advice).toEqual(testingAdvice)
    for (const w of ['early stopping', 'regularisation', 'dropout', 'more']) expect(noisy.advice.some((a) => a.startsWith(w))).toBe(true)
    expect(noisy.evidence.summary).toMatch(/overfitting/)
    // 0.9978 / 0.9564 with a 5% gap allowed — fine
    expect(diagnose(one(0.9978, 0.9564)).problem).toBe('none')
    expect(diagnose(one(0.9978, 0.9564)).advice).toEqual([])
  })

  it('follows the thresholds: training first, then testing, then none', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (ta, va, minTrainAccuracy, maxAccuracyGap) => {
          const d = diagnose(one(ta, va), { minTrainAccuracy, maxAccuracyGap })
          expect(d.problem).toBe(ta < minTrainAccuracy ? 'training' : ta - va > maxAccuracyGap ? 'testing' : 'none')
        },
      ),
    )
  })

  it('judges regression (NaN accuracies) on the losses, ignores missing validation, and reads the chosen epoch', () => {
    const reg = { trainLoss: [5, 0.1], trainAccuracy: [NaN, NaN], validationLoss: [5, 2], validationAccuracy: [NaN, NaN] }
    expect(diagnose(reg, { maxTrainLoss: 1 }).problem).toBe('none')
    expect(diagnose(reg, { maxTrainLoss: 1, maxLossGap: 0.5 }).problem).toBe('testing')
    expect(diagnose(reg, { maxTrainLoss: 1, epoch: 0 }).problem).toBe('training')
    const noVal = { trainLoss: [0.1], trainAccuracy: [0.99], validationLoss: [NaN], validationAccuracy: [NaN] }
    expect(diagnose(noVal).problem).toBe('none')
    expect(() => diagnose({ trainLoss: [], trainAccuracy: [], validationLoss: [], validationAccuracy: [] })).toThrow(P.ArgumentError)
    expect(() => diagnose(noVal, { epoch: 3 })).toThrow(/epoch/)
  })
})

describe('gradientNorms', () => {
  it("is the L2 norm of each entry's leaves, 0 for entries without params", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { maxLength: 5 }), { maxLength: 3 }), { maxLength: 5 }), (entries) => {
        const grads = entries.map((leaves) => Object.fromEntries(leaves.map((v, i) => [`p${i}`, P.tensor(v, 'float64')])))
        const norms = gradientNorms(grads)
        expect(norms.length).toBe(entries.length)
        norms.forEach((n, i) => {
          const expected = Math.sqrt(entries[i].flat().reduce((a, v) => a + v * v, 0))
          expect(Math.abs(n - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, expected))
        })
      }),
    )
    expect(() => gradientNorms({ w: P.tensor([1]) } as never)).toThrow(P.ArgumentError)
  })

  it('shows the vanishing gradient: in a deep sigmoid network the first layer gets far less than the last; with ReLU it does not', () => {
    const deep = (act: () => ReturnType<typeof sigmoid>) =>
      sequential(...Array.from({ length: 8 }, () => [dense(32, { dtype: 'float64' }), act()]).flat(), dense(10, { dtype: 'float64' }))
    const x = P.random.normal(P.random.key(1), [16, 32], { dtype: 'float64' })
    const y = P.oneHot(
      Array.from({ length: 16 }, (_, i) => i % 10),
      10,
      'float64',
    )
    const ratio = (model: ReturnType<typeof deep>) => {
      const { params } = model.init(P.random.key(0), [32])
      const g = P.grad((p: typeof params) => losses.softmaxCrossEntropy(model.apply(p, x), y))(params)
      const norms = gradientNorms(g)
      expect(norms.length).toBe(17)
      expect(norms.filter((_, i) => i % 2 === 1).every((n) => n === 0)).toBe(true) // activations
      return norms[0] / norms[16]
    }
    expect(ratio(deep(sigmoid))).toBeLessThan(1e-3)
    expect(ratio(deep(relu))).toBeGreaterThan(1e-2)
  })
})

describe('recipe output pieces', () => {
  it('wrap keeps every word, in order, in lines of at most the width', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', '→', '(', '1'), minLength: 1, maxLength: 130 })
    fc.assert(
      fc.property(fc.array(word, { maxLength: 40 }), fc.integer({ min: 20, max: 120 }), (words, width) => {
        const lines = wrap(words.join(' '), '  x: ', '    ', width)
        for (const l of lines) expect(l.length).toBeLessThanOrEqual(width)
        expect(lines[0].startsWith('  x: ')).toBe(true)
        // Removing the prefixes and joining gives the words back (a long word may be cut across lines).
        const body = lines.map((l, i) => l.slice(i === 0 ? 5 : 4))
        expect(body.join(' ').split(' ').join('')).toBe(words.join(''))
      }),
      { numRuns: 200 },
    )
  })

  it('ranges compresses runs of consecutive epochs', () => {
    expect(ranges([1, 2, 3, 5])).toBe('1–3, 5')
    expect(ranges([4])).toBe('4')
    expect(ranges([1, 3, 4])).toBe('1, 3–4')
  })

  it('the validation scale of (e) holds the best epoch and everything after it, is not zero-based, and a rise fills over a quarter of it', () => {
    const loss = fc.double({ min: 0.01, max: 10, noNaN: true })
    // The examples are counterexamples found earlier: a margin that reached 0, one lost in rounding.
    fc.assert(
      fc.property(fc.array(loss, { minLength: 2, maxLength: 40 }), (v) => {
        const best = v.indexOf(Math.min(...v)) + 1
        const [lo, hi] = validationDomain(v, best)
        const after = v.slice(best - 1)
        expect(lo).toBeLessThan(Math.min(...v))
        expect(lo).toBeGreaterThan(0) // not flattened against a zero-based axis
        expect(hi).toBeGreaterThanOrEqual(Math.max(...after))
        // A rise of at least a tenth of the loss: margins ≤ max(0.24, 0.1)·rise on each side of a
        // 3·rise span, so the rise fills ≥ 1 / 3.48 of the scale.
        const rise = Math.max(...after) - Math.min(...v)
        if (rise >= 0.1 * Math.min(...v)) expect(rise / (hi - lo)).toBeGreaterThan(0.25)
      }),
      { numRuns: 200, examples: [[[0.01, 0.135]], [[0.010000000000000012, 0.010000000000000014]]] },
    )
    // Falls 1.3 → 0.44, rises to 0.54: the scale is [0.44 − 8%·0.3, 0.44 + 3·0.1] = [0.416, 0.74].
    const [lo, hi] = validationDomain([1.3, 0.7, 0.44, 0.5, 0.54], 3)
    expect(lo).toBeCloseTo(0.416, 12)
    expect(hi).toBeCloseTo(0.74, 12)
  })

  it('progress: off a terminal, one line once everyMs has passed since anything was printed', () => {
    let t = 0
    const out: string[] = []
    const rep = reporter({ write: (s) => out.push(s), isTTY: false }, { everyMs: 3000, now: () => t })
    const tick = rep.model('(c) adam')
    t = 2999
    tick(1, 20, 5, 80, 0.5)
    expect(out).toEqual([])
    t = 3000
    tick(1, 20, 6, 80, 0.25)
    expect(out).toEqual(['… (c) adam: epoch 1/20, batch 6/80, loss 0.2500 [3.0s]\n'])
    t = 5000
    rep.printed() // a table was printed: the quiet timer restarts
    t = 7999
    tick(2, 20, 1, 80, 0.2)
    expect(out.length).toBe(1)
    t = 8000
    tick(2, 20, 2, 80, 0.2)
    expect(out.length).toBe(2)
    expect(out.every((l) => !l.includes('\r'))).toBe(true)
  })

  it('progress: on a terminal, one live line that is cleared before anything else is printed', () => {
    let t = 0
    const out: string[] = []
    const rep = reporter({ write: (s) => out.push(s), isTTY: true, columns: 60 }, { now: () => t })
    const tick = rep.model('(d) a label long enough to need cutting at the terminal width')
    t = 100
    tick(3, 5, 7, 20, 1)
    expect(out.length).toBe(1)
    expect(out[0].startsWith('\r\x1b[2K')).toBe(true)
    expect(out[0].endsWith('\n')).toBe(false)
    expect(out[0].length - 5).toBeLessThanOrEqual(59) // fits the terminal, so it can be redrawn
    t = 150
    tick(3, 5, 8, 20, 1) // redrawn at most every 100 ms
    expect(out.length).toBe(1)
    rep.printed()
    expect(out[1]).toBe('\r\x1b[2K')
    rep.printed() // nothing live: nothing to clear
    expect(out.length).toBe(2)
  })

  it('a progress line never exceeds 100 columns', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 150 }), fc.nat(1e6), fc.nat(1e6), fc.double({ min: 0, max: 1e30, noNaN: true }), (label, e, b, loss) => {
        expect(progressLine(label, e, e, b, b, loss, 1e5).length).toBeLessThanOrEqual(100)
      }),
      { numRuns: 100 },
    )
  })
})

describe('where a run differs from the lecture', () => {
  it('(a) sigmoid near chance and ReLU fitting agree; a learning sigmoid or a weak ReLU differ', () => {
    expect(L.sigmoidVsReluDiffers({ trainAccuracy: { sigmoid: 0.1127, relu: 0.9978 }, epochs: 20 })).toEqual([])
    expect(L.sigmoidVsReluDiffers({ trainAccuracy: { sigmoid: 0.45, relu: 0.98 }, epochs: 20 }).join()).toMatch(/sigmoid network learned/)
    expect(L.sigmoidVsReluDiffers({ trainAccuracy: { sigmoid: 0.12, relu: 0.56 }, epochs: 5 }).join()).toMatch(/only 0\.5600 .* in 5 epochs/)
  })
  it('(b) a vanishing first layer agrees; a first/last ratio of 0.5 differs', () => {
    expect(L.gradientNormsDiffers({ firstOverLast: { sigmoid: 3e-5, relu: 2.8 } })).toEqual([])
    expect(L.gradientNormsDiffers({ firstOverLast: { sigmoid: 0.5, relu: 2.8 } }).length).toBe(1)
    expect(L.gradientNormsDiffers({ firstOverLast: { sigmoid: 3e-5, relu: 1e-6 } }).join()).toMatch(/ReLU/)
  })
  it('(c) Adam below SGD agrees; above or equal differs', () => {
    expect(L.optimizersDiffers({ finalTrainLoss: { sgd: 0.31, adam: 0.013 } })).toEqual([])
    expect(L.optimizersDiffers({ finalTrainLoss: { sgd: 0.31, adam: 0.31 } }).join()).toMatch(/Adam did not get ahead/)
  })
  it('(d) every variant training agrees; one at chance differs, named', () => {
    expect(L.activationsDiffers({ relu: { trainAccuracy: 0.99 }, maxout: { trainAccuracy: 0.5 } })).toEqual([])
    expect(L.activationsDiffers({ relu: { trainAccuracy: 0.99 }, maxout: { trainAccuracy: 0.11 } })).toEqual([expect.stringMatching(/^maxout did not train/)])
  })
  it('(e) a better restored test accuracy agrees; no better, or no rise at all, differs', () => {
    const base = { bestEpoch: 8, epochs: 40, testAccuracyRestored: 0.87, testAccuracyLastEpoch: 0.86 }
    expect(L.earlyStoppingDiffers(base)).toEqual([])
    expect(L.earlyStoppingDiffers({ ...base, testAccuracyRestored: 0.866, testAccuracyLastEpoch: 0.869 }).join()).toMatch(
      /did not improve test accuracy: 0\.8660 .* epoch 8, 0\.8690 after all 40/,
    )
    expect(L.earlyStoppingDiffers({ ...base, testAccuracyRestored: 0.86 }).length).toBe(1) // equal is not an improvement
    expect(L.earlyStoppingDiffers({ ...base, bestEpoch: 40 }).join()).toMatch(/still falling at epoch 40/)
  })
  it('(f) sparse L1 and shrunken L2 agree; otherwise differ', () => {
    const n = { none: { exactZeros: 0, meanAbs: 0.043 }, L1: { exactZeros: 46908, meanAbs: 0.003 }, L2: { exactZeros: 0, meanAbs: 0.039 } }
    expect(L.regularisationDiffers(n)).toEqual([])
    expect(L.regularisationDiffers({ ...n, L1: { exactZeros: 0, meanAbs: 0.003 } }).join()).toMatch(/L1 left no more exact zeros/)
    expect(L.regularisationDiffers({ ...n, L2: { exactZeros: 0, meanAbs: 0.05 } }).join()).toMatch(/L2 did not shrink/)
  })
  it('(g) dropout ahead on noisy images agrees; behind differs, per mode', () => {
    const none = { noisyAccuracy: 0.64 }
    expect(L.dropoutDiffers({ none, inverted: { noisyAccuracy: 0.759 }, scaleAtTest: { noisyAccuracy: 0.76 } }, 20)).toEqual([])
    const d = L.dropoutDiffers({ none: { noisyAccuracy: 0.681 }, inverted: { noisyAccuracy: 0.637 }, scaleAtTest: { noisyAccuracy: 0.685 } }, 5)
    expect(d).toEqual([expect.stringMatching(/^dropout \('inverted'\) did not help on noisy images: 0\.6370 vs 0\.6810 without, after 5 epochs/)])
  })
  it('(i) a CNN ahead at the same budget agrees; behind or equal, or budgets more than 5% apart, differ', () => {
    expect(L.cnnDiffers({ cnn: { params: 11126, testAccuracy: 0.9 }, mlp: { params: 11140, testAccuracy: 0.78 } }, 5)).toEqual([])
    expect(L.cnnDiffers({ cnn: { params: 11126, testAccuracy: 0.78 }, mlp: { params: 11140, testAccuracy: 0.78 } }, 5)).toEqual([
      'the CNN did not beat the MLP of the same budget on the test digits: 0.7800 vs 0.7800 after 5 epochs',
    ])
    expect(L.cnnDiffers({ cnn: { params: 1000, testAccuracy: 0.9 }, mlp: { params: 1060, testAccuracy: 0.8 } }, 5).join()).toMatch(/6\.0% apart \(1000 vs 1060 params\)/)
  })
  it('(h) rounding-level differences agree; 1e-3 differs', () => {
    expect(L.allMasksDiffers({ inverted: { maxAbsDiff: 1e-15 } })).toEqual([])
    expect(L.allMasksDiffers({ inverted: { maxAbsDiff: 1e-3 } }).length).toBe(1)
  })
})

describe('the recipe trains on shaped examples', () => {
  it('reshapes the rows to inputShape row-major, and refuses a shape of another size', () => {
    const data = { x: Float32Array.from({ length: 12 }, (_, i) => i), y: [0, 1], n: 2, d: 6, classes: 2 }
    // row 1 is 6..11; as [2, 3, 1] its element [1, 2, 0] is 6 + 1·3 + 2 = 11
    const { x } = shapedData(data, [2, 3, 1])
    expect(x.shape).toEqual([2, 2, 3, 1])
    expect(P.toArray(x)).toEqual([
      [
        [[0], [1], [2]],
        [[3], [4], [5]],
      ],
      [
        [[6], [7], [8]],
        [[9], [10], [11]],
      ],
    ])
    expect(() => shapedData(data, [4, 2])).toThrow(/inputShape \[4, 2\] holds 8 features, the data has 6/)
  })
})

describe('purediff recipe --tiny, in process', () => {
  const out = mkdtempSync(join(tmpdir(), 'purediff-recipe-'))
  const printed: string[] = []
  const progress: string[] = []
  let run: Awaited<ReturnType<typeof recipe>>
  beforeAll(async () => {
    run = await recipe({ size: sizes.tiny, out, seed: 0, print: (s) => printed.push(s), progress: { write: (s) => progress.push(s), isTTY: false }, progressEveryMs: 0 })
  }, 120_000)
  afterAll(() => rmSync(out, { recursive: true, force: true }))
  const byId = (id: string) => run.results.find((r) => r.id === id) as (typeof run.results)[number]
  const layers = (spec: unknown): any[] => {
    const s = spec as { layer?: unknown[]; vconcat?: unknown[]; spec?: unknown }
    return [s, ...(s.layer ?? []).flatMap(layers), ...(s.vconcat ?? []).flatMap(layers), ...(s.spec === undefined ? [] : layers(s.spec))]
  }
  const markType = (l: any): string | undefined => (typeof l.mark === 'string' ? l.mark : l.mark?.type)

  it("reproduces the lecture's relations, and writes results.json and every plot", () => {
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { experiments: { id: string; numbers: any }[] }
    const n = Object.fromEntries(res.experiments.map((e) => [e.id, e.numbers]))
    // (a) the deep sigmoid network stays near chance on the training data; ReLU trains.
    expect(n.a.trainAccuracy.sigmoid).toBeLessThan(0.2)
    expect(n.a.trainAccuracy.relu).toBeGreaterThan(n.a.trainAccuracy.sigmoid + 0.15)
    // (b) the vanishing gradient: the sigmoid's first layer gets a far smaller gradient than its last.
    expect(n.b.firstOverLast.sigmoid).toBeLessThan(1e-2)
    // (c) Adam ahead of plain SGD after the same number of epochs.
    expect(n.c.finalTrainLoss.adam).toBeLessThan(n.c.finalTrainLoss.sgd)
    // (f) L1 leaves more exact zeros than L2.
    expect(n.f.L1.exactZeros).toBeGreaterThan(n.f.L2.exactZeros)
    // (h) the all-masks average equals the test-time rule in both modes.
    expect(n.h.inverted.maxAbsDiff).toBeLessThan(1e-9)
    expect(n.h.scaleAtTest.maxAbsDiff).toBeLessThan(1e-9)
    // (i) the CNN on [28, 28, 1] images against the MLP of the nearest width, budgets within 5%. By hand, tiny
    // (filters 4 and 8, dense 32): 5·5·1·4 + 4 = 104; 5·5·4·8 + 8 = 808; 28 → 24 → 12 → 8 → 4, so
    // 4·4·8 = 128 features: 128·32 + 32 = 4128; 32·10 + 10 = 330; total 5370. The MLP: 784·h + h + 10·h + 10
    // is nearest 5370 at h = 7: 5575.
    expect(n.i.cnn.params).toBe(5370)
    expect(n.i.mlp.params).toBe(5575)
    expect(n.i.cnn.testCurve.length).toBe(2)
    for (const f of ['a-sigmoid-vs-relu', 'b-gradient-norms', 'c-optimizers', 'd-activations', 'e-early-stopping', 'f-weights', 'g-dropout', 'i-cnn-vs-mlp']) {
      expect(existsSync(join(out, `${f}.svg`)), f).toBe(true)
    }
  })

  it('prints every line within 100 columns, progress included', () => {
    const lines = [...printed.join('\n').split('\n'), ...progress.join('').split('\n')]
    expect(lines.length).toBeGreaterThan(100)
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(WIDTH)
  })

  it('shows progress for every experiment that trains', () => {
    for (const id of ['a', 'c', 'd', 'e', 'f', 'g', 'i'])
      expect(
        progress.some((l) => l.startsWith(`… (${id}) `)),
        id,
      ).toBe(true)
    expect(progress.join('')).toMatch(/^… \(c\) adam: epoch 4\/4, batch 10\/10, loss \d\.\d{4} \[\d+\.\ds\]$/m)
  })

  it('says where the run differs from the lecture exactly when its decision function does', () => {
    const decide: Record<string, (n: any, r: any) => string[]> = {
      a: (n) => L.sigmoidVsReluDiffers({ trainAccuracy: n.trainAccuracy, epochs: sizes.tiny.epochs }),
      b: (n) => L.gradientNormsDiffers(n),
      c: (n) => L.optimizersDiffers(n),
      d: (n) => L.activationsDiffers(n),
      e: (n) => L.earlyStoppingDiffers(n),
      f: (n) => L.regularisationDiffers(n),
      g: (n) => L.dropoutDiffers(n, sizes.tiny.epochs),
      h: (n) => L.allMasksDiffers(n),
      i: (n) => L.cnnDiffers(n, 2),
    }
    for (const r of run.results) {
      expect(r.differs, r.id).toEqual(decide[r.id](r.numbers, r))
      const section = printed.find((p) => p.startsWith(`(${r.id}) `)) as string
      expect(section.includes('differs from the lecture:'), r.id).toBe(r.differs.length > 0)
    }
  })

  it('(e) numbers epochs from 1 in title, table, axis and marks; marks the best and stop epochs', () => {
    const e = byId('e')
    const n = e.numbers as { bestEpoch: number; stopEpoch: number | null; validationLoss: number[] }
    expect(n.validationLoss[n.bestEpoch - 1]).toBe(Math.min(...n.validationLoss.slice(0, n.stopEpoch ?? undefined)))
    const spec = e.plots[0].spec as { title: string }
    expect(spec.title).toMatch(new RegExp(`best epoch ${n.bestEpoch}\\b`))
    expect(e.rows.find((row) => String(row[3]).startsWith('best'))?.[0]).toBe(n.bestEpoch)
    expect(e.rows[0][0]).toBe(1)
    const all = layers(spec)
    const curve = all.find((l) => markType(l) === 'line' && l.encoding.y.title === 'validation loss')
    expect(curve.data.values[0].x).toBe(1)
    expect(curve.data.values[n.bestEpoch - 1]).toEqual({ x: n.bestEpoch, y: n.validationLoss[n.bestEpoch - 1] })
    expect(curve.encoding.y.scale.zero).toBe(false)
    const rules = all.filter((l) => markType(l) === 'rule').map((l) => l.data.values[0])
    const texts = all.filter((l) => markType(l) === 'text').map((l) => l.data.values[0].label as string)
    expect(rules.some((v) => v.x === n.bestEpoch)).toBe(true)
    expect(texts.some((t) => t.startsWith(`best: epoch ${n.bestEpoch}`))).toBe(true)
    if (n.stopEpoch !== null) {
      expect(rules.some((v) => v.x === n.stopEpoch)).toBe(true)
      expect(texts.some((t) => t.startsWith(`stop: epoch ${n.stopEpoch}`))).toBe(true)
    }
  })

  it('(f) labels the exact zeros of each penalty with counts, and (g) has a plot', () => {
    const f = byId('f')
    const n = f.numbers as Record<string, { exactZeros: number; weights: number }>
    const bars = layers(f.plots[0].spec).find((l) => Array.isArray(l.data?.values) && l.data.values[0]?.label !== undefined)
    const L1 = bars.data.values.find((v: { series: string }) => v.series === 'L1')
    expect(L1.label).toBe(
      `${n.L1.exactZeros.toLocaleString('en-US')} of ${n.L1.weights.toLocaleString('en-US')} exactly 0 (${((100 * n.L1.exactZeros) / n.L1.weights).toFixed(1)}%)`,
    )
    expect(layers(f.plots[0].spec).filter((l) => markType(l) === 'text').length).toBeGreaterThan(0)
    const g = byId('g')
    expect(g.plots.map((p) => p.name)).toEqual(['g-dropout'])
    expect(run.files.some((p) => p.endsWith('g-dropout.svg'))).toBe(true)
  })
})

/**
 * `masked(transform, mask)`: with every leaf selected it is the transform, with none it is the
 * identity (the same tensors pass through), and with a mixed mask each selected leaf gets what
 * the transform gives it on the whole tree (for leafwise transforms) while the others pass
 * through; the inner state holds the selected leaves only; a mask that does not fit the params
 * is refused, naming the path.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Tensor, reshape, tensor, toFlatArray } from '../../src/index.js'
import { type GradientTransformation, type Mask, adam, addDecayedWeights, chain, clipByGlobalNorm, masked, momentum, sgd } from '../../src/optim/index.js'
import { leaves } from '../../src/tree/index.js'
import { checkPurity, checkResume, checkStateRoundTrip, checkZeroGradientFixedPoint, optimizerCase } from '../../laws/index.js'

type Layer = { w: Tensor; b: Tensor }
/** A few layers of float64 params and `steps` gradients shaped like them. */
const problem = fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 3 }).chain((sizes) => {
  const layer = ([r, c]: [number, number]) =>
    fc.record({
      w: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: r * c, maxLength: r * c }),
      b: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: c, maxLength: c }),
    })
  const tree = fc.tuple(...sizes.map(layer)).map((ls) => ls.map((l, i) => ({ w: reshape(tensor(l.w, 'float64'), [sizes[i][0], sizes[i][1]]), b: tensor(l.b, 'float64') })))
  return fc.record({ params: tree, grads: fc.array(tree, { minLength: 1, maxLength: 3 }), mask: fc.tuple(...sizes.map(() => fc.record({ w: fc.boolean(), b: fc.boolean() }))) })
})

/** The updates of `t` over the gradients, from params (kept fixed: only the updates are compared). */
function run<S>(t: GradientTransformation<S>, params: Layer[], grads: Layer[][]): Layer[][] {
  let s = t.init(params)
  return grads.map((g) => {
    const [u, next] = t.update(g, s, params)
    s = next
    return u
  })
}
const values = (t: unknown) => leaves(t).map((l) => Array.from(toFlatArray(l)))
const transforms: [string, () => GradientTransformation<unknown>][] = [
  ['adam', () => adam(0.01) as GradientTransformation<unknown>],
  ['momentum', () => momentum(0.1) as GradientTransformation<unknown>],
  ['L2', () => chain(addDecayedWeights(0.1), sgd(0.1)) as GradientTransformation<unknown>],
  ['clipByGlobalNorm', () => clipByGlobalNorm(0.5) as GradientTransformation<unknown>],
]

describe('masked', () => {
  it('all true (as one boolean, as a tree, or as a function) is the transform itself, bit for bit', () => {
    fc.assert(
      fc.property(problem, fc.constantFrom(...transforms), ({ params, grads, mask }, [, make]) => {
        const expected = run(make(), params, grads).map(values)
        const tree = mask.map(() => ({ w: true, b: true }))
        for (const m of [true, tree, () => tree] as (Mask | (() => Mask))[]) expect(run(masked(make(), m), params, grads).map(values)).toEqual(expected)
      }),
      { numRuns: 20 },
    )
  })

  it('all false is the identity: the very same update tensors come out', () => {
    fc.assert(
      fc.property(problem, fc.constantFrom(...transforms), ({ params, grads }, [, make]) => {
        const out = run(masked(make(), false), params, grads)
        out.forEach((u, i) => {
          leaves(u).forEach((l, j) => {
            expect(l).toBe(leaves(grads[i])[j])
          })
        })
      }),
      { numRuns: 10 },
    )
  })

  it('a mixed mask: each selected leaf gets what the (leafwise) transform gives it on the whole tree, the others pass through', () => {
    fc.assert(
      fc.property(problem, fc.constantFrom(...transforms.slice(0, 3)), ({ params, grads, mask }, [, make]) => {
        const whole = run(make(), params, grads)
        const part = run(masked(make(), mask), params, grads)
        const sel = mask.flatMap((m) => [m.w, m.b]) // flatten order: each layer's w, then b
        part.forEach((u, i) => {
          leaves(u).forEach((l, j) => {
            if (sel[j]) expect(Array.from(toFlatArray(l))).toEqual(Array.from(toFlatArray(leaves(whole[i])[j])))
            else expect(l).toBe(leaves(grads[i])[j])
          })
        })
      }),
      { numRuns: 20 },
    )
  })

  it('keeps state for the selected leaves only, in the order of the params', () => {
    const params = [
      { w: tensor([[1, 2]]), b: tensor([0]) },
      { w: tensor([[3], [4]]), b: tensor([0, 0]) },
    ]
    const s = masked(momentum(0.1), [
      { w: true, b: false },
      { w: false, b: true },
    ]).init(params)
    expect(leaves(s.inner).map((l) => l.shape)).toEqual([[1, 2], [2]])
  })

  it('obeys the optimizer laws but the mirror law (its state holds the selected leaves only): purity, JSON round trip, resume, zero-gradient fixed point', () => {
    /** Every other leaf of any params tree. */
    const everyOther = (tree: unknown): Mask => {
      let i = 0
      const walk = (x: unknown): Mask =>
        x !== null && typeof x === 'object' && 'shape' in x
          ? i++ % 2 === 0
          : Array.isArray(x)
            ? x.map(walk)
            : Object.fromEntries(Object.entries(x as object).map(([k, v]) => [k, walk(v)]))
      return walk(tree)
    }
    const t = masked(adam(0.01), everyOther) as GradientTransformation<unknown>
    fc.assert(
      fc.property(optimizerCase(), (c) => {
        for (const law of [checkPurity, checkStateRoundTrip, checkResume, checkZeroGradientFixedPoint]) {
          const r = law(t, c)
          expect(r.ok, r.detail).toBe(true)
        }
      }),
      { numRuns: 15 },
    )
  })

  it('refuses a mask that does not fit the params, naming the path', () => {
    const params = [{ w: tensor([1]), b: tensor([0]) }]
    const init = (m: unknown) => () => masked(sgd(0.1), m as Mask).init(params)
    expect(init([{ w: true }])).toThrow(/masked: the mask at \[0\] has no field 'b' \(the params have one at \[0\]\.b\)/)
    expect(init([{ w: true, b: false, q: true }])).toThrow(/the mask at \[0\] has a field 'q' that the params do not have/)
    expect(init([true, false])).toThrow(/the mask at <root> must be a boolean or an array of 1 entries \(as the params\), got 2 entries/)
    expect(init({ 0: true })).toThrow(/the mask at <root> must be a boolean or an array of 1 entries/)
    expect(init([[true]])).toThrow(/the mask at \[0\] must be a boolean or an object with the fields 'w', 'b'/)
    expect(init([{ w: [true], b: true }])).toThrow(/the mask at \[0\]\.w must be a boolean \(the params have a tensor there\)/)
    expect(init([{ w: 1, b: true }])).toThrow(/at \[0\]\.w got number 1/) // data masks are checked when made
    expect(() => masked({} as never, true)).toThrow(/masked: transform must be a GradientTransformation/)
    const t = masked(sgd(0.1), (p: unknown) => (p as unknown[]).map(() => ({ w: true })))
    expect(() => t.update(params, t.init([{ w: tensor([1]) }]), params)).toThrow(/has no field 'b'/)
  })
})

/**
 * What Adagrad, RMSprop and Adam do when a finite gradient's g² overflows the accumulator's
 * dtype, as documented in src/optim/transforms.ts, pinned on both kernel paths (TypeScript and
 * WebAssembly) and both dtypes so that it cannot drift silently. The behaviour pinned here is
 * NOT what the math asks for (Adam's and RMSprop's steps are scale-free, ≈ ±η): the coordinate
 * freezes. The last test shows the documented remedy, clipping first.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { DType, Tensor } from '../../src/index.js'
import * as O from '../../src/optim/index.js'
import { type KernelMode, kernelMode, setKernelMode } from '../../src/kernels/backend.js'

const initial = kernelMode()
afterEach(() => {
  setKernelMode(initial)
})

type Opt = O.GradientTransformation<unknown>
const optimizers: readonly [string, () => Opt, (state: unknown) => number][] = [
  // the accumulator's first element, read from the part's state (state[0] of the chain)
  ['adagrad', () => O.adagrad(1) as Opt, (s) => P.toFlatArray((s as [O.ScaleByRssState])[0].sumOfSquares as Tensor)[0]],
  ['rmsprop', () => O.rmsprop(1) as Opt, (s) => P.toFlatArray((s as [O.ScaleByRmsState])[0].nu as Tensor)[0]],
  ['adam', () => O.adam(1) as Opt, (s) => P.toFlatArray((s as [O.ScaleByAdamState])[0].nu as Tensor)[0]],
]

/** Three steps of the same gradient (4 equal elements) on one kernel path: updates and accumulators. */
function steps(make: () => Opt, read: (s: unknown) => number, g: number, dtype: DType, mode: KernelMode) {
  setKernelMode(mode)
  const p = P.zeros([4], dtype),
    grad = P.full([4], g, dtype)
  const opt = make()
  let state = opt.init(p)
  const updates: number[][] = [],
    accumulators: number[] = []
  for (let t = 0; t < 3; t++) {
    const [u, s] = opt.update(grad, state, p)
    updates.push(P.toFlatArray(u as Tensor))
    accumulators.push(read(s))
    state = s
  }
  return { updates, accumulators }
}

describe.each(['js', 'wasm'] as const)('g² overflow, %s kernels', (mode) => {
  it.each(optimizers)('%s, float64, g = ±1e200: the accumulator is +Infinity and every update 0 (never NaN)', (_name, make, read) => {
    for (const g of [1e200, -1e200]) {
      const { updates, accumulators } = steps(make, read, g, 'float64', mode)
      expect(accumulators).toEqual([Infinity, Infinity, Infinity])
      // −η·g/∞ = ∓0: the sign of −g, magnitude 0
      for (const u of updates) for (const v of u) expect(Object.is(v, g > 0 ? -0 : 0)).toBe(true)
    }
  })

  it.each(optimizers)('%s, float32, g = 1e21: the first step moves, the accumulator is stored as +Infinity, then updates are 0', (name, make, read) => {
    const { updates, accumulators } = steps(make, read, 1e21, 'float32', mode)
    // the first update comes from the float64 value before it is stored: −η·g/√(c·g²) = −1/√c
    // with c = 1 (Adagrad), 1 − decay = 0.1 (RMSprop), and Adam's bias-corrected v̂ = g²
    const firsts: Readonly<Record<string, number>> = { adagrad: -1, rmsprop: Math.fround(-Math.sqrt(10)), adam: -1 }
    const first = firsts[name]
    expect(first, name).toBeDefined()
    expect(updates[0]).toEqual([first, first, first, first])
    expect(accumulators).toEqual([Infinity, Infinity, Infinity])
    for (const u of updates.slice(1)) for (const v of u) expect(Object.is(v, -0)).toBe(true)
  })

  it('adam, float64, g = 1.7976931348623157e308 (the largest double): 0, then NaN updates', () => {
    // m̂ = m/(1 − b1ᵗ) overflows too from the second step: ∞/∞. A finite gradient, a NaN update.
    const { updates } = steps(optimizers[2][1], optimizers[2][2], Number.MAX_VALUE, 'float64', mode)
    expect(updates[0].every((v) => Object.is(v, -0))).toBe(true)
    expect(updates.slice(1).flat().every(Number.isNaN)).toBe(true)
  })

  it.each(optimizers)('%s: below the threshold nothing overflows (float64 g = 1e150, float32 g = 1e18)', (_name, make, read) => {
    for (const [g, dtype] of [
      [1e150, 'float64'],
      [1e18, 'float32'],
    ] as const) {
      const { updates, accumulators } = steps(make, read, g, dtype, mode)
      expect(accumulators.every(Number.isFinite)).toBe(true)
      // scale-free steps: each about −η·sign(g), none 0
      for (const u of updates) for (const v of u) expect(v < -0.5 && v > -4).toBe(true)
    }
  })
})

describe('the remedy: clipByGlobalNorm first', () => {
  it.each(optimizers)('%s after clipByGlobalNorm(1) keeps moving on g = 1e200', (_name, make) => {
    const opt = O.chain(O.clipByGlobalNorm(1), make())
    const p = P.zeros([4], 'float64'),
      grad = P.full([4], 1e200, 'float64')
    let state = opt.init(p)
    for (let t = 0; t < 3; t++) {
      const [u, s] = opt.update(grad, state, p)
      for (const v of P.toFlatArray(u)) expect(v < -0.5 && v > -4).toBe(true)
      state = s
    }
  })
})

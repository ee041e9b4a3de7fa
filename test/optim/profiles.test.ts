/**
 * Reference vectors for every framework profile, derived by hand from each framework's
 * documented update (PyTorch docs, Optax's transform.py, tfjs-core's optimizers/*.js; see the
 * table in src/optim/aliases.ts). One setting throughout: θ₀ = [1, −1], a constant gradient
 * g = [0.5, −2], η = 0.1, float64, 3 steps. With a constant gradient every accumulator has a
 * closed form in t, so each expected value below is a formula of t written out independently of
 * the implementation, and the key numbers are also pinned as decimals computed by hand.
 */
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import * as O from '../../src/optim/index.js'
import type { GradientTransformation } from '../../src/optim/index.js'

const THETA0 = [1, -1]
const G = [0.5, -2]
const ETA = 0.1

/** θ₁, θ₂, θ₃ of a transform on the standard setting. */
function trajectory(t: GradientTransformation<unknown>, steps = 3): number[][] {
  let p: Tensor[] = [P.tensor(THETA0, 'float64')]
  let s = t.init(p)
  const out: number[][] = []
  for (let i = 0; i < steps; i++) {
    const [u, next] = t.update([P.tensor(G, 'float64')], s, p)
    p = O.applyUpdates(p, u)
    s = next
    out.push(P.toFlatArray(p[0]))
  }
  return out
}

/** θ_t from a per-step closed form: θ_t = θ_{t−1} − step(t, g) for each coordinate. */
function closedForm(step: (t: number, g: number) => number, steps = 3): number[][] {
  const out: number[][] = []
  let th = THETA0.slice()
  for (let t = 1; t <= steps; t++) {
    th = th.map((x, i) => x - step(t, G[i]))
    out.push(th)
  }
  return out
}

function close(got: number[][], want: number[][], tol: number): void {
  expect(got.length).toBe(want.length)
  got.forEach((row, t) => {
    row.forEach((x, i) => {
      if (!(Math.abs(x - want[t][i]) <= tol)) throw new Error(`θ${t + 1}[${i}]: got ${x}, want ${want[t][i]} (tolerance ${tol})`)
    })
  })
}

describe('Adagrad', () => {
  // PyTorch: s_t = t·g² (s₀ = 0), θ_t = θ_{t−1} − η·g/(√(t·g²) + 1e-10) = θ_{t−1} − η·sign(g)/√t (+ O(1e-10)).
  // θ₁ = [0.9, −0.9], θ₂ = 0.9 − 0.1/√2 = 0.8292893219, θ₃ = θ₂ − 0.1/√3 = 0.7715542950.
  it("'pytorch' (and the default): ε = 1e-10 outside the root, s₀ = 0", () => {
    const want = closedForm((t, g) => (ETA * g) / (Math.sqrt(t * g * g) + 1e-10))
    for (const opt of [O.adagrad(ETA), O.adagrad(ETA, { profile: 'pytorch' })]) {
      const got = trajectory(opt)
      close(got, want, 1e-15)
      close(
        got,
        [
          [0.9, -0.9],
          [0.8292893219, -0.8292893219],
          [0.771554295, -0.771554295],
        ],
        1e-9,
      )
    }
  })
  // Optax scale_by_rss / TF.js AdagradOptimizer: s_t = 0.1 + t·g², θ_t = θ_{t−1} − η·g/√(s_t + 1e-7).
  // t=1: √0.3500001 = 0.5916080641, 0.05/0.5916080641 = 0.0845154134 → θ₁[0] = 0.9154845866;
  //      √4.1000001 = 2.0248456757, 0.2/2.0248456757 = 0.0987729585 → θ₁[1] = −0.9012270415.
  // t=2: √0.6000001 = 0.7745967321, 0.05/0.7745967321 = 0.0645497171 → θ₂[0] = 0.8509348695;
  //      √8.1000001 = 2.8460498944, 0.2/2.8460498944 = 0.0702728364 → θ₂[1] = −0.8309542051.
  // t=3: √0.8500001 = 0.9219544999, 0.05/0.9219544999 = 0.0542326386 → θ₃[0] = 0.7967022309;
  //      √12.1000001 = 3.4785054, 0.2/3.4785054005 = 0.0574959 → θ₃[1] = −0.7734583.
  const optaxWant = closedForm((t, g) => (ETA * g) / Math.sqrt(0.1 + t * g * g + 1e-7))
  it("'optax': ε = 1e-7 inside the root, s₀ = 0.1 — the issue's vectors", () => {
    const got = trajectory(O.adagrad(ETA, { profile: 'optax' }))
    close(got, optaxWant, 1e-15)
    close(
      got.slice(0, 2),
      [
        [0.9154845866, -0.9012270415],
        [0.8509348695, -0.8309542051],
      ],
      1e-10,
    )
    close(got.slice(2), [[0.7967022309, -0.7734583]], 1e-7)
  })
  it("'tfjs' is the same rule as 'optax' (initialAccumulatorValue 0.1, backend ε 1e-7 inside)", () => {
    close(trajectory(O.adagrad(ETA, { profile: 'tfjs' })), optaxWant, 1e-15)
  })
  // The lecture: w ← w − η/√(Σ g²)·g, no ε: exactly the PyTorch values without ε.
  it("'lecture': no ε; the first step is exactly η·sign(g)", () => {
    const got = trajectory(O.adagrad(ETA, { profile: 'lecture' }))
    expect(got[0]).toEqual([0.9, -0.9])
    close(
      got,
      closedForm((t, g) => (ETA * Math.sign(g)) / Math.sqrt(t)),
      1e-15,
    )
  })
  it('explicit options override a profile', () => {
    close(
      trajectory(O.adagrad(ETA, { profile: 'optax', initialAccumulator: 0, eps: 0 })),
      closedForm((t, g) => (ETA * Math.sign(g)) / Math.sqrt(t)),
      1e-15,
    )
  })
})

describe('RMSprop', () => {
  // ν_t = (1 − decayᵗ)·g² from ν₀ = 0 (a geometric sum of (1 − decay)·decayⁱ·g²).
  // PyTorch (alpha = 0.99, ε = 1e-8 outside): θ₁ = θ₀ − η·g/(√0.01·|g| + 1e-8)
  //   θ₁[0] = 1 − 0.05/(0.05 + 1e-8) = 1e-8/0.05000001 = 2e−7·(1 − 2e−7 + …) = 1.9999996e−7 ≈ 2.0e−7;
  //   θ₁[1] = −1 + 0.2/(0.2 + 1e-8) = −1e-8/0.20000001 = −5e−8·(1 − 5e−8 + …) = −4.99999975e−8 ≈ −5.0e−8.
  it("'pytorch' takes PyTorch's own decay 0.99 — the issue's vector θ₁ = [2.0e−7, −5.0e−8]", () => {
    const want = closedForm((t, g) => (ETA * g) / (Math.sqrt((1 - 0.99 ** t) * g * g) + 1e-8))
    const got = trajectory(O.rmsprop(ETA, { profile: 'pytorch' }))
    close(got, want, 1e-15)
    close([got[0]], [[1.9999996e-7, -4.99999975e-8]], 1e-15)
    // the default profile is the same formula with decay 0.9 (the contract's default)
    close(
      trajectory(O.rmsprop(ETA)),
      closedForm((t, g) => (ETA * g) / (Math.sqrt((1 - 0.9 ** t) * g * g) + 1e-8)),
      1e-15,
    )
    expect(trajectory(O.rmsprop(ETA, { decay: 0.99 }))).toEqual(got)
  })
  // Optax scale_by_rms (decay 0.9, ε = 1e-8 inside, initial_scale 0): θ₁ = θ₀ − η·g/√(0.1·g² + 1e-8)
  //   θ₁[0]: √0.02500001 = 0.1581139146, 0.05/0.1581139146 = 0.3162277028 → 0.6837722972;
  //   θ₁[1]: √0.40000001 = 0.6324555399, 0.2/0.6324555399 = 0.3162277621 → −0.6837722379.
  // The issue's vector is right (ε inside: the smaller |g|, the more ε matters, hence the asymmetry).
  it("'optax': ε inside the root — the issue's vector θ₁ = [0.6837722972, −0.6837722379]", () => {
    const got = trajectory(O.rmsprop(ETA, { profile: 'optax' }))
    close(
      got,
      closedForm((t, g) => (ETA * g) / Math.sqrt((1 - 0.9 ** t) * g * g + 1e-8)),
      1e-15,
    )
    close([got[0]], [[0.6837722972, -0.6837722379]], 1e-10)
  })
  // TF.js RMSPropOptimizer (decay 0.9, momentum 0, ε = backend epsilon 1e-7 inside):
  //   √0.0250001 = 0.158113883·√(1 + 4e−6) = 0.1581141992, 0.05/0.1581141992 = 0.3162277660·(1 − 2e−6 + 6e−12)
  //   = 0.3162271336 → θ₁[0] = 0.6837728664.
  it("'tfjs': ε = 1e-7 inside the root", () => {
    const got = trajectory(O.rmsprop(ETA, { profile: 'tfjs' }))
    close(
      got,
      closedForm((t, g) => (ETA * g) / Math.sqrt((1 - 0.9 ** t) * g * g + 1e-7)),
      1e-15,
    )
    close([[got[0][0]]], [[0.6837728664]], 1e-10)
  })
  // The lecture: σ⁰ = |g⁰|, σᵗ = √(α(σᵗ⁻¹)² + (1 − α)(gᵗ)²), no ε. With a constant g, σᵗ = |g| for
  // every t, so every step is exactly η·sign(g): θ = [0.9, 0.8, 0.7], [−0.9, −0.8, −0.7]. PyTorch's
  // first step is instead η/√(1 − α)·sign(g) ≈ 3.16η (computed above as 0.3162…).
  it("'lecture': σ⁰ = |g⁰| and no ε, so the first step is exactly η·sign(g⁰)", () => {
    const got = trajectory(O.rmsprop(ETA, { profile: 'lecture' }))
    expect(got[0]).toEqual([0.9, -0.9])
    close(
      got,
      [
        [0.9, -0.9],
        [0.8, -0.8],
        [0.7, -0.7],
      ],
      1e-15,
    )
    const torchFirst = trajectory(O.rmsprop(ETA), 1)[0]
    expect(1 - torchFirst[0]).toBeCloseTo(ETA / Math.sqrt(0.1), 6)
  })
})

describe('Adam', () => {
  // Constant g: m_t = (1 − b1ᵗ)·g and v_t = (1 − b2ᵗ)·g², so m̂ = g, v̂ = g² exactly (in real
  // arithmetic) and every step is η·g/(|g| + ε): θ_t = θ₀ − t·η·g/(|g| + ε).
  //   ε = 1e-8: θ_t[0] = 1 − t·0.05/0.50000001 = 1 − t·0.099999998: 0.900000002, 0.800000004, 0.700000006;
  //             θ_t[1] = −1 + t·0.2/2.00000001 = −1 + t·0.0999999995: −0.9000000005, −0.800000001, −0.7000000015.
  //   ε = 1e-7 (TF.js): 0.05/0.5000001 = 0.1·(1 − 2e−7 + 4e−14) = 0.099999980000004, θ₁[0] = 0.900000019999996;
  //             0.2/2.0000001 = 0.1·(1 − 5e−8 + 2.5e−15) = 0.09999999500000025, θ₁[1] = −0.90000000499999975.
  const adamWant = (eps: number) => closedForm((_t, g) => (ETA * g) / (Math.abs(g) + eps))
  it("'pytorch', 'optax', 'lecture' and the default agree: ε = 1e-8 outside the root", () => {
    for (const profile of [undefined, 'pytorch', 'optax', 'lecture'] as const) {
      const got = trajectory(O.adam(ETA, { profile }))
      close(got, adamWant(1e-8), 1e-15)
      close(
        got,
        [
          [0.900000002, -0.9000000005],
          [0.800000004, -0.800000001],
          [0.700000006, -0.7000000015],
        ],
        1e-15,
      )
    }
  })
  it("'tfjs': ε = 1e-7", () => {
    const got = trajectory(O.adam(ETA, { profile: 'tfjs' }))
    close(got, adamWant(1e-7), 1e-15)
    close([got[0]], [[0.900000019999996, -0.9000000049999998]], 1e-15)
  })
  // AdamW (PyTorch, λ = 0.01): θ_t = (1 − ηλ)·θ_{t−1} − η·g/(|g| + ε):
  //   θ₁[0] = 0.999 − 0.099999998 = 0.899000002; θ₂[0] = 0.999·0.899000002 − 0.099999998 = 0.798101004;
  //   θ₃[0] = 0.999·0.798101004 − 0.099999998 = 0.697302905 (to 9 places).
  it('adamw: decoupled decay from the same θ, then the Adam step', () => {
    const got = trajectory(O.adamw(ETA))
    const want: number[][] = []
    let th = THETA0.slice()
    for (let t = 1; t <= 3; t++) {
      th = th.map((x, i) => (1 - ETA * 0.01) * x - (ETA * G[i]) / (Math.abs(G[i]) + 1e-8))
      want.push(th)
    }
    close(got, want, 1e-15)
    close(
      got.map((r) => [r[0]]),
      [[0.899000002], [0.798101004], [0.697302905]],
      1e-9,
    )
  })
})

describe('Momentum', () => {
  // PyTorch SGD(momentum = 0.9): b_t = g·(1 + β + … + β^(t−1)), θ_t = θ_{t−1} − η·b_t:
  //   b = g·1, g·1.9, g·2.71 → θ[0] = 0.95, 0.855, 0.7195; θ[1] = −0.8, −0.42, 0.122.
  // Nesterov: u_t = g + β·b_t = g·1.9, g·2.71, g·3.439 → θ[0] = 0.905, 0.7695, 0.59755.
  const classic = [
    [0.95, -0.8],
    [0.855, -0.42],
    [0.7195, 0.122],
  ]
  it("'pytorch', 'optax', 'tfjs' and the default agree: b ← βb + g, θ ← θ − ηb", () => {
    for (const profile of [undefined, 'pytorch', 'optax', 'tfjs'] as const) close(trajectory(O.momentum(ETA, { profile })), classic, 1e-15)
  })
  it('nesterov: θ ← θ − η(g + βb)', () => {
    close(
      trajectory(O.momentum(ETA, { nesterov: true })).map((r) => [r[0]]),
      [[0.905], [0.7695], [0.59755]],
      1e-15,
    )
  })
  it("'lecture' (v ← λv − ηg, θ ← θ + v) equals PyTorch's while η is constant", () => {
    close(trajectory(O.momentum(ETA, { profile: 'lecture' })), classic, 1e-15)
  })
  // Under η_t = 0.1, 0.05, 0.025 (exponentialDecay, rate 0.5 per step):
  //   PyTorch: θ₁ = 1 − 0.1·0.5 = 0.95; θ₂ = 0.95 − 0.05·(1.9·0.5) = 0.9025; θ₃ = 0.9025 − 0.025·(2.71·0.5) = 0.868625.
  //   Lecture: v₁ = −0.05, θ₁ = 0.95; v₂ = 0.9·(−0.05) − 0.05·0.5 = −0.07, θ₂ = 0.88;
  //            v₃ = 0.9·(−0.07) − 0.025·0.5 = −0.0755, θ₃ = 0.8045.
  it('under a schedule the lecture and PyTorch differ: the lecture scales only the new gradient by η_t', () => {
    const lr = O.exponentialDecay({ initValue: 0.1, transitionSteps: 1, decayRate: 0.5 })
    const torch = trajectory(O.momentum(lr)).map((r) => r[0])
    const lecture = trajectory(O.momentum(lr, { profile: 'lecture' })).map((r) => r[0])
    close([torch], [[0.95, 0.9025, 0.868625]], 1e-15)
    close([lecture], [[0.95, 0.88, 0.8045]], 1e-15)
    expect(Math.abs(torch[1] - lecture[1])).toBeGreaterThan(0.02)
  })
})

describe('SGD', () => {
  it('θ_t = θ₀ − t·η·g', () => {
    close(
      trajectory(O.sgd(ETA)),
      [
        [0.95, -0.8],
        [0.9, -0.6],
        [0.85, -0.4],
      ],
      1e-15,
    )
  })
})

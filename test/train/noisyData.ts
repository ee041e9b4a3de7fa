/**
 * A small two-class dataset for the `fit` tests: n points in [−1, 1]², class 1 when
 * x₀ + 2x₁ > 0, with 20% of the labels flipped (so validation loss and early stopping have
 * something to do). Deterministic in `seed`.
 */
import * as P from '../../src/index.js'

export function noisy(seed: number, n: number) {
  const [kx, kf] = P.random.split(P.random.key(seed))
  const pts = P.toArray(P.random.uniform(kx, [n, 2], { min: -1, max: 1 })) as number[][]
  const flips = P.toFlatArray(P.random.bernoulli(kf, 0.2, [n]))
  return {
    x: P.tensor(pts),
    y: P.oneHot(
      pts.map(([a, b], i) => ((a + 2 * b > 0 ? 1 : 0) + flips[i]) % 2),
      2,
    ),
  }
}

// Random numbers from explicit keys (Threefry-2x32, as in JAX): same key, same numbers.
import assert from 'node:assert/strict'
import { mean, random, square, sub, toFlatArray, item, sqrt } from 'purediff'
import { countsSpec } from '../plot.js'

// #region keys
const key = random.key(0)
const a = random.normal(key, [3])
const b = random.normal(key, [3])
assert.deepEqual(toFlatArray(a), toFlatArray(b)) // a key is a value: reusing it repeats the draw

// split makes independent keys; use each one once.
const [k1, k2] = random.split(key)
assert.notDeepEqual(toFlatArray(random.normal(k1, [3])), toFlatArray(random.normal(k2, [3])))
// foldIn derives a key from a number, e.g. the step of a training loop.
const stepKey = random.foldIn(key, 7)
assert.deepEqual(toFlatArray(random.uniform(stepKey, [2])), toFlatArray(random.uniform(random.foldIn(key, 7), [2])))
// #endregion keys

// #region stats
// 20,000 standard normal draws: the sample mean has standard error 1/√20000 ≈ 0.007, so a
// tolerance of 0.03 is over four standard errors; likewise for the standard deviation.
const n = 20_000
const z = random.normal(random.key(1), [n], { dtype: 'float64' })
const m = item(mean(z))
const sd = item(sqrt(mean(square(sub(z, m)))))
assert.ok(Math.abs(m) < 0.03 && Math.abs(sd - 1) < 0.03, `mean ${m}, sd ${sd}`)
const u = random.uniform(random.key(2), [n], { min: -2, max: 2, dtype: 'float64' })
const us = toFlatArray(u)
assert.ok(us.every((v) => v >= -2 && v < 2))
// #endregion stats

const sample = (xs: number[], series: string) => xs.map((value) => ({ series, value }))
export const plot = countsSpec('20,000 draws from each of two keys', 'value', [
  ...sample(toFlatArray(z), 'normal(key(1)), mean 0, sd 1'),
  ...sample(us, 'uniform(key(2)) on [−2, 2)'),
])

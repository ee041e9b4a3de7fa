/**
 * The bridge between purediff and the TensorFlow.js oracle: plain-data test inputs, the
 * fast-check arbitraries that make them (shapes that broadcast, values inside an op's domain),
 * conversion to both libraries, the TF.js side run inside `tf.tidy`, and the tolerance check.
 *
 * Inputs are generated as float32-representable numbers (`fc.float`), so both libraries see
 * bit-identical inputs and every difference comes from the op itself.
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import { type Tensor, fromArray, grad, mul, sum, toFlatArray } from '../../src/index.js'

// Quiet: tfjs-backend-cpu prints an "install our node backend" banner on first use unless IS_TEST
// (or PROD) is set; IS_TEST keeps TF.js's own argument checks on, unlike enableProdMode.
tf.env().set('IS_TEST', true)

// --- model

/** A tensor as plain data: what fast-check generates, shrinks and prints. */
export interface Input {
  readonly shape: readonly number[]
  readonly data: readonly number[]
}

/**
 * Where an op's input values are drawn from.
 * - `uniform`: float32 values in [min, max];
 * - `nonzero`: magnitudes in [min, max] with either sign (keeps away from a kink at 0);
 * - `grid`: a few exact values, so ties (x = 0, a = b, x = lo) really happen;
 * - `mixed`: each element from `values` or uniform in [min, max] (ties and generic points);
 * - `distinct`: uniform, but any two values of one tensor differ by at least `gap` (no ties in
 *   max/min/argmax, whose tie conventions differ between the libraries).
 */
export type Domain =
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'nonzero'; readonly min: number; readonly max: number }
  | { readonly kind: 'grid'; readonly values: readonly number[] }
  | { readonly kind: 'mixed'; readonly values: readonly number[]; readonly min: number; readonly max: number }
  | { readonly kind: 'distinct'; readonly min: number; readonly max: number; readonly gap: number }

/** One op applied to generated inputs, bound to both libraries. */
export interface Instance {
  readonly inputs: readonly Input[]
  readonly pd: (xs: readonly Tensor[]) => Tensor
  readonly tf: (xs: readonly tf.Tensor[]) => tf.Tensor
  /** The op's non-tensor arguments, for the counterexample report. */
  readonly params: unknown
}

// --- constructors: domains

export const uniform = (min: number, max: number): Domain => ({ kind: 'uniform', min, max })
export const nonzero = (min: number, max: number): Domain => ({ kind: 'nonzero', min, max })
export const grid = (...values: number[]): Domain => ({ kind: 'grid', values })
export const mixed = (values: readonly number[], min: number, max: number): Domain => ({ kind: 'mixed', values, min, max })
export const distinct = (min: number, max: number, gap = 1e-3): Domain => ({ kind: 'distinct', min, max, gap })

// --- arbitraries

const f32 = (min: number, max: number) => fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true })

/** `n` values from `d`. */
export function valuesArb(d: Domain, n: number): fc.Arbitrary<number[]> {
  switch (d.kind) {
    case 'uniform':
      return fc.array(f32(d.min, d.max), { minLength: n, maxLength: n })
    case 'nonzero':
      return fc.array(
        fc.tuple(fc.boolean(), f32(d.min, d.max)).map(([s, m]) => (s ? -m : m)),
        { minLength: n, maxLength: n },
      )
    case 'grid':
      return fc.array(fc.constantFrom(...d.values), { minLength: n, maxLength: n })
    case 'mixed':
      return fc.array(fc.oneof(fc.constantFrom(...d.values), f32(d.min, d.max)), { minLength: n, maxLength: n })
    case 'distinct':
      return fc.uniqueArray(f32(d.min, d.max), { minLength: n, maxLength: n, comparator: (a, b) => Math.abs(a - b) < d.gap })
  }
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** A tensor of the given shape with values from `d`. */
export const inputArb = (shape: readonly number[], d: Domain): fc.Arbitrary<Input> => valuesArb(d, sizeOf(shape)).map((data) => ({ shape, data }))

/** Tensors of the given shapes, the i-th from `domains[i]` (the last domain repeats). */
export const inputsArb = (shapes: readonly (readonly number[])[], domains: readonly Domain[]): fc.Arbitrary<Input[]> =>
  fc.tuple(...shapes.map((s, i) => inputArb(s, domains[Math.min(i, domains.length - 1)])))

export interface ShapeOpts {
  readonly minRank?: number
  readonly maxRank?: number
  readonly maxDim?: number
}

/** A shape with rank in [minRank, maxRank] (default 0..3) and axes of length 1..maxDim (default 4). */
export const shapeArb = ({ minRank = 0, maxRank = 3, maxDim = 4 }: ShapeOpts = {}): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank })

/**
 * `n` shapes that broadcast together (NumPy rules): each is a full shape with some leading
 * axes dropped and some axes set to 1, so every un-broadcasting case (new leading axes,
 * stretched 1-axes, rank-0) appears. The first shape is the full one when `firstFull`.
 */
export function broadcastFamily(n: number, opts: ShapeOpts & { readonly firstFull?: boolean } = {}): fc.Arbitrary<number[][]> {
  const minRank = opts.minRank ?? 0
  return shapeArb(opts).chain((base) => {
    const one = fc
      .tuple(fc.integer({ min: 0, max: base.length - minRank }), fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }))
      .map(([drop, ones]) => base.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)))
    const rest = fc.array(one, { minLength: n, maxLength: n })
    return opts.firstFull ? rest.map((s) => [base, ...s.slice(1)]) : rest
  })
}

/** The NumPy broadcast of two shapes (they are known to broadcast). */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length)
  return Array.from({ length: r }, (_, i) => {
    const da = a[a.length - r + i] ?? 1
    const db = b[b.length - r + i] ?? 1
    return da === 1 ? db : da
  })
}

/** A seed for the weights w of the objective Σ w ⊙ op(x). */
export const seedArb = fc.integer({ min: 1, max: 0x7fffffff })

/** `n` deterministic float32 weights in [−1, 1) from `seed` (a 32-bit LCG: no Math.random). */
export function weights(seed: number, n: number): number[] {
  let s = seed >>> 0
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return Math.fround(s / 2 ** 31 - 1)
  })
}

// --- conversions and evaluation

export const toPd = (x: Input): Tensor => fromArray(x.data, x.shape, 'float32')
export const toTf = (x: Input): tf.Tensor => tf.tensor(x.data.slice(), x.shape.slice(), 'float32')

export interface Result {
  readonly shape: readonly number[]
  readonly data: readonly number[]
}

export function pdForward(inst: Instance): Result {
  const y = inst.pd(inst.inputs.map(toPd))
  return { shape: y.shape, data: toFlatArray(y) }
}

export function tfForward(inst: Instance): Result {
  return tf.tidy(() => {
    const y = inst.tf(inst.inputs.map(toTf))
    return { shape: y.shape.slice(), data: Array.from(y.dataSync()) }
  })
}

/** purediff's gradient of Σ w ⊙ op(xs) with respect to each input in `wrt`. */
export function pdGrads(inst: Instance, seed: number, wrt: readonly number[]): number[][] {
  const xs = inst.inputs.map(toPd)
  const y = inst.pd(xs)
  const w = fromArray(weights(seed, y.size), y.shape, 'float32')
  const f = (vs: Tensor[]): Tensor => {
    const all = xs.slice()
    wrt.forEach((i, j) => {
      all[i] = vs[j]
    })
    return sum(mul(w, inst.pd(all)))
  }
  return grad(f)(wrt.map((i) => xs[i])).map((g) => toFlatArray(g))
}

/** TF.js's gradient of Σ w ⊙ op(xs) with respect to each input in `wrt` (via `tf.grads`). */
export function tfGrads(inst: Instance, seed: number, wrt: readonly number[]): number[][] {
  return tf.tidy(() => {
    const xs = inst.inputs.map(toTf)
    const y0 = inst.tf(xs)
    const w = tf.tensor(weights(seed, y0.size), y0.shape, 'float32')
    const f = (...vs: tf.Tensor[]): tf.Scalar => {
      const all = xs.slice()
      wrt.forEach((i, j) => {
        all[i] = vs[j]
      })
      return tf.sum(tf.mul(w, inst.tf(all)))
    }
    return tf
      .grads(f)(wrt.map((i) => xs[i]))
      .map((g) => Array.from(g.dataSync()))
  })
}

// --- comparison

/**
 * Null when every |got − want| ≤ atol + rtol·|want| (NaN matches NaN, ±Infinity itself),
 * else a message naming the worst element.
 */
export function mismatch(got: readonly number[], want: readonly number[], atol: number, rtol: number): string | null {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`
  let worst = -1
  let excess = 0
  for (let i = 0; i < got.length; i++) {
    const a = got[i],
      b = want[i]
    if (Number.isNaN(a) && Number.isNaN(b)) continue
    if (a === b) continue
    const e = Math.abs(a - b) / (atol + rtol * Math.abs(b))
    if (!(e <= 1)) {
      if (worst < 0 || !(e <= excess)) {
        worst = i
        excess = e
      }
    }
  }
  if (worst < 0) return null
  return `element ${worst}: purediff ${got[worst]} vs tfjs ${want[worst]} (|Δ| = ${Math.abs(got[worst] - want[worst])}, ${excess.toPrecision(3)}× the tolerance)`
}

/** Max-abs of a vector (0 when empty). */
export const maxAbs = (v: readonly number[]): number => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0)

/**
 * fast-check arbitraries for property tests of tensor code: shapes, tensors with bounded values
 * kept away from given points (kinks, poles), shapes that broadcast together, PRNG keys, and the
 * parameters of a layer.
 * Values are never NaN or infinite. Exported as the namespace `arb`.
 *
 * @since 0.1.0
 */
import fc from 'fast-check'
import { type DType, type Tensor, ArgumentError, cast, fromArray, tree } from '../index.js'
import { type Key, key as makeKey } from '../random/index.js'
import type { Layer } from '../nn/Layer.js'

// --- model

/**
 * Constraints of `arb.shape`: rank in [minRank, maxRank] (defaults 0 and 3) and every dimension
 * in [minDim, maxDim] (defaults 1 and 4).
 *
 * @category model
 * @since 0.1.0
 */
export interface ShapeConstraints {
  readonly minRank?: number
  readonly maxRank?: number
  readonly minDim?: number
  readonly maxDim?: number
}

/**
 * Constraints of `arb.tensor`.
 *
 * - `shape`: a fixed shape, or an arbitrary of shapes; default `arb.shape()`.
 * - `dtype` ('float64'): float32 values are float32-representable and still obey every bound;
 *   'int32' gives the integers in [min, max] (with awayFrom/margin/avoid as for floats); 'bool'
 *   gives 0 and 1 (the bounds are ignored).
 * - `min` (−3), `max` (3): inclusive bounds of every element.
 * - `awayFrom` (none) and `margin` (0.1): every element v has |v − p| ≥ margin for each p in
 *   `awayFrom`; built by construction (the allowed intervals), not by filtering.
 * - `avoid` (none): a predicate; elements for which it holds are filtered out (keep the avoided
 *   set small, or generation slows down).
 *
 * @category model
 * @since 0.1.0
 */
export interface TensorConstraints {
  readonly shape?: readonly number[] | fc.Arbitrary<readonly number[]>
  readonly dtype?: DType
  readonly min?: number
  readonly max?: number
  readonly awayFrom?: readonly number[]
  readonly margin?: number
  readonly avoid?: (v: number) => boolean
}

/**
 * Constraints of `arb.broadcastableShapes`: `n` (2) shapes; the rank/dim constraints of
 * `ShapeConstraints` apply to the broadcast RESULT, so single shapes may have lower rank.
 *
 * @category model
 * @since 0.1.0
 */
export interface BroadcastConstraints extends ShapeConstraints {
  readonly n?: number
}

/**
 * `n` shapes as a tuple when `n` is a literal (so `([a, b]) => …` type-checks under
 * `noUncheckedIndexedAccess`), `number[][]` when it is only known as a number.
 *
 * @category model
 * @since 0.1.0
 */
export type Shapes<N extends number, Acc extends number[][] = []> = number extends N ? number[][] : Acc['length'] extends N ? Acc : Shapes<N, [...Acc, number[]]>

// --- constructors

/**
 * Shapes (arrays of dimensions) with rank and dimensions in range.
 * Defaults: `{ minRank: 0, maxRank: 3, minDim: 1, maxDim: 4 }`.
 *
 * @example
 * import fc from 'fast-check'
 * import { arb } from 'purediff/testing'
 * const shapes = fc.sample(arb.shape({ minRank: 1, maxRank: 2, maxDim: 3 }), { numRuns: 20, seed: 1 })
 * if (!shapes.every((s) => s.length >= 1 && s.length <= 2 && s.every((d) => d >= 1 && d <= 3))) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function shape(c: ShapeConstraints = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 3, minDim = 1, maxDim = 4 } = c
  const nat = (name: string, v: number) => {
    if (!(Number.isInteger(v) && v >= 0)) throw new ArgumentError('arb.shape', `${name} must be a non-negative integer, got ${v}`)
  }
  nat('minRank', minRank)
  nat('maxRank', maxRank)
  nat('minDim', minDim)
  nat('maxDim', maxDim)
  if (minRank > maxRank) throw new ArgumentError('arb.shape', `minRank ${minRank} exceeds maxRank ${maxRank}`)
  if (minDim > maxDim) throw new ArgumentError('arb.shape', `minDim ${minDim} exceeds maxDim ${maxDim}`)
  // the rank first, so every rank is about equally likely (a bare fc.array favours short ones)
  return fc.integer({ min: minRank, max: maxRank }).chain((r) => fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: r, maxLength: r }))
}

/**
 * Tensors with finite values in [min, max], optionally kept away from points, of a given or a
 * random shape. Defaults: `{ dtype: 'float64', min: -3, max: 3, margin: 0.1 }`, shape from
 * `arb.shape()`. Each value is drawn half the time evenly over the interval and half the time
 * from fast-check's doubles (which favour edge cases and tiny magnitudes), so laws see values of
 * ordinary size as well as ±0 and the bounds. Throws an `ArgumentError` when the constraints
 * leave no allowed value.
 *
 * @example
 * import fc from 'fast-check'
 * import { toFlatArray } from 'purediff'
 * import { arb } from 'purediff/testing'
 * // e.g. inputs for relu, 0.1 away from its kink at 0
 * const ts = fc.sample(arb.tensor({ shape: [2, 3], min: -1, max: 1, awayFrom: [0] }), { numRuns: 10, seed: 3 })
 * if (!ts.every((t) => t.shape.join() === '2,3' && t.dtype === 'float64')) throw new Error()
 * if (!ts.every((t) => toFlatArray(t).every((v) => Math.abs(v) >= 0.1 && Math.abs(v) <= 1))) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function tensor(c: TensorConstraints = {}): fc.Arbitrary<Tensor> {
  const { dtype = 'float64', min = -3, max = 3, awayFrom = [], margin = 0.1, avoid } = c
  if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'int32' && dtype !== 'bool') {
    throw new ArgumentError('arb.tensor', `dtype must be 'float32', 'float64', 'int32' or 'bool', got ${String(dtype)}`)
  }
  if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) {
    throw new ArgumentError('arb.tensor', `min and max must be finite with min ≤ max, got min ${min}, max ${max}`)
  }
  if (!(margin >= 0 && Number.isFinite(margin))) throw new ArgumentError('arb.tensor', `margin must be a non-negative finite number, got ${margin}`)
  if (awayFrom.some((p) => !Number.isFinite(p))) throw new ArgumentError('arb.tensor', `awayFrom must hold finite numbers, got [${awayFrom.join(', ')}]`)
  let element =
    dtype === 'bool' ? fc.integer({ min: 0, max: 1 }) : dtype === 'int32' ? intElement(min, max, awayFrom, margin) : elementArb(allowedIntervals(min, max, awayFrom, margin), dtype)
  if (avoid !== undefined) element = element.filter((v) => !avoid(v))
  const shapes: fc.Arbitrary<readonly number[]> = c.shape === undefined ? shape() : isArbitrary(c.shape) ? c.shape : fc.constant(c.shape)
  return shapes.chain((s) => {
    const n = s.reduce((a, b) => a * b, 1)
    return fc.array(element, { minLength: n, maxLength: n }).map((vs) => fromArray(vs, s, dtype))
  })
}

/**
 * `n` shapes that broadcast together under NumPy rules: a result shape is drawn with
 * `arb.shape(constraints)`, then each shape drops some leading axes and sets some axes to 1.
 * Equal shapes, scalars (every axis dropped) and rank differences all occur often.
 * Defaults: `{ n: 2 }` plus the `arb.shape` defaults.
 *
 * @example
 * import fc from 'fast-check'
 * import { add, zeros } from 'purediff'
 * import { arb } from 'purediff/testing'
 * const triples = fc.sample(arb.broadcastableShapes({ n: 3 }), { numRuns: 20, seed: 5 })
 * // broadcasting really succeeds: add throws a ShapeError otherwise
 * triples.forEach(([a, b, c]) => add(add(zeros(a), zeros(b)), zeros(c)))
 * @category constructors
 * @since 0.1.0
 */
export function broadcastableShapes<N extends number = 2>(c: BroadcastConstraints & { readonly n?: N } = {}): fc.Arbitrary<Shapes<N>> {
  const { n = 2, ...shapeConstraints } = c
  if (!(Number.isInteger(n) && n >= 1)) throw new ArgumentError('arb.broadcastableShapes', `n must be a positive integer, got ${n}`)
  return shape(shapeConstraints).chain((full) => {
    const r = full.length
    const one = fc
      .tuple(
        // drop no axis in about half the cases, so equal shapes are common
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: r })),
        fc.oneof(fc.constant(null), fc.array(fc.boolean(), { minLength: r, maxLength: r })),
      )
      .map(([drop, ones]) => full.map((d, i) => (ones?.[i] ? 1 : d)).slice(drop))
    // why the cast: the array has exactly n entries, which is what Shapes<N> spells as a tuple
    return fc.array(one, { minLength: n, maxLength: n }) as fc.Arbitrary<number[][]> as fc.Arbitrary<Shapes<N>>
  })
}

/**
 * PRNG keys, `random.key(seed)` for a seed drawn from the non-negative safe integers.
 *
 * @example
 * import fc from 'fast-check'
 * import { random } from 'purediff'
 * import { arb } from 'purediff/testing'
 * const keys = fc.sample(arb.key(), { numRuns: 3, seed: 2 })
 * if (keys.length !== 3 || random.split(keys[0]).length !== 2) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function key(): fc.Arbitrary<Key> {
  return fc.maxSafeNat().map((seed) => makeKey(seed))
}

/**
 * Parameters of a layer (purediff/nn): `layer.init(key, inputShape).params` for a key drawn by
 * `arb.key()`, so they have exactly the structure, shapes and distribution `init` gives.
 * `inputShape` is the shape of one example (no batch axis). Option `dtype` (default: as `init`
 * makes them) casts every leaf, e.g. `'float64'` for gradient checks.
 *
 * @example
 * import fc from 'fast-check'
 * import { dense } from 'purediff/nn'
 * import { arb } from 'purediff/testing'
 * const ps = fc.sample(arb.params(dense(2), [3], { dtype: 'float64' }), { numRuns: 5, seed: 1 })
 * if (!ps.every((p) => p.w.shape.join() === '3,2' && p.w.dtype === 'float64' && p.b?.shape.join() === '2')) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function params<P>(layer: Layer<P>, inputShape: readonly number[], opts: { readonly dtype?: DType } = {}): fc.Arbitrary<P> {
  if (layer === null || typeof layer !== 'object' || typeof layer.init !== 'function') {
    throw new ArgumentError('arb.params', 'layer must be a layer { init, apply }')
  }
  const { dtype } = opts
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') throw new ArgumentError('arb.params', `dtype must be 'float32' or 'float64', got ${String(dtype)}`)
  const shape = inputShape.slice()
  layer.init(makeKey(0), shape) // fail now, not inside fast-check, when the shape does not fit
  return key().map((k) => {
    const p = layer.init(k, shape).params
    return dtype === undefined ? p : tree.map((leaf: Tensor) => cast(leaf, dtype), p)
  })
}

// --- helpers

function isArbitrary(x: unknown): x is fc.Arbitrary<readonly number[]> {
  return x instanceof fc.Arbitrary
}

/** [min, max] minus the open intervals (p − margin, p + margin), as closed intervals. */
function allowedIntervals(min: number, max: number, awayFrom: readonly number[], margin: number): [number, number][] {
  let parts: [number, number][] = [[min, max]]
  for (const p of awayFrom) {
    if (margin === 0) continue
    const lo = p - margin,
      hi = p + margin
    parts = parts.flatMap(([a, b]): [number, number][] => {
      if (hi <= a || lo >= b) return [[a, b]]
      const out: [number, number][] = []
      if (lo >= a) out.push([a, lo])
      if (hi <= b) out.push([hi, b])
      return out
    })
  }
  if (parts.length === 0) {
    throw new ArgumentError('arb.tensor', `no value in [${min}, ${max}] is at least ${margin} away from [${awayFrom.join(', ')}]`)
  }
  return parts
}

/** One element: pick an allowed interval with probability ∝ its length, then a value in it. */
/** The integers of [min, max] at least `margin` from every point of `awayFrom` (listed, then drawn). */
function intElement(min: number, max: number, awayFrom: readonly number[], margin: number): fc.Arbitrary<number> {
  const lo = Math.ceil(min)
  const hi = Math.floor(max)
  const ok = (v: number) => awayFrom.every((p) => Math.abs(v - p) >= margin)
  if (hi - lo <= 4096) {
    const vs: number[] = []
    for (let v = lo; v <= hi; v++) if (ok(v)) vs.push(v)
    if (vs.length === 0) throw new ArgumentError('arb.tensor', `no int32 value in [${min}, ${max}] is ${margin} away from [${awayFrom.join(', ')}]`)
    return fc.constantFrom(...vs)
  }
  return fc.integer({ min: Math.max(lo, -2147483648), max: Math.min(hi, 2147483647) }).filter(ok)
}

function elementArb(parts: readonly [number, number][], dtype: DType): fc.Arbitrary<number> {
  const inner = parts.flatMap(([a, b]): { arbitrary: fc.Arbitrary<number>; length: number }[] => {
    if (dtype === 'float64') return [{ arbitrary: fc.oneof(uniform(a, b, same), fc.double({ min: a, max: b, noNaN: true, noDefaultInfinity: true })), length: b - a }]
    // the float32 values inside [a, b]: round the bounds inwards
    const lo = f32Up(a),
      hi = f32Down(b)
    if (lo > hi) return []
    const fr = (v: number) => Math.min(hi, Math.max(lo, Math.fround(v)))
    return [{ arbitrary: fc.oneof(uniform(lo, hi, fr), fc.float({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true })), length: hi - lo }]
  })
  if (inner.length === 0) throw new ArgumentError('arb.tensor', 'no float32 value satisfies the constraints')
  if (inner.length === 1) return inner[0].arbitrary
  const total = inner.reduce((s, p) => s + p.length, 0)
  return fc.oneof(...inner.map(({ arbitrary, length }) => ({ arbitrary, weight: Math.max(1, Math.round((1000 * length) / (total || 1))) })))
}

const same = (v: number): number => v

/**
 * Values spread evenly over [a, b] (multiples of 2⁻²⁰ of its width, shrinking towards a). Why:
 * fast-check's doubles spread over every binade, so in [−3, 3] only about 7% of them exceed 0.01
 * in magnitude — a law checked on them alone tests little but x ≈ 0, where an absolute
 * tolerance hides a wrong derivative. Half the values come from here, half from fast-check's
 * doubles (which keep the edge cases: ±0, the bounds, tiny and subnormal values).
 */
function uniform(a: number, b: number, round: (v: number) => number): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 2 ** 20 }).map((k) => round(Math.min(b, a + (b - a) * k * 2 ** -20)))
}

const F32 = new Float32Array(1)
const I32 = new Int32Array(F32.buffer)

/** The smallest float32 ≥ x. */
function f32Up(x: number): number {
  const r = Math.fround(x)
  if (r >= x) return r
  F32[0] = r
  if (r === 0) return 2 ** -149
  I32[0] += r > 0 ? 1 : -1
  return F32[0]
}

/** The largest float32 ≤ x. */
function f32Down(x: number): number {
  return -f32Up(-x)
}

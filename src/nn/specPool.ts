/**
 * The pooling layers of a model spec (see spec.ts): the io-ts codecs of
 * `{ type: 'maxPool2d' | 'avgPool2d', window, strides?, padding? }` and `{ type: 'globalAvgPool' }`,
 * the layers they build, and their output shapes for the parameter count. Windows and strides
 * are a positive integer or `[height, width]`; padding is 'SAME', 'VALID' or
 * `[[lo, hi], [lo, hi]]` with each pad below its window (checked by the codec, so the error has
 * the field's path).
 *
 * @internal
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { isRecord, show, strictObject } from '../internal/codecs.js'
import { poolParams, pooledShape } from '../ops/poolOptions.js'
import type { EmptyParams, Layer } from './Layer.js'
import { avgPool2d, globalAvgPool, maxPool2d } from './pool.js'

// --- codecs: fields

/**
 * The largest window or stride: 2^24, the bound of a width (MAX_UNITS); images are at most a few
 * thousand pixels on a side, so anything larger is a typo.
 */
const MAX_EXTENT = 2 ** 24

const isExtent = (u: unknown): u is number => typeof u === 'number' && Number.isInteger(u) && u > 0 && u <= MAX_EXTENT
const isPad = (u: unknown): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= MAX_EXTENT

/** A codec whose values are what `is` accepts, failing with one message (not one per union member). */
function oneOf<A>(name: string, expected: string, is: (u: unknown) => u is A): t.Type<A, A, unknown> {
  return new t.Type<A, A, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c, `expected ${expected}, got ${show(u)}`)), t.identity)
}

type PerAxis = number | readonly [number, number]
const PerAxis = oneOf<PerAxis>(
  'PerAxis',
  `a positive integer ≤ ${MAX_EXTENT} (2^24) or [height, width] of them`,
  (u): u is PerAxis => isExtent(u) || (Array.isArray(u) && u.length === 2 && u.every(isExtent)),
)

type Padding = 'SAME' | 'VALID' | readonly [readonly [number, number], readonly [number, number]]
const isPair = (u: unknown): boolean => Array.isArray(u) && u.length === 2 && u.every(isPad)
const Padding = oneOf<Padding>(
  'Padding',
  "'SAME', 'VALID' or [[top, bottom], [left, right]] (non-negative integers)",
  (u): u is Padding => u === 'SAME' || u === 'VALID' || (Array.isArray(u) && u.length === 2 && u.every(isPair)),
)

// --- codecs: layers

const pool2dFields = { strides: PerAxis, padding: Padding }

/** A pooling layer's codec: the fields, then each explicit pad below its window (path `padding.a.i`). */
function pool2dCodec<T extends 'maxPool2d' | 'avgPool2d'>(type: T) {
  const base = strictObject(`a '${type}' layer`, { type: t.literal(type), window: PerAxis }, pool2dFields)
  type A = t.TypeOf<typeof base>
  return new t.Type<A, A, unknown>(
    base.name,
    (u): u is A => E.isRight(base.validate(u, t.getDefaultContext(base))) && padsFit(u as A).length === 0,
    (u, c) => {
      const r = base.validate(u, c)
      if (E.isLeft(r)) return r
      const bad = padsFit(r.right)
      if (bad.length === 0) return r
      const pads = isRecord(u) ? u.padding : undefined
      return t.failures(
        bad.map(([a, i, k, v]) => ({
          value: v,
          context: [...c, { key: 'padding', type: Padding, actual: pads }, { key: String(a), type: t.unknown, actual: undefined }, { key: String(i), type: t.unknown, actual: v }],
          message: `expected a pad less than the window ${k} along axis ${a} (a window wholly in the padding pools nothing), got ${v}`,
        })),
      )
    },
    t.identity,
  )
}

/** The explicit pads of `s` that are not below their window: [axis, side, window, pad]. */
function padsFit(s: { readonly window: PerAxis; readonly padding?: Padding }): [number, number, number, number][] {
  const p = s.padding
  if (p === undefined || typeof p === 'string') return []
  const k = typeof s.window === 'number' ? [s.window, s.window] : s.window
  const bad: [number, number, number, number][] = []
  p.forEach((pair, a) => {
    pair.forEach((v, i) => {
      if (v >= k[a]) bad.push([a, i, k[a], v])
    })
  })
  return bad
}

const MaxPool2dSpec = pool2dCodec('maxPool2d')
const AvgPool2dSpec = pool2dCodec('avgPool2d')
const GlobalAvgPoolSpec = strictObject(`a 'globalAvgPool' layer`, { type: t.literal('globalAvgPool') }, {})

/** The spec of a pooling layer. */
export type PoolLayerSpec = t.TypeOf<typeof MaxPool2dSpec> | t.TypeOf<typeof AvgPool2dSpec> | t.TypeOf<typeof GlobalAvgPoolSpec>

/** The codecs of the pooling layers, by type (spec.ts spreads them into its branches). */
export const poolBranches: Readonly<Record<PoolLayerSpec['type'], t.Mixed>> = {
  maxPool2d: MaxPool2dSpec,
  avgPool2d: AvgPool2dSpec,
  globalAvgPool: GlobalAvgPoolSpec,
}

// --- build

/** The layer a pooling spec describes. */
export function buildPool(s: PoolLayerSpec): Layer<EmptyParams> {
  if (s.type === 'globalAvgPool') return globalAvgPool()
  const opts = { strides: s.strides, padding: s.padding }
  return s.type === 'maxPool2d' ? maxPool2d(s.window, opts) : avgPool2d(s.window, opts)
}

/**
 * The output shape of one example of `shape` through a pooling spec, from the shapes alone, or
 * undefined when the layer would reject the input (its init then says why).
 */
export function poolOutputShape(s: PoolLayerSpec, shape: readonly number[]): number[] | undefined {
  if (s.type === 'globalAvgPool') return shape.length >= 2 && shape.slice(0, -1).every((d) => d > 0) ? [shape[shape.length - 1]] : undefined
  if (shape.length !== 3) return undefined
  try {
    return pooledShape([1, ...shape], poolParams(s.type, [1, ...shape], s.window, { strides: s.strides, padding: s.padding })).slice(1)
  } catch {
    return undefined
  }
}

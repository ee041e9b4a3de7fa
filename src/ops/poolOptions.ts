/**
 * The arguments of the pooling ops, checked and normalised before anything is traced: the
 * window, strides and padding of a channels-last input `[batch, ...spatial, channels]` with 1 to
 * 3 spatial axes, turned into one number per spatial axis and explicit `[lo, hi]` pads, and the
 * output's spatial extents. Every error names the op, the input shape and the option.
 *
 * @internal
 */
import { ArgumentError, ShapeError, fmt } from '../tensor/errors.js'
import { describe } from '../tensor/checks.js'

// --- model

/**
 * Padding of a windowed op: `'VALID'` (none: windows stay inside the input), `'SAME'` (TF's:
 * out = ⌈in / stride⌉, with total padding max((out − 1)·stride + window − in, 0) split as
 * ⌊total / 2⌋ before and the rest after), or one explicit `[lo, hi]` pair per spatial axis.
 *
 * @category model
 * @since 0.3.0
 */
export type PoolPadding = 'SAME' | 'VALID' | readonly (readonly [number, number])[]

/**
 * Options of `maxPool` and `avgPool`: `strides` (a positive integer, or one per spatial axis;
 * default: the window, so windows tile the input) and `padding` (default `'VALID'`).
 *
 * @category model
 * @since 0.3.0
 */
export interface PoolOptions {
  readonly strides?: number | readonly number[]
  readonly padding?: PoolPadding
}

/** The normalised geometry: one entry per spatial axis. */
export interface PoolParams {
  readonly window: readonly number[]
  readonly strides: readonly number[]
  readonly pads: readonly (readonly [number, number])[]
}

// --- operations

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0
const isNatural = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0

/** A positive integer or one per spatial axis, as an array of `d` entries. */
function perAxis(op: string, name: string, v: unknown, d: number, where: string): number[] {
  if (isPosInt(v)) return new Array<number>(d).fill(v)
  if (Array.isArray(v) && v.length === d && v.every(isPosInt)) return v.slice()
  const got = Array.isArray(v) ? JSON.stringify(v) : describe(v)
  throw new ArgumentError(op, `${name} must be a positive integer or ${d} of them (one per spatial axis${where}), got ${got}`)
}

/** The output extent of one axis: windows that fit the padded length. */
const outExtent = (n: number, k: number, s: number, lo: number, hi: number): number => Math.floor((n + lo + hi - k) / s) + 1

/** Window, strides and padding checked for `d` spatial axes; 'SAME' is resolved per input. */
export interface PoolSpec {
  readonly window: readonly number[]
  readonly strides: readonly number[]
  readonly padding: 'SAME' | 'VALID' | readonly (readonly [number, number])[]
}

/**
 * Checks the window, strides and padding of a pool over `d` spatial axes (ArgumentError naming
 * `op` and the option; `where` says whose axes, e.g. " of x of shape [2,4,4,3]"). Explicit pads
 * must be integers in [0, window): a window lying wholly in the padding would pool nothing.
 */
export function poolSpec(op: string, d: number, window: unknown, opts: unknown, where = ''): PoolSpec {
  if (opts === null || typeof opts !== 'object') throw new ArgumentError(op, `options must be an object { strides?, padding? }, got ${describe(opts)}`)
  const o = opts as PoolOptions
  const k = perAxis(op, 'window', window, d, where)
  const s = o.strides === undefined ? k : perAxis(op, 'strides', o.strides, d, where)
  const padding = o.padding === undefined ? 'VALID' : o.padding
  if (padding === 'VALID' || padding === 'SAME') return { window: k, strides: s, padding }
  if (Array.isArray(padding) && padding.length === d && padding.every((p) => Array.isArray(p) && p.length === 2 && isNatural(p[0]) && isNatural(p[1]))) {
    const pads = padding.map((p, a): readonly [number, number] => {
      if (p[0] >= k[a] || p[1] >= k[a]) {
        throw new ArgumentError(
          op,
          `padding ${JSON.stringify(p)} of spatial axis ${a} must be less than the window ${k[a]} on each side (a window wholly in the padding pools nothing)`,
        )
      }
      return [p[0], p[1]]
    })
    return { window: k, strides: s, padding: pads }
  }
  const got = Array.isArray(padding) ? JSON.stringify(padding) : describe(padding)
  throw new ArgumentError(op, `padding must be 'SAME', 'VALID' or ${d} pairs [lo, hi] of non-negative integers (one per spatial axis${where}), got ${got}`)
}

/**
 * Checks x's rank and the options, and returns the per-axis geometry: window, strides and
 * `[lo, hi]` pads. Throws a ShapeError when x is not `[batch, ...spatial, channels]` with 1–3
 * spatial axes or when some window does not fit (an empty output), an ArgumentError for a bad
 * window, strides or padding (see `poolSpec`). `what` names the shape in messages.
 */
export function poolParams(op: string, shape: readonly number[], window: unknown, opts: unknown, what = `x of shape ${fmt(shape)}`): PoolParams {
  const d = shape.length - 2
  if (d < 1 || d > 3) {
    throw new ShapeError(op, `x must be [batch, ...spatial, channels] with 1, 2 or 3 spatial axes (rank 3, 4 or 5), got shape ${fmt(shape)} (rank ${shape.length})`)
  }
  const { window: k, strides: s, padding } = poolSpec(op, d, window, opts, ` of ${what}`)
  const spatial = shape.slice(1, -1)
  const pads = spatial.map((n, a): readonly [number, number] => {
    if (padding === 'VALID') return [0, 0]
    if (padding !== 'SAME') return padding[a]
    const total = Math.max((Math.ceil(n / s[a]) - 1) * s[a] + k[a] - n, 0)
    const lo = Math.floor(total / 2)
    return [lo, total - lo]
  })
  spatial.forEach((n, a) => {
    const [lo, hi] = pads[a]
    if (n === 0 || outExtent(n, k[a], s[a], lo, hi) < 1) {
      throw new ShapeError(
        op,
        `window ${fmt(k)} does not fit ${what}: spatial axis ${a} has length ${n}, ${n + lo + hi} with padding ${JSON.stringify(padding)}, less than the window ${k[a]}; the output would be empty`,
      )
    }
  })
  return Object.freeze({ window: Object.freeze(k), strides: Object.freeze(s), pads: Object.freeze(pads.map((p) => Object.freeze(p.slice()) as readonly [number, number])) })
}

/** The output shape `[batch, ...outSpatial, channels]` of pooling x of `shape` with `p`. */
export function pooledShape(shape: readonly number[], p: PoolParams): number[] {
  const spatial = shape.slice(1, -1).map((n, a) => outExtent(n, p.window[a], p.strides[a], p.pads[a][0], p.pads[a][1]))
  return [shape[0], ...spatial, shape[shape.length - 1]]
}

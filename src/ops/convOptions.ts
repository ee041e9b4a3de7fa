/**
 * The options of `conv` checked and resolved into the primitive's params: per spatial axis a
 * stride, a kernel dilation, an input dilation and an explicit [lo, hi] padding (SAME and VALID
 * resolved here), plus the feature groups. Every refusal names `conv`, the shapes and the option.
 *
 * @internal
 */
import { ArgumentError, ShapeError, fmt } from '../tensor/errors.js'
import { describe } from '../tensor/checks.js'

/**
 * Options of `conv`. `strides`, `dilation` (kernel dilation) and `lhsDilation` (input dilation:
 * a transposed convolution) take a number for every spatial axis or one per axis (default 1);
 * `padding` is 'VALID' (the default), 'SAME' (TF's rule) or one `[lo, hi]` pair per axis
 * (negative entries crop); `groups` splits the channels into feature groups (default 1;
 * depthwise when it equals the input channels).
 *
 * @example
 * import { type ConvOptions, conv, ones } from 'purediff'
 * const opts: ConvOptions = { strides: 2, padding: 'SAME' }
 * if (conv(ones([1, 5, 5, 1]), ones([3, 3, 1, 1]), opts).shape.join() !== '1,3,3,1') throw new Error()
 * @category model
 * @since 0.3.0
 */
export interface ConvOptions {
  readonly strides?: number | readonly number[]
  readonly padding?: 'SAME' | 'VALID' | readonly (readonly [number, number])[]
  readonly dilation?: number | readonly number[]
  readonly lhsDilation?: number | readonly number[]
  readonly groups?: number
}

/** The primitive's params: one entry per spatial axis, padding explicit. */
export interface ConvParams {
  readonly strides: readonly number[]
  readonly dilation: readonly number[]
  readonly lhsDilation: readonly number[]
  readonly lo: readonly number[]
  readonly hi: readonly number[]
  readonly groups: number
}

/** Positions spanned by `n` entries `step` apart: (n − 1)·step + 1, and 0 for n = 0. */
export const dilated = (n: number, step: number): number => (n === 0 ? 0 : (n - 1) * step + 1)

/** Output length of one axis: ⌊(n' + lo + hi − k') / s⌋ + 1 (≤ 0 when the window does not fit). */
export function outLength(n: number, k: number, p: ConvParams, a: number): number {
  return Math.floor((dilated(n, p.lhsDilation[a]) + p.lo[a] + p.hi[a] - dilated(k, p.dilation[a])) / p.strides[a]) + 1
}

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1

/** A number or one per axis, each a positive integer; names the option. */
function perAxis(name: string, v: unknown, rank: number, ctx: string): number[] {
  if (v === undefined) return new Array<number>(rank).fill(1)
  if (isPosInt(v)) return new Array<number>(rank).fill(v)
  if (Array.isArray(v) && v.length === rank && v.every(isPosInt)) return v.slice()
  throw new ArgumentError(
    'conv',
    `${name} must be a positive integer or ${rank} of them (one per spatial axis), got ${Array.isArray(v) ? `[${v.join(',')}]` : describe(v)} (${ctx})`,
  )
}

/**
 * The checked params and the output shape of conv(x, kernel, opts); throws naming conv, the
 * shapes and the option at fault.
 */
export function resolveConv(xs: readonly number[], ks: readonly number[], opts: unknown): { params: ConvParams; shape: number[] } {
  const ctx = `x ${fmt(xs)}, kernel ${fmt(ks)}`
  if (xs.length < 3 || xs.length > 5) {
    throw new ShapeError('conv', `x must be [batch, ...spatial, channels] with 1 to 3 spatial axes (rank 3 to 5), got ${fmt(xs)}`)
  }
  if (ks.length !== xs.length) {
    throw new ShapeError('conv', `the kernel must be [...window, inChannels/groups, outChannels] of the same rank as x (${xs.length}), got ${ctx}`)
  }
  if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw new ArgumentError('conv', `options must be an object, got ${describe(opts)}`)
  const o = (opts ?? {}) as ConvOptions
  const r = xs.length - 2
  const groups = o.groups ?? 1
  if (!isPosInt(groups)) throw new ArgumentError('conv', `groups must be a positive integer, got ${describe(groups)} (${ctx})`)
  const inC = xs[r + 1],
    kin = ks[r],
    outC = ks[r + 1]
  if (kin * groups !== inC) {
    throw new ShapeError(
      'conv',
      `channel mismatch: x has ${inC} channels but the kernel's inChannels/groups is ${kin} with groups = ${groups} (expected ${kin}·${groups} = ${kin * groups}) (${ctx})`,
    )
  }
  if (outC % groups !== 0) throw new ShapeError('conv', `the kernel's outChannels ${outC} is not a multiple of groups = ${groups} (${ctx})`)
  if (ks.slice(0, r).some((k) => k === 0)) throw new ShapeError('conv', `the window ${fmt(ks.slice(0, r))} has an empty axis (${ctx})`)
  const strides = perAxis('strides', o.strides, r, ctx)
  const dilation = perAxis('dilation', o.dilation, r, ctx)
  const lhsDilation = perAxis('lhsDilation', o.lhsDilation, r, ctx)
  const pad = o.padding ?? 'VALID'
  const lo: number[] = [],
    hi: number[] = []
  for (let a = 0; a < r; a++) {
    const n = dilated(xs[a + 1], lhsDilation[a]),
      k = dilated(ks[a], dilation[a])
    if (pad === 'VALID') {
      lo.push(0)
      hi.push(0)
    } else if (pad === 'SAME') {
      // TF's rule: out = ⌈n/s⌉, total = max((out − 1)·s + k' − n, 0), the odd one on the high side.
      const total = Math.max((Math.ceil(n / strides[a]) - 1) * strides[a] + k - n, 0)
      lo.push(Math.floor(total / 2))
      hi.push(total - Math.floor(total / 2))
    } else if (Array.isArray(pad) && pad.length === r && pad.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v)))) {
      lo.push(pad[a][0])
      hi.push(pad[a][1])
    } else {
      throw new ArgumentError(
        'conv',
        `padding must be 'SAME', 'VALID' or ${r} integer pairs [lo, hi] (one per spatial axis), got ${Array.isArray(pad) ? JSON.stringify(pad) : describe(pad)} (${ctx})`,
      )
    }
  }
  const params: ConvParams = { strides, dilation, lhsDilation, lo, hi, groups }
  const spatial = Array.from({ length: r }, (_, a) => outLength(xs[a + 1], ks[a], params, a))
  if (spatial.some((n) => n <= 0)) {
    throw new ShapeError(
      'conv',
      `empty output: the window does not fit (output spatial ${fmt(spatial)}) for ${ctx}, strides ${fmt(strides)}, dilation ${fmt(dilation)}, lhsDilation ${fmt(lhsDilation)}, padding ${JSON.stringify(lo.map((l, a) => [l, hi[a]]))}`,
    )
  }
  return { params, shape: [xs[0], ...spatial, outC] }
}

/**
 * The convolution layers of model specs: the io-ts codecs of `{ type: 'conv1d' | 'conv2d',
 * filters, kernelSize, strides?, padding?, dilation?, groups?, useBias? }`, their builders and
 * their parameter counts (for `fromSpec`'s size guard). spec.ts adds them to its union, its
 * dispatch and its switch. Also `{ type: 'reshape', shape }`, which turns the flat feature rows
 * of a data file (or MNIST's 784 pixels) into the `[height, width, channels]` examples a conv
 * layer takes (Keras's Reshape: one example's target shape, its size that of the input).
 *
 * @internal
 */
import * as t from 'io-ts'
import { show, strictObject } from '../internal/codecs.js'
import { resolveConv } from '../ops/convOptions.js'
import { ShapeError, reshape } from '../index.js'
import { conv1d, conv2d } from './conv.js'
import { checkInput, checkInputShape, checkKey, fmt } from './checks.js'
import type { Layer } from './Layer.js'

/** The most filters or groups (the bound of a width, MAX_UNITS = 2^24). */
const MAX_FILTERS = 2 ** 24
/** The longest window, stride, dilation or padding per axis: 2^16 (images are a few thousand pixels wide). */
const MAX_AXIS = 2 ** 16

const isInt = (u: unknown, min: number, max: number): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max

/** A positive integer ≤ max. */
const positive = (name: string, max: number) =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => isInt(u, 1, max),
    (u, c) => (isInt(u, 1, max) ? t.success(u) : t.failure(u, c, `expected a positive integer ≤ ${max}, got ${show(u)}`)),
    t.identity,
  )

/** A positive integer ≤ MAX_AXIS, or `r` of them (one per spatial axis). */
function perAxis(name: string, r: number) {
  const is = (u: unknown): u is number | number[] => isInt(u, 1, MAX_AXIS) || (Array.isArray(u) && u.length === r && u.every((v) => isInt(v, 1, MAX_AXIS)))
  const want = r === 1 ? `a positive integer ≤ ${MAX_AXIS} (or [n])` : `a positive integer ≤ ${MAX_AXIS} or ${r} of them, one per spatial axis`
  return new t.Type<number | number[], number | number[], unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c, `expected ${want}, got ${show(u)}`)), t.identity)
}

type Padding = 'SAME' | 'VALID' | [number, number][]

/** 'SAME', 'VALID', or `r` integer pairs [lo, hi] with |lo|, |hi| ≤ MAX_AXIS. */
function padding(r: number) {
  const is = (u: unknown): u is Padding =>
    u === 'SAME' || u === 'VALID' || (Array.isArray(u) && u.length === r && u.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => isInt(v, -MAX_AXIS, MAX_AXIS))))
  return new t.Type<Padding, Padding, unknown>(
    'Padding',
    is,
    (u, c) => (is(u) ? t.success(u) : t.failure(u, c, `expected 'SAME', 'VALID' or ${r} integer pairs [lo, hi] (one per spatial axis), got ${show(u)}`)),
    t.identity,
  )
}

function convCodec<T extends 'conv1d' | 'conv2d'>(type: T, r: number) {
  return strictObject(
    `a '${type}' layer`,
    { type: t.literal(type), filters: positive('Filters', MAX_FILTERS), kernelSize: perAxis('KernelSize', r) },
    { strides: perAxis('Strides', r), padding: padding(r), dilation: perAxis('Dilation', r), groups: positive('Groups', MAX_FILTERS), useBias: t.boolean },
  )
}

const Conv1dSpec = convCodec('conv1d', 1)
const Conv2dSpec = convCodec('conv2d', 2)

/** A shape of one example: 1 to 8 axes, each a positive integer ≤ MAX_FILTERS. */
const isShape = (u: unknown): u is number[] => Array.isArray(u) && u.length >= 1 && u.length <= 8 && u.every((v) => isInt(v, 1, MAX_FILTERS))
const ExampleShape = new t.Type<number[], number[], unknown>(
  'ExampleShape',
  isShape,
  (u, c) => (isShape(u) ? t.success(u) : t.failure(u, c, `expected the shape of one example: 1 to 8 positive integers ≤ ${MAX_FILTERS}, got ${show(u)}`)),
  t.identity,
)
const ReshapeSpec = strictObject("a 'reshape' layer", { type: t.literal('reshape'), shape: ExampleShape }, {})

/** A conv1d, conv2d or reshape layer of a spec. */
export type ConvLayerSpec = t.TypeOf<typeof Conv1dSpec> | t.TypeOf<typeof Conv2dSpec> | t.TypeOf<typeof ReshapeSpec>

/** The codecs by layer type, for spec.ts's dispatch on `type`. */
export const convBranches: Readonly<Record<string, t.Mixed>> = { conv1d: Conv1dSpec, conv2d: Conv2dSpec, reshape: ReshapeSpec }

/** Examples reshaped to `shape` (the batch axis kept); the sizes must agree. */
function reshapeLayer(shape: readonly number[]): Layer<Record<string, never>> {
  const name = `reshape(${fmt(shape)})`
  const size = shape.reduce((a, b) => a * b, 1)
  const check = (s: readonly number[]) => {
    const n = s.reduce((a, b) => a * b, 1)
    if (n !== size) throw new ShapeError(name, `one example of shape ${fmt(s)} has ${n} elements, the target shape ${fmt(shape)} ${size}`)
  }
  return {
    name,
    init: (key, inputShape) => {
      checkKey(name, key)
      check(checkInputShape(name, inputShape))
      return { params: {}, outputShape: shape.slice() }
    },
    apply: (_params, x) => {
      const t = checkInput(name, x, 1)
      check(t.shape.slice(1))
      return reshape(t, [t.shape[0], ...shape])
    },
  }
}

/** The layer a decoded conv (or reshape) spec describes. */
export function buildConv(s: ConvLayerSpec): Layer<unknown> {
  if (s.type === 'reshape') return reshapeLayer(s.shape) as Layer<unknown>
  const opts = { strides: s.strides, padding: s.padding, dilation: s.dilation, groups: s.groups, useBias: s.useBias }
  return (s.type === 'conv1d' ? conv1d(s.filters, s.kernelSize, opts) : conv2d(s.filters, s.kernelSize, opts)) as Layer<unknown>
}

/**
 * Parameters and output shape of a conv layer for examples of `shape`, from the shapes alone:
 * window·inC/groups·filters (+ filters); shape undefined (count 0) when its init would refuse.
 */
export function countConv(s: ConvLayerSpec, shape: readonly number[]): { count: number; shape: number[] | undefined } {
  if (s.type === 'reshape') return { count: 0, shape: shape.reduce((a, b) => a * b, 1) === s.shape.reduce((a, b) => a * b, 1) ? s.shape.slice() : undefined }
  const r = s.type === 'conv1d' ? 1 : 2
  const groups = s.groups ?? 1
  const inC = shape[r]
  if (shape.length !== r + 1 || inC % groups !== 0 || s.filters % groups !== 0) return { count: 0, shape: undefined }
  const win = typeof s.kernelSize === 'number' ? new Array<number>(r).fill(s.kernelSize) : s.kernelSize
  try {
    const out = resolveConv([1, ...shape], [...win, inC / groups, s.filters], { strides: s.strides, padding: s.padding, dilation: s.dilation, groups }).shape.slice(1)
    const count = win.reduce((a, b) => a * b, 1) * (inC / groups) * s.filters + (s.useBias === false ? 0 : s.filters)
    return { count, shape: out }
  } catch {
    return { count: 0, shape: undefined }
  }
}

/**
 * Dropout in both of its forms. Training keeps each unit with probability 1 − p (mask
 * m ~ Bernoulli(1 − p) per element, p = `rate`, the DROP probability) and zeroes the others;
 * testing keeps every unit. The two forms differ only in where the 1/(1 − p) correction goes:
 *
 * | mode | train | test |
 * | --- | --- | --- |
 * | `'inverted'` (default, PyTorch/Keras) | x·m/(1 − p) | x |
 * | `'scaleAtTest'` (the lecture) | x·m | x·(1 − p) |
 *
 * Both make the expected training output equal the test output, so for a network linear in the
 * dropped units the probability-weighted average over ALL 2ⁿ masks equals the test-time
 * network exactly (`dropoutLaws` in purediff/laws checks this by enumeration).
 *
 * @since 0.1.0
 */
import { type Tensor, ArgumentError, ShapeError, div, mul, random } from '../index.js'
import { broadcastShapes, shapesEqual } from '../tensor/shape.js'
import type { EmptyParams, Layer } from './Layer.js'
import { checkInput, checkInputShape, checkKey, checkOptions, describe, fmt } from './checks.js'
import { maskScale } from '../ops/fused.js'

// --- model

/**
 * Where dropout's 1/(1 − p) correction goes: `'inverted'` scales the kept units by 1/(1 − p)
 * while training and does nothing at test time; `'scaleAtTest'` (the lecture's rule) keeps
 * training unscaled and multiplies by (1 − p) at test time, the same as multiplying the next
 * layer's weights by (1 − p).
 *
 * @category model
 * @since 0.1.0
 */
export type DropoutMode = 'inverted' | 'scaleAtTest'

/**
 * Options of `dropout`: `mode` (default `'inverted'`).
 *
 * @category model
 * @since 0.1.0
 */
export interface DropoutOptions {
  readonly mode?: DropoutMode
}

function checkRate(op: string, rate: unknown): number {
  if (typeof rate === 'number' && rate >= 0 && rate < 1) return rate
  throw new ArgumentError(op, `rate must be a number in [0, 1) (the probability of DROPPING a unit), got ${describe(rate)}`)
}

function checkMode(op: string, mode: unknown): DropoutMode {
  if (mode === 'inverted' || mode === 'scaleAtTest') return mode
  throw new ArgumentError(op, `mode must be 'inverted' or 'scaleAtTest', got ${describe(mode)}`)
}

// --- constructors

/**
 * Dropout layer with drop probability `rate` p ∈ [0, 1) and `mode` (default `'inverted'`):
 * - train (`ctx.train` true): `dropoutWithMask(x, m, p, mode)` with a fresh mask
 *   m ~ Bernoulli(1 − p) per element drawn from `ctx.key` (a fresh key per call gives a fresh
 *   mask; the same key, the same mask). Train mode without a key is an ArgumentError.
 * - test (default): x in `'inverted'` mode, x·(1 − p) in `'scaleAtTest'` mode.
 * Rate 0 is the identity in both modes. No parameters. A rate outside [0, 1) or an unknown
 * mode is an ArgumentError naming `dropout` and the value.
 *
 * @example
 * import { ones, random, toFlatArray } from 'purediff'
 * import { dropout } from 'purediff/nn'
 * const layer = dropout(0.5, { mode: 'scaleAtTest' })
 * const { params } = layer.init(random.key(0), [4])
 * const x = ones([1, 4])
 * if (toFlatArray(layer.apply(params, x)).join() !== '0.5,0.5,0.5,0.5') throw new Error() // test: x·(1 − p)
 * const y = toFlatArray(layer.apply(params, x, { train: true, key: random.key(1) }))
 * if (y.some((v) => v !== 0 && v !== 1)) throw new Error() // train: x·m
 * let caught: unknown
 * try { layer.apply(params, x, { train: true }) } catch (e) { caught = e }
 * if (!(caught instanceof Error) || !caught.message.includes('key')) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function dropout(rate: number, opts?: DropoutOptions): Layer<EmptyParams> {
  const p = checkRate('dropout', rate)
  const mode = checkMode('dropout', checkOptions('dropout', opts).mode ?? 'inverted')
  const name = `dropout(${p}, '${mode}')`
  return {
    name,
    init: (key, inputShape) => {
      checkKey(name, key)
      return { params: {}, outputShape: checkInputShape(name, inputShape) }
    },
    apply: (_params, x, ctx = {}) => {
      const t = checkInput(name, x, 1)
      if (ctx === null || typeof ctx !== 'object') throw new ArgumentError(name, `ctx must be an object { train?, key? }, got ${describe(ctx)}`)
      if (p === 0) return t
      if (ctx.train !== true) return mode === 'inverted' ? t : mul(t, 1 - p)
      if (ctx.key === undefined) {
        throw new ArgumentError(name, 'train mode needs a random key: call apply(params, x, { train: true, key }) with a fresh key per call (each key draws its own mask)')
      }
      if (!random.isKey(ctx.key) && !random.isKeyTensor(ctx.key)) throw new ArgumentError(name, `ctx.key must be a random key or a key tensor, got ${describe(ctx.key)}`)
      const mask = random.bernoulli(ctx.key, 1 - p, t.shape, t.dtype)
      return dropoutWithMask(t, mask, p, mode)
    },
  }
}

// --- operations

/**
 * The deterministic core of dropout in training: x·m/(1 − p) in `'inverted'` mode (default),
 * x·m in `'scaleAtTest'` mode, for a given mask m (1 keeps a unit, 0 drops it; it broadcasts
 * to x's shape) and rate p ∈ [0, 1). The `dropout` layer calls it with m ~ Bernoulli(1 − p);
 * the all-masks law calls it with every mask in turn.
 *
 * @example
 * import { tensor, toFlatArray } from 'purediff'
 * import { dropoutWithMask } from 'purediff/nn'
 * const x = tensor([[2, 4, 6, 8]], 'float64'), m = tensor([[1, 0, 1, 0]], 'float64')
 * if (toFlatArray(dropoutWithMask(x, m, 0.5)).join() !== '4,0,12,0') throw new Error() // x·m/(1 − ½)
 * if (toFlatArray(dropoutWithMask(x, m, 0.5, 'scaleAtTest')).join() !== '2,0,6,0') throw new Error() // x·m
 * @category operations
 * @since 0.1.0
 */
export function dropoutWithMask(x: Tensor, mask: Tensor, rate: number, mode: DropoutMode = 'inverted'): Tensor {
  const op = 'dropoutWithMask'
  const t = checkInput(op, x, 0)
  const m = checkInput(op, mask, 0)
  const p = checkRate(op, rate)
  const md = checkMode(op, mode)
  const shape = broadcastShapes(op, t.shape, m.shape)
  if (shape.length !== t.rank || shape.some((d, i) => d !== t.shape[i])) {
    throw new ShapeError(op, `the mask of shape ${fmt(m.shape)} must broadcast to x's shape ${fmt(t.shape)}, not widen it to ${fmt(shape)}`)
  }
  if (md === 'scaleAtTest') return mul(t, m)
  // Same shape and dtype: one fused pass each way, bitwise div(mul(x, m), 1 − p).
  const same = m.dtype === t.dtype && shapesEqual(m.shape, t.shape)
  return same ? maskScale(t, m, 1 - p) : div(mul(t, m), 1 - p)
}

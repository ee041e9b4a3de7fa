/**
 * Initialisers: functions `(key, shape, dtype = 'float32') => Tensor`, exported as the namespace
 * `init`. Fans follow Keras: for a kernel `[inputs, units]` fanIn = inputs and fanOut = units;
 * for rank ≥ 3 both are multiplied by the receptive field (the product of all axes but the
 * last two); a vector has fanIn = fanOut = its length, a scalar 1.
 *
 * @since 0.1.0
 */
import { type DType, type Key, type Tensor, ArgumentError, full, random } from '../index.js'
import { checkShape } from '../tensor/shape.js'
import { checkKey, describe } from './checks.js'

// --- model

/**
 * An initialiser: a pure function of the key, the shape and the dtype (float32 by default).
 *
 * @example
 * import { random } from 'purediff'
 * import { type Initializer, init } from 'purediff/nn'
 * const half: Initializer = init.constant(0.5)
 * if (half(random.key(0), [2, 2], 'float64').dtype !== 'float64') throw new Error()
 * @category model
 * @since 0.1.0
 */
export type Initializer = (key: Key, shape: readonly number[], dtype?: DType) => Tensor

/** [fanIn, fanOut] of a shape, as Keras computes them. */
function fans(shape: readonly number[]): [number, number] {
  const r = shape.length
  if (r === 0) return [1, 1]
  if (r === 1) return [shape[0], shape[0]]
  const field = shape.slice(0, r - 2).reduce((a, b) => a * b, 1)
  return [shape[r - 2] * field, shape[r - 1] * field]
}

function prepare(op: string, key: Key, shape: readonly number[]): { shape: readonly number[]; empty: boolean } {
  checkKey(op, key)
  const s = checkShape(op, shape)
  return { shape: s, empty: s.some((d) => d === 0) }
}

// --- constructors

/**
 * Glorot (Xavier) uniform: U(−l, l) with l = √(6 / (fanIn + fanOut)), so the variance is
 * 2 / (fanIn + fanOut). The default of `dense` and `maxout`.
 *
 * @example
 * import { random, toFlatArray } from 'purediff'
 * import { init } from 'purediff/nn'
 * const w = toFlatArray(init.glorotUniform(random.key(0), [30, 20]))
 * const l = Math.sqrt(6 / 50)
 * if (w.length !== 600 || w.some((v) => Math.abs(v) > l)) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function glorotUniform(key: Key, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const p = prepare('init.glorotUniform', key, shape)
  if (p.empty) return full(p.shape, 0, dtype)
  const [fanIn, fanOut] = fans(p.shape)
  const limit = Math.sqrt(6 / (fanIn + fanOut))
  return random.uniform(key, p.shape, { min: -limit, max: limit, dtype })
}

/**
 * He (Kaiming) normal: N(0, σ²) with σ = √(2 / fanIn), the variance that keeps activations'
 * scale through ReLU layers. A plain normal, as PyTorch's `kaiming_normal_` (Keras truncates).
 *
 * @example
 * import { random, toFlatArray } from 'purediff'
 * import { init } from 'purediff/nn'
 * const w = toFlatArray(init.heNormal(random.key(1), [200, 100], 'float64'))
 * const variance = w.reduce((s, v) => s + v * v, 0) / w.length
 * // 2 / fanIn = 0.01; 20000 draws give a standard error of about 0.01·√(2/20000) = 1e-4
 * if (Math.abs(variance - 0.01) > 5e-4) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function heNormal(key: Key, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const p = prepare('init.heNormal', key, shape)
  if (p.empty) return full(p.shape, 0, dtype)
  return random.normal(key, p.shape, { std: Math.sqrt(2 / fans(p.shape)[0]), dtype })
}

/**
 * LeCun normal: N(0, σ²) with σ = √(1 / fanIn) (plain normal, not truncated).
 *
 * @example
 * import { random, toFlatArray } from 'purediff'
 * import { init } from 'purediff/nn'
 * const w = toFlatArray(init.lecunNormal(random.key(2), [100, 200], 'float64'))
 * const variance = w.reduce((s, v) => s + v * v, 0) / w.length
 * if (Math.abs(variance - 0.01) > 5e-4) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function lecunNormal(key: Key, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const p = prepare('init.lecunNormal', key, shape)
  if (p.empty) return full(p.shape, 0, dtype)
  return random.normal(key, p.shape, { std: Math.sqrt(1 / fans(p.shape)[0]), dtype })
}

/**
 * All zeros (the key is checked but not used). The default bias initialiser.
 *
 * @example
 * import { random, toFlatArray } from 'purediff'
 * import { init } from 'purediff/nn'
 * if (toFlatArray(init.zeros(random.key(0), [3])).join() !== '0,0,0') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function zeros(key: Key, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const p = prepare('init.zeros', key, shape)
  return full(p.shape, 0, dtype)
}

/**
 * An initialiser filling every element with `value` (a finite number).
 *
 * @example
 * import { random, toFlatArray } from 'purediff'
 * import { init } from 'purediff/nn'
 * if (toFlatArray(init.constant(0.25)(random.key(0), [2])).join() !== '0.25,0.25') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function constant(value: number): Initializer {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArgumentError('init.constant', `value must be a finite number, got ${describe(value)}`)
  }
  return (key, shape, dtype = 'float32') => full(prepare('init.constant', key, shape).shape, value, dtype)
}

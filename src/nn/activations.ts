/**
 * Activation layers: each applies one fused elementwise primitive of `purediff` (one kernel
 * forward, one fused derivative backward), keeps the shape, and has no parameters except
 * `prelu`, which learns one slope per unit. The lecture's story: the sigmoid squashes, so deep
 * sigmoid stacks lose their gradient (σ′ ≤ 1/4 per layer); ReLU passes it unchanged on the
 * active units; Leaky and Parametric ReLU keep a slope for z ≤ 0; ELU is smooth for z ≤ 0.
 *
 * @since 0.1.0
 */
import * as P from '../index.js'
import { type DType, type Tensor, ArgumentError, ShapeError } from '../index.js'
import { checkFloatDType } from '../tensor/dtype.js'
import { type Initializer, constant } from './init.js'
import type { EmptyParams, Layer } from './Layer.js'
import { checkFinite, checkInput, checkInputShape, checkKey, checkOptions, checkParam, describe, fmt } from './checks.js'

// --- model

/**
 * Options of `prelu`: `alphaInit` (0.25, as PyTorch and the PReLU paper): a number or an
 * initialiser for the slopes; `dtype` ('float32') of the slopes.
 *
 * @category model
 * @since 0.1.0
 */
export interface PreluOptions {
  readonly alphaInit?: number | Initializer
  readonly dtype?: DType
}

/**
 * The parameters of `prelu`: `alpha`, one slope per unit (shape `[units]`, the last axis of an
 * example; `[]` for scalar examples).
 *
 * @category model
 * @since 0.1.0
 */
export interface PreluParams {
  readonly alpha: Tensor
}

function activation(name: string, f: (x: Tensor) => Tensor): Layer<EmptyParams> {
  return {
    name,
    init: (key, inputShape) => {
      checkKey(name, key)
      return { params: {}, outputShape: checkInputShape(name, inputShape) }
    },
    apply: (_params, x) => f(checkInput(name, x, 1)),
  }
}

// --- constructors

/**
 * Sigmoid layer: a = σ(z) = 1 / (1 + e⁻ᶻ), elementwise; σ′(z) = σ(1 − σ) ≤ 1/4. No parameters.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { sigmoid } from 'purediff/nn'
 * const layer = sigmoid()
 * const { params } = layer.init(random.key(0), [2])
 * if (toFlatArray(layer.apply(params, tensor([[0, 1000]]))).join() !== '0.5,1') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function sigmoid(): Layer<EmptyParams> {
  return activation('sigmoid', P.sigmoid)
}

/**
 * Tanh layer: a = tanh(z), elementwise; derivative 1 − tanh²(z). No parameters.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { tanh } from 'purediff/nn'
 * const layer = tanh()
 * if (toFlatArray(layer.apply(layer.init(random.key(0), [1]).params, tensor([[0]]))).join() !== '0') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function tanh(): Layer<EmptyParams> {
  return activation('tanh', P.tanh)
}

/**
 * ReLU layer: a = z for z > 0, else 0; derivative 1 for z > 0, 0 otherwise (0 at z = 0, the
 * lecture's convention). No parameters.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { relu } from 'purediff/nn'
 * const layer = relu()
 * if (toFlatArray(layer.apply(layer.init(random.key(0), [3]).params, tensor([[-1, 0, 2]]))).join() !== '0,0,2') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function relu(): Layer<EmptyParams> {
  // `sequential` fuses it into a dense layer before it (see LayerFusion)
  return { ...activation('relu', P.relu), fusion: { kind: 'relu' } }
}

/**
 * Leaky ReLU layer: a = z for z > 0, α·z otherwise (α = `alpha`, default 0.01, the lecture's
 * value); derivative 1 or α (α at 0). No parameters.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { leakyRelu } from 'purediff/nn'
 * const layer = leakyRelu(0.5)
 * if (toFlatArray(layer.apply(layer.init(random.key(0), [2]).params, tensor([[-2, 3]]))).join() !== '-1,3') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function leakyRelu(alpha = 0.01): Layer<EmptyParams> {
  const a = checkFinite('leakyRelu', 'alpha', alpha)
  return activation(`leakyRelu(${a})`, (x) => P.leakyRelu(x, a))
}

/**
 * Parametric ReLU layer: a = z for z > 0, α·z otherwise, with α learned, one slope per unit
 * (the last axis of an example: params `{ alpha }` of shape `[units]`). ∂a/∂α = z where z ≤ 0,
 * so the gradient of a slope is the sum over the batch of that unit's non-positive inputs times
 * the incoming gradient. Defaults: `alphaInit` 0.25, float32 slopes.
 *
 * @example
 * import { grad, random, sum, tensor, toFlatArray } from 'purediff'
 * import { prelu } from 'purediff/nn'
 * const layer = prelu()
 * const { params } = layer.init(random.key(0), [2])
 * if (toFlatArray(params.alpha).join() !== '0.25,0.25') throw new Error()
 * const x = tensor([[-2, 3], [-4, -1]])
 * if (toFlatArray(layer.apply(params, x)).join() !== '-0.5,3,-1,-0.25') throw new Error()
 * // ∂Σa/∂α per unit = Σ over the batch of the unit's negative inputs: [-2 + -4, -1]
 * const g = grad((p: typeof params) => sum(layer.apply(p, x)))(params)
 * if (toFlatArray(g.alpha).join() !== '-6,-1') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function prelu(opts?: PreluOptions): Layer<PreluParams> {
  const o = checkOptions('prelu', opts)
  const { alphaInit = 0.25, dtype = 'float32' } = o
  checkFloatDType('prelu', dtype)
  const initAlpha: Initializer = typeof alphaInit === 'function' ? alphaInit : constant(checkFinite('prelu', 'alphaInit', alphaInit))
  return {
    name: 'prelu',
    init: (key, inputShape) => {
      checkKey('prelu', key)
      const s = checkInputShape('prelu', inputShape)
      const shape = s.length === 0 ? [] : [s[s.length - 1]]
      const alpha = checkParam('prelu', 'alpha', initAlpha(key, shape, dtype))
      if (alpha.shape.join() !== shape.join()) throw new ShapeError('prelu', `alphaInit returned shape ${fmt(alpha.shape)}; expected ${fmt(shape)}`)
      return { params: { alpha }, outputShape: s }
    },
    apply: (params, x) => {
      if (params === null || typeof params !== 'object') throw new ArgumentError('prelu', `params must be { alpha } as init returns, got ${describe(params)}`)
      const alpha = checkParam('prelu', 'alpha', params.alpha)
      const t = checkInput('prelu', x, 1)
      const units = t.rank === 1 ? [] : [t.shape[t.rank - 1]]
      if (alpha.shape.join() !== units.join()) {
        throw new ShapeError(
          'prelu',
          `params.alpha has shape ${fmt(alpha.shape)} but x of shape ${fmt(t.shape)} has ${t.rank === 1 ? 'scalar examples' : `${units[0]} units on its last axis`}; expected alpha of shape ${fmt(units)}`,
        )
      }
      return P.prelu(t, alpha)
    },
  }
}

/**
 * ELU layer: a = z for z > 0, α·(eᶻ − 1) otherwise (α = `alpha`, default 1); derivative 1 or
 * α·eᶻ (α at 0). No parameters.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { elu } from 'purediff/nn'
 * const layer = elu()
 * const y = toFlatArray(layer.apply(layer.init(random.key(0), [2]).params, tensor([[2, -1]], 'float64')))
 * if (y[0] !== 2 || y[1] !== Math.expm1(-1)) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function elu(alpha = 1): Layer<EmptyParams> {
  const a = checkFinite('elu', 'alpha', alpha)
  return activation(`elu(${a})`, (x) => P.elu(x, a))
}

/**
 * Softplus layer: a = log(1 + eᶻ) (computed stably), a smooth ReLU; derivative σ(z). No
 * parameters.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { softplus } from 'purediff/nn'
 * const layer = softplus()
 * if (toFlatArray(layer.apply(layer.init(random.key(0), [2]).params, tensor([[0, 1000]], 'float64'))).join() !== `${Math.LN2},1000`) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function softplus(): Layer<EmptyParams> {
  return activation('softplus', P.softplus)
}

/**
 * GELU layer: a = z·Φ(z) (Φ the standard normal CDF), or with `{ approximate: true }` the tanh
 * form ½z(1 + tanh(√(2/π)(z + 0.044715z³))); derivative Φ(z) + z·φ(z). No parameters.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { gelu } from 'purediff/nn'
 * const layer = gelu()
 * const y = toFlatArray(layer.apply(layer.init(random.key(0), [2]).params, tensor([[0, 1000]], 'float64')))
 * if (y.join() !== '0,1000') throw new Error()
 * @category constructors
 * @since 0.2.0
 */
export function gelu(opts?: P.GeluOptions): Layer<EmptyParams> {
  const { approximate = false } = checkOptions('gelu', opts)
  if (typeof approximate !== 'boolean') throw new ArgumentError('gelu', `approximate must be a boolean, got ${describe(approximate)}`)
  return approximate ? activation('gelu(tanh)', (x) => P.gelu(x, { approximate: true })) : activation('gelu', (x) => P.gelu(x))
}

/**
 * SiLU (swish) layer: a = z·σ(z); derivative σ(z)(1 + z·σ(−z)). No parameters.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { silu } from 'purediff/nn'
 * const layer = silu()
 * if (toFlatArray(layer.apply(layer.init(random.key(0), [2]).params, tensor([[0, 1000]]))).join() !== '0,1000') throw new Error()
 * @category constructors
 * @since 0.2.0
 */
export function silu(): Layer<EmptyParams> {
  return activation('silu', P.silu)
}

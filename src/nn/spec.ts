/**
 * Models described as JSON: the io-ts codec `ModelSpec` (value and type under one name) decodes
 * outside data, and `fromSpec` turns it into a `sequential` layer. Every invalid field is a
 * `Left` whose message names its path (`layers.2.rate`); unknown fields are errors too (a typo
 * such as `unit` for `units` must not pass silently). `fromSpec` never throws.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { ArgumentError } from '../index.js'
import { isRecord, nesting, numberWhere, report, show, strictObject } from '../internal/codecs.js'
import type { AnyLayer, Layer } from './Layer.js'
import { flatten, sequential } from './Layer.js'
import { dense } from './dense.js'
import { elu, gelu, leakyRelu, prelu, relu, sigmoid, silu, softplus, tanh } from './activations.js'
import { countParams } from './specCount.js'
import { maxout } from './maxout.js'
import { embedding } from './embedding.js'
import { dropout } from './dropout.js'
import { type ConvLayerSpec, buildConv, convBranches } from './specConv.js'
import { type PoolLayerSpec, buildPool, poolBranches } from './specPool.js'
import { type Initializer, constant, glorotUniform, heNormal, lecunNormal, zeros } from './init.js'

// --- limits

/**
 * The widest layer a spec may describe: 2^24 = 16,777,216 units. That is about 100× wider than
 * the widest dense layers in use (the hidden layers of large language models have 2^14–2^16
 * units), and small enough that, with `MAX_PIECES`, one example's pre-activations
 * (units·pieces ≤ 2^32) still fit in one tensor. Larger widths are typos or attacks.
 *
 * @example
 * import { isLeft } from 'fp-ts/lib/Either.js'
 * import { MAX_UNITS, fromSpec } from 'purediff/nn'
 * if (MAX_UNITS !== 2 ** 24 || !isLeft(fromSpec({ layers: [{ type: 'dense', units: MAX_UNITS + 1 }] }))) throw new Error()
 * @category limits
 * @since 0.1.0
 */
export const MAX_UNITS = 2 ** 24

/**
 * The most pieces a maxout layer of a spec may have: 256. Maxout networks use 2 to 5 pieces
 * (Goodfellow et al. 2013); 256 leaves room for experiments while keeping units·pieces ≤ 2^32,
 * the most elements one tensor holds.
 *
 * @example
 * import { isLeft } from 'fp-ts/lib/Either.js'
 * import { MAX_PIECES, fromSpec } from 'purediff/nn'
 * if (!isLeft(fromSpec({ layers: [{ type: 'maxout', units: 2, pieces: MAX_PIECES + 1 }] }))) throw new Error()
 * @category limits
 * @since 0.1.0
 */
export const MAX_PIECES = 256

/**
 * How deeply a spec may nest `sequential` layers: 100. Nesting only groups layers, so real
 * specs use a handful of levels; decoding and applying each level takes stack, and measured on
 * Node 20 the decoder alone overflowed at about 1,400 levels, so 100 keeps a wide margin. A
 * deeper spec is a `Left` naming the path where the limit is crossed, never a stack overflow.
 *
 * @example
 * import { isLeft } from 'fp-ts/lib/Either.js'
 * import { MAX_SPEC_DEPTH, fromSpec } from 'purediff/nn'
 * let layer: object = { type: 'relu' }
 * for (let i = 0; i < MAX_SPEC_DEPTH + 1; i++) layer = { type: 'sequential', layers: [layer] }
 * const r = fromSpec({ layers: [layer] })
 * if (!isLeft(r) || !r.left.message.includes('nested deeper than 100')) throw new Error()
 * @category limits
 * @since 0.1.0
 */
export const MAX_SPEC_DEPTH = 100

/**
 * The default of `fromSpec`'s `maxParams`: 10^8 parameters. In float32 that is 400 MB of
 * weights, and training with Adam holds four copies (params, gradients, two moments): 1.6 GB —
 * about what one CPU thread can train in reasonable time, and 100× the largest model of the
 * lecture (an MNIST MLP, under 10^6). A spec asking for more is far more likely a typo
 * (`units: 1e9`) or a hostile file than a wish; raise it with `fromSpec(spec, { maxParams })`
 * (or `purediff train --max-params`).
 *
 * @example
 * import { DEFAULT_MAX_PARAMS } from 'purediff/nn'
 * if (DEFAULT_MAX_PARAMS !== 1e8) throw new Error()
 * @category limits
 * @since 0.1.0
 */
export const DEFAULT_MAX_PARAMS = 1e8

// --- codecs: fields

const Units = numberWhere('Units', `a positive integer ≤ ${MAX_UNITS} (2^24, MAX_UNITS)`, (n) => Number.isInteger(n) && n > 0 && n <= MAX_UNITS)
const Pieces = numberWhere('Pieces', `a positive integer ≤ ${MAX_PIECES} (MAX_PIECES)`, (n) => Number.isInteger(n) && n > 0 && n <= MAX_PIECES)
const Finite = numberWhere('Finite', 'a finite number', Number.isFinite)
const Rate = numberWhere('Rate', 'a number in [0, 1) (the probability of dropping a unit)', (n) => n >= 0 && n < 1)
const DType = t.keyof({ float32: null, float64: null }, "'float32' | 'float64'")
const Mode = t.keyof({ inverted: null, scaleAtTest: null }, "'inverted' | 'scaleAtTest'")
const InitName = t.keyof({ glorotUniform: null, heNormal: null, lecunNormal: null, zeros: null })

/** An initialiser: a name, or `{ "constant": value }`. */
type InitSpec = t.TypeOf<typeof InitName> | { readonly constant: number }
const InitSpec = new t.Type<InitSpec, InitSpec, unknown>(
  'InitSpec',
  (u): u is InitSpec => InitName.is(u) || (isRecord(u) && Object.keys(u).join() === 'constant' && Finite.is(u.constant)),
  (u, c) => {
    if (InitName.is(u)) return t.success(u)
    if (isRecord(u) && Object.keys(u).join() === 'constant') {
      return Finite.is(u.constant)
        ? t.success({ constant: u.constant })
        : t.failure(u.constant, t.appendContext(c, 'constant', Finite, u.constant), `expected a finite number, got ${show(u.constant)}`)
    }
    return t.failure(u, c, `expected an initialiser: 'glorotUniform', 'heNormal', 'lecunNormal', 'zeros' or { "constant": number }, got ${show(u)}`)
  },
  t.identity,
)

function layerCodec<T extends string, R extends t.Props, O extends t.Props>(type: T, required: R, optional: O) {
  return strictObject(`a '${type}' layer`, { type: t.literal(type), ...required }, optional)
}

// --- codecs: layers

const linear = { useBias: t.boolean, kernelInit: InitSpec, biasInit: InitSpec, dtype: DType }
const DenseSpec = layerCodec('dense', { units: Units }, linear)
const MaxoutSpec = layerCodec('maxout', { units: Units, pieces: Pieces }, linear)
const DropoutSpec = layerCodec('dropout', { rate: Rate }, { mode: Mode })
const LeakyReluSpec = layerCodec('leakyRelu', {}, { alpha: Finite })
const EluSpec = layerCodec('elu', {}, { alpha: Finite })
const PreluSpec = layerCodec('prelu', {}, { alphaInit: Finite, dtype: DType })
const SigmoidSpec = layerCodec('sigmoid', {}, {})
const TanhSpec = layerCodec('tanh', {}, {})
const ReluSpec = layerCodec('relu', {}, {})
const SoftplusSpec = layerCodec('softplus', {}, {})
const GeluSpec = layerCodec('gelu', {}, { approximate: t.boolean })
const SiluSpec = layerCodec('silu', {}, {})
const FlattenSpec = layerCodec('flatten', {}, {})
// vocab has the bound of a width (2^24 ids: 60× the largest vocabularies in use); the table counts against maxParams
const EmbeddingSpec = layerCodec('embedding', { vocab: Units, dim: Units }, { init: InitSpec, dtype: DType })

/**
 * One layer of a model spec: `{ "type": …, …options }` with the options of the layer's
 * constructor (`dense`: units, useBias, kernelInit, biasInit, dtype; `maxout`: units, pieces and
 * the same; `dropout`: rate, mode; `leakyRelu`/`elu`: alpha; `prelu`: alphaInit, dtype; `gelu`: approximate; `embedding`: vocab, dim, init, dtype;
 * `conv1d`/`conv2d`: filters, kernelSize, strides, padding, dilation, groups, useBias; `reshape`: shape (of one example);
 * `maxPool2d`/`avgPool2d`: window, strides, padding; `globalAvgPool`: none;
 * `sequential`: layers). Initialisers are names or `{ "constant": value }`.
 *
 * @category model
 * @since 0.1.0
 */
export type LayerSpec =
  | t.TypeOf<typeof DenseSpec>
  | t.TypeOf<typeof MaxoutSpec>
  | t.TypeOf<typeof DropoutSpec>
  | t.TypeOf<typeof LeakyReluSpec>
  | t.TypeOf<typeof EluSpec>
  | t.TypeOf<typeof PreluSpec>
  | t.TypeOf<typeof SigmoidSpec>
  | t.TypeOf<typeof TanhSpec>
  | t.TypeOf<typeof ReluSpec>
  | t.TypeOf<typeof SoftplusSpec>
  | t.TypeOf<typeof GeluSpec>
  | t.TypeOf<typeof SiluSpec>
  | t.TypeOf<typeof FlattenSpec>
  | t.TypeOf<typeof EmbeddingSpec>
  | ConvLayerSpec
  | PoolLayerSpec
  | { readonly type: 'sequential'; readonly layers: LayerSpec[] }

/**
 * The codec of one layer: it reads `type` first and decodes the rest with that layer's codec
 * only, so an error names the field of the layer actually meant (`layers.1.units`), not every
 * member of a union.
 *
 * @example
 * import { isRight } from 'fp-ts/lib/Either.js'
 * import { LayerSpec } from 'purediff/nn'
 * if (!isRight(LayerSpec.decode({ type: 'dropout', rate: 0.5, mode: 'scaleAtTest' }))) throw new Error()
 * if (isRight(LayerSpec.decode({ type: 'dropout', rate: 1 }))) throw new Error()
 * @category codecs
 * @since 0.1.0
 */
export const LayerSpec: t.Type<LayerSpec, LayerSpec, unknown> = new t.Type<LayerSpec, LayerSpec, unknown>(
  'LayerSpec',
  // Through validate, whose depth limit keeps a deep or cyclic value from overflowing the stack.
  (u): u is LayerSpec => E.isRight(LayerSpec.validate(u, t.getDefaultContext(LayerSpec))),
  (u, c) => {
    if (nesting(c, LayerSpec) > MAX_SPEC_DEPTH) return t.failure(u, c, `the spec is nested deeper than ${MAX_SPEC_DEPTH} levels (MAX_SPEC_DEPTH)`)
    if (!isRecord(u)) return t.failure(u, c, `expected a layer object { "type": …, … }, got ${show(u)}`)
    const type = u.type
    if (typeof type !== 'string' || !Object.hasOwn(branches, type)) {
      return t.failure(type, t.appendContext(c, 'type', t.string, type), `unknown layer type ${show(type)}; expected one of ${Object.keys(branches).join(', ')}`)
    }
    return branches[type].validate(u, c)
  },
  (a) => branches[a.type].encode(a),
)

const SequentialSpec = layerCodec('sequential', { layers: t.array(LayerSpec) }, {})

// Typed loosely (t.Mixed): each branch encodes only its own variant; dispatch picks it by `type`.
const branches: Readonly<Record<string, t.Mixed>> = {
  dense: DenseSpec,
  maxout: MaxoutSpec,
  dropout: DropoutSpec,
  sigmoid: SigmoidSpec,
  tanh: TanhSpec,
  relu: ReluSpec,
  leakyRelu: LeakyReluSpec,
  prelu: PreluSpec,
  elu: EluSpec,
  softplus: SoftplusSpec,
  gelu: GeluSpec,
  silu: SiluSpec,
  flatten: FlattenSpec,
  embedding: EmbeddingSpec,
  ...convBranches,
  ...poolBranches,
  sequential: SequentialSpec,
}

/**
 * The codec of a JSON model description: `{ "layers": [LayerSpec, …] }`, the layers applied in
 * order (a `sequential`). `ModelSpec` is also the decoded type.
 *
 * @example
 * import { isRight } from 'fp-ts/lib/Either.js'
 * import { ModelSpec } from 'purediff/nn'
 * const spec: ModelSpec = { layers: [{ type: 'dense', units: 128 }, { type: 'relu' }, { type: 'dropout', rate: 0.5, mode: 'scaleAtTest' }] }
 * if (!isRight(ModelSpec.decode(spec)) || !ModelSpec.is(spec)) throw new Error()
 * if (isRight(ModelSpec.decode({ layers: [{ type: 'dense', units: -1 }] }))) throw new Error()
 * @category codecs
 * @since 0.1.0
 */
export const ModelSpec = strictObject('a model spec', { layers: t.array(LayerSpec) }, {})
/** The decoded model spec. @category model @since 0.1.0 */
export type ModelSpec = t.TypeOf<typeof ModelSpec>

// --- build

const initialisers: Readonly<Record<t.TypeOf<typeof InitName>, Initializer>> = { glorotUniform, heNormal, lecunNormal, zeros }
const initOf = (s: InitSpec | undefined): Initializer | undefined => (s === undefined ? undefined : typeof s === 'string' ? initialisers[s] : constant(s.constant))

function build(s: LayerSpec): AnyLayer {
  switch (s.type) {
    case 'dense':
      return dense(s.units, { useBias: s.useBias, kernelInit: initOf(s.kernelInit), biasInit: initOf(s.biasInit), dtype: s.dtype })
    case 'maxout':
      return maxout({ units: s.units, pieces: s.pieces, useBias: s.useBias, kernelInit: initOf(s.kernelInit), biasInit: initOf(s.biasInit), dtype: s.dtype })
    case 'dropout':
      return dropout(s.rate, { mode: s.mode })
    case 'sigmoid':
      return sigmoid()
    case 'tanh':
      return tanh()
    case 'relu':
      return relu()
    case 'leakyRelu':
      return leakyRelu(s.alpha)
    case 'prelu':
      return prelu({ alphaInit: s.alphaInit, dtype: s.dtype })
    case 'elu':
      return elu(s.alpha)
    case 'softplus':
      return softplus()
    case 'gelu':
      return gelu({ approximate: s.approximate })
    case 'silu':
      return silu()
    case 'flatten':
      return flatten()
    case 'embedding':
      return embedding(s.vocab, s.dim, { init: initOf(s.init), dtype: s.dtype })
    case 'conv1d':
    case 'conv2d':
    case 'reshape':
      return buildConv(s)
    case 'maxPool2d':
    case 'avgPool2d':
    case 'globalAvgPool':
      return buildPool(s)
    case 'sequential':
      return sequential(...s.layers.map(build))
  }
}

// --- the size guard

const countText = (n: number): string => (Number.isSafeInteger(n) ? String(n) : n.toPrecision(4))

function tooMany(count: number, maxParams: number, where: string): ArgumentError {
  const limit = `maxParams = ${maxParams}${maxParams === DEFAULT_MAX_PARAMS ? ' (the default)' : ''}`
  return new ArgumentError(
    'fromSpec',
    `${where} ${countText(count)} parameters, more than ${limit}; to allow it, pass fromSpec(spec, { maxParams: ${countText(count)} }) (purediff train: --max-params ${countText(count)})`,
  )
}

// --- constructors

/**
 * Options of `fromSpec`: `maxParams`, the most parameters the model may create (a positive
 * integer or Infinity; default `DEFAULT_MAX_PARAMS` = 10^8).
 *
 * @example
 * import { isRight } from 'fp-ts/lib/Either.js'
 * import { type FromSpecOptions, fromSpec } from 'purediff/nn'
 * const opts: FromSpecOptions = { maxParams: 2e8 }
 * if (!isRight(fromSpec({ layers: [{ type: 'dense', units: 10 }] }, opts))) throw new Error()
 * @category model
 * @since 0.1.0
 */
export interface FromSpecOptions {
  readonly maxParams?: number
}

/**
 * Builds a model from a JSON description (an object, or a string of JSON): decodes it with
 * `ModelSpec` and returns `Right(sequential(...layers))`, or a `Left` with an ArgumentError whose
 * message names every invalid field by its path (`at layers.2.rate: expected a number in [0, 1)
 * …, got 1.5`). Unknown layer types and unknown fields are errors. Never throws.
 *
 * Sizes are bounded before anything is allocated: widths by `MAX_UNITS`, maxout pieces by
 * `MAX_PIECES`, nesting by `MAX_SPEC_DEPTH`, and the parameter count by `options.maxParams`
 * (default `DEFAULT_MAX_PARAMS` = 10^8). A spec whose parameters exceed it for any input shape
 * is a `Left`; otherwise the model's `init(key, inputShape)` counts the parameters from the
 * shapes alone and throws a one-line ArgumentError giving the count, the input shape, the limit
 * and how to raise it, before it allocates anything.
 *
 * @example
 * import { isLeft, isRight } from 'fp-ts/lib/Either.js'
 * import { random, zeros } from 'purediff'
 * import { fromSpec } from 'purediff/nn'
 * const model = fromSpec({ layers: [
 *   { type: 'dense', units: 128 }, { type: 'relu' },
 *   { type: 'dropout', rate: 0.5, mode: 'scaleAtTest' }, { type: 'maxout', units: 64, pieces: 3 },
 * ] })
 * if (!isRight(model)) throw new Error()
 * const { params, outputShape } = model.right.init(random.key(0), [10])
 * if (outputShape.join() !== '64' || model.right.apply(params, zeros([2, 10])).shape.join() !== '2,64') throw new Error()
 * const bad = fromSpec({ layers: [{ type: 'relu' }, { type: 'dropout', rate: 1 }] })
 * if (!isLeft(bad) || !bad.left.message.includes('layers.1.rate')) throw new Error()
 * // 784·10^6 + 10^6 weights and biases: refused by init, before allocating 3 GB
 * const wide = fromSpec({ layers: [{ type: 'dense', units: 1e6 }] })
 * if (!isRight(wide)) throw new Error()
 * let message = ''
 * try { wide.right.init(random.key(0), [784]) } catch (e) { message = (e as Error).message }
 * if (!message.includes('785000000 parameters') || !message.includes('maxParams')) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function fromSpec(json: unknown, options: FromSpecOptions = {}): E.Either<Error, Layer<unknown[]>> {
  try {
    if (options === null || typeof options !== 'object') return E.left(new ArgumentError('fromSpec', `options must be an object { maxParams? }, got ${show(options)}`))
    const maxParams = options.maxParams === undefined ? DEFAULT_MAX_PARAMS : options.maxParams
    if (typeof maxParams !== 'number' || !(Number.isSafeInteger(maxParams) || maxParams === Infinity) || maxParams < 1) {
      return E.left(new ArgumentError('fromSpec', `options.maxParams must be a positive integer or Infinity, got ${show(maxParams)}`))
    }
    let value = json
    if (typeof json === 'string') {
      try {
        value = JSON.parse(json)
      } catch (e) {
        return E.left(new ArgumentError('fromSpec', `the spec is not valid JSON: ${e instanceof Error ? e.message : String(e)}`))
      }
    }
    const decoded = ModelSpec.decode(value)
    if (E.isLeft(decoded)) return E.left(new ArgumentError('fromSpec', `invalid model spec: ${report(decoded.left)}`))
    const layers = decoded.right.layers
    // The least any input gives: counts grow with every axis, and [0, 0] has zeros both in the
    // width and in a leading axis (which `flatten` multiplies in); more axes change nothing.
    const least = countParams(layers, [0, 0]).count
    if (least > maxParams) return E.left(tooMany(least, maxParams, 'whatever the input shape, the model would create at least'))
    const model = sequential(...layers.map(build))
    return E.right({
      ...model,
      init: (key, inputShape) => {
        if (Array.isArray(inputShape) && inputShape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
          const { count } = countParams(layers, inputShape.slice())
          if (count > maxParams) throw tooMany(count, maxParams, `for input shape [${inputShape.join(',')}], the model's init would create`)
        }
        return model.init(key, inputShape)
      },
    })
  } catch (e) {
    return E.left(e instanceof Error ? e : new ArgumentError('fromSpec', `invalid model spec: ${show(e)}`))
  }
}

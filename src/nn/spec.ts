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
import { isRecord, numberWhere, report, show, strictObject } from '../internal/codecs.js'
import type { Layer } from './Layer.js'
import { flatten, sequential } from './Layer.js'
import { dense } from './dense.js'
import { elu, leakyRelu, prelu, relu, sigmoid, softplus, tanh } from './activations.js'
import { maxout } from './maxout.js'
import { dropout } from './dropout.js'
import { type Initializer, constant, glorotUniform, heNormal, lecunNormal, zeros } from './init.js'

// --- codecs: fields

const PositiveInt = numberWhere('PositiveInt', 'a positive integer', (n) => Number.isInteger(n) && n > 0)
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
      return Finite.is(u.constant) ? t.success({ constant: u.constant }) : t.failure(u.constant, t.appendContext(c, 'constant', Finite, u.constant), `expected a finite number, got ${show(u.constant)}`)
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
const DenseSpec = layerCodec('dense', { units: PositiveInt }, linear)
const MaxoutSpec = layerCodec('maxout', { units: PositiveInt, pieces: PositiveInt }, linear)
const DropoutSpec = layerCodec('dropout', { rate: Rate }, { mode: Mode })
const LeakyReluSpec = layerCodec('leakyRelu', {}, { alpha: Finite })
const EluSpec = layerCodec('elu', {}, { alpha: Finite })
const PreluSpec = layerCodec('prelu', {}, { alphaInit: Finite, dtype: DType })
const SigmoidSpec = layerCodec('sigmoid', {}, {})
const TanhSpec = layerCodec('tanh', {}, {})
const ReluSpec = layerCodec('relu', {}, {})
const SoftplusSpec = layerCodec('softplus', {}, {})
const FlattenSpec = layerCodec('flatten', {}, {})

/**
 * One layer of a model spec: `{ "type": …, …options }` with the options of the layer's
 * constructor (`dense`: units, useBias, kernelInit, biasInit, dtype; `maxout`: units, pieces and
 * the same; `dropout`: rate, mode; `leakyRelu`/`elu`: alpha; `prelu`: alphaInit, dtype;
 * `sequential`: layers). Initialisers are names or `{ "constant": value }`.
 *
 * @category model
 * @since 0.1.0
 */
export type LayerSpec =
  | t.TypeOf<typeof DenseSpec> | t.TypeOf<typeof MaxoutSpec> | t.TypeOf<typeof DropoutSpec>
  | t.TypeOf<typeof LeakyReluSpec> | t.TypeOf<typeof EluSpec> | t.TypeOf<typeof PreluSpec>
  | t.TypeOf<typeof SigmoidSpec> | t.TypeOf<typeof TanhSpec> | t.TypeOf<typeof ReluSpec>
  | t.TypeOf<typeof SoftplusSpec> | t.TypeOf<typeof FlattenSpec>
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
  (u): u is LayerSpec => isRecord(u) && typeof u.type === 'string' && Object.hasOwn(branches, u.type) && branches[u.type].is(u),
  (u, c) => {
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
  dense: DenseSpec, maxout: MaxoutSpec, dropout: DropoutSpec, sigmoid: SigmoidSpec, tanh: TanhSpec, relu: ReluSpec,
  leakyRelu: LeakyReluSpec, prelu: PreluSpec, elu: EluSpec, softplus: SoftplusSpec, flatten: FlattenSpec, sequential: SequentialSpec,
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
const initOf = (s: InitSpec | undefined): Initializer | undefined =>
  s === undefined ? undefined : typeof s === 'string' ? initialisers[s] : constant(s.constant)

function build(s: LayerSpec): Layer<any> {
  switch (s.type) {
    case 'dense': return dense(s.units, { useBias: s.useBias, kernelInit: initOf(s.kernelInit), biasInit: initOf(s.biasInit), dtype: s.dtype })
    case 'maxout': return maxout({ units: s.units, pieces: s.pieces, useBias: s.useBias, kernelInit: initOf(s.kernelInit), biasInit: initOf(s.biasInit), dtype: s.dtype })
    case 'dropout': return dropout(s.rate, { mode: s.mode })
    case 'sigmoid': return sigmoid()
    case 'tanh': return tanh()
    case 'relu': return relu()
    case 'leakyRelu': return leakyRelu(s.alpha)
    case 'prelu': return prelu({ alphaInit: s.alphaInit, dtype: s.dtype })
    case 'elu': return elu(s.alpha)
    case 'softplus': return softplus()
    case 'flatten': return flatten()
    case 'sequential': return sequential(...s.layers.map(build))
  }
}

// --- constructors

/**
 * Builds a model from a JSON description (an object, or a string of JSON): decodes it with
 * `ModelSpec` and returns `Right(sequential(...layers))`, or a `Left` with an ArgumentError whose
 * message names every invalid field by its path (`at layers.2.rate: expected a number in [0, 1)
 * …, got 1.5`). Unknown layer types and unknown fields are errors. Never throws.
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
 * @category constructors
 * @since 0.1.0
 */
export function fromSpec(json: unknown): E.Either<Error, Layer<unknown[]>> {
  try {
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
    return E.right(sequential(...decoded.right.layers.map(build)))
  } catch (e) {
    return E.left(e instanceof Error ? e : new ArgumentError('fromSpec', `invalid model spec: ${show(e)}`))
  }
}

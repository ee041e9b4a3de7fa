/**
 * The layer model, after stax: a layer is a pair of pure functions `{ init, apply }`. `init`
 * turns a key and the shape of ONE example into parameters (a pytree) and the shape of one
 * output; `apply` maps parameters and a batch (batch on axis 0) to outputs. Nothing is stored
 * in the layer: the same key gives the same parameters, the same inputs the same outputs, and
 * train/test is chosen per call through `ctx`, never at construction. Also the two structural
 * layers: `sequential` and `flatten`.
 *
 * @since 0.1.0
 */
import { type Key, type Tensor, ArgumentError, random, reshape } from '../index.js'
import { checkInput, checkInputShape, checkKey, describe, rethrowWithin } from './checks.js'
import { checkLayerFusion, fusedPair } from './fusion.js'

// --- model

/**
 * Per-call options of `apply`: `train` (default false: test mode) and `key`, the random key
 * from which stochastic layers (dropout) draw; pass a fresh key per call for a fresh mask. Inside
 * `vmap`, `key` may be one example of a batch of keys (a key tensor, see `random.keyTensor`):
 * each example then draws its own mask.
 *
 * @example
 * import { random } from 'purediff'
 * import type { ApplyContext } from 'purediff/nn'
 * const ctx: ApplyContext = { train: true, key: random.key(0) }
 * if (ctx.train !== true) throw new Error()
 * @category model
 * @since 0.1.0
 */
export interface ApplyContext {
  readonly train?: boolean
  readonly key?: random.KeyLike
}

/**
 * What `init` returns: the parameters (a pytree) and the shape of one output example (no batch
 * axis).
 *
 * @category model
 * @since 0.1.0
 */
export interface LayerInit<P> {
  readonly params: P
  readonly outputShape: number[]
}

/**
 * A layer: `init(key, inputShape)` with `inputShape` the shape of ONE example (it EXCLUDES the
 * batch axis) returns `{ params, outputShape }`; `apply(params, x, ctx?)` maps a batch `x` of
 * shape `[batch, ...inputShape]` to `[batch, ...outputShape]`. Both are pure: `init` is a function
 * of the key, `apply` of its arguments. `name` (optional) is used in error messages.
 *
 * @example
 * import { random, zeros } from 'purediff'
 * import { type DenseParams, type Layer, dense } from 'purediff/nn'
 * const layer: Layer<DenseParams> = dense(3)
 * const { params, outputShape } = layer.init(random.key(0), [5]) // one example has 5 features
 * if (outputShape.join() !== '3' || layer.apply(params, zeros([2, 5])).shape.join() !== '2,3') throw new Error()
 * @category model
 * @since 0.1.0
 */
export interface Layer<P = unknown> {
  readonly init: (key: Key, inputShape: readonly number[]) => LayerInit<P>
  readonly apply: (params: P, x: Tensor, ctx?: ApplyContext) => Tensor
  readonly name?: string
  /** What the layer is, for `sequential`'s fused kernels (see `LayerFusion`); absent: never fused. */
  readonly fusion?: LayerFusion<P>
}

/**
 * What a layer is, as far as `sequential` is concerned: a descriptor carried on the layer
 * object, so it survives a spread copy (`{ ...layer, name: 'hidden' }`) and a wrapper can pass
 * it on. `sequential(…, a, b, …)` runs `a` and `b` as one fused kernel when `a.fusion` is
 * `{ kind: 'affine', applyRelu }` and `b.fusion` is `{ kind: 'relu' }` (today: `dense`, `conv1d` or `conv2d` followed
 * by `relu`); then neither `a.apply` nor `b.apply` is called. The contract a descriptor states:
 * - `{ kind: 'relu' }`: `apply(params, x, ctx)` is relu(x), whatever the params and ctx;
 * - `{ kind: 'affine', applyRelu }`: `applyRelu(params, x)` is relu(apply(params, x)), bitwise.
 * A layer without a descriptor is never fused, which is always correct. A wrapper that changes
 * what `apply` computes (or does something in it that must happen, such as logging) must not
 * pass the descriptor on: `{ ...layer, apply: other }` keeps the old one, so write
 * `{ ...layer, apply: other, fusion: undefined }`. A descriptor that does not hold is not
 * detected: `sequential` trusts it.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { dense, relu, sequential } from 'purediff/nn'
 * const hidden = { ...dense(2), name: 'hidden' } // still dense: still fused with the relu
 * if (hidden.fusion?.kind !== 'affine' || relu().fusion?.kind !== 'relu') throw new Error()
 * const plain = { ...relu(), fusion: undefined } // a ReLU that sequential will not fuse
 * const m = sequential(hidden, plain)
 * const y = m.apply([{ w: tensor([[1, -1]]), b: tensor([0, 0]) }, {}], tensor([[2]]))
 * if (toFlatArray(y).join() !== '2,0') throw new Error()
 * @category model
 * @since 0.1.0
 */
export type LayerFusion<P> = { readonly kind: 'relu' } | { readonly kind: 'affine'; applyRelu(params: P, x: Tensor): Tensor }

/**
 * The parameters of a layer without any: an empty object (a pytree with no leaves).
 *
 * @category model
 * @since 0.1.0
 */
export type EmptyParams = Readonly<Record<string, never>>

/**
 * A layer with any params: every `Layer<P>` is one. A layer is invariant in its params (`init`
 * returns them, `apply` takes them), so no `Layer<X>` holds them all; this type keeps what all
 * layers share — `init` gives params of some type, `apply` takes params of a type it does not
 * name (`never`: only a cast back to the layer's own `Layer<P>` may call it). The bound of
 * `sequential`'s arguments, and the element type of an array of mixed layers.
 *
 * @example
 * import { random } from 'purediff'
 * import { type AnyLayer, dense, relu, sequential } from 'purediff/nn'
 * const block: AnyLayer[] = [dense(4), relu()]
 * const model = sequential(...block, dense(2)) // a Layer<unknown[]>: one entry per layer
 * if (model.init(random.key(0), [3]).params.length !== 3) throw new Error()
 * @category model
 * @since 0.1.0
 */
export interface AnyLayer {
  readonly init: (key: Key, inputShape: readonly number[]) => LayerInit<unknown>
  readonly apply: (params: never, x: Tensor, ctx?: ApplyContext) => Tensor
  readonly name?: string
  readonly fusion?: LayerFusion<never>
}

/**
 * The parameter type of a layer (`unknown` for an `AnyLayer`).
 *
 * @category model
 * @since 0.1.0
 */
export type ParamsOf<L> = L extends { readonly init: (key: Key, inputShape: readonly number[]) => LayerInit<infer P> } ? P : never

/**
 * The parameters of `sequential(...layers)`: an array with one entry per layer, in order.
 *
 * @category model
 * @since 0.1.0
 */
export type SequentialParams<Ls extends readonly AnyLayer[]> = { -readonly [K in keyof Ls]: ParamsOf<Ls[K]> }

// --- constructors

/**
 * Flattens each example to a vector: `[batch, d₁, …, dₖ]` → `[batch, d₁·…·dₖ]` (row-major; a
 * reshape, so no copy). No parameters.
 *
 * @example
 * import { random, zeros } from 'purediff'
 * import { flatten } from 'purediff/nn'
 * const f = flatten()
 * const { params, outputShape } = f.init(random.key(0), [2, 3, 4])
 * if (outputShape.join() !== '24' || f.apply(params, zeros([5, 2, 3, 4])).shape.join() !== '5,24') throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function flatten(): Layer<EmptyParams> {
  return {
    name: 'flatten',
    init: (key, inputShape) => {
      checkKey('flatten', key)
      const s = checkInputShape('flatten', inputShape)
      return { params: {}, outputShape: [s.reduce((a, b) => a * b, 1)] }
    },
    apply: (_params, x) => {
      const t = checkInput('flatten', x, 1)
      return reshape(t, [t.shape[0], t.shape.slice(1).reduce((a, b) => a * b, 1)])
    },
  }
}

// --- combinators

/**
 * Layers in sequence: y = fₙ(… f₂(f₁(x))). Params are an array, one entry per layer. `init`
 * splits its key once per layer (`random.split(key, n)`, layer i gets key i) and threads the
 * output shape of each layer into the next; `apply` likewise splits `ctx.key` (when given) and
 * passes key i to layer i, with the same `train` flag. An error inside a sublayer is rethrown
 * (same class) naming its position, e.g. `sequential: layer 2 (dense(10)): …`. No layers: the
 * identity, with params `[]`. `dense`, `conv1d` or `conv2d` followed by `relu` (by their `fusion` descriptors, so
 * copies and forwarding wrappers too) runs as one kernel, bitwise the same as the two layers.
 *
 * @example
 * import { random, toFlatArray, tensor } from 'purediff'
 * import { dense, relu, sequential } from 'purediff/nn'
 * const model = sequential(dense(4), relu(), dense(2))
 * const { params, outputShape } = model.init(random.key(0), [3])
 * if (params.length !== 3 || outputShape.join() !== '2') throw new Error()
 * const y = model.apply(params, tensor([[1, 2, 3]]))
 * if (y.shape.join() !== '1,2' || toFlatArray(y).some((v) => !Number.isFinite(v))) throw new Error()
 * @category combinators
 * @since 0.1.0
 */
export function sequential<Ls extends readonly AnyLayer[]>(...layers: Ls): Layer<SequentialParams<Ls>> {
  // AnyLayer: a layer is invariant in its params, so layers with different params fit one array
  // only as AnyLayer; SequentialParams restores the types, and params[i] is layer i's (see init).
  layers.forEach((l, i) => {
    if (l === null || typeof l !== 'object' || typeof l.init !== 'function' || typeof l.apply !== 'function') {
      throw new ArgumentError('sequential', `argument ${i} must be a layer { init, apply }, got ${describe(l)}`)
    }
  })
  const n = layers.length
  const label = (i: number) => `layer ${i} (${layers[i].name ?? 'layer'})`
  // why: speed; an affine layer and the ReLU after it run as one kernel, decided here from
  // the layers' descriptors, once (see fusion.ts)
  const kinds = layers.map((l, i) => checkLayerFusion('sequential', i, l))
  const fused = kinds.map((f, i) => fusedPair(f, kinds[i + 1]))
  return {
    name: 'sequential',
    init: (key, inputShape) => {
      checkKey('sequential', key)
      const keys = n > 0 ? random.split(key, n) : []
      let shape = checkInputShape('sequential', inputShape)
      const params = layers.map((layer, i) => {
        let r: LayerInit<unknown>
        try {
          r = layer.init(keys[i], shape)
        } catch (e) {
          return rethrowWithin(e, 'sequential', `${label(i)}.init with input shape [${shape.join(',')}]`)
        }
        shape = r.outputShape
        return r.params
      })
      // Entry i holds layer i's params, which is what SequentialParams<Ls> says; TypeScript
      // cannot follow a map over a tuple type, hence the one cast.
      return { params: params as SequentialParams<Ls>, outputShape: shape.slice() }
    },
    apply: (params, x, ctx = {}) => {
      if (!Array.isArray(params) || params.length !== n) {
        throw new ArgumentError('sequential', `params must be an array of ${n} entries (one per layer, as init returns), got ${describe(params)}`)
      }
      if (ctx === null || typeof ctx !== 'object') throw new ArgumentError('sequential', `ctx must be an object { train?, key? }, got ${describe(ctx)}`)
      if (ctx.key !== undefined && !random.isKey(ctx.key) && !random.isKeyTensor(ctx.key))
        throw new ArgumentError('sequential', `ctx.key must be a random key or a key tensor, got ${describe(ctx.key)}`)
      const keys = ctx.key !== undefined && n > 0 ? random.split(ctx.key, n) : undefined
      let y = x
      for (let i = 0; i < n; i++) {
        try {
          const f = fused[i]
          if (f === undefined) y = layers[i].apply(params[i] as never, y, keys === undefined ? ctx : { ...ctx, key: keys[i] })
          else {
            y = f(params[i] as never, y)
            i++
          }
        } catch (e) {
          rethrowWithin(e, 'sequential', `${label(i)}`)
        }
      }
      return y
    },
  }
}

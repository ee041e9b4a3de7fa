/**
 * The embedding layer: integer token ids → learned vectors, one row of a `[vocab, dim]` table
 * per id, looked up with `take`. Its gradient with respect to the table is therefore `take`'s
 * transpose, a scatter-add of the incoming rows into the ids' rows (repeated ids add up), never
 * the product with a dense one-hot matrix, which would cost vocab × dim per id.
 *
 * @since 0.2.0
 */
import { type DType, type Tensor, ArgumentError, ShapeError, random, take } from '../index.js'
import { checkDType, checkSize } from '../tensor/dtype.js'
import type { Initializer } from './init.js'
import type { Layer } from './Layer.js'
import { checkInput, checkInputShape, checkKey, checkOptions, checkParam, checkPositiveInt, describe, fmt, rethrowWithin } from './checks.js'

// --- model

/**
 * Options of `embedding`: `init`, the table's initialiser (default: N(0, 1/dim), as Flax's
 * `nn.Embed`; Keras draws U(−0.05, 0.05), PyTorch N(0, 1): pass `init.constant`,
 * a `random.uniform` wrapper, … to match them), and `dtype` ('float32'), the table's dtype.
 *
 * @example
 * import { random } from 'purediff'
 * import { type EmbeddingOptions, embedding, init } from 'purediff/nn'
 * const opts: EmbeddingOptions = { init: init.constant(0.5), dtype: 'float64' }
 * const { params } = embedding(10, 4, opts).init(random.key(0), [])
 * if (params.table.dtype !== 'float64' || params.table.shape.join() !== '10,4') throw new Error()
 * @category model
 * @since 0.2.0
 */
export interface EmbeddingOptions {
  readonly init?: Initializer
  readonly dtype?: DType
}

/**
 * The parameters of `embedding`: the `table` of shape `[vocab, dim]`, row k the vector of id k.
 *
 * @category model
 * @since 0.2.0
 */
export interface EmbeddingParams {
  readonly table: Tensor
}

// --- constructors

/**
 * Flax's default embedding initialiser (`variance_scaling(1, 'fan_in', 'normal', out_axis=0)`):
 * N(0, σ²) with σ = 1/√dim, so a looked-up vector has squared norm ≈ 1 whatever its width.
 */
const normalByDim: Initializer = (key, shape, dtype = 'float32') => random.normal(key, shape, { std: 1 / Math.sqrt(shape[1]), dtype })

/**
 * Embedding layer: maps int32 ids of any shape `[batch, …]` to vectors, `[batch, …, dim]`, the
 * row `table[id]` of a learned `[vocab, dim]` table per id (a negative id counts from the end, as
 * in `take`; an id outside [−vocab, vocab) is an ArgumentError naming it, its position and vocab).
 * One example's `inputShape` is its id shape (`[]` for one id, `[seqLen]` for a sequence); the
 * output shape adds `dim`. The table starts N(0, 1/dim), Flax's default (`opts.init` to change
 * it). `apply` is `take(table, ids)`, so the table's gradient is a scatter-add of the incoming
 * rows (repeated ids accumulate), and ids get no gradient.
 *
 * @example
 * import { grad, random, sum, tensor, toArray } from 'purediff'
 * import { embedding } from 'purediff/nn'
 * const layer = embedding(3, 2)
 * const { params, outputShape } = layer.init(random.key(0), [4])
 * if (outputShape.join() !== '4,2' || params.table.shape.join() !== '3,2') throw new Error()
 * const table = tensor([[1, 2], [3, 4], [5, 6]])
 * const ids = tensor([[2, 0, 2, -1]], 'int32') // a batch of one sequence of 4 ids
 * const y = layer.apply({ table }, ids)
 * if (JSON.stringify(toArray(y)) !== '[[[5,6],[1,2],[5,6],[5,6]]]') throw new Error()
 * // id 2 is used 3 times, id 0 once, id 1 never: the gradient of Σy counts them, row by row
 * const g = grad((p: { table: typeof table }) => sum(layer.apply(p, ids)))({ table })
 * if (JSON.stringify(toArray(g.table)) !== '[[1,1],[0,0],[3,3]]') throw new Error()
 * @category constructors
 * @since 0.2.0
 */
export function embedding(vocab: number, dim: number, opts?: EmbeddingOptions): Layer<EmbeddingParams> {
  const v = checkPositiveInt('embedding', 'vocab', vocab)
  const d = checkPositiveInt('embedding', 'dim', dim)
  const name = `embedding(${v}, ${d})`
  const o = checkOptions(name, opts)
  const { init = normalByDim, dtype = 'float32' } = o
  if (typeof init !== 'function') throw new ArgumentError(name, `init must be an initialiser (key, shape, dtype) => Tensor, got ${describe(init)}`)
  checkDType(name, dtype)
  return {
    name,
    init: (key, inputShape) => {
      const k = checkKey(name, key)
      const s = checkInputShape(name, inputShape)
      // checked from the shape before the initialiser runs: embedding(1e9, 1e3) fails here
      checkSize(name, [v, d], dtype, 'the table')
      const table = checkParam(name, 'table', init(k, [v, d], dtype))
      if (table.rank !== 2 || table.shape[0] !== v || table.shape[1] !== d || table.dtype !== dtype) {
        throw new ShapeError(name, `init returned a ${table.dtype} tensor of shape ${fmt(table.shape)}; expected ${dtype} [${v},${d}]`)
      }
      return { params: { table }, outputShape: [...s, d] }
    },
    apply: (params, x) => {
      if (params === null || typeof params !== 'object') throw new ArgumentError(name, `params must be { table } as init returns, got ${describe(params)}`)
      const table = checkParam(name, 'table', params.table)
      if (table.rank !== 2 || table.shape[1] !== d || table.shape[0] !== v) {
        throw new ShapeError(name, `params.table must have shape [${v},${d}] ([vocab, dim]), got ${fmt(table.shape)}`)
      }
      const ids = checkInput(name, x, 1)
      try {
        return take(table, ids)
      } catch (e) {
        rethrowWithin(e, name, 'looking up the ids')
      }
    },
  }
}

/**
 * Mini-batches: `batches(key, data, batchSize)` shuffles the examples of `{ x, y }` (batch on
 * axis 0) with `random.permutation(key, n)` and cuts them into consecutive batches. Rows are
 * gathered by one typed-array copy per row (no per-element closures, no autodiff nodes).
 *
 * @since 0.1.0
 */
import { type Key, type Tensor, ArgumentError, ShapeError, random } from '../index.js'
import { dataOf, fromData } from '../tensor/Tensor.js'
import { checkTensor, describe } from '../tensor/checks.js'
import { alloc } from '../tensor/dtype.js'

// --- model

/**
 * A data set or a batch: inputs `x` and targets `y`, with the examples on axis 0 of both.
 *
 * @example
 * import { tensor } from 'purediff'
 * import type { Data } from 'purediff/train'
 * const d: Data = { x: tensor([[0, 1], [1, 0]]), y: tensor([[1, 0], [0, 1]]) }
 * if (d.x.shape[0] !== d.y.shape[0]) throw new Error()
 * @category model
 * @since 0.1.0
 */
export interface Data {
  readonly x: Tensor
  readonly y: Tensor
}

// --- constructors

/**
 * The examples of `data` in the random order `random.permutation(key, n)`, cut into batches of
 * `batchSize` rows; the last batch keeps the `n mod batchSize` rows left over (it is never
 * dropped), so every example appears in exactly one batch. Each batch keeps the dtypes of `data`
 * (int32 class indices in `y` stay int32). Pure: the same key gives the same
 * batches, and `data` is not changed. `n = 0` gives no batches. Throws an ArgumentError for a
 * batch size that is not a positive integer, a ShapeError when `x` and `y` disagree on the
 * number of examples.
 *
 * @example
 * import { random, tensor, toFlatArray } from 'purediff'
 * import { batches } from 'purediff/train'
 * const data = { x: tensor([[0], [1], [2], [3], [4]]), y: tensor([[0], [10], [20], [30], [40]]) }
 * const bs = batches(random.key(0), data, 2)
 * if (bs.map((b) => b.x.shape[0]).join() !== '2,2,1') throw new Error()
 * const xs = bs.flatMap((b) => toFlatArray(b.x)), ys = bs.flatMap((b) => toFlatArray(b.y))
 * if (xs.slice().sort().join() !== '0,1,2,3,4' || ys.some((v, i) => v !== 10 * xs[i])) throw new Error()
 * @category constructors
 * @since 0.1.0
 */
export function batches(key: Key, data: Data, batchSize: number): Data[] {
  const op = 'batches'
  const { x, y, n } = checkData(op, data)
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new ArgumentError(op, `batchSize must be a positive integer, got ${describe(batchSize)}`)
  }
  const order = random.permutation(key, n)
  const out: Data[] = []
  for (let start = 0; start < n; start += batchSize) {
    const rows = order.slice(start, Math.min(n, start + batchSize))
    out.push({ x: gatherRows(x, rows), y: gatherRows(y, rows) })
  }
  return out
}

// --- internal

/** Checks `{ x, y }`: two tensors of rank ≥ 1 with the same number of rows. @internal */
export function checkData(op: string, data: unknown, name = 'data'): { x: Tensor; y: Tensor; n: number } {
  if (data === null || typeof data !== 'object') throw new ArgumentError(op, `${name} must be an object { x, y }, got ${describe(data)}`)
  const d = data as { x?: unknown; y?: unknown }
  const x = checkTensor(op, d.x, `${name}.x`)
  const y = checkTensor(op, d.y, `${name}.y`)
  if (x.rank < 1 || y.rank < 1) throw new ShapeError(op, `${name}.x and ${name}.y need the examples on axis 0; got shapes [${x.shape.join(',')}] and [${y.shape.join(',')}]`)
  if (x.shape[0] !== y.shape[0]) {
    throw new ShapeError(op, `${name}.x has ${x.shape[0]} examples but ${name}.y has ${y.shape[0]} (axis 0 must agree)`)
  }
  return { x, y, n: x.shape[0] }
}

/** Rows `rows` of `t` (axis 0), in that order, as a new concrete tensor. @internal */
export function gatherRows(t: Tensor, rows: readonly number[]): Tensor {
  const src = dataOf(t)
  const width = t.shape[0] === 0 ? 0 : t.size / t.shape[0]
  const out = alloc(t.dtype, rows.length * width, 'batches', [rows.length, ...t.shape.slice(1)])
  for (let i = 0; i < rows.length; i++) out.set(src.subarray(rows[i] * width, (rows[i] + 1) * width), i * width)
  return fromData(out, Object.freeze([rows.length, ...t.shape.slice(1)]), t.dtype)
}

/** Rows `[start, end)` of `t` (axis 0). @internal */
export function rowRange(t: Tensor, start: number, end: number): Tensor {
  const width = t.shape[0] === 0 ? 0 : t.size / t.shape[0]
  const out = alloc(t.dtype, (end - start) * width, 'batches', [end - start, ...t.shape.slice(1)])
  out.set(dataOf(t).subarray(start * width, end * width))
  return fromData(out, Object.freeze([end - start, ...t.shape.slice(1)]), t.dtype)
}

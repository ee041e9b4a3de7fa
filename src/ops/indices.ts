/**
 * The `indices` argument of the indexing ops: an index tensor, a plain (nested) array of
 * integers or one integer, turned into the tensor that becomes a primitive INPUT (never a
 * param, so batching and staging traces see it); and the range check every primitive runs on
 * its indices before a kernel reads them, which names the offending index, where it sits and
 * the bound.
 *
 * @internal
 */
import { firstBadIndex } from '../kernels/gather.js'
import { alloc } from '../tensor/dtype.js'
import { ArgumentError, DTypeError, fmt } from '../tensor/errors.js'
import { type ConcreteTensor, Tensor, fromData } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'

/** What the indexing ops accept as indices. @category model @since 0.2.0 */
export type Indices = Tensor | number | readonly Indices[]

/** The dtype index tensors must have, and that arrays of indices are stored in. */
export const INDEX_DTYPE = 'int32' as const

/** `[1,0]` for flat position `p` in a row-major tensor of `shape`; empty for rank 0. */
function position(shape: readonly number[], p: number): string {
  if (shape.length === 0) return ''
  const at = new Array<number>(shape.length)
  let r = p
  for (let d = shape.length - 1; d >= 0; d--) {
    at[d] = r % shape[d]
    r = Math.floor(r / shape[d])
  }
  return `[${at.join(',')}]`
}

function rangeError(op: string, value: unknown, where: string, n: number, what: string): ArgumentError {
  const v = typeof value === 'number' ? String(value) : describe(value)
  const why = Number.isInteger(value) ? 'is out of range for' : 'is not an integer; it indexes'
  return new ArgumentError(op, `index ${v} at indices${where} ${why} ${what}; expected an integer in [${-n}, ${n})`)
}

/**
 * `indices` as a tensor of index dtype. A tensor of another dtype is a DTypeError; an array
 * must be rectangular with integer entries in [−n, n) (else an ArgumentError naming the entry,
 * its position and the bound; `what` names the indexed axis, e.g. "axis 0 (length 5) of x of shape [5,3]").
 */
export function indexTensor(op: string, indices: unknown, n: number, what: string): Tensor {
  if (indices instanceof Tensor) {
    if (indices.dtype !== INDEX_DTYPE) {
      throw new DTypeError(
        op,
        `indices must be an int32 tensor or an array of integers, got a ${indices.dtype} tensor of shape ${fmt(indices.shape)}; cast(indices, 'int32') converts one (truncating toward 0)`,
      )
    }
    return indices
  }
  if (typeof indices !== 'number' && !Array.isArray(indices)) {
    throw new ArgumentError(op, `indices must be an int32 tensor, an integer or a (nested) array of integers, got ${describe(indices)}`)
  }
  const shape: number[] = []
  for (let probe: unknown = indices; Array.isArray(probe); probe = probe[0]) {
    shape.push(probe.length)
    if (probe.length === 0) break
  }
  const out = alloc(INDEX_DTYPE, 0, op, shape)
  let k = 0
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new ArgumentError(op, `indices${path} is ${describe(v)}; expected an integer (ragged nesting?)`)
      // the int32 bounds too: an axis longer than 2^31 has entries no int32 index reaches
      if (!Number.isInteger(v) || v < -n || v >= n || v < -2147483648 || v > 2147483647) throw rangeError(op, v, path, n, what)
      out[k++] = v
      return
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ArgumentError(op, `indices are ragged at indices${path}: expected an array of length ${shape[depth]}, got ${describe(v)}`)
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`)
  }
  walk(indices, 0, '')
  return fromData(out, Object.freeze(shape), INDEX_DTYPE)
}

/**
 * Throws unless every entry of the concrete index tensor is an integer in [−n, n): the check
 * each indexing primitive runs before its kernel (an index tensor's values are known only
 * there, not while tracing).
 */
export function checkInRange(op: string, idx: ConcreteTensor, n: number, what: string): void {
  const bad = firstBadIndex(idx._data, n)
  if (bad >= 0) throw rangeError(op, idx._data[bad], position(idx.shape, bad), n, what)
}

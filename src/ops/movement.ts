/**
 * More movement ops: `pad`, `cumsum`, `flip` and `tile`. Each is its own transpose up to a
 * reindexing, so its rules are one op: pad's vjp is a slice, cumsum's a reversed cumsum,
 * flip's a flip, and tile's (composed of reshape and broadcastTo) a sum over the repeats.
 * Every dtype: pad, flip and tile copy values; cumsum keeps int32 (wrapping) and counts bool as int32.
 *
 * @since 0.2.0
 */
import * as km from '../kernels/movement.js'
import * as ki from '../kernels/integer.js'
import { alloc } from '../tensor/dtype.js'
import { ArgumentError, ShapeError, fmt } from '../tensor/errors.js'
import { type Shape, normalizeAxes, normalizeAxis, sizeOf, stridesOf } from '../tensor/shape.js'
import { type Tensor, fromData } from '../tensor/Tensor.js'
import { checkTensor, describe } from '../tensor/checks.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { broadcastTo, reshape, slice } from './shape.js'
import { cast } from './arithmetic.js'

// --- pad

interface PadParams {
  readonly before: readonly number[]
  readonly shape: Shape
  readonly value: number
}

const padP: Primitive<PadParams> = {
  name: 'pad',
  impl: ([x], { before, shape, value }) => {
    const out = alloc(x.dtype, sizeOf(shape), 'pad', shape)
    // alloc zero-fills: skip the fill only for +0 (a fill value of −0 must keep its sign).
    if (!Object.is(value, 0)) out.fill(value)
    km.padInto(x._data, x.shape, before, shape, stridesOf(shape), out)
    return fromData(out, shape, x.dtype)
  },
  // The fill value is a constant: the tangent pads with zeros.
  jvp: ([t], _x, _o, { before, shape }) => (t === null ? null : bind(padP, [t], { before, shape, value: 0 })),
  vjp: (g, [x], _o, { before }) => [slice(g, before, x.shape)],
}

/**
 * Pads with a constant: `widths[d] = [before, after]` adds that many entries of `value` before
 * and after axis d, so the result has shape `before + n + after` per axis (NumPy's constant
 * mode, `tf.pad`). One pair per axis, non-negative integers. Its vjp slices the interior back out.
 *
 * @example
 * import { pad, tensor, toArray } from 'purediff'
 * const y = pad(tensor([[1, 2]]), [[1, 0], [0, 2]], 9)
 * if (JSON.stringify(toArray(y)) !== '[[9,9,9,9],[1,2,9,9]]') throw new Error()
 * @category shape
 * @since 0.2.0
 */
export function pad(x: Tensor, widths: readonly (readonly [number, number])[], value = 0): Tensor {
  const t = checkTensor('pad', x)
  if (!Array.isArray(widths) || widths.length !== t.rank) {
    throw new ArgumentError('pad', `widths must hold one [before, after] pair per axis of shape ${fmt(t.shape)} (${t.rank}), got ${JSON.stringify(widths) ?? describe(widths)}`)
  }
  widths.forEach((w, d) => {
    if (!Array.isArray(w) || w.length !== 2 || !w.every((n) => Number.isInteger(n) && n >= 0)) {
      throw new ArgumentError('pad', `widths[${d}] is ${JSON.stringify(w) ?? describe(w)}; expected [before, after] with non-negative integers`)
    }
  })
  if (typeof value !== 'number') throw new ArgumentError('pad', `value must be a number, got ${describe(value)}`)
  if (widths.every(([b, a]) => b === 0 && a === 0)) return t
  const before = widths.map(([b]) => b)
  const shape = Object.freeze(widths.map(([b, a], d) => b + t.shape[d] + a))
  return bind(padP, [t], { before, shape, value })
}

// --- cumsum

interface CumsumParams {
  readonly axis: number
  readonly reverse: boolean
}

const cumsumP: Primitive<CumsumParams> = {
  name: 'cumsum',
  impl: ([x], { axis, reverse }) => {
    const out = alloc(x.dtype, x.size, 'cumsum', x.shape)
    const n = x.shape[axis]
    const inner = sizeOf(x.shape.slice(axis + 1))
    const outer = n * inner === 0 ? 0 : x.size / (n * inner)
    if (x.dtype === 'int32') ki.cumsumI(x._data, outer, n, inner, reverse, out)
    else km.cumsum(x._data, outer, n, inner, reverse, new Float64Array(inner), out)
    return fromData(out, x.shape, x.dtype)
  },
  jvp: ([t], _x, _o, p) => (t === null ? null : bind(cumsumP, [t], p)),
  // y_k = Σ_{j≤k} x_j, so ∂L/∂x_j = Σ_{k≥j} g_k: the same sum run backwards.
  vjp: (g, _x, _o, { axis, reverse }) => [bind(cumsumP, [g], { axis, reverse: !reverse })],
}

/**
 * Inclusive running sum along `axis`: `y[…, k, …] = Σ_{j≤k} x[…, j, …]` (`np.cumsum`,
 * `tf.cumsum`). Sums run in float64 even for float32 tensors; int32 sums wrap modulo 2³² and
 * bool counts as int32. Its vjp is the reversed running
 * sum `Σ_{k≥j} g_k`.
 *
 * @example
 * import { cumsum, tensor, toArray } from 'purediff'
 * const y = cumsum(tensor([[1, 2, 3], [4, 5, 6]]), 1)
 * if (JSON.stringify(toArray(y)) !== '[[1,3,6],[4,9,15]]') throw new Error()
 * @category shape
 * @since 0.2.0
 */
export function cumsum(x: Tensor, axis: number): Tensor {
  const x0 = checkTensor('cumsum', x)
  // bool counts as int32, as in sum
  const t = x0.dtype === 'bool' ? cast(x0, 'int32') : x0
  if (t.rank === 0) throw new ShapeError('cumsum', 'cannot run a sum along an axis of a rank-0 tensor; expected rank ≥ 1')
  if (typeof axis !== 'number') throw new ArgumentError('cumsum', `axis must be an integer, got ${describe(axis)}`)
  const a = normalizeAxis('cumsum', axis, t.rank)
  if (t.shape[a] <= 1) return t
  return bind(cumsumP, [t], { axis: a, reverse: false })
}

// --- flip

const flipP: Primitive<readonly number[]> = {
  name: 'flip',
  impl: ([x], axes) => {
    // A strided copy that walks the flipped axes backwards: start at their last entry and
    // step by minus their stride.
    const str = stridesOf(x.shape)
    let off = 0
    for (const a of axes) {
      off += (x.shape[a] - 1) * str[a]
      str[a] = -str[a]
    }
    const out = alloc(x.dtype, x.size, 'flip', x.shape)
    km.stridedCopy(x._data, off, str, x.shape, out)
    return fromData(out, x.shape, x.dtype)
  },
  jvp: ([t], _x, _o, axes) => (t === null ? null : bind(flipP, [t], axes)),
  vjp: (g, _x, _o, axes) => [bind(flipP, [g], axes)],
}

/**
 * Reverses the order of the entries along `axis` (one axis, several, or all by default):
 * `y[…, k, …] = x[…, n−1−k, …]` (`np.flip`, `tf.reverse`). It is its own inverse and its own vjp.
 *
 * @example
 * import { flip, tensor, toArray } from 'purediff'
 * if (JSON.stringify(toArray(flip(tensor([[1, 2], [3, 4]]), 1))) !== '[[2,1],[4,3]]') throw new Error()
 * if (JSON.stringify(toArray(flip(tensor([[1, 2], [3, 4]])))) !== '[[4,3],[2,1]]') throw new Error()
 * @category shape
 * @since 0.2.0
 */
export function flip(x: Tensor, axis?: number | readonly number[]): Tensor {
  const t = checkTensor('flip', x)
  if (axis !== undefined && typeof axis !== 'number' && !Array.isArray(axis)) {
    throw new ArgumentError('flip', `axis must be an integer or an array of integers, got ${describe(axis)}`)
  }
  const axes = normalizeAxes('flip', axis, t.rank).filter((a) => t.shape[a] > 1)
  if (axes.length === 0) return t
  return bind(flipP, [t], axes)
}

// --- tile

/**
 * Repeats the whole tensor `reps[d]` times along each axis d (`np.tile`, `tf.tile`), so axis d
 * has length `reps[d]·n_d`: `y[…, r·n + k, …] = x[…, k, …]`. `reps` has one non-negative
 * integer per axis. Built as reshape → broadcastTo → reshape (one copy), so its vjp sums the
 * cotangent over the repeats.
 *
 * @example
 * import { tile, tensor, toArray } from 'purediff'
 * if (JSON.stringify(toArray(tile(tensor([[1, 2]]), [2, 2]))) !== '[[1,2,1,2],[1,2,1,2]]') throw new Error()
 * @category shape
 * @since 0.2.0
 */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  const t = checkTensor('tile', x)
  if (!Array.isArray(reps) || reps.length !== t.rank) {
    throw new ArgumentError('tile', `reps must hold one count per axis of shape ${fmt(t.shape)} (${t.rank}), got ${JSON.stringify(reps) ?? describe(reps)}`)
  }
  reps.forEach((r, d) => {
    if (!Number.isInteger(r) || r < 0) throw new ArgumentError('tile', `reps[${d}] is ${JSON.stringify(r) ?? describe(r)}; expected a non-negative integer`)
  })
  if (reps.every((r) => r === 1)) return t
  // [n0, n1] → [1, n0, 1, n1] → [r0, n0, r1, n1] → [r0·n0, r1·n1]: the repeat axis goes first,
  // so each copy of the tensor is contiguous along its axis.
  const split: number[] = []
  const wide: number[] = []
  t.shape.forEach((n, d) => {
    split.push(1, n)
    wide.push(reps[d], n)
  })
  return reshape(
    broadcastTo(reshape(t, split), wide),
    t.shape.map((n, d) => reps[d] * n),
  )
}

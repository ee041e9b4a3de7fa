/**
 * Linear algebra: `matmul` (2-D, batched over broadcast leading axes) and `dot`.
 * Internally one primitive carries transpose flags, so the backward pass multiplies by
 * transposed operands without materialising a transpose.
 *
 * Integers: a product of two int32 (or bool) operands is int32, exact and wrapping modulo 2³²
 * (a plain loop, not the float kernels); an int operand beside a float one is made float32.
 *
 * @since 0.1.0
 */
import * as kmm from '../kernels/dispatch.js'
import * as ki from '../kernels/integer.js'
import { alloc, arithmeticOf, isFloat, promote } from '../tensor/dtype.js'
import { ShapeError, fmt } from '../tensor/errors.js'
import { broadcastShapes, broadcastStrides, sizeOf } from '../tensor/shape.js'
import { type Tensor, fromData } from '../tensor/Tensor.js'
import { checkTensor } from '../tensor/checks.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { cast, mul, plus } from './arithmetic.js'
import { sum } from './reduce.js'
import { reshape } from './shape.js'
import { toFloat } from './prim.js'

interface MatmulParams {
  readonly ta: boolean
  readonly tb: boolean
}

/** Rows, columns and inner size of op(a)·op(b), and the batch shape; throws naming matmul. */
function dims(a: Tensor, b: Tensor, ta: boolean, tb: boolean) {
  const ra = a.rank,
    rb = b.rank
  const m = ta ? a.shape[ra - 1] : a.shape[ra - 2]
  const ka = ta ? a.shape[ra - 2] : a.shape[ra - 1]
  const kb = tb ? b.shape[rb - 1] : b.shape[rb - 2]
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1]
  if (ka !== kb) {
    throw new ShapeError(
      'matmul',
      `inner dimensions differ: ${fmt(a.shape)}${ta ? 'ᵀ' : ''} · ${fmt(b.shape)}${tb ? 'ᵀ' : ''} (${ka} vs ${kb}); expected a's last axis to equal b's second-to-last`,
    )
  }
  const batch = broadcastShapes('matmul', a.shape.slice(0, ra - 2), b.shape.slice(0, rb - 2))
  return { m, n, k: ka, batch }
}

const matmulP: Primitive<MatmulParams> = {
  name: 'matmul',
  impl: ([a, b], { ta, tb }) => {
    const { m, n, k, batch } = dims(a, b, ta, tb)
    const dtype = arithmeticOf(promote(a.dtype, b.dtype))
    const shape = Object.freeze([...batch, m, n])
    const out = alloc(dtype, sizeOf(shape), 'matmul', shape)
    const nb = sizeOf(batch)
    // Integer products run their own exact, wrapping loop; an int operand of a float product was
    // made float by the public wrapper, so the float kernels only ever see float arrays.
    const kernel = dtype === 'int32' ? ki.matmulI : kmm.matmul
    const ad = dtype === 'int32' && a.dtype === 'bool' ? Int32Array.from(a._data) : a._data
    const bd = dtype === 'int32' && b.dtype === 'bool' ? Int32Array.from(b._data) : b._data
    if (nb === 1) {
      kernel(ad, 0, bd, 0, out, 0, m, n, k, ta, tb)
    } else {
      // Batch offsets through broadcast strides over the batch axes (in units of matrices).
      const sa = broadcastStrides(a.shape.slice(0, a.rank - 2), batch)
      const sb = broadcastStrides(b.shape.slice(0, b.rank - 2), batch)
      const idx = new Array<number>(batch.length).fill(0)
      let ia = 0,
        ib = 0
      for (let t = 0; t < nb; t++) {
        kernel(ad, ia * m * k, bd, ib * k * n, out, t * m * n, m, n, k, ta, tb)
        for (let d = batch.length - 1; d >= 0; d--) {
          ia += sa[d]
          ib += sb[d]
          if (++idx[d] < batch[d]) break
          ia -= sa[d] * batch[d]
          ib -= sb[d] * batch[d]
          idx[d] = 0
        }
      }
    }
    return fromData(out, shape, dtype)
  },
  // With C = op(A)·op(B): for each flag combination the cotangents are again products with
  // flags, e.g. C = A·B gives dA = G·Bᵀ, dB = Aᵀ·G; C = A·Bᵀ gives dA = G·B, dB = Gᵀ·A.
  // d(op(A)·op(B)) = op(dA)·op(B) + op(A)·op(dB)
  jvp: ([dA, dB], [a, b], _o, { ta, tb }) => {
    const l = dA === null ? null : mm(dA, b, ta, tb)
    const r = dB === null ? null : mm(a, dB, ta, tb)
    return plus(l, r)
  },
  vjp: (g, [a, b], _o, { ta, tb }, needs) => {
    let da: Tensor | null = null
    let db: Tensor | null = null
    if (needs[0]) da = ta ? mm(b, g, tb, true) : mm(g, b, false, !tb)
    if (needs[1]) db = tb ? mm(g, a, true, ta) : mm(a, g, !ta, false)
    return [da, db]
  },
}

/** An int32 or bool operand beside a float one becomes float32 (the float kernels see floats only). */
function floatPair(a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (isFloat(a.dtype) === isFloat(b.dtype)) return [a, b]
  return [toFloat(a), toFloat(b)]
}

/** @internal matmul with transpose flags (both operands rank ≥ 2). */
export function mm(a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor {
  if (isFloat(a.dtype) !== isFloat(b.dtype)) return bind(matmulP, floatPair(a, b), { ta, tb })
  return bind(matmulP, [a, b], { ta, tb })
}

/**
 * Matrix product. Both operands of rank ≥ 2 multiply their last two axes and broadcast the
 * leading (batch) axes; a rank-1 operand is treated as a row (left) or column (right) vector
 * and that axis is dropped from the result, as in NumPy.
 *
 * @example
 * import { matmul, tensor, toArray } from 'purediff'
 * const c = matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]]))
 * if (JSON.stringify(toArray(c)) !== '[[17],[39]]') throw new Error()
 * @category linear algebra
 * @since 0.1.0
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', a, 'a')
  checkTensor('matmul', b, 'b')
  if (a.rank === 0 || b.rank === 0) throw new ShapeError('matmul', `operands must have rank ≥ 1, got ${fmt(a.shape)} and ${fmt(b.shape)}`)
  const a2 = a.rank === 1 ? reshape(a, [1, a.shape[0]]) : a
  const b2 = b.rank === 1 ? reshape(b, [b.shape[0], 1]) : b
  if (a2.shape[a2.rank - 1] !== b2.shape[b2.rank - 2]) {
    throw new ShapeError(
      'matmul',
      `inner dimensions differ: ${fmt(a.shape)} · ${fmt(b.shape)} (${a2.shape[a2.rank - 1]} vs ${b2.shape[b2.rank - 2]}); expected a's last axis to equal b's second-to-last`,
    )
  }
  dims(a2, b2, false, false)
  const c = mm(a2, b2, false, false)
  if (a.rank > 1 && b.rank > 1) return c
  const s = c.shape.slice()
  if (b.rank === 1) s.splice(s.length - 1, 1)
  if (a.rank === 1) s.splice(s.length - (b.rank === 1 ? 1 : 2), 1)
  return reshape(c, s)
}

/**
 * Dot product: vector·vector gives a scalar (Σ aᵢbᵢ); otherwise the same as `matmul` for rank
 * 1 or 2 operands.
 *
 * @example
 * import { dot, tensor, item } from 'purediff'
 * if (item(dot(tensor([1, 2, 3]), tensor([4, 5, 6]))) !== 32) throw new Error()
 * @category linear algebra
 * @since 0.1.0
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor('dot', a, 'a')
  checkTensor('dot', b, 'b')
  if (a.rank < 1 || a.rank > 2 || b.rank < 1 || b.rank > 2) {
    throw new ShapeError('dot', `operands must have rank 1 or 2, got ${fmt(a.shape)} and ${fmt(b.shape)}; use matmul for batches`)
  }
  if (a.rank === 1 && b.rank === 1) {
    if (a.shape[0] !== b.shape[0]) throw new ShapeError('dot', `vector lengths differ: ${fmt(a.shape)} · ${fmt(b.shape)}; expected equal lengths`)
    const dt = arithmeticOf(promote(a.dtype, b.dtype))
    return sum(mul(cast(a, dt), cast(b, dt)))
  }
  return matmul(a, b)
}

/**
 * Fused primitives: several ops of a training step as one kernel forward and one rule backward.
 * They compute exactly what their unfused compositions compute (the same roundings), so they
 * are an implementation detail of `dense`, `sequential` and `losses.softmaxCrossEntropy`: fewer
 * passes over memory, fewer allocations, fewer nodes on the tape.
 *
 * @internal
 */
import * as kd from '../kernels/dispatch.js'
import { alloc } from '../tensor/dtype.js'
import { ArgumentError } from '../tensor/errors.js'
import { type Tensor, fromData } from '../tensor/Tensor.js'
import type { Primitive } from '../engine/primitive.js'
import { bind } from '../engine/trace.js'
import { add, mul, plus, sub } from './arithmetic.js'
import { mm } from './linalg.js'
import { exp, reluGrad } from './unary.js'
import { logSoftmax, sum } from './reduce.js'
import { broadcastTo, expandDims, oneHot } from './shape.js'

// --- affine: relu?(x·W + b)

interface AffineParams {
  readonly relu: boolean
}

// Inputs [x, w] or [x, w, b]; x is [m, k], w [k, n], b [n], all of one dtype (checked by the caller).
const affineP: Primitive<AffineParams> = {
  name: 'affine',
  impl: ([x, w, b], { relu }) => {
    const m = x.shape[0],
      k = x.shape[1],
      n = w.shape[1]
    const out = alloc(x.dtype, m * n, 'affine', [m, n])
    kd.affine(x._data, w._data, b === undefined ? null : b._data, out, m, n, k, relu)
    return fromData(out, Object.freeze([m, n]), x.dtype)
  },
  // dz = dx·W + x·dW + db; through ReLU, dy = [y > 0]·dz (y > 0 exactly where z > 0).
  jvp: ([dx, dw, db], [x, w], y, { relu }) => {
    let dz = plus(dx === null ? null : mm(dx, w, false, false), dw === null ? null : mm(x, dw, false, false))
    if (db !== null && db !== undefined) dz = dz === null ? broadcastTo(db, y.shape) : add(dz, db)
    return dz === null ? null : relu ? reluGrad(dz, y) : dz
  },
  // With gz = [y > 0]·g (or g): dx = gz·Wᵀ, dW = xᵀ·gz, db = Σ_rows gz (the engine sums the
  // broadcast cotangent back to b's shape, exactly as for add).
  vjp: (g, [x, w, b], y, { relu }, needs) => {
    const gz = relu ? reluGrad(g, y) : g
    const out: (Tensor | null)[] = [needs[0] ? mm(gz, w, false, true) : null, needs[1] ? mm(x, gz, true, false) : null]
    if (b !== undefined) out.push(needs[2] ? gz : null)
    return out
  },
}

/**
 * relu?(x·W + b) for x [m, k], W [k, n], b [n] (or no bias), all of one dtype: bitwise the same
 * as `relu(add(matmul(x, W), b))`, in one kernel call and one node.
 */
export function affine(x: Tensor, w: Tensor, b: Tensor | undefined, relu: boolean): Tensor {
  return bind(affineP, b === undefined ? [x, w] : [x, w, b], { relu })
}

// --- softmax cross-entropy per row

const same = (v: number): number => v

/** The shift of logSoftmax for row [o, o + c): its maximum (NaN wins), or 0 when that is ±∞. */
function rowShift(zd: ArrayLike<number>, o: number, c: number): number {
  let mx = -Infinity
  for (let j = 0; j < c; j++) {
    const v = zd[o + j]
    if (v > mx || Number.isNaN(v)) mx = v
  }
  return mx === -Infinity || mx === Infinity ? 0 : mx
}

const xentP: Primitive<undefined> = {
  name: 'logSoftmaxDot',
  // Per row over the last axis: Σⱼ yⱼ·logSoftmax(z)ⱼ with logSoftmax(z) = (z − max z) −
  // log Σ e^(z − max z) (a ±∞ maximum shifts by 0; NaN wins the max). Every intermediate is
  // rounded to the dtype where the unfused ops store it, in their order, so the value is bitwise
  // sum(mul(y, logSoftmax(z)), −1).
  impl: ([z, y]) => {
    const c = z.shape[z.rank - 1]
    const rows = c === 0 ? 0 : z.size / c
    const zd = z._data,
      yd = y._data
    const fr = z.dtype === 'float32' ? Math.fround : same
    const out = alloc(z.dtype, rows, 'softmaxCrossEntropy', [rows])
    const sh = new Float64Array(c)
    for (let r = 0, o = 0; r < rows; r++, o += c) {
      const mx = rowShift(zd, o, c)
      let s = 0
      for (let j = 0; j < c; j++) {
        sh[j] = fr(zd[o + j] - mx)
        s += fr(Math.exp(sh[j]))
      }
      const lg = fr(Math.log(fr(s)))
      let acc = 0
      for (let j = 0; j < c; j++) acc += fr(yd[o + j] * fr(sh[j] - lg))
      out[r] = acc
    }
    return fromData(out, Object.freeze(z.shape.slice(0, -1)), z.dtype)
  },
  // dℓ = Σⱼ (yⱼ − (Σy)·softmax(z)ⱼ)·dzⱼ + Σⱼ logSoftmax(z)ⱼ·dyⱼ
  jvp: ([dz, dy], [z, y]) => {
    const ls = logSoftmax(z, -1)
    const a = dz === null ? null : sum(mul(sub(y, mul(sum(y, -1, true), exp(ls))), dz), -1)
    const b = dy === null ? null : sum(mul(ls, dy), -1)
    return plus(a, b)
  },
  // ∂ℓ/∂z = y − (Σy)·softmax(z) and ∂ℓ/∂y = logSoftmax(z), times the row's cotangent.
  vjp: (g, [z, y], _o, _p, needs) => {
    const ls = logSoftmax(z, -1)
    const gr = expandDims(g, -1)
    return [needs[0] ? mul(gr, sub(y, mul(sum(y, -1, true), exp(ls)))) : null, needs[1] ? mul(gr, ls) : null]
  },
}

/**
 * Σ y·logSoftmax(z) over the last axis, one value per row, for z and y of one shape and dtype
 * (checked by the caller): bitwise `sum(mul(y, logSoftmax(z, −1)), −1)`, in one pass and one node.
 */
export function logSoftmaxDot(z: Tensor, y: Tensor): Tensor {
  return bind(xentP, [z, y], undefined)
}

// --- softmax cross-entropy per row, against integer labels

/**
 * softmax(z) − onehot(labels) over the last axis: ∂ℓ/∂z of one row; the one-hot is built only
 * here, in the rules. why exp(logSoftmax) rather than softmax: it rounds as logSoftmaxDot's rule
 * does, so the gradient is bitwise the one-hot loss's (the CLI's runs did not change a bit).
 */
const softmaxMinusOneHot = (z: Tensor, labels: Tensor): Tensor => sub(exp(logSoftmax(z, -1)), oneHot(labels, z.shape[z.rank - 1], z.dtype))

const xentIntP: Primitive<undefined> = {
  name: 'softmaxCrossEntropyWithIntegerLabels',
  // Per row: log Σⱼ e^(zⱼ − max z) − (z_label − max z) = logSumExp(z) − z_label, each intermediate
  // rounded where logSoftmaxDot rounds it, so the value is bitwise −logSoftmaxDot(z, oneHot)
  // (up to the sign of a zero) — without building the one-hot. The labels are checked here,
  // where they are concrete: an index outside [0, C) is an error, never clamped.
  impl: ([z, labels]) => {
    const c = z.shape[z.rank - 1]
    const rows = labels.size
    const zd = z._data,
      ld = labels._data
    const fr = z.dtype === 'float32' ? Math.fround : same
    const out = alloc(z.dtype, rows, 'softmaxCrossEntropyWithIntegerLabels', labels.shape)
    for (let r = 0, o = 0; r < rows; r++, o += c) {
      const label = ld[r]
      if (!(label >= 0 && label < c)) {
        throw new ArgumentError('losses.softmaxCrossEntropyWithIntegerLabels', `label ${label} at ${at(r, labels.shape)} is outside [0, ${c}): logits have ${c} classes`)
      }
      const mx = rowShift(zd, o, c)
      let s = 0
      for (let j = 0; j < c; j++) s += fr(Math.exp(fr(zd[o + j] - mx)))
      const lg = fr(Math.log(fr(s)))
      out[r] = fr(lg - fr(zd[o + label] - mx))
    }
    return fromData(out, labels.shape, z.dtype)
  },
  // dℓ = Σⱼ (softmax(z)ⱼ − [j = label])·dzⱼ; labels are int32 and carry no tangent.
  jvp: ([dz], [z, labels]) => (dz === null ? null : sum(mul(softmaxMinusOneHot(z, labels), dz), -1)),
  // ∂ℓ/∂z = softmax(z) − onehot(label), times the row's cotangent; nothing flows to the labels.
  vjp: (g, [z, labels], _o, _p, needs) => [needs[0] ? mul(expandDims(g, -1), softmaxMinusOneHot(z, labels)) : null, null],
}

/** Flat row r of a tensor of `shape` as `labels[i,j,…]`. */
function at(r: number, shape: readonly number[]): string {
  if (shape.length === 0) return 'labels'
  const idx = new Array<number>(shape.length)
  for (let a = shape.length - 1; a >= 0; a--) {
    idx[a] = r % shape[a]
    r = Math.floor(r / shape[a])
  }
  return `labels[${idx.join(',')}]`
}

/**
 * logSumExp(z) − z[label] per row, for float logits z [..., C] and int32 labels of shape
 * z.shape[:-1] (checked by the caller, except the label range, checked here): bitwise
 * −logSoftmaxDot(z, oneHot(labels)), in one pass and one node, no one-hot in the forward pass.
 */
export function softmaxCrossEntropyRows(z: Tensor, labels: Tensor): Tensor {
  return bind(xentIntP, [z, labels], undefined)
}

// --- inverted dropout: (x·m)/q

interface MaskParams {
  readonly q: number
}

const maskScaleP: Primitive<MaskParams> = {
  name: 'maskScale',
  // (x·m)/q with x·m rounded to the dtype first and q the dtype's value of q, as
  // div(mul(x, m), q) stores them, so the values are bitwise the unfused ones.
  impl: ([x, m], { q }) => {
    const n = x.size
    const xd = x._data,
      md = m._data
    const out = alloc(x.dtype, n, 'dropout', x.shape)
    if (x.dtype === 'float32') {
      const qd = Math.fround(q)
      for (let i = 0; i < n; i++) out[i] = Math.fround(xd[i] * md[i]) / qd
    } else {
      for (let i = 0; i < n; i++) out[i] = (xd[i] * md[i]) / q
    }
    return fromData(out, x.shape, x.dtype)
  },
  // Bilinear in (x, m): d[(x·m)/q] = (dx·m)/q + (x·dm)/q.
  jvp: ([dx, dm], [x, m], _o, params) => plus(dx === null ? null : bind(maskScaleP, [dx, m], params), dm === null ? null : bind(maskScaleP, [x, dm], params)),
  vjp: (g, [x, m], _o, params, needs) => [needs[0] ? bind(maskScaleP, [g, m], params) : null, needs[1] ? bind(maskScaleP, [g, x], params) : null],
}

/**
 * (x·m)/q for x and m of one shape and dtype (checked by the caller): bitwise
 * `div(mul(x, m), q)`, in one pass forward and one backward — inverted dropout's scaling.
 */
export function maskScale(x: Tensor, m: Tensor, q: number): Tensor {
  return bind(maskScaleP, [x, m], { q })
}

/**
 * The promotion table: every binary op against every pair of the four dtypes, and weak JS
 * numbers beside every dtype. The expected dtypes are written out here by hand from the
 * contract (DESIGN "Growth contract — dtypes and indexing"), not computed by the library's
 * `promote`: bool < int32 < float32 < float64; arithmetic counts bool as int32; div and pow
 * compute in floating point (ints give float32); comparisons and logic give bool; maximum,
 * minimum and where keep bool.
 */
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { DType, Tensor } from '../../src/index.js'

const dtypes: readonly DType[] = ['bool', 'int32', 'float32', 'float64']
const b = 'bool',
  i = 'int32',
  f = 'float32',
  d = 'float64'

// Rows: a's dtype (bool, int32, float32, float64); columns: b's dtype in the same order.
const larger: readonly (readonly DType[])[] = [
  [b, i, f, d],
  [i, i, f, d],
  [f, f, f, d],
  [d, d, d, d],
]
const arithmetic: readonly (readonly DType[])[] = [
  [i, i, f, d],
  [i, i, f, d],
  [f, f, f, d],
  [d, d, d, d],
]
const floating: readonly (readonly DType[])[] = [
  [f, f, f, d],
  [f, f, f, d],
  [f, f, f, d],
  [d, d, d, d],
]
const allBool: readonly (readonly DType[])[] = dtypes.map(() => dtypes.map(() => b))

type Binary = (x: Tensor, y: Tensor) => Tensor
const table: readonly [string, Binary, readonly (readonly DType[])[]][] = [
  ['add', P.add, arithmetic],
  ['sub', P.sub, arithmetic],
  ['mul', P.mul, arithmetic],
  ['floorDiv', P.floorDiv, arithmetic],
  ['mod', P.mod, arithmetic],
  ['div', P.div, floating],
  ['pow', P.pow, floating],
  ['maximum', P.maximum, larger],
  ['minimum', P.minimum, larger],
  ['where (branches)', (x, y) => P.where(P.tensor([1, 0], 'bool'), x, y), larger],
  ['concat', (x, y) => P.concat([x, y], 0), larger],
  ['matmul', (x, y) => P.matmul(P.reshape(x, [1, 2]), P.reshape(y, [2, 1])), arithmetic],
  ['equal', P.equal, allBool],
  ['notEqual', P.notEqual, allBool],
  ['greater', P.greater, allBool],
  ['greaterEqual', P.greaterEqual, allBool],
  ['less', P.less, allBool],
  ['lessEqual', P.lessEqual, allBool],
  ['logicalAnd', P.logicalAnd, allBool],
  ['logicalOr', P.logicalOr, allBool],
  ['logicalXor', P.logicalXor, allBool],
]

describe('promotion table: every binary op × every pair of dtypes', () => {
  for (const [name, op, expected] of table) {
    it(name, () => {
      dtypes.forEach((da, r) => {
        dtypes.forEach((db, c) => {
          // nonzero values, so integer floorDiv and mod have a divisor
          const out = op(P.tensor([1, 1], da), P.tensor([1, 1], db))
          expect(`${da} ${name} ${db} → ${out.dtype}`).toBe(`${da} ${name} ${db} → ${expected[r][c]}`)
        })
      })
    })
  }
})

describe('weak JS numbers take the tensor’s dtype when they fit', () => {
  // [tensor dtype, number, expected dtype of add(tensor, number)] — by the contract's rule
  const cases: readonly [DType, number, DType][] = [
    ['float32', 2, 'float32'],
    ['float32', 0.5, 'float32'],
    ['float64', 0.5, 'float64'],
    ['float64', 3, 'float64'],
    ['int32', 3, 'int32'],
    ['int32', -2147483648, 'int32'],
    ['int32', 2147483648, 'float32'], // an integer beyond int32 does not fit
    ['int32', 0.5, 'float32'],
    ['int32', Number.NaN, 'float32'],
    ['bool', 1, 'int32'],
    ['bool', 0.25, 'float32'],
  ]
  it.each(cases)('%s with %s gives %s (either side)', (dt, n, expected) => {
    const t = P.tensor([1], dt)
    expect(P.add(t, n).dtype).toBe(expected)
    expect(P.add(n, t).dtype).toBe(expected)
    expect(P.maximum(t, n).dtype).toBe(dt === 'bool' && Number.isInteger(n) ? 'int32' : expected)
  })
  it('numbers alone are float32, and comparisons with numbers are bool', () => {
    expect(P.add(1, 2).dtype).toBe('float32')
    for (const dt of dtypes) expect(P.less(P.tensor([1], dt), 0.5).dtype).toBe('bool')
  })
  it('comparisons compare exact values: an int32 beyond 2^24 is not rounded to float32 first', () => {
    // 16777217 = 2^24 + 1 is not a float32; float32(16777216) is. Exact comparison: not equal.
    expect(P.toFlatArray(P.equal(P.tensor([16777217], 'int32'), P.tensor([16777216], 'float32')))).toEqual([0])
  })
})

describe('unary ops and reductions by dtype', () => {
  // [op, expected dtype for bool, int32, float32, float64]
  const unary: readonly [string, (x: Tensor) => Tensor, readonly DType[]][] = [
    ['neg', P.neg, [i, i, f, d]],
    ['abs', P.abs, [i, i, f, d]],
    ['sign', P.sign, [i, i, f, d]],
    ['square', P.square, [i, i, f, d]],
    ['relu', P.relu, [i, i, f, d]],
    ['exp', P.exp, [f, f, f, d]],
    ['log', P.log, [f, f, f, d]],
    ['sqrt', P.sqrt, [f, f, f, d]],
    ['tanh', P.tanh, [f, f, f, d]],
    ['sigmoid', P.sigmoid, [f, f, f, d]],
    ['erf', P.erf, [f, f, f, d]],
    ['gelu', (x) => P.gelu(x), [f, f, f, d]],
    ['leakyRelu', (x) => P.leakyRelu(x), [f, f, f, d]],
    ['elu', (x) => P.elu(x), [f, f, f, d]],
    ['logSigmoid', P.logSigmoid, [f, f, f, d]],
    ['sum', (x) => P.sum(x), [i, i, f, d]],
    ['cumsum', (x) => P.cumsum(x, 0), [i, i, f, d]],
    ['mean', (x) => P.mean(x), [f, f, f, d]],
    ['max', (x) => P.max(x), [b, i, f, d]],
    ['min', (x) => P.min(x), [b, i, f, d]],
    ['argmax', (x) => P.argmax(x, 0), [i, i, i, i]],
    ['argmin', (x) => P.argmin(x, 0), [i, i, i, i]],
    ['softmax', (x) => P.softmax(x), [f, f, f, d]],
    ['logSumExp', (x) => P.logSumExp(x), [f, f, f, d]],
    ['logicalNot', P.logicalNot, [b, b, b, b]],
    ['transpose', (x) => P.transpose(x), [b, i, f, d]],
    ['reshape', (x) => P.reshape(x, [3, 1]), [b, i, f, d]],
    ['slice', (x) => P.slice(x, [1], [2]), [b, i, f, d]],
    ['pad', (x) => P.pad(x, [[1, 1]]), [b, i, f, d]],
    ['flip', (x) => P.flip(x, 0), [b, i, f, d]],
    ['tile', (x) => P.tile(x, [2]), [b, i, f, d]],
    ['broadcastTo', (x) => P.broadcastTo(x, [2, 3]), [b, i, f, d]],
  ]
  it.each(unary)('%s', (_name, op, expected) => {
    dtypes.forEach((dt, r) => {
      expect(op(P.tensor([1, 0, 1], dt)).dtype).toBe(expected[r])
    })
  })
})

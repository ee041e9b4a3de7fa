/**
 * Forward mode (`jvp`) through the fused primitives, which mutation testing found never run:
 * `affine` (x·W + b, with or without ReLU) and `maskScale` ((x·m)/q). Each tangent is checked
 * against its hand derivation: d(x·W + b) = dx·W + x·dW + db, through ReLU masked by [y > 0];
 * d((x·m)/q) = (dx·m + x·dm)/q.
 */
import { describe, expect, it } from 'vitest'
import { jvp, tensor, toFlatArray } from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { affine, maskScale } from '../../src/ops/fused.js'

const f64 = (rows: number[][]) => tensor(rows, 'float64')

describe('jvp through affine', () => {
  const x = f64([[1, -2]]),
    w = f64([
      [1, 0],
      [1, 1],
    ]),
    b = tensor([0.5, -5], 'float64')
  // y = x·W + b = [1 − 2 + 0.5, −2 − 5] = [−0.5, −7]
  it('in x, W and b together: dx·W + x·dW + db', () => {
    const dx = f64([[1, 0]]),
      dw = f64([
        [0, 1],
        [0, 0],
      ]),
      db = tensor([2, 3], 'float64')
    const [y, t] = jvp((a: Tensor, m: Tensor, c: Tensor) => affine(a, m, c, false), [x, w, b], [dx, dw, db])
    expect(toFlatArray(y as Tensor)).toEqual([-0.5, -7])
    // dx·W = [1, 0]; x·dW = [0, 1]; db = [2, 3] → [3, 4]
    expect(toFlatArray(t as Tensor)).toEqual([3, 4])
  })
  it('in b alone (no x or W tangent): db broadcast over the rows', () => {
    const [, t] = jvp(
      (c: Tensor) =>
        affine(
          f64([
            [1, -2],
            [0, 1],
          ]),
          w,
          c,
          false,
        ),
      [b],
      [tensor([2, 3], 'float64')],
    )
    expect(toFlatArray(t as Tensor)).toEqual([2, 3, 2, 3])
  })
  it('through ReLU: the tangent is kept where y > 0 only', () => {
    const x2 = f64([[1, 2]]) // y = [1 + 2 + 0.5, 2 − 5] = [3.5, −3]: only the first unit is active
    const [y, t] = jvp((a: Tensor) => affine(a, w, b, true), [x2], [f64([[1, 1]])])
    expect(toFlatArray(y as Tensor)).toEqual([3.5, 0])
    expect(toFlatArray(t as Tensor)).toEqual([2, 0]) // dx·W = [2, 1], masked by [1, 0]
  })
})

describe('jvp through maskScale', () => {
  it('in x and m: (dx·m + x·dm)/q', () => {
    const x = tensor([2, -4], 'float64'),
      m = tensor([1, 0], 'float64')
    const [, t] = jvp((a: Tensor, c: Tensor) => maskScale(a, c, 0.5), [x, m], [tensor([1, 1], 'float64'), tensor([0.5, 2], 'float64')])
    // (1·1 + 2·0.5)/0.5 = 4; (1·0 + (−4)·2)/0.5 = −16
    expect(toFlatArray(t as Tensor)).toEqual([4, -16])
  })
})

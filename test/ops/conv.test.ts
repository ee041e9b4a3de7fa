/**
 * conv beyond the registry rows (test/specs/opsConv.ts) and the TF.js oracle
 * (test/oracle/conv.test.ts): the output shapes of SAME/VALID in closed form, dtypes, every
 * refusal naming conv, the shapes and the option, and vmap with feature groups batched along
 * the kernel or both operands (the rule's group-folding branches), against stacking.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { expectError } from '../helpers/errors.js'

const ramp = (shape: number[], dtype: 'float32' | 'float64' = 'float64') => {
  const n = shape.reduce((a, b) => a * b, 1)
  return P.fromArray(
    Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + 0.3)),
    shape,
    dtype,
  )
}

describe('conv: shapes', () => {
  it('SAME gives ⌈n/s⌉ and VALID ⌊(n − k′)/s⌋ + 1 per axis (k′ = (k − 1)·d + 1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), (n, k, s, d) => {
        const x = P.ones([1, n, 1])
        const w = P.ones([k, 1, 2])
        expect(P.conv(x, w, { strides: s, dilation: d, padding: 'SAME' }).shape).toEqual([1, Math.ceil(n / s), 2])
        const kd = (k - 1) * d + 1
        if (n >= kd) expect(P.conv(x, w, { strides: s, dilation: d }).shape).toEqual([1, Math.floor((n - kd) / s) + 1, 2])
      }),
      { numRuns: 60 },
    )
  })

  it('SAME pads the odd one on the high side (TF): n = 4, k = 2 sums x[i] + x[i + 1], the last with a zero', () => {
    const y = P.conv(P.tensor([[[1], [2], [3], [4]]]), P.ones([2, 1, 1]), { padding: 'SAME' })
    expect(P.toFlatArray(y)).toEqual([3, 5, 7, 4])
  })

  it('lhsDilation puts ld − 1 zeros between inputs (a transposed convolution): [1, 2] with ld 2 and a window of 2 ones', () => {
    // x̃ = [1, 0, 2], padding [1, 1]: [0, 1, 0, 2, 0] → windows of 2: [1, 1, 2, 2]
    const y = P.conv(P.tensor([[[1], [2]]]), P.ones([2, 1, 1]), { lhsDilation: 2, padding: [[1, 1]] })
    expect(P.toFlatArray(y)).toEqual([1, 1, 2, 2])
  })

  it('negative padding crops: [[−1, 0]] drops the first input', () => {
    const y = P.conv(P.tensor([[[1], [2], [3]]]), P.ones([1, 1, 1]), { padding: [[-1, 0]] })
    expect(P.toFlatArray(y)).toEqual([2, 3])
  })
})

describe('conv: dtypes', () => {
  it('float32 stays float32, a float64 operand makes it float64', () => {
    expect(P.conv(ramp([1, 3, 1], 'float32'), ramp([2, 1, 1], 'float32')).dtype).toBe('float32')
    expect(P.conv(ramp([1, 3, 1], 'float32'), ramp([2, 1, 1])).dtype).toBe('float64')
  })
  it('refuses int32 and bool operands with a DTypeError naming the dtypes', () => {
    expectError(() => P.conv(P.ones([1, 3, 1], 'int32'), P.ones([2, 1, 1])), P.DTypeError, 'conv', 'int32', '[1,3,1]')
    expectError(() => P.conv(P.ones([1, 3, 1]), P.ones([2, 1, 1], 'bool')), P.DTypeError, 'conv', 'bool')
  })
})

describe('conv: errors name conv, the shapes and the option', () => {
  const x = P.ones([2, 5, 5, 4])
  it('rank', () => {
    expectError(() => P.conv(P.ones([5, 4]), P.ones([3, 4, 2])), P.ShapeError, 'conv', '[5,4]', 'rank 3 to 5')
    expectError(() => P.conv(x, P.ones([3, 4, 2])), P.ShapeError, 'conv', '[2,5,5,4]', '[3,4,2]', 'same rank')
  })
  it('channels and groups', () => {
    expectError(() => P.conv(x, P.ones([3, 3, 3, 2])), P.ShapeError, 'conv', 'channel mismatch', '4 channels', '[3,3,3,2]')
    expectError(() => P.conv(x, P.ones([3, 3, 2, 3]), { groups: 2 }), P.ShapeError, 'conv', 'outChannels 3', 'groups = 2')
    expectError(() => P.conv(x, P.ones([3, 3, 4, 2]), { groups: 0 }), P.ArgumentError, 'conv', 'groups', '0')
  })
  it('strides, dilation, lhsDilation, padding', () => {
    const w = P.ones([3, 3, 4, 2])
    expectError(() => P.conv(x, w, { strides: 0 }), P.ArgumentError, 'conv', 'strides', '[2,5,5,4]')
    expectError(() => P.conv(x, w, { strides: [1, 2, 3] }), P.ArgumentError, 'conv', 'strides', '[1,2,3]', '2 of them')
    expectError(() => P.conv(x, w, { dilation: 1.5 }), P.ArgumentError, 'conv', 'dilation', '1.5')
    expectError(() => P.conv(x, w, { lhsDilation: -1 }), P.ArgumentError, 'conv', 'lhsDilation')
    expectError(() => P.conv(x, w, { padding: 'same' as never }), P.ArgumentError, 'conv', 'padding', 'same')
    expectError(() => P.conv(x, w, { padding: [[1, 1]] }), P.ArgumentError, 'conv', 'padding', '[[1,1]]')
  })
  it('an empty output', () => {
    expectError(() => P.conv(x, P.ones([7, 3, 4, 2])), P.ShapeError, 'conv', 'empty output', '[2,5,5,4]', '[7,3,4,2]')
    expectError(() => P.conv(x, P.ones([3, 3, 4, 2]), { dilation: 3 }), P.ShapeError, 'conv', 'empty output', 'dilation [3,3]')
    expectError(
      () =>
        P.conv(x, P.ones([3, 3, 4, 2]), {
          padding: [
            [-2, -1],
            [0, 0],
          ],
        }),
      P.ShapeError,
      'conv',
      'empty output',
    )
  })
  it('non-tensor arguments', () => {
    expectError(() => P.conv([1, 2] as never, P.ones([1, 1, 1])), P.ArgumentError, 'conv', "'x'")
    expectError(() => P.conv(P.ones([1, 1, 1]), 3 as never), P.ArgumentError, 'conv', "'kernel'")
  })
})

describe('conv: immutability', () => {
  it('leaves x and the kernel unchanged (forward and backward)', () => {
    const x = ramp([2, 4, 4, 2])
    const w = ramp([3, 3, 1, 4])
    const before = [P.toFlatArray(x), P.toFlatArray(w)]
    P.grad(([a, b]: P.Tensor[]) => P.sum(P.conv(a, b, { groups: 2, strides: 2, padding: 'SAME' })))([x, w])
    expect([P.toFlatArray(x), P.toFlatArray(w)]).toEqual(before)
  })
})

describe('conv under vmap with feature groups', () => {
  const opts: P.ConvOptions = { groups: 2, strides: [1, 2], padding: 'SAME', dilation: [2, 1] }
  const f = (x: P.Tensor, w: P.Tensor) => P.conv(x, w, opts)
  const xs = ramp([3, 2, 5, 4, 4]) // 3 examples of [2, 5, 4, 4]
  const ws = P.mul(ramp([3, 2, 3, 2, 6]), 0.5) // 3 kernels of [2, 3, 2, 6]: outC 6 in 2 groups
  const slice = (t: P.Tensor, i: number) => P.squeeze(P.slice(t, [i, ...t.shape.slice(1).map(() => 0)], [1, ...t.shape.slice(1)]), 0)
  it('a batched kernel (folded into the output channels of each group) equals stacking', () => {
    const x = slice(xs, 0)
    const got = P.vmap((w: P.Tensor) => f(x, w))(ws)
    const want = P.stack([0, 1, 2].map((i) => f(x, slice(ws, i))))
    expect(P.toFlatArray(got)).toEqual(P.toFlatArray(want))
  })
  it('both batched (folded into the groups) equals stacking', () => {
    const got = P.vmap(f)(xs, ws)
    const want = P.stack([0, 1, 2].map((i) => f(slice(xs, i), slice(ws, i))))
    expect(P.toFlatArray(got)).toEqual(P.toFlatArray(want))
  })
  it('a batched x (folded into the batch) equals stacking', () => {
    const w = slice(ws, 1)
    const got = P.vmap((x: P.Tensor) => f(x, w))(xs)
    const want = P.stack([0, 1, 2].map((i) => f(slice(xs, i), w)))
    expect(P.toFlatArray(got)).toEqual(P.toFlatArray(want))
  })
})

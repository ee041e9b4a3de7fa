/**
 * int32 and bool values. References are independent of the kernels: int32 arithmetic is
 * checked against BigInt (`BigInt.asIntN(32, …)` is the two's-complement wrap by definition),
 * floor division and modulo against BigInt's truncating division corrected toward −∞ (Python's
 * rule), comparisons and logic against plain JS operators, and every float-only op on ints
 * against the same op on the float32 cast (NumPy's rule).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { DType, Tensor } from '../../src/index.js'
import { expectError } from '../helpers/errors.js'

const RUNS = { numRuns: 40 }
const int32 = fc.integer({ min: -2147483648, max: 2147483647 })
// Small values too: wrapping is rare on the full range, ties and signs are rare on it.
const anInt = fc.oneof(int32, fc.integer({ min: -9, max: 9 }))
const ints = (n: number) => fc.array(anInt, { minLength: n, maxLength: n })
const pairOf = fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(ints(n), ints(n)))

const wrap = (x: bigint): number => Number(BigInt.asIntN(32, x))
/** ⌊a / b⌋ with BigInt: truncating division, one less when the signs differ and it is inexact. */
function floorBig(a: number, b: number): bigint {
  const A = BigInt(a)
  const B = BigInt(b)
  const q = A / B
  return A % B !== 0n && A < 0n !== B < 0n ? q - 1n : q
}
const floorDivRef = (a: number, b: number): number => wrap(floorBig(a, b))
const modRef = (a: number, b: number): number => Number(BigInt(a) - BigInt(b) * floorBig(a, b))
const i32 = (v: readonly number[]) => P.tensor(v as number[], 'int32')
const flat = (t: Tensor) => P.toFlatArray(t)

describe('int32 arithmetic wraps as two’s complement', () => {
  const binary: readonly [string, (a: Tensor, b: Tensor) => Tensor, (a: number, b: number) => number][] = [
    ['add', P.add, (a, b) => wrap(BigInt(a) + BigInt(b))],
    ['sub', P.sub, (a, b) => wrap(BigInt(a) - BigInt(b))],
    ['mul', P.mul, (a, b) => wrap(BigInt(a) * BigInt(b))],
    ['maximum', P.maximum, (a, b) => Number(BigInt(a) > BigInt(b) ? a : b)],
    ['minimum', P.minimum, (a, b) => Number(BigInt(a) < BigInt(b) ? a : b)],
  ]
  it.each(binary)('%s matches BigInt', (_name, op, ref) => {
    fc.assert(
      fc.property(pairOf, ([a, b]) => {
        const out = op(i32(a), i32(b))
        expect(out.dtype).toBe('int32')
        expect(flat(out)).toEqual(a.map((x, k) => ref(x, b[k])))
      }),
      RUNS,
    )
  })
  it('floorDiv and mod round toward −∞ and satisfy a = b·q + r with r of the divisor’s sign', () => {
    fc.assert(
      fc.property(
        pairOf.map(([a, b]) => [a, b.map((x) => (x === 0 ? 1 : x))] as const),
        ([a, b]) => {
          const q = flat(P.floorDiv(i32(a), i32(b)))
          const r = flat(P.mod(i32(a), i32(b)))
          expect(q).toEqual(a.map((x, k) => floorDivRef(x, b[k])))
          a.forEach((x, k) => {
            expect(r[k]).toBe(modRef(x, b[k]))
            expect(Math.abs(r[k])).toBeLessThan(Math.abs(b[k]))
            if (r[k] !== 0) expect(Math.sign(r[k])).toBe(Math.sign(b[k]))
          })
        },
      ),
      RUNS,
    )
    // by hand: −7 // 2 = −4, −7 % 2 = 1, 7 // −2 = −4, 7 % −2 = −1, and −2³¹ // −1 wraps to −2³¹
    expect(flat(P.floorDiv(i32([-7, 7, -2147483648]), i32([2, -2, -1])))).toEqual([-4, -4, -2147483648])
    expect(flat(P.mod(i32([-7, 7, -2147483648]), i32([2, -2, -1])))).toEqual([1, -1, 0])
  })
  it('an int32 division by zero is an ArgumentError; a float one is IEEE', () => {
    expectError(() => P.floorDiv(i32([1]), i32([0])), P.ArgumentError, 'floorDiv', 'division by zero')
    expectError(() => P.mod(i32([1]), 0), P.ArgumentError, 'mod', 'division by zero')
    expect(flat(P.floorDiv(P.tensor([1, -1]), 0))).toEqual([Infinity, -Infinity])
  })
  it('float floorDiv and mod follow NumPy: from the exact remainder', () => {
    // 0.1 is 0.1000000000000000055…, so 1 = 9·0.1 + 0.0999…: quotient 9 (NumPy: 1 // 0.1 = 9.0)
    expect(flat(P.floorDiv(P.tensor([1], 'float64'), 0.1))).toEqual([9])
    expect(flat(P.mod(P.tensor([-0.5, 0.5, -0], 'float64'), P.tensor([2, -2, 1], 'float64')))).toEqual([1.5, -1.5, 0])
    expect(Object.is(flat(P.mod(P.tensor([1], 'float64'), -1))[0], -0)).toBe(true) // a zero takes the divisor's sign
  })
  it('sum wraps, bool sums count, and neg/abs/sign/square/relu keep int32', () => {
    fc.assert(
      fc.property(ints(7), (a) => {
        expect(flat(P.sum(i32(a)))).toEqual([wrap(a.reduce((s, x) => s + BigInt(x), 0n))])
        expect(flat(P.neg(i32(a)))).toEqual(a.map((x) => wrap(-BigInt(x))))
        expect(flat(P.abs(i32(a)))).toEqual(a.map((x) => wrap(BigInt(Math.abs(x)))))
        expect(flat(P.sign(i32(a)))).toEqual(a.map((x) => Math.sign(x) + 0))
        expect(flat(P.square(i32(a)))).toEqual(a.map((x) => wrap(BigInt(x) * BigInt(x))))
        expect(flat(P.relu(i32(a)))).toEqual(a.map((x) => (BigInt(x) > 0n ? x : 0)))
        const cs = flat(P.cumsum(i32(a), 0))
        expect(cs).toEqual(a.map((_, k) => wrap(a.slice(0, k + 1).reduce((s, x) => s + BigInt(x), 0n))))
      }),
      RUNS,
    )
    expect(flat(P.sum(P.tensor([1, 0, 1, 1], 'bool')))).toEqual([3])
  })
  it('matmul of int32 is exact and wraps (BigInt dot products)', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))
          .chain(([m, k, n]) => fc.tuple(fc.constant([m, k, n]), ints(m * k), ints(k * n))),
        ([[m, k, n], a, bm]) => {
          const out = P.matmul(P.fromArray(a, [m, k], 'int32'), P.fromArray(bm, [k, n], 'int32'))
          expect(out.dtype).toBe('int32')
          const want: number[] = []
          for (let r = 0; r < m; r++)
            for (let c = 0; c < n; c++) {
              let s = 0n
              for (let p = 0; p < k; p++) s += BigInt(a[r * k + p]) * BigInt(bm[p * n + c])
              want.push(wrap(s))
            }
          expect(flat(out)).toEqual(want)
          // transposed operands take the same exact path (matmulI's stride logic)
          expect(flat(P.einsum('ij,kj->ik', P.fromArray(a, [m, k], 'int32'), P.transpose(P.fromArray(bm, [k, n], 'int32'))))).toEqual(want)
        },
      ),
      RUNS,
    )
  })
})

describe('comparisons and logic', () => {
  const vals = fc.array(fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constantFrom(Number.NaN, -0, 0.5)), { minLength: 1, maxLength: 8 })
  const same = vals.chain((a) =>
    fc.tuple(fc.constant(a), fc.array(fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constantFrom(Number.NaN, -0, 0.5)), { minLength: a.length, maxLength: a.length })),
  )
  const js: readonly [string, (a: Tensor, b: Tensor) => Tensor, (a: number, b: number) => boolean][] = [
    ['equal', P.equal, (a, b) => a === b],
    ['notEqual', P.notEqual, (a, b) => a !== b],
    ['greater', P.greater, (a, b) => a > b],
    ['greaterEqual', P.greaterEqual, (a, b) => a >= b],
    ['less', P.less, (a, b) => a < b],
    ['lessEqual', P.lessEqual, (a, b) => a <= b],
    ['logicalAnd', P.logicalAnd, (a, b) => a !== 0 && b !== 0],
    ['logicalOr', P.logicalOr, (a, b) => a !== 0 || b !== 0],
    ['logicalXor', P.logicalXor, (a, b) => (a !== 0) !== (b !== 0)],
  ]
  it.each(js)('%s matches the JS operator and gives bool', (_n, op, ref) => {
    fc.assert(
      fc.property(same, fc.constantFrom<DType>('float32', 'float64'), ([a, b2], dt) => {
        const out = op(P.tensor(a, dt), P.tensor(b2, 'float64'))
        expect(out.dtype).toBe('bool')
        expect(flat(out)).toEqual(a.map((x, k) => (ref(Math.fround(x) === x || dt === 'float64' ? x : Math.fround(x), b2[k]) ? 1 : 0)))
      }),
      RUNS,
    )
  })
  it('logicalNot, and a bool mask selects with where', () => {
    expect(flat(P.logicalNot(P.tensor([0, -0, 1, Number.NaN])))).toEqual([1, 1, 0, 0])
    const x = P.tensor([-2, 3, -1], 'int32')
    const y = P.where(P.greater(x, 0), x, 0)
    expect(y.dtype).toBe('int32')
    expect(flat(y)).toEqual([0, 3, 0])
  })
})

describe('cast among all four dtypes', () => {
  /** float → int32 written differently from the kernel: floor of |v| with the sign, then clamped. */
  const toInt = (v: number) => (Number.isNaN(v) ? 0 : Math.max(-2147483648, Math.min(2147483647, Math.sign(v) * Math.floor(Math.abs(v)) + 0)))
  it('float → int32 truncates toward 0, saturates, NaN → 0; → bool is ≠ 0', () => {
    const special = fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2147483647.5, -2147483648.9, 3e9, -3e9, 0.999, -0.999)
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), special), { minLength: 1, maxLength: 10 }), (v) => {
        const x = P.tensor(v, 'float64')
        expect(flat(P.cast(x, 'int32'))).toEqual(v.map(toInt))
        expect(flat(P.cast(x, 'bool'))).toEqual(v.map((u) => (u !== 0 ? 1 : 0)))
      }),
      RUNS,
    )
  })
  it('int32 → float64 is exact, → float32 rounds to nearest; bool → any is 0/1; round trips', () => {
    fc.assert(
      fc.property(ints(6), (a) => {
        const x = i32(a)
        expect(flat(P.cast(x, 'float64'))).toEqual(a)
        expect(flat(P.cast(x, 'float32'))).toEqual(a.map(Math.fround))
        expect(flat(P.cast(P.cast(x, 'float64'), 'int32'))).toEqual(a)
        const bl = P.cast(x, 'bool')
        for (const dt of ['int32', 'float32', 'float64'] as const) expect(flat(P.cast(bl, dt))).toEqual(a.map((u) => (u !== 0 ? 1 : 0)))
      }),
      RUNS,
    )
  })
  it('constructors store ints and bools as cast does', () => {
    expect(flat(P.tensor([2.9, -2.9, Number.NaN, 1e12], 'int32'))).toEqual([2, -2, 0, 2147483647])
    expect(flat(P.fromArray([0, 5, -1], [3], 'bool'))).toEqual([0, 1, 1])
    expect(flat(P.full([2], 7, 'bool'))).toEqual([1, 1])
    expect(flat(P.scalar(-3.5, 'int32'))).toEqual([-3])
    expect(flat(P.arange(3, 'int32'))).toEqual([0, 1, 2])
    // JS booleans: a bool tensor unless a dtype says otherwise; true is 1 in any dtype
    const m = P.tensor([[true, false, true]])
    expect([m.dtype, flat(m)]).toEqual(['bool', [1, 0, 1]])
    expect(flat(P.tensor([true, false], 'float64'))).toEqual([1, 0])
    expect(P.tensor([1, true]).dtype).toBe('float32')
  })
})

describe('float-only ops compute ints in float32 (NumPy)', () => {
  const ops: readonly [string, (x: Tensor) => Tensor][] = [
    ['exp', P.exp],
    ['sqrt', P.sqrt],
    ['sin', P.sin],
    ['tanh', P.tanh],
    ['sigmoid', P.sigmoid],
    ['softplus', P.softplus],
    ['erf', P.erf],
    ['silu', P.silu],
    ['logSigmoid', P.logSigmoid],
    ['elu', (x) => P.elu(x)],
    ['mean', (x) => P.mean(x)],
    ['softmax', (x) => P.softmax(x)],
  ]
  it.each(ops)('%s(int32 x) equals %s(float32(x))', (_n, op) => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 6 }), (a) => {
        const out = op(i32(a))
        expect(out.dtype).toBe('float32')
        expect(flat(out)).toEqual(flat(op(P.tensor(a, 'float32'))))
      }),
      RUNS,
    )
  })
  it('div of int32 is true division in float32', () => {
    const q = P.div(i32([7, -7]), i32([2, 2]))
    expect(q.dtype).toBe('float32')
    expect(flat(q)).toEqual([3.5, -3.5])
  })
})

describe('no gradient flows into an int32 or bool value', () => {
  const xi = i32([1, 2])
  it('differentiating with respect to an int leaf is a DTypeError naming the leaf', () => {
    expectError(() => P.grad((t: Tensor) => P.sum(t))(xi), P.DTypeError, 'grad', 'int32', 'only float32 and float64')
    expectError(() => P.valueAndGrad((p: { w: Tensor; n: Tensor }) => P.sum(p.w))({ w: P.tensor([1]), n: P.tensor([1], 'bool') }), P.DTypeError, 'valueAndGrad', 'bool', 'n')
    expectError(() => P.vjp((t: Tensor) => t, xi), P.DTypeError, 'vjp', 'int32')
    expectError(() => P.jvp((t: Tensor) => t, [xi], [xi]), P.DTypeError, 'jvp', 'int32')
    expectError(() => P.jacobian((t: Tensor) => t)(xi), P.DTypeError, 'int32')
    expectError(() => P.hessian((t: Tensor) => P.sum(t))(xi), P.DTypeError, 'int32')
  })
  it('int inputs beside float ones are constants: d/dx Σ x·k = k, and a cast to int32 stops the gradient', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 2, maxLength: 2 }), (k) => {
        const kt = i32(k)
        const x = P.tensor([0.5, -1.5], 'float64')
        const g = P.grad((t: Tensor) => P.sum(P.mul(t, kt)))(x)
        expect(g.dtype).toBe('float64')
        expect(flat(g)).toEqual(k)
        // y = x + float(int(x)): the int path is constant, so dy/dx = 1
        expect(flat(P.grad((t: Tensor) => P.sum(P.add(t, P.cast(P.cast(t, 'int32'), 'float64'))))(x))).toEqual([1, 1])
        // forward mode agrees
        const [, tan] = P.jvp((t: Tensor) => P.mul(t, kt), [x], [P.ones([2], 'float64')])
        expect(flat(tan)).toEqual(k)
      }),
      { numRuns: 10 },
    )
  })
  it('ops on ints inside a transform return plain constants, never tracers that need cotangents', () => {
    const g = P.grad((t: Tensor) => {
      const idx = P.argmax(t, 0) // int32, a constant
      expect(idx.dtype).toBe('int32')
      return P.sum(P.mul(t, P.cast(P.equal(P.arange(3, 'int32'), idx), 'float64')))
    })(P.tensor([1, 5, 2], 'float64'))
    expect(flat(g)).toEqual([0, 1, 0])
  })
})

describe('int ops leave their inputs unchanged', () => {
  it('every int op returns new storage and keeps its inputs', () => {
    fc.assert(
      fc.property(pairOf, ([a, b2]) => {
        const x = i32(a)
        const y = i32(b2.map((v) => v || 1))
        const before = [flat(x), flat(y)]
        for (const op of [P.add, P.sub, P.mul, P.floorDiv, P.mod, P.maximum, P.equal, P.logicalAnd]) op(x, y)
        for (const op of [P.neg, P.abs, P.square, P.relu, P.sign, P.logicalNot, (t: Tensor) => P.cast(t, 'bool'), (t: Tensor) => P.cumsum(t, 0)]) op(x)
        expect([flat(x), flat(y)]).toEqual(before)
      }),
      { numRuns: 15 },
    )
  })
})

describe('customVjp with an int argument', () => {
  // f(x, k) = Σ x·k with k int32; bwd gives x's cotangent only. Both modes must hold k fixed.
  const f = P.customVjp(
    (x: Tensor, k: Tensor) => P.sum(P.mul(x, k)),
    (x: Tensor, k: Tensor) => [P.sum(P.mul(x, k)), k] as const,
    (k: Tensor, g: Tensor) => [P.mul(g, k), null],
  )
  it('grad and jvp differentiate in the float argument only', () => {
    const x = P.tensor([1, 2], 'float64')
    const k = P.tensor([3, -4], 'int32')
    expect(flat(P.grad((t: Tensor) => f(t, k))(x))).toEqual([3, -4])
    // forward mode: ⟨k, v⟩ for v = [1, 1] is 3 − 4 = −1
    expect(flat(P.jvp((t: Tensor) => f(t, k), [x], [P.ones([2], 'float64')])[1])).toEqual([-1])
  })
})

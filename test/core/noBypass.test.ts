/**
 * No op reads a value through a trace. A trace kind written here, like a staging trace, gives its
 * tracers NO value one level down (`_primal` null), or, like a batching trace, a primal that is
 * not the value (an extra axis, all NaN); the true value is only in its payload. Every public op
 * of `purediff` (the rows of test/specs/ops.ts, the non-differentiable ops, stopGradient, cast,
 * customVjp), run on its tracers, must return a tracer of that trace, be seen by its `process`
 * (which records primitive names), and compute from the payloads exactly the bits eager mode
 * computes — also with grad and jvp run inside that trace (so every op's rules, max's mask and
 * maximum's tie mask included, run on its tracers) and with grad run around it. An op that
 * reads through (`concrete`) throws or computes NaN here, in the test named after it.
 *
 * Out of scope, eager-only by design: toArray/toFlatArray/item, io, the optimizer kernels and
 * training's batching and evaluation (they read values out); random takes no tensors.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import type { Primitive } from '../../src/engine/primitive.js'
import { type Trace, bind, isTracerOf, newLevel, newTracer } from '../../src/engine/trace.js'
import { type OpRow, broadcastPair, nonDifferentiable, opRows, shapeArb, tensorOf, testedElsewhere } from '../specs/ops.js'

type Kind = 'no primal (staging-like)' | 'batched NaN primal (batching-like)'
const kinds: readonly Kind[] = ['no primal (staging-like)', 'batched NaN primal (batching-like)']

/** A trace kind whose tracers keep their value in the payload only; it records primitive names. */
class PoisonTrace implements Trace {
  readonly level = newLevel()
  readonly names: string[] = []
  constructor(readonly kind: Kind) {}

  /** A tracer of this trace for `value`, whose primal is NOT `value`. */
  input(value: Tensor): Tensor {
    const primal = this.kind === 'no primal (staging-like)' ? null : P.full([2, ...value.shape], Number.NaN, value.dtype)
    return newTracer<Tensor, Tensor | null>(this, value, primal, value, 0)
  }

  /** The value of `x` one level down: a tracer's payload, or x itself (a constant here). */
  payload(x: Tensor): Tensor {
    return isTracerOf<Tensor, Tensor | null>(this, x) ? x._aux : x
  }

  process<Q>(prim: Primitive<Q>, inputs: readonly Tensor[], params: Q): Tensor {
    this.names.push(prim.name)
    return this.input(
      bind(
        prim,
        inputs.map((x) => this.payload(x)),
        params,
      ),
    )
  }
}

/** The exact contents of a concrete tensor (toEqual compares numbers with Object.is: −0, NaN). */
function bits(t: Tensor): { shape: number[]; dtype: string; values: number[] } {
  expect(t._level, 'a value read back from the trace is concrete').toBe(0)
  return { shape: [...t.shape], dtype: t.dtype, values: P.toFlatArray(t) }
}

/** A case: how to call the op, its arguments, and (when fixed) the primitives it must apply. */
interface Case {
  readonly name: string
  readonly f: (...args: Tensor[]) => Tensor
  readonly args: fc.Arbitrary<Tensor[]>
  readonly names?: readonly string[]
}

const unary = (minRank = 0) =>
  shapeArb(minRank)
    .chain((s) => tensorOf(s))
    .map((x) => [x])
const binary = broadcastPair.chain(([sa, sb]) => fc.tuple(tensorOf(sa), tensorOf(sb)))
// Integers in [−2, 2]: comparisons meet ties often.
const ints = (s: readonly number[]) =>
  fc.array(fc.integer({ min: -2, max: 2 }), { minLength: s.reduce((a, b) => a * b, 1), maxLength: s.reduce((a, b) => a * b, 1) }).map((v) => P.fromArray(v, s, 'float64'))
const intPair = broadcastPair.chain(([sa, sb]) => fc.tuple(ints(sa), ints(sb)))

// x³ whose rule says 7·x·g: a gradient from bwd (not from f) proves the rule ran.
const cube = P.customVjp(
  (x: Tensor) => P.mul(x, P.square(x)),
  (x: Tensor) => [P.mul(x, P.square(x)), x] as const,
  (x: Tensor, g: Tensor) => [P.mul(g, P.mul(x, 7))],
)
// two arguments, one a pytree; bwd gives none for the second
const affine = P.customVjp(
  (p: { w: Tensor; b: Tensor }, x: Tensor) => P.add(P.mul(p.w, x), p.b),
  (p: { w: Tensor; b: Tensor }, x: Tensor) => [P.add(P.mul(p.w, x), p.b), x] as const,
  (x: Tensor, g: Tensor) => [{ w: P.mul(g, x), b: g }, null],
)

/** The ops with no row in the registry (no gradient, or checked elsewhere), and customVjp. */
const extra: readonly Case[] = [
  ...Object.entries({
    equal: P.equal,
    notEqual: P.notEqual,
    greater: P.greater,
    less: P.less,
    greaterEqual: P.greaterEqual,
    lessEqual: P.lessEqual,
    logicalAnd: P.logicalAnd,
    logicalOr: P.logicalOr,
    logicalXor: P.logicalXor,
    floorDiv: P.floorDiv,
  }).flatMap(([op, compare]): Case[] => [
    { name: op, f: compare, args: intPair, names: [op] },
    { name: `${op} (x, x)`, f: (x) => compare(x, x), args: unary(), names: [op] },
  ]),
  {
    name: 'sign',
    f: P.sign,
    args: shapeArb()
      .chain(ints)
      .map((x) => [x]),
    names: ['sign'],
  },
  {
    name: 'argmax',
    f: (x) => P.argmax(x, -1),
    args: shapeArb(1)
      .chain(ints)
      .map((x) => [x]),
    names: ['argExtremum'],
  },
  { name: 'argmax (axis 0)', f: (x) => P.argmax(x, 0), args: unary(1), names: ['argExtremum'] },
  { name: 'argmin', f: (x) => P.argmin(x, -1), args: unary(1), names: ['argExtremum'] },
  { name: 'logicalNot', f: P.logicalNot, args: unary(), names: ['logicalNot'] },
  {
    name: 'argsort',
    f: (x) => P.argsort(x),
    args: shapeArb(1)
      .chain(ints)
      .map((x) => [x]),
    names: ['argsort'],
  },
  {
    name: 'argsort (axis 0)',
    f: (x) => P.argsort(x, 0),
    args: shapeArb(2)
      .chain(ints)
      .map((x) => [x]),
    names: ['transpose', 'argsort', 'transpose'],
  },
  { name: 'where (traced condition)', f: (c, a) => P.where(c, a, 0), args: intPair, names: ['stopGradient', 'where'] },
  { name: 'stopGradient', f: (x) => P.stopGradient(x), args: unary(), names: ['stopGradient'] },
  { name: 'stopGradient (pytree)', f: (a, b) => P.mul(...(P.stopGradient([a, b]) as [Tensor, Tensor])), args: binary, names: ['stopGradient', 'stopGradient', 'mul'] },
  { name: 'cast', f: (x) => P.cast(x, 'float32'), args: unary(), names: ['cast'] },
  { name: 'cast (same dtype)', f: (x) => P.cast(x, 'float64'), args: unary(), names: [] },
  { name: 'customVjp', f: (x) => cube(x), args: unary(), names: ['customVjp'] },
  { name: 'customVjp (pytree argument)', f: (w, x) => affine({ w, b: P.sin(w) }, x), args: binary, names: ['sin', 'customVjp'] },
  // int32 indices computed inside the trace (an int input could not be differentiated by the grad checks)
  { name: 'oneHot', f: (x) => P.oneHot(P.argmax(x, -1), x.shape[x.rank - 1], 'float64'), args: unary(1), names: ['argExtremum', 'oneHot'] },
]

/** Non-row exports with no case above, and why. */
const noTensorArgument: Readonly<Record<string, string>> = {}

const rowCases: readonly Case[] = opRows.map((r: OpRow) => ({ name: r.name, f: r.f, args: r.args }))
const RUNS = 4

/** Sum of f's output, so grad applies (the output of an op may be any shape). */
const total =
  (f: Case['f']) =>
  (xs: Tensor[]): Tensor =>
    P.sum(f(...xs))

/** Directions for jvp: a fixed, varied function of each argument. */
const directions = (args: readonly Tensor[]) => args.map((a) => P.cos(P.mul(a, 3)))

function checkCase(c: Case, kind: Kind): void {
  fc.assert(
    fc.property(c.args, (args) => {
      // the op on the trace's tracers
      const trace = new PoisonTrace(kind)
      const xs = args.map((a) => trace.input(a))
      const y = c.f(...xs)
      expect(isTracerOf(trace, y), `${c.name} returns a tracer of the trace`).toBe(true)
      if (c.names !== undefined) expect(trace.names).toEqual(c.names)
      else expect(trace.names.length > 0 || xs.includes(y), `${c.name} applies a primitive (or returns its input)`).toBe(true)
      expect(bits(trace.payload(y))).toEqual(bits(c.f(...args)))

      // grad inside the trace: the op's reverse rules run on the trace's tracers
      const inner = new PoisonTrace(kind)
      const g = P.grad(total(c.f))(args.map((a) => inner.input(a)))
      const g0 = P.grad(total(c.f))(args)
      g.forEach((gi, i) => {
        expect(bits(inner.payload(gi))).toEqual(bits(g0[i]))
      })

      // jvp inside the trace: the op's forward rules run on the trace's tracers
      const fwd = new PoisonTrace(kind)
      const v = directions(args)
      const [y1, t1] = P.jvp(
        c.f,
        args.map((a) => fwd.input(a)),
        v,
      )
      const [y0, t0] = P.jvp(c.f, args, v)
      expect(bits(fwd.payload(y1))).toEqual(bits(y0))
      expect(bits(fwd.payload(t1))).toEqual(bits(t0))

      // the trace inside grad: it only passes values on
      const around = P.grad((ts: Tensor[]) => {
        const tr = new PoisonTrace(kind)
        return P.sum(tr.payload(c.f(...ts.map((t) => tr.input(t)))))
      })(args)
      around.forEach((gi, i) => {
        expect(bits(gi)).toEqual(bits(g0[i]))
      })
    }),
    { numRuns: RUNS },
  )
}

describe('the poisoned trace bites', () => {
  it('reading a value through its tracers fails or gives NaN, so an op that does is caught', () => {
    const x = P.tensor([1, 2], 'float64')
    expect(() => P.toFlatArray(new PoisonTrace('no primal (staging-like)').input(x))).toThrow(/no concrete value/)
    expect(P.toFlatArray(new PoisonTrace('batched NaN primal (batching-like)').input(x))).toEqual([Number.NaN, Number.NaN, Number.NaN, Number.NaN])
  })
})

for (const kind of kinds) {
  describe(`every op registry row, on a trace with ${kind}`, () => {
    for (const c of rowCases) it(c.name, () => checkCase(c, kind))
  })
  describe(`every other op, on a trace with ${kind}`, () => {
    for (const c of extra) it(c.name, () => checkCase(c, kind))
  })
}

describe('coverage and the rules', () => {
  it('every export without a registry row has a case here, or a reason', () => {
    const covered = new Set([...extra.map((c) => c.name), ...Object.keys(noTensorArgument)])
    const missing = [...Object.keys(nonDifferentiable), ...Object.keys(testedElsewhere), 'customVjp'].filter((n) => !covered.has(n))
    expect(missing).toEqual([])
  })

  it('the rules of max, min, maximum, minimum, pow and logSumExp apply their masks and comparisons as primitives', () => {
    const x = P.tensor([[0.5, -1, 2, 2]], 'float64')
    const y = P.tensor([[0.5, 3, -2, 1]], 'float64')
    const seen = (f: (a: Tensor, b: Tensor) => Tensor, how: 'grad' | 'jvp'): string[] => {
      const tr = new PoisonTrace('no primal (staging-like)')
      const [a, b] = [tr.input(x), tr.input(y)]
      if (how === 'grad') P.grad((ts: Tensor[]) => P.sum(f(ts[0], ts[1])))([a, b])
      else P.jvp(f, [a, b], [y, x])
      return tr.names
    }
    for (const how of ['grad', 'jvp'] as const) {
      expect(seen((a) => P.max(a, -1), how)).toContain('extremumMask')
      expect(seen((a) => P.min(a), how)).toContain('extremumMask')
      expect(seen(P.maximum, how)).toEqual(expect.arrayContaining(['equal', 'greaterEqual', 'where']))
      expect(seen(P.minimum, how)).toEqual(expect.arrayContaining(['equal', 'greaterEqual', 'where']))
      expect(seen((a, b) => P.pow(P.abs(a), b), how)).toEqual(expect.arrayContaining(['equal', 'where']))
      expect(seen((a) => P.logSumExp(a, -1), how)).toEqual(expect.arrayContaining(['max', 'stopGradient']))
    }
  })

  it('customVjp runs bwd on the trace’s tracers: its gradient is bwd’s, 7·x, not f’s 3x²', () => {
    const tr = new PoisonTrace('no primal (staging-like)')
    const x = P.tensor([0.5, -2], 'float64')
    const g = P.grad((t: Tensor) => P.sum(cube(t)))(tr.input(x))
    // d/dx Σ x³ by bwd: g·7·x with g = 1
    expect(bits(tr.payload(g)).values).toEqual([3.5, -14])
    expect(tr.names).toContain('customVjp')
  })

  it('customVjp refuses an f that closes over a traced value, rather than read through it', () => {
    const scaled = (a: Tensor) =>
      P.customVjp(
        (x: Tensor) => P.mul(x, a),
        (x: Tensor) => [P.mul(x, a), null] as const,
        (_r: null, g: Tensor) => [P.mul(g, a)],
      )
    const x = P.tensor([1, 2], 'float64')
    expect(() => P.grad((a: Tensor) => P.sum(scaled(a)(x)))(P.scalar(3, 'float64'))).toThrow(/customVjp: f returned a traced value .* pass that value as an argument/)
    // closing over a concrete value is fine
    expect(P.toFlatArray(P.grad((t: Tensor) => P.sum(scaled(P.scalar(3, 'float64'))(t)))(x))).toEqual([3, 3])
  })
})

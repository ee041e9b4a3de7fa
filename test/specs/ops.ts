/**
 * ONE row per differentiable op of the public contract: how to call it, and inputs from its
 * valid domain, generated away from kinks BY CONSTRUCTION (never by filtering or by loosening a
 * tolerance): relu/abs/leaky inputs keep |x| ≥ 0.1, max/min reductions get distinct values
 * spaced ≥ 0.2 apart, maximum/minimum pairs differ by ≥ 0.1, clip inputs stay ≥ 0.1 from the
 * bounds. All inputs are float64. `test/ops/gradients.test.ts` runs the law suites over every
 * row; `test/completeness.test.ts` fails when an exported op has no row here.
 */
import fc from 'fast-check'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { indexingRows } from './opsIndexing.js'
import { convRows } from './opsConv.js'
import { poolRows } from './opsPool.js'

// --- arbitraries (float64, domain-aware)

export type Domain = 'any' | 'positive' | 'awayFromZero' | 'aboveMinusOne' | 'nonZeroDenominator' | 'distinct' | 'awayFromOne' | 'saturated'

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1)

/**
 * Values for one element of a domain: half uniform on the interval (multiples of 2⁻²⁰ of its
 * width), half fast-check's doubles, which spread over every binade (only 7% of them are above
 * 0.01 in [−3, 3]): without the uniform half, an 'any' row would test little but x ≈ 0.
 */
function value(domain: Domain): fc.Arbitrary<number> {
  const d = (min: number, max: number) =>
    fc.oneof(
      fc.integer({ min: 0, max: 2 ** 20 }).map((k) => min + (max - min) * k * 2 ** -20),
      fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
    )
  switch (domain) {
    case 'any':
      return d(-3, 3)
    case 'positive':
      return d(0.2, 3)
    case 'aboveMinusOne':
      return d(-0.8, 3)
    // |x| in [0.1, 3] with a random sign: 0 is never closer than 0.1
    case 'awayFromZero':
      return fc.tuple(d(0.1, 3), fc.boolean()).map(([m, s]) => (s ? m : -m))
    case 'nonZeroDenominator':
      return fc.tuple(d(0.3, 3), fc.boolean()).map(([m, s]) => (s ? m : -m))
    // clip(x, -1, 1): |x| ≠ 1 by at least 0.1
    case 'awayFromOne':
      return fc.oneof(d(-0.9, 0.9), d(1.1, 3), d(-3, -1.1))
    case 'distinct':
      return d(-3, 3) // handled by `tensorOf`
    // |x| in [300, 1000] with a random sign, plus the ends: where exp(±x) under- or overflows
    // (e^−300 ≈ 5e−131, e^1000 = Infinity in float64). Not beyond 1000: a central difference
    // of eps 1e-6 at |x| = 1e4 already loses 6 of its digits to the rounding of x ± eps.
    case 'saturated':
      return fc.tuple(fc.oneof(d(300, 1000), fc.constantFrom(300, 1000)), fc.boolean()).map(([m, s]) => (s ? m : -m))
  }
}

/** A float64 tensor of the shape with values from the domain. */
export function tensorOf(shape: readonly number[], domain: Domain = 'any'): fc.Arbitrary<Tensor> {
  const n = size(shape)
  if (domain === 'distinct') {
    // A random permutation of 0.3·k plus jitter < 0.05: all values differ by ≥ 0.2, no ties.
    return fc
      .tuple(
        fc.shuffledSubarray(
          Array.from({ length: n }, (_, i) => i),
          { minLength: n, maxLength: n },
        ),
        fc.array(fc.double({ min: 0, max: 0.05, noNaN: true }), { minLength: n, maxLength: n }),
      )
      .map(([perm, jit]) =>
        P.fromArray(
          perm.map((k, i) => 0.3 * k - 0.15 * n + jit[i]),
          shape,
          'float64',
        ),
      )
  }
  return fc.array(value(domain), { minLength: n, maxLength: n }).map((v) => P.fromArray(v, shape, 'float64'))
}

export const shapeArb = (minRank = 0, maxRank = 3, maxDim = 4): fc.Arbitrary<number[]> => fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank })

/** Two shapes that broadcast: drop leading axes of either, and set some axes to 1. */
export const broadcastPair: fc.Arbitrary<[number[], number[]]> = shapeArb(0, 3).chain((s) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: s.length }),
      fc.integer({ min: 0, max: s.length }),
      fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
      fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
    )
    .map(([da, db, ma, mb]) => [s.map((d, i) => (ma[i] ? 1 : d)).slice(da), s.map((d, i) => (mb[i] && !ma[i] ? 1 : d)).slice(db)] as [number[], number[]]),
)

const unaryArgs = (domain: Domain, minRank = 0) =>
  shapeArb(minRank)
    .chain((s) => tensorOf(s, domain))
    .map((x) => [x])
const binaryArgs = (da: Domain, db: Domain) => broadcastPair.chain(([sa, sb]) => fc.tuple(tensorOf(sa, da), tensorOf(sb, db)))

/** a and b (broadcastable) with |a − b| ≥ 0.1 everywhere: b, then a = b + d with |d| ≥ 0.1. */
const separatedPair = fc.tuple(shapeArb(0, 3), fc.boolean()).chain(([s, swap]) =>
  fc.tuple(tensorOf(s, 'any'), tensorOf(s, 'awayFromZero')).map(([b, d]) => {
    const a = P.add(b, d)
    return swap ? [b, a] : [a, b]
  }),
)

// --- the registry

export interface OpRow {
  /** The exported name of the op (several rows may cover one op with other options). */
  readonly op: string
  readonly name: string
  readonly f: (...args: Tensor[]) => Tensor
  readonly args: fc.Arbitrary<Tensor[]>
  /** Also check the second derivative (grad of grad). */
  readonly order: 1 | 2
}

const row = (op: string, f: (...a: Tensor[]) => Tensor, args: fc.Arbitrary<Tensor[]>, order: 1 | 2 = 1, name = op): OpRow => ({ op, name, f, args, order })

const matrixPair = (ta = false, tb = false) =>
  fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))
    .chain(([m, k, n]) => fc.tuple(tensorOf(ta ? [k, m] : [m, k]), tensorOf(tb ? [n, k] : [k, n])))

const dim = fc.integer({ min: 1, max: 3 })

export const opRows: readonly OpRow[] = [
  // arithmetic
  row('add', P.add, binaryArgs('any', 'any'), 2),
  row('sub', P.sub, binaryArgs('any', 'any'), 2),
  row('mul', P.mul, binaryArgs('any', 'any'), 2),
  row('div', P.div, binaryArgs('any', 'nonZeroDenominator'), 2),
  row('pow', P.pow, binaryArgs('positive', 'any'), 2),
  row('maximum', P.maximum, separatedPair),
  row('minimum', P.minimum, separatedPair),
  row('neg', P.neg, unaryArgs('any'), 2),
  // mod(a, b) = a − b·⌊a/b⌋ is smooth where a/b is not an integer: a = b·(q + f) with f in
  // [0.1, 0.9], so a/b stays ≥ 0.1 from every integer by construction.
  row(
    'mod',
    P.mod,
    fc
      .tuple(shapeArb(0, 3), fc.integer({ min: -3, max: 3 }))
      .chain(([s, q]) =>
        fc
          .tuple(tensorOf(s, 'nonZeroDenominator'), fc.array(fc.double({ min: 0.1, max: 0.9, noNaN: true }), { minLength: size(s), maxLength: size(s) }))
          .map(([b, f]) => [P.mul(b, P.add(P.fromArray(f, s, 'float64'), q)), b]),
      ),
    2,
  ),
  row(
    'where',
    (c, a, b) => P.where(P.greater(c, 0), a, b),
    fc
      .tuple(broadcastPair, fc.boolean())
      .chain(([[sa, sb], flip]) => fc.tuple(tensorOf(flip ? sb : sa, 'awayFromZero'), tensorOf(sa), tensorOf(sb)))
      // the condition is a constant: differentiate only in a and b
      .map(([c, a, b]) => [P.stopGradient(c), a, b]),
  ),
  // unary math
  row('abs', P.abs, unaryArgs('awayFromZero'), 2),
  row('exp', P.exp, unaryArgs('any'), 2),
  row('expm1', P.expm1, unaryArgs('any'), 2),
  row('log', P.log, unaryArgs('positive'), 2),
  row('log1p', P.log1p, unaryArgs('aboveMinusOne'), 2),
  row('sqrt', P.sqrt, unaryArgs('positive'), 2),
  row('square', P.square, unaryArgs('any'), 2),
  row('sin', P.sin, unaryArgs('any'), 2),
  row('cos', P.cos, unaryArgs('any'), 2),
  row('tanh', P.tanh, unaryArgs('any'), 2),
  row('sigmoid', P.sigmoid, unaryArgs('any'), 2),
  row('relu', P.relu, unaryArgs('awayFromZero'), 2),
  row('softplus', P.softplus, unaryArgs('any'), 2),
  row('logSigmoid', P.logSigmoid, unaryArgs('any'), 2),
  row('logSigmoid', P.logSigmoid, unaryArgs('saturated'), 2, 'logSigmoid (saturated, |x| 300–1000)'),
  // smooth everywhere: no domain to avoid
  row('erf', P.erf, unaryArgs('any'), 2),
  row('gelu', (x) => P.gelu(x), unaryArgs('any'), 2),
  row('gelu', (x) => P.gelu(x, { approximate: true }), unaryArgs('any'), 2, 'gelu (approximate: tanh)'),
  row('silu', P.silu, unaryArgs('any'), 2),
  row('rsqrt', P.rsqrt, unaryArgs('positive'), 2),
  row('leakyRelu', (x) => P.leakyRelu(x), unaryArgs('awayFromZero'), 2),
  row('leakyRelu', (x) => P.leakyRelu(x, 0.3), unaryArgs('awayFromZero'), 2, 'leakyRelu (alpha 0.3)'),
  row(
    'prelu',
    P.prelu,
    shapeArb(1).chain((s) => fc.tuple(tensorOf(s, 'awayFromZero'), tensorOf(s.slice(-1), 'any'))),
    2,
  ),
  row('elu', (x) => P.elu(x), unaryArgs('awayFromZero'), 2),
  row('elu', (x) => P.elu(x, 0.5), unaryArgs('awayFromZero'), 2, 'elu (alpha 0.5)'),
  row('clip', (x) => P.clip(x, -1, 1), unaryArgs('awayFromOne')),
  // reductions
  row('sum', (x) => P.sum(x), unaryArgs('any'), 2),
  row('sum', (x) => P.sum(x, 0, true), unaryArgs('any', 1), 2, 'sum (axis 0, keepDims)'),
  row('sum', (x) => P.sum(x, [0, -1]), unaryArgs('any', 2), 2, 'sum (axes [0, -1])'),
  row('mean', (x) => P.mean(x), unaryArgs('any'), 2),
  row('mean', (x) => P.mean(x, -1), unaryArgs('any', 1), 2, 'mean (last axis)'),
  row('max', (x) => P.max(x), unaryArgs('distinct')),
  row('max', (x) => P.max(x, 0, true), unaryArgs('distinct', 1), 1, 'max (axis 0, keepDims)'),
  row('min', (x) => P.min(x), unaryArgs('distinct')),
  row('min', (x) => P.min(x, -1), unaryArgs('distinct', 1), 1, 'min (last axis)'),
  row('logSumExp', (x) => P.logSumExp(x), unaryArgs('any'), 2),
  row('logSumExp', (x) => P.logSumExp(x, -1, true), unaryArgs('any', 1), 2, 'logSumExp (last axis)'),
  row('softmax', (x) => P.softmax(x), unaryArgs('any', 1), 2),
  row('softmax', (x) => P.softmax(x, 0), unaryArgs('any', 2), 2, 'softmax (axis 0)'),
  row('logSoftmax', (x) => P.logSoftmax(x), unaryArgs('any', 1), 2),
  // shape
  row('reshape', (x) => P.reshape(x, [-1]), unaryArgs('any'), 2),
  row('transpose', (x) => P.transpose(x), unaryArgs('any'), 2),
  row(
    'transpose',
    (x) => P.transpose(x, [1, 2, 0]),
    shapeArb(3, 3)
      .chain((s) => tensorOf(s))
      .map((x) => [x]),
    2,
    'transpose ([1, 2, 0])',
  ),
  row('expandDims', (x) => P.expandDims(x, 0), unaryArgs('any'), 2),
  row('squeeze', (x) => P.squeeze(x), unaryArgs('any'), 2),
  row('broadcastTo', (x) => P.broadcastTo(x, [2, ...x.shape.map((d) => (d === 1 ? 3 : d))]), unaryArgs('any'), 2),
  row(
    'concat',
    (a, b) => P.concat([a, b], -1),
    fc.tuple(shapeArb(1), fc.integer({ min: 1, max: 3 })).chain(([s, k]) => fc.tuple(tensorOf(s), tensorOf([...s.slice(0, -1), k]))),
    2,
  ),
  row(
    'stack',
    (a, b) => P.stack([a, b], 0),
    shapeArb().chain((s) => fc.tuple(tensorOf(s), tensorOf(s))),
    2,
  ),
  row(
    'slice',
    (x) =>
      P.slice(
        x,
        x.shape.map((d) => (d > 1 ? 1 : 0)),
        x.shape.map((d) => (d > 2 ? d - 2 : 1)),
      ),
    unaryArgs('any', 1),
    2,
  ),
  // linear algebra
  row('matmul', P.matmul, matrixPair(), 2),
  row(
    'matmul',
    P.matmul,
    fc
      .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
      .chain(([bt, m, k, n]) => fc.tuple(tensorOf([bt, m, k]), tensorOf([k, n]))),
    2,
    'matmul (batched, broadcast)',
  ),
  row(
    'matmul',
    P.matmul,
    fc.integer({ min: 1, max: 4 }).chain((k) => fc.tuple(tensorOf([k]), tensorOf([k, 3]))),
    2,
    'matmul (vector · matrix)',
  ),
  row(
    'dot',
    P.dot,
    fc.integer({ min: 1, max: 5 }).chain((k) => fc.tuple(tensorOf([k]), tensorOf([k]))),
    2,
  ),
  // movement (more)
  row(
    'pad',
    (x) =>
      P.pad(
        x,
        x.shape.map((_, d) => [d % 2, 1]),
        0.5,
      ),
    unaryArgs('any'),
    2,
  ),
  row('cumsum', (x) => P.cumsum(x, -1), unaryArgs('any', 1), 2),
  row('cumsum', (x) => P.cumsum(x, 0), unaryArgs('any', 2), 2, 'cumsum (axis 0)'),
  row('flip', (x) => P.flip(x, 0), unaryArgs('any', 1), 2),
  row('flip', (x) => P.flip(x), unaryArgs('any'), 2, 'flip (all axes)'),
  row(
    'tile',
    (x) =>
      P.tile(
        x,
        x.shape.map((_, d) => [2, 1, 3][d % 3]),
      ),
    unaryArgs('any'),
    2,
  ),
  // sorting: distinct values (gaps ≥ 0.2), so the sorting permutation is the same at x ± eps
  row('sort', (x) => P.sort(x), unaryArgs('distinct', 1), 2),
  row('sort', (x) => P.sort(x, 0), unaryArgs('distinct', 2), 2, 'sort (axis 0)'),
  row('topK', (x) => P.topK(x, Math.ceil(x.shape[x.rank - 1] / 2))[0], unaryArgs('distinct', 1), 2, 'topK (values, k = ⌈n/2⌉)'),
  row('topK', (x) => P.topK(x, x.shape[x.rank - 1])[0], unaryArgs('distinct', 1), 1, 'topK (values, k = n)'),
  // einsum: one row per kind of lowering
  row('einsum', (a, b) => P.einsum('ij,jk->ik', a, b), matrixPair(), 2, "einsum ('ij,jk->ik')"),
  row('einsum', (a, b) => P.einsum('ij,kj', a, b), matrixPair(false, true), 2, "einsum ('ij,kj', implicit, transposed b)"),
  row(
    'einsum',
    (x) => P.einsum('ii->i', x),
    dim.chain((n) => tensorOf([n, n]).map((x) => [x])),
    2,
    "einsum ('ii->i', a diagonal)",
  ),
  row(
    'einsum',
    (a, b) => P.einsum('...ij,...jk', a, b),
    fc.tuple(dim, dim, dim).chain(([m, k, n]) => fc.tuple(tensorOf([2, m, k]), tensorOf([1, 2, k, n]))),
    2,
    "einsum ('...ij,...jk')",
  ),
  row(
    'einsum',
    (a, b) => P.einsum('bij,bjk->bik', a, b),
    fc.tuple(dim, dim, dim, dim).chain(([bt, m, k, n]) => fc.tuple(tensorOf([bt, m, k]), tensorOf([bt, k, n]))),
    2,
    "einsum ('bij,bjk->bik')",
  ),
  row(
    'einsum',
    (x) => P.einsum('ij->ji', x),
    shapeArb(2, 2).chain((s) => tensorOf(s).map((x) => [x])),
    2,
    "einsum ('ij->ji')",
  ),
  row(
    'einsum',
    (x) => P.einsum('ij->', x),
    shapeArb(2, 2).chain((s) => tensorOf(s).map((x) => [x])),
    2,
    "einsum ('ij->')",
  ),
  row(
    'einsum',
    (a, b) => P.einsum('i,j->ij', a, b),
    fc.tuple(dim, dim).chain(([m, n]) => fc.tuple(tensorOf([m]), tensorOf([n]))),
    2,
    "einsum ('i,j->ij')",
  ),
  row(
    'einsum',
    (a, b, c) => P.einsum('ij,jk,kl->il', a, b, c),
    fc.tuple(dim, dim, dim, dim).chain(([i, j, k, l]) => fc.tuple(tensorOf([i, j]), tensorOf([j, k]), tensorOf([k, l]))),
    2,
    "einsum ('ij,jk,kl->il')",
  ),
  row(
    'einsum',
    (a, b) => P.einsum('bi,bic->cb', a, b),
    fc.tuple(dim, dim, dim).chain(([bt, i, c]) => fc.tuple(tensorOf([bt, i]), tensorOf([bt, i, c]))),
    2,
    "einsum ('bi,bic->cb')",
  ),
  // gather and scatter (indices derived from the shapes, see opsIndexing.ts)
  ...indexingRows(),
  ...convRows(),
  // pooling (windows, strides and padding derived from the shapes, see opsPool.ts)
  ...poolRows(),
]

/**
 * Exports that are not differentiable ops, each with the reason. Comparisons, `sign` and
 * `argmax` are piecewise constant (their gradient is 0, tested in test/ops/tensor.test.ts, 'non-differentiable ops have zero gradient');
 * `oneHot` builds a constant.
 */
export const nonDifferentiable: Readonly<Record<string, string>> = {
  equal: 'comparison (bool), zero gradient',
  notEqual: 'comparison (bool), zero gradient',
  greater: 'comparison (bool), zero gradient',
  less: 'comparison (bool), zero gradient',
  greaterEqual: 'comparison (bool), zero gradient',
  lessEqual: 'comparison (bool), zero gradient',
  logicalAnd: 'logic (bool), zero gradient',
  logicalOr: 'logic (bool), zero gradient',
  logicalXor: 'logic (bool), zero gradient',
  logicalNot: 'logic (bool), zero gradient',
  floorDiv: 'piecewise constant (an integer quotient), zero gradient',
  sign: 'piecewise constant, zero gradient',
  argmax: 'an int32 index, zero gradient',
  argmin: 'an int32 index, zero gradient',
  argsort: 'int32 indices (piecewise constant in x), zero gradient',
  oneHot: 'a constant built from indices',
}

/**
 * Differentiable exports checked by dedicated tests instead of a row, with the reason.
 */
export const testedElsewhere: Readonly<Record<string, string>> = {
  // Central differences through float32 rounding measure rounding noise, not a derivative.
  cast: 'test/ops/tensor.test.ts: the gradient through cast is exactly 1, in the input dtype',
  stopGradient: 'test/core/higherOrder.test.ts: blocks the gradient at every nesting level',
}

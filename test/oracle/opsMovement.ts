/**
 * The TF.js oracle's rows for pad, cumsum, flip, tile and einsum (the model of a row in row.ts).
 * TF.js has no einsum gradient and its einsum takes at most two operands with an explicit
 * `->`: random specs of that kind compare values with `tf.einsum`; fixed specs compare values
 * and gradients with the TF.js composition a hand derivation gives (matMul, transpose, sum, mul).
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import * as pd from '../../src/index.js'
import { type Input, inputsArb, shapeArb } from './harness.js'
import { ANY, type OpRow, bind, noParams, range, row } from './row.js'

const one = (s: readonly number[]) => inputsArb([s], [ANY])

// TF.js's pad, reverse and tile refuse (or mis-handle) rank 0: rank ≥ 1 here.
const padGen = shapeArb({ minRank: 1 }).chain((s) =>
  fc.tuple(one(s), fc.tuple(fc.tuple(...s.map(() => fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })))), fc.constantFrom(0, 1.5, -2))),
)

const axisGen = shapeArb({ minRank: 1 }).chain((s) => fc.tuple(one(s), fc.integer({ min: -s.length, max: s.length - 1 })))

const flipGen = shapeArb({ minRank: 1 }).chain((s) =>
  fc.tuple(
    one(s),
    fc.subarray(range(s.length), { minLength: 1 }).chain((ax) => fc.shuffledSubarray(ax, { minLength: ax.length, maxLength: ax.length })),
  ),
)

const tileGen = shapeArb({ minRank: 1 }).chain((s) => fc.tuple(one(s), fc.tuple(...s.map(() => fc.integer({ min: 1, max: 3 })))))

// --- einsum

const LETTERS = 'abcdef'

/**
 * A random valid two-operand (or one-operand) spec with an explicit output: each operand takes
 * some of the letters in some order, the output some of the letters they use, each letter a
 * size in 1..3.
 */
const specGen: fc.Arbitrary<readonly [Input[], string]> = fc
  .tuple(
    fc.array(fc.integer({ min: 1, max: 3 }), { minLength: LETTERS.length, maxLength: LETTERS.length }),
    fc.shuffledSubarray([...LETTERS], { maxLength: 4 }),
    fc.option(fc.shuffledSubarray([...LETTERS], { maxLength: 4 }), { nil: undefined }),
    fc.infiniteStream(fc.boolean()),
    fc.nat(),
  )
  .chain(([sizes, a, b, keeps, seed]) => {
    const used = [...new Set([...a, ...(b ?? [])])]
    const it = keeps[Symbol.iterator]()
    // TF.js sums a two-operand index that only one operand has wrongly ('ij,k->i' gives shape
    // [1,4]; 'ij,kl->ik' throws): with two operands such an index stays in the output here, and
    // the fixed 'ij,kl->ik' row below covers that case against a composition.
    const shared = (l: string) => b === undefined || (a.includes(l) && b.includes(l))
    const out = used.filter((l) => it.next().value === true || !shared(l))
    // rotate the output by the seed: its order is free
    const rot = out.length === 0 ? out : [...out.slice(seed % out.length), ...out.slice(0, seed % out.length)]
    const shapeOf = (ls: readonly string[]) => ls.map((l) => sizes[LETTERS.indexOf(l)])
    const terms = b === undefined ? [a] : [a, b]
    const spec = `${terms.map((t) => t.join('')).join(',')}->${rot.join('')}`
    return fc.tuple(inputsArb(terms.map(shapeOf), [ANY]), fc.constant(spec))
  })

const d3 = fc.integer({ min: 1, max: 3 })

/** A fixed spec compared (values and gradients) with a TF.js composition of the same sum. */
function einsumRow(spec: string, shapes: fc.Arbitrary<number[][]>, tff: (xs: readonly tf.Tensor[]) => tf.Tensor): OpRow {
  return row(
    `einsum ('${spec}', vs a TF.js composition)`,
    noParams(shapes.chain((ss) => inputsArb(ss, [ANY]))),
    (xs) => pd.einsum(spec, ...xs),
    (xs) => tff(xs),
    range(spec.split('->')[0].split(',').length),
  )
}

export const movementOps: OpRow[] = [
  row(
    'pad',
    padGen,
    ([x], [w, v]) => pd.pad(x, w, v),
    ([x], [w, v]) => tf.pad(x, w as [number, number][], v),
    [0],
  ),
  row(
    'cumsum',
    axisGen,
    ([x], a) => pd.cumsum(x, a),
    // TF.js reads a negative axis wrongly, and its Cumsum gradient transposes the result when
    // the axis is not the last: its side sums along the last axis between two transposes
    // (a self-inverse swap of the axis with the last), the same function.
    ([x], a) => {
      const r = x.rank
      const ax = a < 0 ? a + r : a
      const swap = range(r).map((d) => (d === ax ? r - 1 : d === r - 1 ? ax : d))
      return tf.transpose(tf.cumsum(tf.transpose(x, swap), r - 1), swap)
    },
    [0],
  ),
  row(
    'flip',
    flipGen,
    ([x], a) => pd.flip(x, a),
    ([x], a) => tf.reverse(x, a),
    [0],
  ),
  row(
    'tile',
    tileGen,
    ([x], r) => pd.tile(x, r),
    ([x], r) => tf.tile(x, r),
    [0],
  ),
  {
    name: 'einsum (random specs, vs tf.einsum)',
    forward: bind<string>(
      'einsum',
      (xs, spec) => pd.einsum(spec, ...xs),
      (xs, spec) => tf.einsum(spec, ...xs),
    )(specGen),
  },
  einsumRow(
    'ij,jk->ik',
    fc.tuple(d3, d3, d3).map(([m, k, n]) => [
      [m, k],
      [k, n],
    ]),
    ([a, b]) => tf.matMul(a, b),
  ),
  einsumRow(
    'bij,bjk->bik',
    fc.tuple(d3, d3, d3, d3).map(([bt, m, k, n]) => [
      [bt, m, k],
      [bt, k, n],
    ]),
    ([a, b]) => tf.matMul(a, b),
  ),
  einsumRow(
    'ij,kj',
    fc.tuple(d3, d3, d3).map(([m, k, n]) => [
      [m, k],
      [n, k],
    ]),
    ([a, b]) => tf.matMul(a, b, false, true),
  ),
  einsumRow(
    'ij->ji',
    fc.tuple(d3, d3).map(([m, n]) => [[m, n]]),
    ([a]) => tf.transpose(a),
  ),
  einsumRow(
    'ij->',
    fc.tuple(d3, d3).map(([m, n]) => [[m, n]]),
    ([a]) => tf.sum(a),
  ),
  einsumRow(
    'i,j->ij',
    fc.tuple(d3, d3).map(([m, n]) => [[m], [n]]),
    ([a, b]) => tf.mul(tf.expandDims(a, 1), tf.expandDims(b, 0)),
  ),
  // out[c,b] = Σ_i a[b,i]·x[b,i,c]
  einsumRow(
    'bi,bic->cb',
    fc.tuple(d3, d3, d3).map(([bt, i, c]) => [
      [bt, i],
      [bt, i, c],
    ]),
    ([a, x]) => tf.transpose(tf.sum(tf.mul(tf.expandDims(a, 2), x), 1)),
  ),
  // out[i,k] = (Σ_j a[i,j])·(Σ_l b[k,l])
  einsumRow(
    'ij,kl->ik',
    fc.tuple(d3, d3, d3, d3).map(([i, j, k, l]) => [
      [i, j],
      [k, l],
    ]),
    ([a, b]) => tf.mul(tf.sum(a, 1, true), tf.expandDims(tf.sum(b, 1), 0)),
  ),
  einsumRow(
    'ij,jk,kl->il',
    fc.tuple(d3, d3, d3, d3).map(([i, j, k, l]) => [
      [i, j],
      [j, k],
      [k, l],
    ]),
    ([a, b, c]) => tf.matMul(tf.matMul(a, b), c),
  ),
]

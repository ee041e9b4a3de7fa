/**
 * `einsum`: Einstein summation, lowered to ops that already exist — a `take` for a diagonal, a
 * `broadcastTo` for ellipsis axes of size 1, a sum for an index only one operand has, and for two operands transposes and reshapes around ONE batched matrix product
 * (`mm`, with transpose flags where they save a copy), or a broadcast `mul` when nothing is
 * contracted. Its rules are those of the ops it lowers to, so the vjp of an einsum is again
 * einsums (products with the other operand, transposes, broadcasts).
 *
 * @since 0.2.0
 */
import { ArgumentError, ShapeError, fmt } from '../tensor/errors.js'
import { Tensor } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { mul } from './arithmetic.js'
import { mm } from './linalg.js'
import { sum } from './reduce.js'
import { broadcastTo, reshape, transpose } from './shape.js'
import { take } from './indexing.js'

// --- parsing

interface Parsed {
  readonly inputs: readonly (readonly string[])[]
  readonly output: readonly string[]
  readonly sizes: ReadonlyMap<string, number>
  /** The operands, with their ellipsis axes broadcast to the common ellipsis shape. */
  readonly operands: readonly Tensor[]
}

const LETTER = /^[A-Za-z]$/
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

/**
 * Replaces each operand's `...` by letters the spec does not use, one per axis it stands for,
 * aligned from the right (NumPy: the ellipsis axes of all operands broadcast together), and
 * broadcasts size-1 ellipsis axes to the common size. Returns the terms, the output term (with
 * its `...` replaced, or, when implicit, the ellipsis letters to put first) and the operands.
 */
function expandEllipsis(
  spec: string,
  terms: readonly string[],
  out: string | undefined,
  ops: readonly Tensor[],
  bad: (m: string) => Error,
): [string[], string | undefined, string[], Tensor[]] {
  const dots = (t: string) => t.split('...').length - 1
  if (terms.every((t) => dots(t) === 0) && (out === undefined || dots(out) === 0)) return [[...terms], out, [], [...ops]]
  terms.forEach((t, i) => {
    if (dots(t) > 1) throw bad(`operand ${i} ('${t}') has more than one '...'`)
    if (t.replace('...', '').includes('.')) throw bad(`operand ${i} ('${t}') has a '.' outside '...'`)
  })
  const counts = terms.map((t, i) => {
    if (dots(t) === 0) return 0
    const k = ops[i].rank - (t.length - 3)
    if (k < 0)
      throw new ShapeError('einsum', `spec '${spec}': operand ${i} ('${t}') names ${t.length - 3} axes besides '...' but has shape ${fmt(ops[i].shape)} (rank ${ops[i].rank})`)
    return k
  })
  const e = Math.max(0, ...counts)
  const free = [...LETTERS].filter((l) => !spec.includes(l))
  if (free.length < e) throw bad(`'...' stands for ${e} axes but only ${free.length} letters are unused`)
  const ell = free.slice(0, e)
  // The common ellipsis shape: the ellipsis axes of every operand, broadcast from the right.
  const common = new Array<number>(e).fill(1)
  counts.forEach((k, i) => {
    for (let j = 0; j < k; j++) {
      const d = ops[i].shape[terms[i].indexOf('...') + j]
      const at = e - k + j
      if (common[at] === 1) common[at] = d
      else if (d !== 1 && d !== common[at]) {
        throw new ShapeError('einsum', `spec '${spec}': the '...' axes of the operands do not broadcast (sizes ${common[at]} and ${d} at ellipsis axis ${at} of ${e})`)
      }
    }
  })
  const operands = ops.map((x, i) => {
    const k = counts[i]
    if (k === 0) return x
    const at = terms[i].indexOf('...')
    const target = x.shape.map((d, a) => (a >= at && a < at + k ? common[e - k + a - at] : d))
    return target.every((d, a) => d === x.shape[a]) ? x : broadcastTo(x, target)
  })
  const expanded = terms.map((t, i) => t.replace('...', ell.slice(e - counts[i]).join('')))
  if (out !== undefined && dots(out) > 1) throw bad("the output has more than one '...'")
  return [expanded, out?.replace('...', ell.join('')), ell, operands]
}

/** Splits and checks the spec against the operands; every error names the spec. */
function parse(spec: string, ops0: readonly Tensor[]): Parsed {
  const bad = (msg: string) => new ArgumentError('einsum', `spec '${spec}': ${msg}`)
  const s = spec.replace(/\s+/g, '')
  const parts = s.split('->')
  if (parts.length > 2) throw bad("expected at most one '->'")
  const terms0 = parts[0].split(',')
  if (terms0.length !== ops0.length) throw bad(`names ${terms0.length} operand${terms0.length === 1 ? '' : 's'} but ${ops0.length} ${ops0.length === 1 ? 'was' : 'were'} given`)
  const [terms, out, ell, ops] = expandEllipsis(spec, terms0, parts[1], ops0, bad)
  const sizes = new Map<string, number>()
  const count = new Map<string, number>()
  const inputs = terms.map((term, i) => {
    const labels = [...term]
    for (const l of labels) if (!LETTER.test(l)) throw bad(`operand ${i} ('${terms0[i]}') has '${l}'; expected letters a–z, A–Z or '...'`)
    const x = ops[i]
    if (labels.length !== x.rank)
      throw new ShapeError('einsum', `spec '${spec}': operand ${i} ('${terms0[i]}') names ${labels.length} axes but has shape ${fmt(x.shape)} (rank ${x.rank})`)
    labels.forEach((l, d) => {
      const n = sizes.get(l)
      if (n === undefined) sizes.set(l, x.shape[d])
      else if (n !== x.shape[d])
        throw new ShapeError(
          'einsum',
          `spec '${spec}': index '${l}' has size ${n} earlier but ${x.shape[d]} in operand ${i} ('${terms0[i]}', shape ${fmt(x.shape)}); expected equal sizes`,
        )
      count.set(l, (count.get(l) ?? 0) + 1)
    })
    return labels
  })
  let output: string[]
  if (out !== undefined) {
    output = [...out]
    output.forEach((l, d) => {
      if (!LETTER.test(l)) throw bad(`the output has '${l}'; expected letters a–z, A–Z or '...'`)
      if (output.indexOf(l) !== d) throw bad(`the output repeats index '${l}'`)
      if (!sizes.has(l)) throw bad(`the output index '${l}' appears in no operand`)
    })
  } else {
    // NumPy's implicit output: the ellipsis axes, then the indices that appear exactly once
    // (a repeat within one operand counts), in alphabetical order.
    const inEll = new Set(ell)
    output = [...ell, ...[...count.keys()].filter((l) => count.get(l) === 1 && !inEll.has(l)).sort()]
  }
  return { inputs, output, sizes, operands: ops }
}

// --- lowering

/** A tensor with one index letter per axis. */
interface Node {
  readonly t: Tensor
  readonly labels: readonly string[]
}

/** Sums out the axes whose index is not in `keep`. */
function sumOut(n: Node, keep: ReadonlySet<string>): Node {
  const axes: number[] = []
  n.labels.forEach((l, d) => {
    if (!keep.has(l)) axes.push(d)
  })
  if (axes.length === 0) return n
  return { t: sum(n.t, axes), labels: n.labels.filter((l) => keep.has(l)) }
}

/** `x` with its axes in the order `order` (a permutation of its labels). */
function arrange(n: Node, order: readonly string[]): Tensor {
  return transpose(
    n.t,
    order.map((l) => n.labels.indexOf(l)),
  )
}

const inOrder = (n: Node, order: readonly string[]) => order.every((l, i) => n.labels[i] === l)

/**
 * Takes the diagonal of every index repeated within one operand ('ii->i', 'iij->ij'): the
 * repeated axes move last, merge into one axis of n^k entries, and `take` reads entries
 * j·(1 + n + … + n^(k−1)), which are those with all k indices equal to j. Its gradient is
 * `take`'s, a scatter back onto the diagonal.
 */
function diagonals(n0: Node): Node {
  let n = n0
  for (;;) {
    const l = n.labels.find((x, d) => n.labels.indexOf(x) !== d)
    if (l === undefined) return n
    const at = n.labels.flatMap((x, d) => (x === l ? [d] : []))
    const rest = n.labels.flatMap((x, d) => (x === l ? [] : [d]))
    const size = n.t.shape[at[0]]
    const k = at.length
    const moved = transpose(n.t, [...rest, ...at])
    const flat = reshape(moved, [...rest.map((d) => n.t.shape[d]), size ** k])
    const step = (size ** k - 1) / (size - 1 || 1)
    const idx = Array.from({ length: size }, (_, j) => j * step)
    n = { t: take(flat, idx, rest.length), labels: [...rest.map((d) => n.labels[d]), l] }
  }
}

/**
 * Contracts two operands, keeping the indices in `keep` (the output's and those of operands
 * still to come). Shared kept indices are batch axes, shared others are contracted, the rest
 * are the rows of a and the columns of b: one [B, M, K]·[B, K, N] product.
 */
function contract(a0: Node, b0: Node, keep: ReadonlySet<string>, sizes: ReadonlyMap<string, number>): Node {
  const a = sumOut(a0, new Set([...keep, ...b0.labels]))
  const b = sumOut(b0, new Set([...keep, ...a.labels]))
  const inA = new Set(a.labels)
  const inB = new Set(b.labels)
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l))
  const inner = a.labels.filter((l) => inB.has(l) && !keep.has(l))
  const rows = a.labels.filter((l) => !inB.has(l))
  const cols = b.labels.filter((l) => !inA.has(l))
  const size = (ls: readonly string[]) => ls.reduce((p, l) => p * (sizes.get(l) ?? 1), 1)
  const nb = size(batch),
    m = size(rows),
    k = size(inner),
    n = size(cols)
  const lead = batch.length === 0 ? [] : [nb]
  let r: Tensor
  if (inner.length === 0) {
    // Nothing to sum: an outer product per batch entry, which a broadcast multiply does
    // without a k = 1 matrix product.
    r = mul(reshape(arrange(a, [...batch, ...rows]), [...lead, m, 1]), reshape(arrange(b, [...batch, ...cols]), [...lead, 1, n]))
  } else {
    // Transpose flags instead of a copy when an operand already has its axes the other way.
    const ta = !inOrder(a, [...batch, ...rows, ...inner]) && inOrder(a, [...batch, ...inner, ...rows])
    const tb = !inOrder(b, [...batch, ...inner, ...cols]) && inOrder(b, [...batch, ...cols, ...inner])
    const A = reshape(arrange(a, ta ? [...batch, ...inner, ...rows] : [...batch, ...rows, ...inner]), ta ? [...lead, k, m] : [...lead, m, k])
    const B = reshape(arrange(b, tb ? [...batch, ...cols, ...inner] : [...batch, ...inner, ...cols]), tb ? [...lead, n, k] : [...lead, k, n])
    r = mm(A, B, ta, tb)
  }
  const labels = [...batch, ...rows, ...cols]
  return {
    t: reshape(
      r,
      labels.map((l) => sizes.get(l) ?? 1),
    ),
    labels,
  }
}

/**
 * Einstein summation (`np.einsum`): `spec` names each operand's axes with one letter each,
 * comma-separated, then `->` and the output's letters; the result is the sum, over every index
 * not in the output, of the product of the operands' entries, e.g. `'ij,jk->ik'` is
 * `out[i,k] = Σ_j a[i,j]·b[j,k]`. Without `->` the output is the indices that appear exactly once,
 * in alphabetical order (NumPy). An index has one size across operands (no broadcasting).
 * `...` stands for the axes an operand has beyond its letters (aligned from the right; these
 * broadcast across operands, as in NumPy), and comes first in an implicit output. An index
 * repeated within one operand takes the diagonal (`'ii->i'`, and `'ii->'` is the trace), read
 * with `take`. An index only one operand has is summed first; two operands contract as one
 * batched `matmul` between transposes and reshapes (a broadcast `mul` when nothing is
 * contracted); several operands contract pairwise, left to right.
 *
 * @example
 * import { einsum, tensor, toArray, item } from 'purediff'
 * const a = tensor([[1, 2], [3, 4]]), b = tensor([[5, 6], [7, 8]])
 * if (JSON.stringify(toArray(einsum('ij,jk->ik', a, b))) !== '[[19,22],[43,50]]') throw new Error()
 * if (JSON.stringify(toArray(einsum('ij->ji', a))) !== '[[1,3],[2,4]]') throw new Error()
 * if (item(einsum('ij,ij->', a, b)) !== 70) throw new Error() // Σ aᵢⱼbᵢⱼ
 * if (item(einsum('ii', a)) !== 5) throw new Error() // the trace
 * if (einsum('...ij,...jk', tensor([[[1, 0], [0, 1]]]), b).shape.join() !== '1,2,2') throw new Error()
 * @category linear algebra
 * @since 0.2.0
 */
export function einsum(spec: string, ...operands: Tensor[]): Tensor {
  if (typeof spec !== 'string') throw new ArgumentError('einsum', `spec must be a string such as 'ij,jk->ik', got ${describe(spec)}`)
  if (operands.length === 0) throw new ArgumentError('einsum', `spec '${spec}': expected at least one operand`)
  operands.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new ArgumentError('einsum', `spec '${spec}': operand ${i} must be a Tensor, got ${describe(x)}`)
  })
  const { inputs, output, sizes, operands: ops } = parse(spec, operands)
  const nodes: Node[] = ops.map((t, i) => diagonals({ t, labels: inputs[i] }))
  let acc = nodes[0]
  for (let i = 1; i < nodes.length; i++) {
    const keep = new Set(output)
    for (let j = i + 1; j < nodes.length; j++) for (const l of nodes[j].labels) keep.add(l)
    acc = contract(acc, nodes[i], keep, sizes)
  }
  acc = sumOut(acc, new Set(output))
  return arrange(acc, output)
}

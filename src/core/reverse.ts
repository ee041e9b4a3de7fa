/**
 * Reverse mode as a trace kind: a `ReverseTrace` records, for every primitive applied to its
 * tracers, a node (the primitive, its params and its inputs one level down); `backward` then
 * walks the nodes from the outputs and applies each primitive's `vjp` rule. Rules are written
 * with ops, so the backward pass of an inner trace is itself recorded by the outer traces.
 *
 * This is the ONE place where cotangents are un-broadcast (`fitCotangent`).
 *
 * @internal
 */
import { isFloat } from '../tensor/dtype.js'
import { shapesEqual, reducedAxes } from '../tensor/shape.js'
import type { Tensor } from '../tensor/model.js'
import type { Primitive } from '../engine/primitive.js'
import { type Trace, type Tracer, bind, isTracerOf, newLevel, newTracer } from '../engine/trace.js'
import { add, cast } from '../ops/arithmetic.js'
import { sum } from '../ops/reduce.js'
import { reshape } from '../ops/shape.js'

// --- model

/** One application of a primitive on a reverse trace. */
interface Node {
  // biome-ignore lint/suspicious/noExplicitAny: params differ per primitive; a node is only ever read back with its own primitive
  readonly prim: Primitive<any>
  readonly params: unknown
  /** The inputs one level below this trace (what `vjp` receives). */
  readonly inputs: readonly Tensor[]
  /** The inputs as they were given: a tracer of this trace, or null for an input constant here. */
  readonly parents: readonly (ReverseTracer | null)[]
  /** The output one level below this trace. */
  readonly out: Tensor
}

/** Creation counter of reverse tracers: a tracer's inputs always have smaller numbers. */
let lastId = 0

/**
 * A value of a reverse trace: its primal one level down, the node that computed it (null for an
 * input of the trace) and its creation number in `_id` (creation order is a topological order).
 */
type ReverseTracer = Tracer<Payload>
type Payload = Node | null

/** A reverse-mode trace: records a node per primitive applied to its tracers. */
export class ReverseTrace implements Trace {
  readonly level = newLevel()

  /** Wraps `value` as an input of this trace. */
  input(value: Tensor): Tensor {
    return newTracer<Payload>(this, value, value, null, ++lastId)
  }

  /** The value of `x` one level down (x itself when it is not a tracer of this trace). */
  primalOf(x: Tensor): Tensor {
    return isTracerOf<Payload>(this, x) ? x._primal : x
  }

  process<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
    const n = inputs.length
    const vals = new Array<Tensor>(n)
    if (prim.nonDifferentiable === true) {
      // A constant here: no node (no cotangent can flow through it) and no tracer.
      for (let i = 0; i < n; i++) vals[i] = this.primalOf(inputs[i])
      return bind(prim, vals, params)
    }
    const parents = new Array<ReverseTracer | null>(n)
    for (let i = 0; i < n; i++) {
      const x = inputs[i]
      if (isTracerOf<Payload>(this, x)) {
        vals[i] = x._primal
        parents[i] = x
      } else {
        vals[i] = x
        parents[i] = null
      }
    }
    const out = bind(prim, vals, params)
    // An int32 or bool result has no derivative (it is piecewise constant in every input): a
    // constant here, so no cotangent ever reaches an integer value.
    if (!isFloat(out.dtype)) return out
    const node: Node = { prim, params, inputs: vals, parents, out }
    return newTracer(this, out, out, node, ++lastId)
  }
}

// --- the one place cotangents are fitted to their inputs

/** Sums a cotangent over the axes its input was broadcast along, and casts it to the input's dtype. */
function fitCotangent(ct: Tensor, like: Tensor): Tensor {
  let c = ct
  if (!shapesEqual(c.shape, like.shape)) {
    const axes = reducedAxes(like.shape, c.shape)
    if (axes.length > 0) c = sum(c, axes, true)
    c = reshape(c, like.shape)
  }
  return c.dtype === like.dtype ? c : cast(c, like.dtype)
}

// --- backward pass

/**
 * Runs the backward pass of `trace` from `outputs` with cotangents `cts`, and returns the
 * cotangent of each of `inputs` (tracers made by `trace.input`; undefined where no path leads).
 */
export function backward(trace: ReverseTrace, outputs: readonly Tensor[], cts: readonly Tensor[], inputs: readonly Tensor[]): (Tensor | undefined)[] {
  // Values are visited newest first: creation order is a topological order, so a value is
  // visited only after every value computed from it. A max-heap of creation numbers holds the
  // values with a pending cotangent; only values reachable from the outputs are ever touched.
  const grads = new Map<number, Tensor>()
  const boxes = new Map<number, ReverseTracer>()
  const heap: number[] = []
  const accumulate = (box: ReverseTracer, g: Tensor): void => {
    const id = box._id
    const prev = grads.get(id)
    if (prev === undefined) {
      grads.set(id, g)
      boxes.set(id, box)
      heapPush(heap, id)
    } else grads.set(id, add(prev, g))
  }
  for (let i = 0; i < outputs.length; i++) {
    const y = outputs[i]
    if (isTracerOf<Payload>(trace, y)) accumulate(y, fitCotangent(cts[i], y))
  }
  while (heap.length > 0) {
    const id = heapPop(heap)
    const box = boxes.get(id) as ReverseTracer // every id in the heap has its box
    const node = box._aux
    if (node === null) continue // an input of the trace: its cotangent stays in `grads`
    const g = grads.get(id) as Tensor
    grads.delete(id)
    boxes.delete(id)
    const pcts = node.prim.vjp(g, node.inputs, node.out, node.params, node.parents)
    for (let j = 0; j < node.parents.length; j++) {
      const p = node.parents[j]
      const c = pcts[j]
      if (p !== null && c !== null && c !== undefined) accumulate(p, fitCotangent(c, p))
    }
  }
  return inputs.map((x) => (isTracerOf<Payload>(trace, x) ? grads.get(x._id) : undefined))
}

function heapPush(h: number[], v: number): void {
  let i = h.length
  h.push(v)
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (h[parent] >= v) break
    h[i] = h[parent]
    i = parent
  }
  h[i] = v
}

function heapPop(h: number[]): number {
  const top = h[0]
  const last = h.pop() as number // the heap is not empty
  if (h.length > 0) {
    let i = 0
    const n = h.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && h[r] > h[l] ? r : l
      if (h[c] <= last) break
      h[i] = h[c]
      i = c
    }
    h[i] = last
  }
  return top
}

/**
 * The autodiff engine: reverse and forward mode on nested traces, after HIPS autograd and JAX's
 * autodidax. Every transform opens a trace with a fresh id, larger than every id before it, and
 * wraps its inputs in boxes tagged with that id (a reverse trace's boxes record nodes for the
 * backward pass; a forward trace's boxes carry their tangent). An op applied to boxes unwraps the boxes of the highest
 * trace only, recurses on the values below (which may be boxes of outer traces), and boxes the
 * result with a node. Because each trace sees only its own boxes, perturbation confusion cannot
 * happen, and because vjp rules are written with ops, the backward pass of an inner trace is
 * itself recorded by the outer traces: grad of grad just works.
 *
 * @internal
 */
import { Tensor } from '../tensor/Tensor.js'
import type { Node, Primitive } from './node.js'

// --- model

let lastTraceId = 0
/** Creation counter of traced values: a value's inputs always have smaller numbers. */
let lastBoxId = 0

/** Opens a new trace; its id is larger than that of any trace already open. */
export function newTrace(): number {
  return ++lastTraceId
}

/** Wraps `value` as an input of the reverse trace `trace`. */
export function boxInput(trace: number, value: Tensor): Tensor {
  return new Tensor(value.shape, value.dtype, null, trace, value, null, null, ++lastBoxId)
}

/** Wraps `value` as an input of the forward trace `trace`, carrying `tangent` (same shape and dtype). */
export function boxTangent(trace: number, value: Tensor, tangent: Tensor): Tensor {
  return new Tensor(value.shape, value.dtype, null, trace, value, null, tangent, ++lastBoxId)
}

/**
 * Makes a tangent rule's result fit the output it belongs to (broadcast up, cast), or zeros for
 * null. Set once by the transforms module, which owns the ops this needs.
 */
let fitTangent: (t: Tensor | null, out: Tensor) => Tensor = () => {
  throw new Error('purediff: the transforms module was not loaded')
}
export function setTangentFitter(f: (t: Tensor | null, out: Tensor) => Tensor): void {
  fitTangent = f
}

// --- operations

/**
 * Applies a primitive to tensors, recording it on every trace its inputs belong to.
 * The number of inputs is small (1–3), so plain loops beat array helpers here.
 */
export function bind<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
  let top = 0
  let topBox: Tensor | null = null
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]._trace
    if (t > top) { top = t; topBox = inputs[i] }
  }
  if (top === 0) return prim.impl(inputs, params)
  // A forward trace's values always carry a tangent; a reverse trace's never do.
  if (topBox!._tangent !== null) return bindForward(prim, inputs, params, top)
  const vals = new Array<Tensor>(inputs.length)
  const parents = new Array<Tensor | null>(inputs.length)
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i]
    if (x._trace === top) {
      vals[i] = x._value!
      parents[i] = x
    } else {
      vals[i] = x
      parents[i] = null
    }
  }
  const out = bind(prim, vals, params)
  const node: Node = { prim, params, inputs: vals, parents, out }
  return new Tensor(out.shape, out.dtype, null, top, out, node, null, ++lastBoxId)
}

/** Forward mode: the value one level down, and its tangent by the primitive's jvp rule. */
function bindForward<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P, top: number): Tensor {
  const vals = new Array<Tensor>(inputs.length)
  const tangents = new Array<Tensor | null>(inputs.length)
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i]
    if (x._trace === top) {
      vals[i] = x._value!
      tangents[i] = x._tangent
    } else {
      vals[i] = x
      tangents[i] = null
    }
  }
  const out = bind(prim, vals, params)
  const t = fitTangent(prim.jvp(tangents, vals, out, params), out)
  return new Tensor(out.shape, out.dtype, null, top, out, null, t, ++lastBoxId)
}

/**
 * Fits a cotangent to the input it flows into: sums broadcast axes away and casts to the
 * input's dtype. The ONE place where un-broadcasting happens.
 */
export type FitCotangent = (ct: Tensor, like: Tensor) => Tensor
export type Add = (a: Tensor, b: Tensor) => Tensor

/**
 * Runs the backward pass of trace `trace` from `outputs` with cotangents `cts`, and returns the
 * cotangent of each of `inputs` (undefined where no path leads to it).
 */
export function backward(
  trace: number,
  outputs: readonly Tensor[],
  cts: readonly Tensor[],
  inputs: readonly Tensor[],
  fit: FitCotangent,
  add: Add,
): (Tensor | undefined)[] {
  // Values are visited newest first: creation order is a topological order, so a value is
  // visited only after every value computed from it. A max-heap of creation numbers holds the
  // values with a pending cotangent; only values reachable from the outputs are ever touched.
  const grads = new Map<number, Tensor>()
  const boxes = new Map<number, Tensor>()
  const heap: number[] = []
  const accumulate = (box: Tensor, g: Tensor): void => {
    const id = box._id
    const prev = grads.get(id)
    if (prev === undefined) {
      grads.set(id, g)
      boxes.set(id, box)
      heapPush(heap, id)
    } else grads.set(id, add(prev, g))
  }
  for (let i = 0; i < outputs.length; i++) {
    if (outputs[i]._trace === trace) accumulate(outputs[i], fit(cts[i], outputs[i]))
  }
  while (heap.length > 0) {
    const id = heapPop(heap)
    const box = boxes.get(id)!
    const node = box._node
    if (node === null) continue // an input of the trace: its cotangent stays in `grads`
    const g = grads.get(id)!
    grads.delete(id)
    boxes.delete(id)
    const pcts = node.prim.vjp(g, node.inputs, node.out, node.params, node.parents)
    for (let j = 0; j < node.parents.length; j++) {
      const p = node.parents[j]
      const c = pcts[j]
      if (p !== null && c !== null && c !== undefined) accumulate(p, fit(c, p))
    }
  }
  return inputs.map((x) => grads.get(x._id))
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
  const last = h.pop()!
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

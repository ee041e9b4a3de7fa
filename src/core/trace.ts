/**
 * The autodiff engine. Reverse mode on nested traces, after HIPS autograd and JAX's autodidax:
 * every transform opens a trace with a fresh id, larger than every id before it, and wraps its
 * inputs in boxes tagged with that id. An op applied to boxes unwraps the boxes of the highest
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

/** Opens a new trace; its id is larger than that of any trace already open. */
export function newTrace(): number {
  return ++lastTraceId
}

/** Wraps `value` as an input of trace `trace`. */
export function boxInput(trace: number, value: Tensor): Tensor {
  return new Tensor(value.shape, value.dtype, null, trace, value, null)
}

// --- operations

/**
 * Applies a primitive to tensors, recording it on every trace its inputs belong to.
 * The number of inputs is small (1–3), so plain loops beat array helpers here.
 */
export function bind<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
  let top = 0
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]._trace
    if (t > top) top = t
  }
  if (top === 0) return prim.impl(inputs, params)
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
  return new Tensor(out.shape, out.dtype, null, top, out, node)
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
  // Topological order by an iterative depth-first search (long chains must not overflow the stack).
  const order: Tensor[] = []
  const seen = new Set<Tensor>()
  const stack: Tensor[] = []
  const childIdx: number[] = []
  for (const o of outputs) {
    if (o._trace !== trace || seen.has(o)) continue
    seen.add(o)
    stack.push(o)
    childIdx.push(0)
    while (stack.length > 0) {
      const top = stack[stack.length - 1]
      const node = top._node
      const k = childIdx[childIdx.length - 1]
      if (node !== null && k < node.parents.length) {
        childIdx[childIdx.length - 1] = k + 1
        const p = node.parents[k]
        if (p !== null && !seen.has(p)) {
          seen.add(p)
          stack.push(p)
          childIdx.push(0)
        }
      } else {
        stack.pop()
        childIdx.pop()
        order.push(top)
      }
    }
  }
  const grads = new Map<Tensor, Tensor>()
  const accumulate = (box: Tensor, g: Tensor): void => {
    const prev = grads.get(box)
    grads.set(box, prev === undefined ? g : add(prev, g))
  }
  for (let i = 0; i < outputs.length; i++) {
    if (outputs[i]._trace === trace) accumulate(outputs[i], fit(cts[i], outputs[i]))
  }
  const keep = new Set(inputs)
  for (let i = order.length - 1; i >= 0; i--) {
    const box = order[i]
    const node = box._node
    if (node === null) continue
    const g = grads.get(box)
    if (g === undefined) continue
    if (!keep.has(box)) grads.delete(box)
    const pcts = node.prim.vjp(g, node.inputs, node.out, node.params, node.parents)
    for (let j = 0; j < node.parents.length; j++) {
      const p = node.parents[j]
      const c = pcts[j]
      if (p !== null && c !== null && c !== undefined) accumulate(p, fit(c, p))
    }
  }
  return inputs.map((x) => grads.get(x))
}

/**
 * The engine takes a new trace kind as one module: the `Trace` below (a recorder that lists the
 * primitives applied to its tracers and computes their values eagerly) plugs into `bind` with no
 * change to the engine or to any op, and nests with grad and jvp in both orders. Also: tracers
 * of every kind are frozen like concrete tensors.
 */
import { describe, expect, it } from 'vitest'
import { Tensor, grad, jvp, mul, scalar, sin, sum, tensor, toFlatArray, vjp } from '../../src/index.js'
import type { Primitive } from '../../src/engine/primitive.js'
import { type Trace, bind, isTracerOf, newLevel, newTracer } from '../../src/engine/trace.js'

/** A trace kind written against the engine's interface only: it records primitive names. */
class RecordTrace implements Trace {
  readonly level = newLevel()
  readonly names: string[] = []

  process<P>(prim: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
    this.names.push(prim.name)
    const vals = inputs.map((x) => (isTracerOf<null>(this, x) ? x._primal : x))
    const out = bind(prim, vals, params)
    return newTracer(this, out, out, null, 0)
  }
}

/** Runs f on x under a fresh recorder; returns f's value one level down and the names recorded. */
function record(f: (x: Tensor) => Tensor, x: Tensor): [Tensor, string[]] {
  const trace = new RecordTrace()
  const y = f(newTracer(trace, x, x, null, 0))
  return [isTracerOf<null>(trace, y) ? y._primal : y, trace.names]
}

const f = (x: Tensor) => sum(mul(sin(x), 3))

describe('a trace kind defined outside the engine', () => {
  it('sees every primitive applied to its tracers, and computes the same values', () => {
    const x = tensor([0.5, -1, 2], 'float64')
    const [y, names] = record(f, x)
    expect(names).toEqual(['sin', 'mul', 'sum'])
    expect(toFlatArray(y)).toEqual(toFlatArray(f(x)))
  })

  it('nests inside grad: the gradient is unchanged and the recorder sees the forward pass only', () => {
    const x = tensor([0.5, -1, 2], 'float64')
    let names: string[] = []
    const g = grad((t: Tensor) => {
      const [y, n] = record(f, t)
      names = n
      return y
    })(x)
    expect(toFlatArray(g)).toEqual(toFlatArray(grad(f)(x)))
    // d/dx Σ 3 sin x = 3 cos x
    for (const [i, gi] of toFlatArray(g).entries()) expect(Math.abs(gi - 3 * Math.cos(toFlatArray(x)[i]))).toBeLessThan(1e-15)
    expect(names).toEqual(['sin', 'mul', 'sum'])
  })

  it('wraps grad: the recorder sees the backward pass too, and the gradient is unchanged', () => {
    const x = tensor([0.5, -1, 2], 'float64')
    const [g, names] = record((t) => grad(f)(t), x)
    expect(toFlatArray(g)).toEqual(toFlatArray(grad(f)(x)))
    // forward: sin, mul, sum; backward of sum, mul and sin: at least a cos and a mul
    expect(names.slice(0, 3)).toEqual(['sin', 'mul', 'sum'])
    expect(names).toContain('cos')
  })

  it('wraps jvp: tangents computed under the recorder match those computed without it', () => {
    const x = tensor([0.5, -1, 2], 'float64')
    const v = tensor([1, 2, 3], 'float64')
    const [t, names] = record((u) => jvp(f, [u], [v])[1], x)
    expect(toFlatArray(t)).toEqual(toFlatArray(jvp(f, [x], [v])[1]))
    expect(names).toContain('cos')
  })
})

describe('tracers are tensors', () => {
  it('reverse, forward and custom tracers are frozen, are Tensors, and say they are traced', () => {
    const seen: Tensor[] = []
    const keep = (t: Tensor) => {
      seen.push(t, sin(t))
      return sum(t)
    }
    grad(keep)(scalar(1))
    jvp(keep, [scalar(1)], [scalar(1)])
    vjp(keep, scalar(1))
    record(keep, scalar(1))
    expect(seen.length).toBe(8)
    for (const t of seen) {
      expect(t._level).toBeGreaterThan(0)
      expect(t).toBeInstanceOf(Tensor)
      expect(Object.isFrozen(t)).toBe(true)
      expect(() => {
        ;(t as unknown as { shape: number[] }).shape = [9]
      }).toThrow(TypeError)
      expect(() => {
        ;(t as unknown as { extra: number }).extra = 1
      }).toThrow(TypeError)
      expect(String(t)).toBe('Tensor(float32 [])')
    }
  })
})

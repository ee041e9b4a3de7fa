/**
 * Pytrees: plain objects and arrays of tensors; depth-first leaf order; map over several trees;
 * anything else as a leaf is an error naming its path.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import * as O from '../../src/optim/index.js'
import { thrown } from '../helpers/errors.js'

const s = (x: number) => P.scalar(x)

describe('tree', () => {
  it('leaves are depth first: arrays by index, objects by key insertion order', () => {
    const t = { b: [s(1), { z: s(2), a: s(3) }], a: s(4) }
    expect(P.tree.leaves(t).map(P.item)).toEqual([1, 2, 3, 4])
    expect(P.tree.leaves(s(7)).map(P.item)).toEqual([7])
    expect(P.tree.leaves({})).toEqual([])
  })
  it('map keeps the structure and zips several trees', () => {
    const a = { w: [s(1), s(2)], b: s(3) }
    const b = { w: [s(10), s(20)], b: s(30) }
    const c = P.tree.map((x: Tensor, y: Tensor) => P.add(x, y), a, b)
    expect(P.tree.leaves(c).map(P.item)).toEqual([11, 22, 33])
    expect(Object.keys(c)).toEqual(['w', 'b'])
    expect(Array.isArray(c.w)).toBe(true)
  })
  it('reduce folds in leaf order; zerosLike keeps shapes and dtypes', () => {
    const t = [P.ones([2, 2], 'float64'), { k: P.ones([3]) }]
    expect(P.tree.reduce((acc: string, l: Tensor) => `${acc}${l.size}`, '', t)).toBe('43')
    const z = P.tree.zerosLike(t)
    expect(P.tree.structureEquals(z, t)).toBe(true)
    expect(
      P.tree
        .leaves(z)
        .flatMap(P.toFlatArray)
        .every((v) => v === 0),
    ).toBe(true)
    expect((z[0] as Tensor).dtype).toBe('float64')
  })
  it('structureEquals compares keys, order, lengths, shapes and dtypes, and never throws', () => {
    expect(P.tree.structureEquals({ a: s(1), b: s(2) }, { a: s(5), b: s(6) })).toBe(true)
    expect(P.tree.structureEquals({ a: s(1), b: s(2) }, { b: s(1), a: s(2) })).toBe(false)
    expect(P.tree.structureEquals([s(1)], [s(1), s(2)])).toBe(false)
    expect(P.tree.structureEquals([s(1)], [P.scalar(1, 'float64')])).toBe(false)
    expect(P.tree.structureEquals([s(1)], [3])).toBe(false)
  })
  it('non-tensor leaves are errors naming the path', () => {
    expect(() => P.tree.leaves({ a: [s(1), null] })).toThrow(/tree\.leaves.*\.a\[1\].*null/)
    expect(() => P.tree.leaves({ a: new Map() })).toThrow(/\.a.*Map/)
    expect(() => P.tree.zerosLike([undefined])).toThrow(/\[0\].*undefined/)
  })
  it('does not change its inputs', () => {
    const t = { w: [s(1)] }
    P.tree.map((x: Tensor) => P.mul(x, 2), t)
    expect(P.item(t.w[0])).toBe(1)
    expect(t.w.length).toBe(1)
  })
})

// --- cycles and depth (issue 11, item 3)

/** `{ a: { a: … leaf } }` with `containers` nested objects, built in a loop (the test never recurses). */
function nested(containers: number): unknown {
  let t: unknown = s(1)
  for (let i = 0; i < containers; i++) t = { a: t }
  return t
}
/** The innermost leaf of `nested`, read in a loop. */
const innermost = (t: unknown): Tensor => {
  while (!(t instanceof P.Tensor)) t = (t as { a: unknown }).a
  return t
}

describe('cyclic pytrees are named errors, never a stack overflow', () => {
  const f = (p: { w: Tensor }) => P.sum(P.mul(p.w, 3))
  it('grad, valueAndGrad, vjp and tree.map name the transform and the path where the cycle closes', () => {
    const root: Record<string, unknown> = { w: s(1), inner: { x: [s(2)] } }
    ;(root.inner as Record<string, unknown[]>).x.push(root) // .inner.x[1] refers back to the root
    const cases: [string, () => unknown][] = [
      ['grad', () => P.grad(f as never)(root)],
      ['valueAndGrad', () => P.valueAndGrad(f as never)(root)],
      ['vjp', () => P.vjp(f as never, root)],
      ['tree.map', () => P.tree.map((x: Tensor) => x, root)],
      ['tree.leaves', () => P.tree.leaves(root)],
      ['tree.zerosLike', () => P.tree.zerosLike(root)],
    ]
    for (const [op, run] of cases) {
      const e = thrown(run)
      expect(e).toBeInstanceOf(P.ArgumentError)
      expect(e.message).toBe(`${op}: the pytree is cyclic: the value at .inner.x[1] is its own ancestor at the root`)
    }
    const deeper: Record<string, unknown> = { b: [s(1)] }
    const mid: Record<string, unknown> = { c: deeper }
    ;(deeper.b as unknown[]).push(mid)
    expect(thrown(() => P.tree.leaves({ top: mid })).message).toContain('the value at .top.c.b[1] is its own ancestor at .top')
    expect(P.tree.structureEquals(root, root)).toBe(false) // never throws
  })
  it('a subtree shared by two branches is not a cycle', () => {
    const shared = { w: s(2) }
    const g = P.grad((p: { a: { w: Tensor }; b: { w: Tensor } }) => P.add(P.sum(p.a.w), P.sum(P.mul(p.b.w, 5))))({ a: shared, b: shared })
    expect([P.item(g.a.w), P.item(g.b.w)]).toEqual([1, 5])
  })
  it('property: a cycle planted anywhere in a random tree is found, naming its path', () => {
    // A random chain of keys/indices; the last container points back to the one at `back`.
    const step = fc.oneof(fc.constantFrom('a', 'b', '__proto__', '0'), fc.nat(2))
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), fc.nat(), (steps, pick) => {
        const containers: (Record<string, unknown> | unknown[])[] = []
        const make = (k: string | number) => (typeof k === 'number' ? [s(0), s(1), s(2)] : { a: s(0), b: s(1) })
        const root = make(steps[0])
        containers.push(root)
        let path = ''
        for (let i = 0; i < steps.length; i++) {
          const k = steps[i]
          const child = i + 1 < steps.length ? make(steps[i + 1]) : containers[pick % containers.length]
          const parent = containers[containers.length - 1]
          const key = Array.isArray(parent) ? (typeof k === 'number' ? k : 0) : String(k)
          Object.defineProperty(parent, key, { value: child, enumerable: true, writable: true, configurable: true })
          path += Array.isArray(parent) ? `[${key}]` : `.${key}`
          if (i + 1 < steps.length) containers.push(child as Record<string, unknown>)
        }
        const e = thrown(() => P.tree.leaves(root))
        expect(e).toBeInstanceOf(P.ArgumentError)
        expect(e.message).toContain(`the value at ${path} is its own ancestor at `)
      }),
      { numRuns: 200 },
    )
  })
})

describe('deep pytrees: 1,000 levels work, deeper ones are named errors', () => {
  it('1,000 nested containers: grad, tree.map, structureEquals', () => {
    const t = nested(1000)
    const g = P.grad((x: unknown) => P.sum(P.mul(innermost(x), 4)))(t)
    expect(P.item(innermost(g))).toBe(4)
    expect(
      P.tree.structureEquals(
        P.tree.map((x: Tensor) => P.neg(x), t),
        t,
      ),
    ).toBe(true)
  })
  it('1,001, 5,000 and 50,000 levels name the op, the limit and the path (elided), without overflowing the stack', () => {
    for (const depth of [1001, 5000, 50000]) {
      const t = nested(depth)
      for (const [op, run] of [
        ['grad', () => P.grad((x: unknown) => P.sum(innermost(x)))(t)],
        ['tree.map', () => P.tree.map((x: Tensor) => x, t)],
        ['tree.leaves', () => P.tree.leaves(t)],
      ] as const) {
        const e = thrown(run)
        expect(e).toBeInstanceOf(P.ArgumentError)
        expect(e.message).toMatch(new RegExp(`^${op.replace('.', '\\.')}: the pytree is nested deeper than 1000 levels at \\.a\\.a\\.a`))
        expect(e.message).toContain('more keys')
        expect(e.message.length).toBeLessThan(200)
      }
      expect(P.tree.structureEquals(t, t)).toBe(false)
    }
    // arrays too
    let arr: unknown = s(1)
    for (let i = 0; i < 50000; i++) arr = [arr]
    expect(thrown(() => P.tree.leaves(arr)).message).toMatch(/nested deeper than 1000 levels at \[0\]\[0\]/)
  })
})

// --- "__proto__" and other special keys (issue 11, item 4)

/** Every level's own key list (objects) or length (arrays), read without recursion limits mattering (small trees). */
function keyLists(t: unknown): unknown {
  if (t instanceof P.Tensor) return 'leaf'
  if (Array.isArray(t)) return t.map(keyLists)
  const o = t as Record<string, unknown>
  return Object.keys(o).map((k) => [k, keyLists(o[k])])
}

describe('own "__proto__" keys are carried faithfully', () => {
  // JSON.parse defines "__proto__" as an own key (as decodeCheckpoint does); the reviver turns numbers into tensors.
  const parse = (text: string): Record<string, unknown> => JSON.parse(text, (_k, v) => (typeof v === 'number' ? P.scalar(v, 'float64') : v))
  it('tree.map, zerosLike and grad keep the key, its value and the prototype; nothing is polluted', () => {
    const t = parse('{"__proto__": {"w": 2, "b": [3]}, "c": 4}')
    expect(Object.keys(t)).toEqual(['__proto__', 'c'])
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype)
    const doubled = P.tree.map((x: Tensor) => P.mul(x, 2), t)
    const z = P.tree.zerosLike(t)
    // f = 5·w + b₀² + c: ∂f/∂w = 5, ∂f/∂b₀ = 2·b₀ = 6, ∂f/∂c = 1
    // the own key "__proto__" (read as an own property: it shadows the prototype accessor)
    const inner = (p: Record<string, unknown>) => Object.getOwnPropertyDescriptor(p, '__proto__')?.value as { w: Tensor; b: Tensor[] }
    const f = (p: Record<string, unknown>) => P.add(P.add(P.mul(inner(p).w, 5), P.square(inner(p).b[0])), p.c as Tensor)
    const g = P.grad(f)(t)
    const [v, g2] = P.valueAndGrad(f)(t)
    expect(P.item(v)).toBe(5 * 2 + 9 + 4)
    for (const out of [doubled, z, g, g2]) {
      expect(keyLists(out)).toEqual(keyLists(t))
      expect(Object.hasOwn(out, '__proto__')).toBe(true)
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
      expect(P.tree.structureEquals(out, t)).toBe(true)
    }
    expect(P.tree.leaves(doubled).map(P.item)).toEqual([4, 6, 8])
    expect(P.tree.leaves(g).map(P.item)).toEqual([5, 6, 1])
    expect(({} as Record<string, unknown>).w).toBeUndefined()
    expect(Object.hasOwn(Object.prototype, 'w') || Object.hasOwn(Object.prototype, 'b')).toBe(false)
  })
  it('optimizer states and updates keep the key (their pytrees are rebuilt by unflatten)', () => {
    const t = parse('{"__proto__": {"w": 2}, "c": 4}')
    const opts: O.GradientTransformation<unknown>[] = [O.sgd(0.1), O.adam(0.1), O.chain(O.clipByGlobalNorm(1), O.adamw(0.1, { weightDecay: 0.1 }))]
    for (const opt of opts) {
      const [u, state] = opt.update(t, opt.init(t), t)
      const next = O.applyUpdates(t, u)
      for (const out of [u, next]) expect(keyLists(out)).toEqual(keyLists(t))
      expect(state).toBeDefined()
    }
    // adam = chain(scaleByAdam, scaleByLearningRate): the first state holds the moments
    const adamState = (O.adam(0.1).update(t, O.adam(0.1).init(t), t)[1] as unknown as { mu: unknown; nu: unknown }[])[0]
    expect(keyLists(adamState.mu)).toEqual(keyLists(t))
    expect(keyLists(adamState.nu)).toEqual(keyLists(t))
    // sgd: w − 0.1·g with g = p: 2 − 0.2 = 1.8, 4 − 0.4 = 3.6
    const [u] = O.sgd(0.1).update(t, O.sgd(0.1).init(t), t)
    expect(P.tree.leaves(O.applyUpdates(t, u)).map(P.item)).toEqual([1.8, 3.6])
  })
  it('property: random trees with keys such as __proto__, constructor and "0" keep every key list through tree.map and grad', () => {
    const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', '10', ''), fc.string({ maxLength: 4 }))
    const tree: fc.Arbitrary<unknown> = fc.letrec<{ t: unknown }>((tie) => ({
      t: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        { weight: 3, arbitrary: fc.double({ min: -2, max: 2, noNaN: true }).map((x) => P.scalar(x, 'float64')) },
        fc.array(tie('t'), { maxLength: 3 }),
        fc.uniqueArray(fc.tuple(key, tie('t')), { maxLength: 4, selector: ([k]) => k }).map((entries) => {
          const o: Record<string, unknown> = {}
          for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
          return o
        }),
      ),
    })).t
    fc.assert(
      fc.property(tree, (t) => {
        const mapped = P.tree.map((x: Tensor) => P.mul(x, 3), t)
        expect(keyLists(mapped)).toEqual(keyLists(t))
        // f = Σ leaves², so the gradient is 2·leaf, in the same places
        const g = P.grad((p: unknown) => P.tree.leaves(p).reduce((acc: Tensor, x) => P.add(acc, P.square(x)), P.scalar(0, 'float64')))(t)
        expect(keyLists(g)).toEqual(keyLists(t))
        expect(P.tree.leaves(g).map(P.item)).toEqual(P.tree.leaves(t).map((x) => 2 * P.item(x)))
        expect(Object.getPrototypeOf({})).toBe(Object.prototype)
      }),
      { numRuns: 150 },
    )
  })
})

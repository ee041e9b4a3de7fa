/**
 * Checkpoints as text: every bit of random float64 and float32 bit patterns survives (NaN, −0,
 * ±Infinity, subnormals), int32 values (the extremes too) and bools, pytrees keep their structure and key order, the text is
 * deterministic, and malformed, truncated, tampered or random input is a Left naming the path —
 * never a throw.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { dense, dropout, losses, relu, sequential } from '../../src/nn/index.js'
import { adam } from '../../src/optim/index.js'
import { type TrainState, initTrainState, trainStep } from '../../src/train/index.js'
import { Checkpoint, ModelSpec, OptimizerConfig, TensorCodec, type CheckpointTree, decodeCheckpoint, encodeCheckpoint } from '../../src/io/index.js'

// --- arbitraries: tensors from raw bit patterns

const f64FromBits = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((b) => new Float64Array(BigUint64Array.of(b).buffer)[0])
const special = fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072009e-308, Number.MAX_VALUE)
const f64 = fc.oneof(f64FromBits, special, fc.double())
const f32 = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((b) => new Float32Array(Uint32Array.of(b).buffer)[0]),
  special.map(Math.fround),
  fc.float(),
)

const shapes = fc.oneof(
  fc.constant([] as number[]),
  fc.tuple(fc.nat(6)),
  fc.tuple(fc.nat(3), fc.nat(3)),
  fc.tuple(fc.integer({ min: 1, max: 2 }), fc.nat(2), fc.integer({ min: 1, max: 2 })),
)
// int32 from the whole range, the extremes weighted in; bool as 0/1
const i32 = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, -1, 0))
const b01 = fc.constantFrom(0, 1)
const values: Record<P.DType, fc.Arbitrary<number>> = { float64: f64, float32: f32, int32: i32, bool: b01 }
const tensorArb: fc.Arbitrary<P.Tensor> = fc.tuple(shapes, fc.constantFrom<P.DType>('float32', 'float64', 'int32', 'bool')).chain(([shape, dtype]) => {
  const n = shape.reduce((a, b) => a * b, 1)
  return fc.array(values[dtype], { minLength: n, maxLength: n }).map((vs) => P.fromArray(vs, shape, dtype))
})

const keyArb = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('0', '1', '10', '__proto__', 'constructor', 'type', ''))
const treeArb: fc.Arbitrary<CheckpointTree> = fc.letrec<{ tree: CheckpointTree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: tensorArb },
    f64,
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.uniqueArray(fc.tuple(keyArb, tie('tree')), { maxLength: 4, selector: ([k]) => k }).map((entries) => {
      const o: Record<string, CheckpointTree> = {}
      for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
      return o
    }),
  ),
})).tree

// --- bitwise equality (NaN payloads aside)

const sameNumber = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b))
function same(a: unknown, b: unknown, path = ''): void {
  if (a instanceof P.Tensor) {
    expect(b, path).toBeInstanceOf(P.Tensor)
    const t = b as P.Tensor
    expect([t.dtype, t.shape], path).toEqual([a.dtype, a.shape])
    const xs = P.toFlatArray(a),
      ys = P.toFlatArray(t)
    xs.forEach((x, i) => {
      if (!sameNumber(x, ys[i])) expect(ys[i], `${path}[${i}]`).toBe(x)
    })
  } else if (typeof a === 'number') {
    if (!sameNumber(a, b as number)) expect(b, path).toBe(a)
  } else if (Array.isArray(a)) {
    expect(Array.isArray(b), path).toBe(true)
    expect((b as unknown[]).length, path).toBe(a.length)
    a.forEach((v, i) => {
      same(v, (b as unknown[])[i], `${path}[${i}]`)
    })
  } else if (a !== null && typeof a === 'object') {
    expect(Object.keys(b as object), path).toEqual(Object.keys(a))
    for (const k of Object.keys(a)) same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`)
  } else expect(b, path).toBe(a)
}

const decodeOk = (text: string): CheckpointTree => {
  const r = decodeCheckpoint(text)
  if (E.isLeft(r)) throw r.left
  return r.right
}

describe('encodeCheckpoint / decodeCheckpoint', () => {
  it('round-trips random pytrees bit for bit (float64 and float32 bit patterns, NaN, −0, ±Infinity, subnormals), keeping key order', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        same(tree, decodeOk(encodeCheckpoint(tree)))
      }),
      { numRuns: 300 },
    )
  })

  it('the special values, explicitly', () => {
    const vs = [NaN, -0, 0, Infinity, -Infinity, 5e-324, -5e-324, 2.2250738585072009e-308, Number.MAX_VALUE, 0.1]
    const tree = { a: P.tensor(vs, 'float64'), b: P.tensor(vs.map(Math.fround), 'float32'), n: vs }
    const back = decodeOk(encodeCheckpoint(tree)) as typeof tree
    same(tree, back)
    expect(back.b.dtype).toBe('float32')
    expect(Object.is(P.toFlatArray(back.b)[1], -0)).toBe(true)
    expect(P.toFlatArray(back.b)[5]).toBe(Math.fround(5e-324) === 0 ? 0 : Math.fround(5e-324))
  })

  it('is deterministic: the same tree gives the same text, and decoding then encoding gives it back', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const text = encodeCheckpoint(tree)
        expect(encodeCheckpoint(tree)).toBe(text)
        expect(encodeCheckpoint(decodeOk(text))).toBe(text)
      }),
      { numRuns: 200 },
    )
  })

  it('carries a whole train state: a random key comes back as a working key', () => {
    const state = { params: [{ w: P.ones([2, 2]) }], key: P.random.key(7), step: 12 }
    const back = decodeOk(encodeCheckpoint(state)) as unknown as typeof state
    expect(P.random.isKey(back.key)).toBe(true)
    expect(P.random.keyData(P.random.split(back.key)[0])).toEqual(P.random.keyData(P.random.split(state.key)[0]))
    expect(back.step).toBe(12)
  })

  it('a train state saved mid-run and resumed continues bit for bit like the uninterrupted run', () => {
    const model = sequential(dense(8), relu(), dropout(0.3), dense(2))
    const optimizer = adam(0.01)
    const step = trainStep({ model, optimizer, loss: losses.softmaxCrossEntropy })
    const batch = { x: P.random.normal(P.random.key(1), [6, 3]), y: P.oneHot([0, 1, 1, 0, 1, 0], 2) }
    let s = initTrainState(model.init(P.random.key(0), [3]).params, optimizer, P.random.key(2))
    for (let i = 0; i < 3; i++) s = step(s, batch)
    let resumed = decodeOk(encodeCheckpoint(s)) as unknown as TrainState<typeof s.params, typeof s.optState>
    for (let i = 0; i < 3; i++) {
      s = step(s, batch)
      resumed = step(resumed, batch)
    }
    same(s, resumed)
  })

  it('every truncation is a Left, never a throw', () => {
    fc.assert(
      fc.property(treeArb, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (tree, frac) => {
        const text = encodeCheckpoint(tree)
        const r = decodeCheckpoint(text.slice(0, Math.floor(frac * text.length)))
        expect(E.isLeft(r)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('a changed character is a Left (or, where JSON means the same thing, the same tree), never a throw', () => {
    fc.assert(
      fc.property(treeArb, fc.nat(), fc.integer({ min: 32, max: 126 }), (tree, at, code) => {
        const text = encodeCheckpoint(tree)
        const i = at % text.length
        fc.pre(text.charCodeAt(i) !== code)
        const r = decodeCheckpoint(text.slice(0, i) + String.fromCharCode(code) + text.slice(i + 1))
        if (E.isRight(r)) same(tree, r.right)
      }),
      { numRuns: 500 },
    )
  })

  it('random strings and random JSON are a Left, never a throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ format: 'purediff-checkpoint', version: 1, checksum: '00000000', tree: v })),
        ),
        (text) => {
          expect(E.isLeft(decodeCheckpoint(text))).toBe(true)
        },
      ),
      { numRuns: 500 },
    )
    expect(E.isLeft(decodeCheckpoint(42 as never))).toBe(true)
    expect(E.isLeft(decodeCheckpoint('['.repeat(100000) + ']'.repeat(100000)))).toBe(true)
  })

  it('a Left names the path of the bad field', () => {
    const text = encodeCheckpoint({ layers: [{ w: P.ones([2, 3], 'float64') }], step: 1 })
    const json = JSON.parse(text)
    const message = (j: unknown) => {
      const r = decodeCheckpoint(JSON.stringify(j))
      if (E.isRight(r)) throw new Error('expected a Left')
      return r.left.message
    }
    const w = json.tree.entries[0][1].items[0].entries[0][1]
    expect(message({ ...json, version: 2 })).toMatch(/at version: unsupported checkpoint version 2/)
    expect(message({ ...json, format: 'other' })).toMatch(/at format/)
    w.data = w.data.slice(0, -4)
    expect(message(json)).toMatch(/at tree\.layers\.0\.w\.data: expected 48 bytes/)
    w.data = 'not base64!'
    expect(message(json)).toMatch(/at tree\.layers\.0\.w\.data: expected canonical base64/)
    w.data = P.tensor(0).dtype
    w.dtype = 'int8'
    expect(message(json)).toMatch(/at tree\.layers\.0\.w\.dtype/)
    const fresh = JSON.parse(text)
    fresh.tree.entries[1][1].hex = '3ff0000000000001' // step 1 → 1.0000000000000002: valid node, wrong checksum
    expect(message(fresh)).toMatch(/at checksum: checksum mismatch/)
  })

  it('encoding refuses what a checkpoint cannot hold, naming the path', () => {
    expect(() => encodeCheckpoint({ a: [P.ones([1]), (() => 1) as never] })).toThrow(/\.a\[1\]/)
    expect(() => encodeCheckpoint({ u: undefined as never })).toThrow(P.ArgumentError)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => encodeCheckpoint(cyclic as never)).toThrow(/cyclic at \.self/)
  })
})

describe('codecs', () => {
  it('TensorCodec round-trips random tensors and Checkpoint.is agrees with encode', () => {
    fc.assert(
      fc.property(tensorArb, (t) => {
        const back = TensorCodec.decode(JSON.parse(JSON.stringify(TensorCodec.encode(t))))
        if (E.isLeft(back)) throw new Error('expected a Right')
        same(t, back.right)
        expect(TensorCodec.is(t)).toBe(true)
        expect(Checkpoint.is({ t })).toBe(true)
      }),
    )
    expect(Checkpoint.is({ f: () => 1 })).toBe(false)
  })

  it('purediff/io re-exports the model and optimizer codecs', () => {
    expect(E.isRight(ModelSpec.decode({ layers: [{ type: 'relu' }] }))).toBe(true)
    expect(typeof OptimizerConfig.decode).toBe('function')
  })
})

describe('deep trees (issue 11, item 3)', () => {
  /** `containers` nested objects `{ a: … }` around a tensor, built in a loop. */
  const nested = (containers: number): unknown => {
    let t: unknown = P.tensor([1, 2], 'float64')
    for (let i = 0; i < containers; i++) t = { a: t }
    return t
  }
  it('1,000 nested containers round-trip (the leaf is node 1,000, the deepest the decoder accepts)', () => {
    const back = decodeOk(encodeCheckpoint(nested(1000)))
    let t: unknown = back
    for (let i = 0; i < 1000; i++) t = (t as { a: unknown }).a
    expect(P.toFlatArray(t as P.Tensor)).toEqual([1, 2])
  })
  it('deeper trees: encoding throws naming the path (elided), decoding is a Left — at 1,001, 5,000 and 50,000', () => {
    for (const depth of [1001, 5000, 50000]) {
      const e = (() => {
        try {
          encodeCheckpoint(nested(depth))
        } catch (err) {
          return err as Error
        }
        throw new Error('expected a throw')
      })()
      expect(e).toBeInstanceOf(P.ArgumentError)
      expect(e.message).toMatch(/^encodeCheckpoint: the tree is nested deeper than 1000 levels at \.a\.a\.a.*more characters/)
      expect(e.message.length).toBeLessThan(300)
      expect(Checkpoint.is(nested(depth))).toBe(false)
      // The same tree written by hand: entries nested `depth` deep around a number node.
      const node = `${'{"type":"object","entries":[["a",'.repeat(depth)}{"type":"number","hex":"3ff0000000000000"}${']]}'.repeat(depth)}`
      const text = `{"format":"purediff-checkpoint","version":1,"checksum":"00000000","tree":${node}}`
      const r = decodeCheckpoint(text)
      if (E.isRight(r)) throw new Error('expected a Left')
      expect(r.left.message).toMatch(/at tree\.a\.a\.a.*more keys.*: the tree is nested deeper than 1000 levels/)
    }
  })
})

describe('own "__proto__" keys through a checkpoint, tree.map and grad (issue 11, item 4)', () => {
  it('JSON.parse objects keep "__proto__" as an own key through encode/decode, and the decoded tree through tree.map and grad', () => {
    const tree = JSON.parse('{"__proto__": {"w": 2, "polluted": 1}, "b": [3]}', (_k, v) => (typeof v === 'number' ? P.scalar(v, 'float64') : v))
    const keys = (t: unknown): unknown =>
      t instanceof P.Tensor ? 'leaf' : Array.isArray(t) ? t.map(keys) : Object.keys(t as object).map((k) => [k, keys((t as Record<string, unknown>)[k])])
    expect(keys(tree)).toEqual([
      [
        '__proto__',
        [
          ['w', 'leaf'],
          ['polluted', 'leaf'],
        ],
      ],
      ['b', ['leaf']],
    ])
    const back = decodeOk(encodeCheckpoint(tree))
    expect(keys(back)).toEqual(keys(tree))
    expect(P.tree.structureEquals(back, tree)).toBe(true)
    same(tree, back)
    // f = 7·w + polluted·b₀: ∂/∂w = 7, ∂/∂polluted = b₀ = 3, ∂/∂b₀ = polluted = 1
    // Reflect.get reads p['__proto__'] as written: the own key "__proto__", not the prototype
    const f = (p: CheckpointTree) => {
      const own = Reflect.get(p as object, '__proto__') as { w: P.Tensor; polluted: P.Tensor }
      return P.add(P.mul(own.w, 7), P.mul(own.polluted, (Reflect.get(p as object, 'b') as P.Tensor[])[0]))
    }
    const g = P.grad(f)(back)
    const mapped = P.tree.map((x: P.Tensor) => P.neg(x), back)
    for (const out of [g, mapped, decodeOk(encodeCheckpoint(g))]) {
      expect(keys(out)).toEqual(keys(tree))
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    }
    expect(P.tree.leaves(g).map(P.item)).toEqual([7, 3, 1])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.hasOwn(Object.prototype, 'w')).toBe(false)
  })
})

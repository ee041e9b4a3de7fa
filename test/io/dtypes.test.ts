/**
 * The int32 and bool dtypes at the io boundary: TensorCodec and checkpoints keep every value of
 * every dtype bit for bit (int32 from −2^31 to 2^31 − 1, bool as 0/1), a mixed-dtype pytree
 * comes back with each leaf's dtype, files on disk too, and malformed int32/bool data (a wrong
 * byte count, a bool byte other than 0 or 1, an unknown dtype) is a Left naming the path and
 * the problem.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { TensorCodec, type TensorJSON, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint } from '../../src/io/index.js'

const INT_MIN = -(2 ** 31)
const INT_MAX = 2 ** 31 - 1
const i32 = fc.oneof(fc.integer({ min: INT_MIN, max: INT_MAX }), fc.constantFrom(INT_MIN, INT_MAX, -1, 0, 1))
const f64 = fc.double()
const f32 = fc.float()
const values: Record<P.DType, fc.Arbitrary<number>> = { float64: f64, float32: f32, int32: i32, bool: fc.constantFrom(0, 1) }
const shapes = fc.oneof(fc.constant([] as number[]), fc.tuple(fc.nat(7)), fc.tuple(fc.nat(3), fc.integer({ min: 1, max: 3 })))
const tensorOf = (dtype: P.DType) =>
  shapes.chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1)
    return fc.array(values[dtype], { minLength: n, maxLength: n }).map((vs) => P.fromArray(vs, shape, dtype))
  })
const anyTensor = fc.constantFrom<P.DType>('float32', 'float64', 'int32', 'bool').chain(tensorOf)

/** The raw bytes of a tensor's values: equal bytes is equal bits (NaN payloads included). */
const bits = (t: P.Tensor): number[] => {
  const xs = P.toFlatArray(t)
  const typed = t.dtype === 'float64' ? Float64Array.from(xs) : t.dtype === 'float32' ? Float32Array.from(xs) : t.dtype === 'int32' ? Int32Array.from(xs) : Uint8Array.from(xs)
  return Array.from(new Uint8Array(typed.buffer))
}
const sameTensor = (a: P.Tensor, b: unknown) => {
  expect(b).toBeInstanceOf(P.Tensor)
  const t = b as P.Tensor
  expect([t.dtype, t.shape]).toEqual([a.dtype, a.shape])
  expect(bits(t)).toEqual(bits(a))
}

const decodeTensor = (json: unknown): P.Tensor => {
  const r = TensorCodec.decode(json)
  if (E.isLeft(r)) throw new Error(r.left.map((e) => e.message).join('; '))
  return r.right
}
/** The messages and the field path of a TensorCodec Left. */
const tensorLeft = (json: unknown): { path: string; message: string } => {
  const r = TensorCodec.decode(json)
  if (E.isRight(r)) throw new Error('expected a Left')
  const e = r.left[0]
  return {
    path: e.context
      .map((c) => c.key)
      .filter((k) => k !== '')
      .join('.'),
    message: e.message ?? '',
  }
}
const checkpointLeft = (text: string): string => {
  const r = decodeCheckpoint(text)
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left.message
}

describe('TensorCodec: int32 and bool', () => {
  for (const dtype of ['int32', 'bool', 'float32', 'float64'] as const) {
    it(`round-trips ${dtype} tensors bit for bit, through JSON text`, () => {
      fc.assert(
        fc.property(tensorOf(dtype), (t) => {
          sameTensor(t, decodeTensor(JSON.parse(JSON.stringify(TensorCodec.encode(t)))))
        }),
        { numRuns: 30 },
      )
    })
  }

  it('the int32 extremes and bools, explicitly: the bytes are little-endian two’s complement and 0/1', () => {
    const ints = P.tensor([INT_MIN, INT_MAX, -1, 0, 1], 'int32')
    const json = TensorCodec.encode(ints)
    expect(json.dtype).toBe('int32')
    // −2^31 = 00 00 00 80, 2^31 − 1 = ff ff ff 7f, −1 = ff ff ff ff, 0, 1 (little-endian)
    const expected = [0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 0, 0, 0]
    expect(Array.from(atob(json.data), (c) => c.charCodeAt(0))).toEqual(expected)
    const back = decodeTensor(json)
    expect(back.dtype).toBe('int32')
    expect(P.toFlatArray(back)).toEqual([INT_MIN, INT_MAX, -1, 0, 1])
    const bools = TensorCodec.encode(P.tensor([1, 0, 1], 'bool'))
    expect(Array.from(atob(bools.data), (c) => c.charCodeAt(0))).toEqual([1, 0, 1])
    expect(P.toFlatArray(decodeTensor(bools))).toEqual([1, 0, 1])
  })

  it('a bool byte other than 0 or 1 is a Left at data naming the byte and its value', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 1), { minLength: 1, maxLength: 8 }), fc.nat(), fc.integer({ min: 2, max: 255 }), (vs, at, byte) => {
        const i = at % vs.length
        const raw: number[] = vs.slice()
        raw[i] = byte
        const json: TensorJSON = { dtype: 'bool', shape: [vs.length], data: btoa(String.fromCharCode(...raw)) }
        const { path, message } = tensorLeft(json)
        expect(path).toBe('data')
        expect(message).toBe(`byte ${i} of bool data is ${byte}; expected 0 or 1`)
      }),
      { numRuns: 30 },
    )
  })

  it('a wrong byte count is a Left at data saying how many bytes the shape needs', () => {
    // int32 [3] needs 12 bytes; 8 or 13 are wrong. bool [3] needs 3; 4 is wrong.
    const int8 = { dtype: 'int32', shape: [3], data: btoa('\0'.repeat(8)) }
    expect(tensorLeft(int8)).toEqual({ path: 'data', message: 'expected 12 bytes (3 int32 values for shape [3]), got 8 (truncated or tampered)' })
    expect(tensorLeft({ ...int8, data: btoa('\0'.repeat(13)) }).message).toMatch(/expected 12 bytes.*got 13/)
    expect(tensorLeft({ dtype: 'bool', shape: [3], data: btoa('\0\x01\0\x01') })).toEqual({
      path: 'data',
      message: 'expected 3 bytes (3 bool values for shape [3]), got 4 (truncated or tampered)',
    })
    // an int32 tensor relabelled bool: 4× the bytes, caught by the count before the byte check
    const asBool = { ...TensorCodec.encode(P.tensor([1, 0], 'int32')), dtype: 'bool' }
    expect(tensorLeft(asBool).message).toMatch(/expected 2 bytes \(2 bool values/)
  })

  it('an unknown dtype (int64, uint8, float16, a number) is a Left at dtype listing the four', () => {
    for (const dtype of ['int64', 'uint8', 'float16', 'Int32', 7]) {
      const { path, message } = tensorLeft({ dtype, shape: [1], data: 'AAAAAA==' })
      expect(path).toBe('dtype')
      expect(message).toBe(`expected 'float32', 'float64', 'int32' or 'bool', got ${JSON.stringify(dtype)}`)
    }
  })
})

describe('checkpoints: mixed dtypes', () => {
  const treeArb = fc.record({
    params: fc.array(fc.record({ w: tensorOf('float32'), b: tensorOf('float64') }), { maxLength: 2 }),
    labels: tensorOf('int32'),
    mask: tensorOf('bool'),
    any: fc.array(anyTensor, { maxLength: 3 }),
    step: fc.nat(),
  })

  it('a pytree mixing all four dtypes round-trips, each leaf keeping its dtype and bits', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const text = encodeCheckpoint(tree)
        const r = decodeCheckpoint(text)
        if (E.isLeft(r)) throw r.left
        const back = r.right as unknown as typeof tree
        const { step, ...tensors } = tree
        const { step: backStep, ...backTensors } = back
        expect(backStep).toBe(step)
        const a = P.tree.leaves(tensors),
          b = P.tree.leaves(backTensors)
        expect(b.length).toBe(a.length)
        for (const [i, x] of a.entries()) sameTensor(x, b[i])
        expect(encodeCheckpoint(back)).toBe(text)
      }),
      { numRuns: 25 },
    )
  })

  it('malformed int32/bool leaves are a Left naming the path: wrong byte count, a bool byte of 2, dtype int64', () => {
    const text = encodeCheckpoint({ data: { labels: P.tensor([3, 1, 4], 'int32'), mask: P.tensor([1, 0], 'bool') } })
    const edit = (f: (labels: Record<string, unknown>, mask: Record<string, unknown>) => void): string => {
      const json = JSON.parse(text)
      const entries = json.tree.entries[0][1].entries
      f(entries[0][1], entries[1][1])
      return JSON.stringify(json)
    }
    expect(checkpointLeft(edit((l) => (l.data = btoa('\0'.repeat(8)))))).toMatch(/at tree\.data\.labels\.data: expected 12 bytes \(3 int32 values for shape \[3\]\), got 8/)
    expect(checkpointLeft(edit((_, m) => (m.data = btoa('\x01\x02'))))).toMatch(/at tree\.data\.mask\.data: byte 1 of bool data is 2; expected 0 or 1/)
    expect(checkpointLeft(edit((l) => (l.dtype = 'int64')))).toMatch(/at tree\.data\.labels\.dtype: expected 'float32', 'float64', 'int32' or 'bool', got "int64"/)
  })

  it('saveCheckpoint / loadCheckpoint keep int32 and bool tensors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'purediff-dtypes-'))
    try {
      const tree = { y: P.tensor([INT_MIN, 7, INT_MAX], 'int32'), m: P.tensor([[1, 0]], 'bool'), w: P.tensor([0.5], 'float64') }
      const path = join(dir, 'c.json')
      expect(E.isRight(await saveCheckpoint(path, tree))).toBe(true)
      const r = await loadCheckpoint(path)
      if (E.isLeft(r)) throw r.left
      const back = r.right as unknown as typeof tree
      sameTensor(tree.y, back.y)
      sameTensor(tree.m, back.m)
      sameTensor(tree.w, back.w)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/**
 * The checkpoint text without JSON.stringify's copies (src/io/jsonText.ts): for any JSON value,
 * long strings included (plain ASCII, or needing escapes, non-ASCII, lone surrogates, at any
 * place), the pieces concatenate to exactly `JSON.stringify(value)` and the checksum equals the
 * plain definition, FNV-1a over `JSON.stringify(value)` (codecs' `fnv1a`, the oracle).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fnv1a } from '../../src/io/codecs.js'
import { concatenate, jsonFnv1a, jsonPieces } from '../../src/io/jsonText.js'

/** Strings of 16384–70000 characters (long enough to be pieces of their own, some over a chunk of 65536), mostly base64-like, sometimes with one character JSON must escape or that is not ASCII. */
const longString = fc
  .tuple(
    fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom(...'AZaz09+/='.split('')) }),
    fc.integer({ min: 16384, max: 70000 }),
    fc.option(fc.tuple(fc.nat(), fc.constantFrom('"', '\\', '\n', '\u0001', '\u007f', 'é', '\u2028', '\ud800', '\udc00', '😀')), { freq: 2 }),
  )
  .map(([unit, n, special]) => {
    const s = unit.repeat(Math.ceil(n / unit.length)).slice(0, n)
    if (special === null) return s
    const at = special[0] % s.length
    return s.slice(0, at) + special[1] + s.slice(at + 1)
  })

const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    { weight: 2, arbitrary: longString },
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie('v'), { maxKeys: 3 }),
  ),
})).v

describe('jsonText', () => {
  it('pieces concatenate to JSON.stringify, and the checksum is FNV-1a of it', () => {
    fc.assert(
      fc.property(value, (v) => {
        const text = JSON.stringify(v)
        expect(concatenate(jsonPieces(v)) === text).toBe(true)
        expect(jsonFnv1a(v)).toBe(fnv1a(text))
        // after jsonFnv1a has walked it (the memo), the same text again
        expect(concatenate(jsonPieces(v)) === text).toBe(true)
      }),
      { numRuns: 60 },
    )
  })

  it('a long string is a piece of its own, not a copy', () => {
    const s = 'QUJD'.repeat(10000)
    const pieces = jsonPieces({ data: s, n: 1 })
    expect(pieces.some((p) => p === s)).toBe(true)
    expect(pieces).toEqual(['{"data":"', s, '","n":1}'])
  })

  it('follows JSON.stringify on what JSON cannot hold, and refuses cycles', () => {
    const odd = { a: undefined, b: () => 1, c: [undefined, NaN, -0, Infinity], d: new Date(0), e: { toJSON: () => 'x' } }
    expect(concatenate(jsonPieces(odd))).toBe(JSON.stringify(odd))
    expect(jsonFnv1a(odd)).toBe(fnv1a(JSON.stringify(odd)))
    const cyclic: Record<string, unknown> = {}
    cyclic.self = [cyclic]
    expect(() => jsonFnv1a(cyclic)).toThrow(TypeError)
    expect(() => jsonPieces(undefined)).toThrow(TypeError)
  })
})

/**
 * The checkpoint base64 (src/io/base64.ts) against an independent oracle, Node's Buffer: the
 * text of any bytes is Buffer's, decoding gives Buffer's bytes back, and a string is accepted
 * exactly when it is canonical — when Buffer's (lenient) decode re-encodes to the same string —
 * so stray characters, misplaced padding and non-zero padding bits are all refused. Both code
 * paths run (32-bit words, the default here, and the byte path of big-endian machines), at sizes
 * that cross the chunk seams.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromBase64, fromLittleEndianBytes, littleEndianBytes, toBase64 } from '../../src/io/base64.js'

const oracle = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
const canonical = (s: string) => Buffer.from(Buffer.from(s, 'base64')).toString('base64') === s
const same = (a: Uint8Array | null, b: Uint8Array) => a !== null && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)

/** Deterministic bytes (an LCG), for sizes too large to draw byte by byte. */
function bigBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    out[i] = s >>> 24
  }
  return out
}

// the encoder's chunk is 3·2^16 input bytes, the decoder's 2^16 characters (= 49152 bytes)
const seams = [196608, 49152, 98304]
const bigSizes = fc.oneof(
  fc.constantFrom(...seams).chain((s) => fc.integer({ min: s - 13, max: s + 13 })),
  fc.integer({ min: 0, max: 3 * 196608 + 40 }),
)
const paths = fc.boolean()
/** Bytes anywhere in a larger buffer (a non-zero, unaligned byteOffset). */
const offsetBytes = fc.tuple(fc.uint8Array({ maxLength: 80 }), fc.nat(7)).map(([b, off]) => {
  const host = new Uint8Array(b.length + off)
  host.set(b, off)
  return host.subarray(off)
})

describe('toBase64', () => {
  it('is what Buffer writes, for any bytes at any offset, on both paths', () => {
    fc.assert(
      fc.property(offsetBytes, paths, (b, words) => {
        expect(toBase64(b, words)).toBe(oracle(b))
      }),
      { numRuns: 300 },
    )
  })

  it('is what Buffer writes across the chunk seams', () => {
    fc.assert(
      fc.property(bigSizes, fc.nat(), paths, (n, seed, words) => {
        const b = bigBytes(n, seed)
        expect(toBase64(b, words) === oracle(b)).toBe(true)
      }),
      { numRuns: 24 },
    )
  })

  it('writes the RFC 4648 test vectors', () => {
    // RFC 4648 §10
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ]
    for (const [text, b64] of vectors) for (const words of [true, false]) expect(toBase64(new TextEncoder().encode(text), words)).toBe(b64)
  })
})

describe('fromBase64', () => {
  it('gives back the bytes, in a buffer of their own from offset 0', () => {
    fc.assert(
      fc.property(offsetBytes, paths, (b, words) => {
        const back = fromBase64(oracle(b), words)
        expect(same(back, b)).toBe(true)
        expect(back?.byteOffset).toBe(0)
        expect(back?.buffer.byteLength).toBe(b.length)
      }),
      { numRuns: 300 },
    )
  })

  it('gives back the bytes across the chunk seams', () => {
    fc.assert(
      fc.property(bigSizes, fc.nat(), paths, (n, seed, words) => {
        const b = bigBytes(n, seed)
        expect(same(fromBase64(oracle(b), words), b)).toBe(true)
      }),
      { numRuns: 24 },
    )
  })

  // one character replaced, inserted or deleted: in the alphabet, padding, URL-safe, space,
  // control, Latin-1, beyond Latin-1, a lone surrogate, an emoji
  const pool = fc.constantFrom('A', 'z', '0', '+', '/', '=', '-', '_', ' ', '\n', '\0', '\u00ff', '\u0141', '\ud800', '😀', '.')
  const edit = fc.record({ kind: fc.constantFrom('replace', 'insert', 'delete'), at: fc.nat(), c: pool })
  function applyEdit(s: string, e: { kind: string; at: number; c: string }): string {
    const i = s.length === 0 ? 0 : e.at % (s.length + (e.kind === 'insert' ? 1 : 0))
    if (e.kind === 'insert') return s.slice(0, i) + e.c + s.slice(i)
    if (s.length === 0) return e.c
    return s.slice(0, i) + (e.kind === 'replace' ? e.c : '') + s.slice(i + 1)
  }

  it('accepts exactly the canonical strings (Buffer as the oracle), after random edits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.array(edit, { minLength: 1, maxLength: 2 }), paths, (b, edits, words) => {
        const s = edits.reduce(applyEdit, oracle(b))
        const back = fromBase64(s, words)
        expect(back !== null, JSON.stringify(s)).toBe(canonical(s))
        if (back !== null) expect(same(back, Buffer.from(s, 'base64'))).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('accepts exactly the canonical strings, for strings of base64 characters and padding', () => {
    const text = fc.array(fc.constantFrom(...'AQgw/+9zZ='.split('')), { maxLength: 16 }).map((cs) => cs.join(''))
    fc.assert(
      fc.property(text, paths, (s, words) => {
        expect(fromBase64(s, words) !== null, JSON.stringify(s)).toBe(canonical(s))
      }),
      { numRuns: 500 },
    )
  })

  it('refuses one bad character anywhere in a long text (any chunk, the last quad)', () => {
    const b = bigBytes(3 * 49152 + 10, 7)
    const good = oracle(b)
    fc.assert(
      fc.property(
        fc.nat(good.length - 1),
        pool.filter((c) => !/[A-Za-z0-9+/]/.test(c)),
        paths,
        (at, c, words) => {
          // replacing a padding '=' by '=' changes nothing (seed 1989717547 drew at = 196622, c = '=')
          fc.pre(good[at] !== c)
          expect(fromBase64(good.slice(0, at) + c + good.slice(at + 1), words)).toBeNull()
        },
      ),
      { numRuns: 60 },
    )
    expect(good.endsWith('==')).toBe(true) // that regression case: the unchanged text still decodes
    expect(fromBase64(`${good.slice(0, 196622)}=${good.slice(196623)}`, false)).not.toBeNull()
    for (const at of [0, 65535, 65536, good.length - 4, good.length - 2, good.length - 1]) {
      expect(fromBase64(`${good.slice(0, at)}*${good.slice(at + 1)}`)).toBeNull()
    }
  })

  it('refuses non-zero bits under the padding and padding in the wrong place', () => {
    expect(fromBase64('Zh==')).toBeNull() // 'Zg==' is the canonical 'f'
    expect(fromBase64('Zm9=')).toBeNull() // 'Zm8=' is the canonical 'fo'
    expect(fromBase64('Zg=A')).toBeNull()
    expect(fromBase64('Z===')).toBeNull()
    expect(fromBase64('====')).toBeNull()
    expect(fromBase64('Zg==Zg==')).toBeNull()
    expect(fromBase64('Zg')).toBeNull()
    expect(same(fromBase64('Zg=='), Uint8Array.of(0x66))).toBe(true)
  })
})

describe('little-endian bytes of float storage', () => {
  const f64 = fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { maxLength: 20 }).map((bs) => new Float64Array(BigUint64Array.from(bs).buffer))
  const f32 = fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 20 }).map((bs) => new Float32Array(Uint32Array.from(bs).buffer))

  it('are the bytes DataView writes little-endian, and read back bit for bit', () => {
    fc.assert(
      fc.property(fc.oneof(f64, f32), (data) => {
        const width = data.BYTES_PER_ELEMENT
        const expected = new Uint8Array(data.length * width)
        const view = new DataView(expected.buffer)
        data.forEach((x, i) => {
          if (width === 8) view.setFloat64(8 * i, x, true)
          else view.setFloat32(4 * i, x, true)
        })
        // DataView canonicalises NaN payloads on some engines: compare the raw bits instead
        const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        const bytes = littleEndianBytes(data)
        expect(Buffer.from(bytes).equals(Buffer.from(raw))).toBe(true)
        data.forEach((x, i) => {
          if (!Number.isNaN(x)) expect(bytes.subarray(width * i, width * (i + 1))).toEqual(expected.subarray(width * i, width * (i + 1)))
        })
        const back = fromLittleEndianBytes(Uint8Array.from(bytes), width === 8 ? 'float64' : 'float32')
        expect(back.constructor).toBe(data.constructor)
        expect(Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(Buffer.from(raw))).toBe(true)
        // from a view at an offset (not its own buffer): a copy, same bits
        const host = new Uint8Array(bytes.length + 3)
        host.set(bytes, 3)
        const copied = fromLittleEndianBytes(host.subarray(3), width === 8 ? 'float64' : 'float32')
        expect(copied.length).toBe(data.length)
        data.forEach((x, i) => {
          expect(Object.is(copied[i], x) || (Number.isNaN(x) && Number.isNaN(copied[i]))).toBe(true)
        })
      }),
      { numRuns: 200 },
    )
  })
})

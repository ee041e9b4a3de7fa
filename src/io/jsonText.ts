/**
 * `JSON.stringify` of a checkpoint without its costs (@internal). A checkpoint of 100 MB of
 * params is ≈ 133 MB of text, nearly all of it a few base64 strings: copying them into one
 * string, and again into the string a checksum is computed over, made the extra memory 4–5× the
 * params. Here the text is kept as PIECES — the long strings themselves plus the joined short
 * text between them — that concatenate to exactly `JSON.stringify(value)`, and the checkpoint
 * checksum (FNV-1a over that text's UTF-16 code units) is computed by walking the value, with
 * long strings read in chunks through TextEncoder (a string of ASCII is read at memcpy speed and
 * hashed from bytes; anything else falls back to hashing `JSON.stringify` of that string).
 *
 * @internal
 * @since 0.1.0
 */

import { type Utf8Encoder, isLittleEndian, textCodecs } from './base64.js'

// --- model

/** Strings at least this long become pieces of their own (shorter text is joined). */
const LONG = 1 << 14
/** Characters per chunk when reading a long string. */
const CHUNK = 1 << 16
const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

/** Bytes that `JSON.stringify` would not copy as they are: controls, `"`, `\`, and non-ASCII (a UTF-8 lead or trail byte). */
let escapes: Uint8Array | null = null
function getEscapes(): Uint8Array {
  if (escapes === null) {
    escapes = new Uint8Array(256)
    for (let b = 0; b < 256; b++) escapes[b] = b < 0x20 || b === 0x22 || b === 0x5c || b >= 0x80 ? 1 : 0
  }
  return escapes
}

/**
 * The pieces of objects `jsonFnv1a` has just walked, so that `jsonPieces` of the same object
 * need not read its long strings again (it takes them out): `Checkpoint.encode` hashes the tree
 * and `encodeCheckpoint` then writes its text, and that second read cost as much as the hash.
 * Kept only when the pieces hold little text of their own (MEMO_TEXT), so that a node kept alive
 * by a caller of `Checkpoint.encode` keeps little more than its own strings alive.
 */
const memo = new WeakMap<object, readonly string[]>()
const MEMO_TEXT = 1 << 20

/** Accumulates the text as pieces and, when `hashing`, its FNV-1a state (`h`). */
class Writer {
  h = FNV_OFFSET
  /** Characters of joined short text and escaped strings: the text the pieces hold that is not one of the value's own strings. */
  ownText = 0
  readonly pieces: string[] = []
  private short: string[] = []
  private buf: Uint8Array | null = null
  private buf32: Uint32Array | null = null
  private encoder: Utf8Encoder | null = null
  constructor(readonly hashing: boolean) {}

  /** Appends text known to be short. */
  text(s: string): void {
    this.short.push(s)
    if (this.hashing) this.hashChars(s)
  }

  /** Appends the JSON of a string. */
  string(s: string): void {
    if (s.length < LONG) {
      this.text(JSON.stringify(s))
      return
    }
    if (this.readLong(s)) {
      this.short.push('"') // readLong hashed it
      this.flush()
      this.pieces.push(s)
      this.text('"')
    } else {
      // it needs escaping (or is not ASCII): the exact text, as JSON.stringify writes it
      const q = JSON.stringify(s)
      this.flush()
      this.ownText += q.length
      this.pieces.push(q)
      if (this.hashing) this.hashChars(q)
    }
  }

  /** Appends already-made pieces (from the memo). */
  splice(pieces: readonly string[]): void {
    this.flush()
    for (const p of pieces) this.pieces.push(p)
  }

  /** The pieces, with the short text joined. */
  finish(): string[] {
    this.flush()
    return this.pieces
  }

  private flush(): void {
    if (this.short.length > 0) {
      const joined = this.short.join('')
      this.ownText += joined.length
      this.pieces.push(joined)
    }
    this.short = []
  }

  private hashChars(s: string): void {
    let h = this.h
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME)
    this.h = h
  }

  /**
   * Reads a long string in chunks as UTF-8 bytes: whether it is plain ASCII that JSON copies as
   * it is. If so and when hashing, the state moves on over `"` and the string's characters (for
   * ASCII a byte IS the UTF-16 code unit); if not, the state is left as it was.
   */
  private readLong(s: string): boolean {
    const esc = getEscapes()
    this.buf ??= new Uint8Array(3 * CHUNK)
    this.buf32 ??= new Uint32Array(this.buf.buffer)
    this.encoder ??= new textCodecs.TextEncoder()
    const buf = this.buf,
      buf32 = this.buf32,
      hashing = this.hashing,
      le = isLittleEndian()
    let h = this.hashing ? Math.imul(this.h ^ 0x22, FNV_PRIME) : 0
    let bad = 0
    for (let start = 0; start < s.length && bad === 0; start += CHUNK) {
      const { written } = this.encoder.encodeInto(s.substring(start, start + CHUNK), buf)
      // four bytes per load; a byte < 0x20, = 0x22 ("), = 0x5c (\\) or ≥ 0x80 sets the top bit of
      // its lane in `bad` (the classic "has a byte less than / equal to" word tricks)
      const words = le ? written >> 2 : 0 // (the lanes are bytes in order only on little-endian machines)
      for (let i = 0; i < words; i++) {
        const w = buf32[i],
          q = w ^ 0x22222222,
          r = w ^ 0x5c5c5c5c
        bad |= ((w - 0x20202020) & ~w) | w | ((q - 0x01010101) & ~q) | ((r - 0x01010101) & ~r)
        if (hashing) {
          h = Math.imul(h ^ (w & 0xff), FNV_PRIME)
          h = Math.imul(h ^ ((w >>> 8) & 0xff), FNV_PRIME)
          h = Math.imul(h ^ ((w >>> 16) & 0xff), FNV_PRIME)
          h = Math.imul(h ^ (w >>> 24), FNV_PRIME)
        }
      }
      for (let i = words << 2; i < written; i++) {
        const b = buf[i]
        bad |= esc[b] << 7
        h = Math.imul(h ^ b, FNV_PRIME)
      }
      bad &= 0x80808080
    }
    if (bad !== 0) return false
    if (this.hashing) this.h = h
    return true
  }
}

function isPlainObject(x: object): x is Record<string, unknown> {
  const p = Object.getPrototypeOf(x)
  return (p === Object.prototype || p === null) && typeof (x as { toJSON?: unknown }).toJSON !== 'function'
}

/** Whether JSON.stringify leaves this value out of an object (and writes null for it in an array). */
const omitted = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol'

function walk(v: unknown, w: Writer, ancestors: Set<object>): void {
  if (v === null) {
    w.text('null')
    return
  }
  switch (typeof v) {
    case 'string':
      w.string(v)
      return
    case 'number':
      w.text(Number.isFinite(v) ? String(v) : 'null')
      return
    case 'boolean':
      w.text(v ? 'true' : 'false')
      return
    case 'object':
      break
    default: {
      // bigint throws as in JSON.stringify; undefined, functions and symbols are handled by the caller
      const s = JSON.stringify(v)
      w.text(s === undefined ? 'null' : s)
      return
    }
  }
  const o = v as object
  if (!w.hashing) {
    const known = memo.get(o)
    if (known !== undefined) {
      memo.delete(o) // used once: encodeCheckpoint asks right after Checkpoint.encode hashed it
      w.splice(known)
      return
    }
  }
  if (!Array.isArray(o) && !isPlainObject(o)) {
    // a Date, a boxed value, an object with toJSON…: JSON.stringify knows best (never in a checkpoint)
    const s = JSON.stringify(o)
    w.text(s === undefined ? 'null' : s)
    return
  }
  if (ancestors.has(o)) throw new TypeError('Converting circular structure to JSON')
  ancestors.add(o)
  if (Array.isArray(o)) {
    w.text('[')
    for (let i = 0; i < o.length; i++) {
      if (i > 0) w.text(',')
      if (omitted(o[i])) w.text('null')
      else walk(o[i], w, ancestors)
    }
    w.text(']')
  } else {
    w.text('{')
    let first = true
    for (const k of Object.keys(o)) {
      const x = o[k]
      if (omitted(x)) continue
      w.text(first ? JSON.stringify(k) : `,${JSON.stringify(k)}`)
      w.text(':')
      walk(x, w, ancestors)
      first = false
    }
    w.text('}')
  }
  ancestors.delete(o)
}

// --- operations

/**
 * The FNV-1a 32-bit hash (8 hex digits) of `JSON.stringify(value)`'s UTF-16 code units, as the
 * checkpoint checksum defines it, without making that string. `value` is JSON data (plain
 * objects, arrays, strings, numbers, booleans, null); other values are handled as JSON.stringify
 * does. Remembers the pieces of an object `value` for one call of `jsonPieces` (see memo).
 */
export function jsonFnv1a(value: unknown): string {
  const w = new Writer(true)
  if (omitted(value)) throw new TypeError('jsonFnv1a: JSON.stringify gives no text for this value')
  walk(value, w, new Set())
  const pieces = w.finish()
  if (value !== null && typeof value === 'object' && w.ownText <= MEMO_TEXT) memo.set(value, pieces)
  return (w.h >>> 0).toString(16).padStart(8, '0')
}

/** Pieces whose concatenation is exactly `JSON.stringify(value)` (`value` as for `jsonFnv1a`). */
export function jsonPieces(value: unknown): readonly string[] {
  if (omitted(value)) throw new TypeError('jsonPieces: JSON.stringify gives no text for this value')
  const w = new Writer(false)
  walk(value, w, new Set())
  return w.finish()
}

/**
 * The concatenation of `pieces`, made with `+` so that V8 (and other engines) keep it as a rope
 * over the long pieces instead of copying them: the copy is made, if ever, when the text is used.
 */
export function concatenate(pieces: readonly string[]): string {
  let s = ''
  for (const p of pieces) s += p
  return s
}

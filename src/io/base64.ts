/**
 * Bytes as text for checkpoints (@internal: not part of purediff/io's API): canonical padded
 * base64 (RFC 4648 §4, no line breaks) fast enough for 100 MB of params, and the little-endian
 * bytes of float storage. No Buffer, no atob: the same code runs in browsers and Node. The speed
 * comes from chunks of typed arrays — 12 bits per table lookup (two characters at once), 32-bit
 * loads and stores, and TextDecoder/TextEncoder to cross between ASCII bytes and strings at memcpy
 * speed — instead of strings built a character at a time (16 s and 2.7 GB for 100 MB before;
 * bench/checkpoint.ts measures it).
 *
 * @internal
 * @since 0.1.0
 */

import { BYTES, type DType, type TypedArray, alloc } from '../tensor/dtype.js'

// --- model

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const PAD = 61 // '='

/** Input bytes per chunk when encoding (a multiple of 12: four 3-byte groups are three 32-bit words). */
const CHUNK_BYTES = 3 << 16
/** Characters per chunk when decoding (a multiple of 4). */
const CHUNK_CHARS = 1 << 16

interface Tables {
  /** 12 bits → the ASCII codes of their two characters, the first in the low byte (as a little-endian Uint16 store writes them). */
  readonly encodePair: Uint16Array
  /** two ASCII codes, the first in the low byte (as a little-endian Uint16 load reads them) → their 12 bits, or −1 unless both are in the alphabet. */
  readonly decodePair: Int16Array
  /** one character code below 256 → its 6 bits, or −1. */
  readonly decodeOne: Int8Array
}

let tables: Tables | null = null

/** The lookup tables, built on first use (nothing runs at import; 140 KB). */
function getTables(): Tables {
  if (tables !== null) return tables
  const encodePair = new Uint16Array(4096)
  const decodePair = new Int16Array(65536).fill(-1)
  const decodeOne = new Int8Array(256).fill(-1)
  for (let i = 0; i < 64; i++) {
    const a = ALPHABET.charCodeAt(i)
    decodeOne[a] = i
    for (let j = 0; j < 64; j++) {
      const b = ALPHABET.charCodeAt(j)
      encodePair[(i << 6) | j] = a | (b << 8)
      decodePair[a | (b << 8)] = (i << 6) | j
    }
  }
  tables = { encodePair, decodePair, decodeOne }
  return tables
}

/** The parts of TextEncoder and TextDecoder used here. */
export interface Utf8Encoder {
  encodeInto(s: string, into: Uint8Array): { read: number; written: number }
}
export interface Utf8Decoder {
  decode(bytes: Uint8Array): string
}

/**
 * TextEncoder and TextDecoder (globals in every browser and in Node). why the cast: the library
 * build has neither DOM nor Node types, by design, so they are declared here as far as used.
 */
export const textCodecs = globalThis as unknown as { readonly TextEncoder: new () => Utf8Encoder; readonly TextDecoder: new () => Utf8Decoder }

/** Whether this machine stores numbers little-endian (every browser and Node target in practice). */
export function isLittleEndian(): boolean {
  return new Uint8Array(Uint16Array.of(1).buffer)[0] === 1
}

// --- operations

/**
 * The canonical padded base64 of `bytes`: 4 characters from A–Z a–z 0–9 + / per 3 bytes, the
 * last group padded with `=` — what Node's `Buffer.from(bytes).toString('base64')` gives.
 * `words` picks the 32-bit path (the default on little-endian machines); `false` forces the
 * byte-at-a-time path any machine can run (the tests run both).
 */
export function toBase64(bytes: Uint8Array, words: boolean = isLittleEndian()): string {
  const { encodePair } = getTables()
  const n = bytes.length
  const blocks = n - (n % 12) // the bulk: whole 12-byte blocks, by chunks
  const input = new Uint8Array(Math.min(CHUNK_BYTES, blocks))
  const in32 = new Uint32Array(input.buffer)
  const ascii = new Uint8Array((input.length / 3) * 4)
  const out32 = new Uint32Array(ascii.buffer)
  const decoder = new textCodecs.TextDecoder()
  const parts: string[] = []
  for (let start = 0; start < blocks; start += CHUNK_BYTES) {
    const end = Math.min(blocks, start + CHUNK_BYTES)
    let j = 0
    if (words) {
      // an aligned copy: the input may sit at any byteOffset
      input.set(bytes.subarray(start, end))
      const count = (end - start) >> 2
      for (let i = 0; i < count; i += 3) {
        // bytes b0…b11 with w0 = b0 | b1<<8 | b2<<16 | b3<<24, …; the 12-bit halves of each
        // 3-byte group (b0 b1 b2 → b0<<4 | b1>>4 and (b1&15)<<8 | b2) are cut from the words directly
        const w0 = in32[i],
          w1 = in32[i + 1],
          w2 = in32[i + 2]
        out32[j] = encodePair[((w0 & 0xff) << 4) | ((w0 >>> 12) & 0xf)] | (encodePair[(w0 & 0xf00) | ((w0 >>> 16) & 0xff)] << 16)
        out32[j + 1] = encodePair[((w0 >>> 20) & 0xff0) | ((w1 >>> 4) & 0xf)] | (encodePair[((w1 << 8) & 0xf00) | ((w1 >>> 8) & 0xff)] << 16)
        out32[j + 2] = encodePair[((w1 >>> 12) & 0xff0) | (w1 >>> 28)] | (encodePair[((w1 >>> 16) & 0xf00) | (w2 & 0xff)] << 16)
        out32[j + 3] = encodePair[((w2 >>> 4) & 0xff0) | ((w2 >>> 20) & 0xf)] | (encodePair[((w2 >>> 8) & 0xf00) | (w2 >>> 24)] << 16)
        j += 4
      }
      j *= 4
    } else {
      for (let i = start; i < end; i += 3) {
        const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2]
        const p = encodePair[v >>> 12],
          q = encodePair[v & 4095]
        ascii[j] = p & 0xff
        ascii[j + 1] = p >>> 8
        ascii[j + 2] = q & 0xff
        ascii[j + 3] = q >>> 8
        j += 4
      }
    }
    // why TextDecoder: it makes a string of ASCII bytes at memcpy speed
    parts.push(decoder.decode(ascii.subarray(0, j)))
  }
  parts.push(tail(bytes, blocks))
  return parts.join('')
}

/** The base64 of `bytes` from `from` on (fewer than 12 bytes), padded. */
function tail(bytes: Uint8Array, from: number): string {
  const n = bytes.length
  let s = ''
  for (let i = from; i < n; i += 3) {
    const left = n - i
    const v = (bytes[i] << 16) | (left > 1 ? bytes[i + 1] << 8 : 0) | (left > 2 ? bytes[i + 2] : 0)
    s += ALPHABET[v >>> 18] + ALPHABET[(v >>> 12) & 63] + (left > 1 ? ALPHABET[(v >>> 6) & 63] : '=') + (left > 2 ? ALPHABET[v & 63] : '=')
  }
  return s
}

/**
 * The bytes of canonical padded base64, or `null` for anything else: a length that is not a
 * multiple of 4, a character outside A–Z a–z 0–9 + /, `=` anywhere but the last one or two
 * places, or non-zero bits under the padding (so each byte string has exactly one accepted
 * text, and a changed character never decodes to the same bytes). The result owns a fresh
 * buffer from offset 0, so a Float64Array can view it. `words` as for `toBase64`.
 */
export function fromBase64(s: string, words: boolean = isLittleEndian()): Uint8Array | null {
  const len = s.length
  if (len % 4 !== 0) return null
  if (len === 0) return new Uint8Array(0)
  const { decodePair, decodeOne } = getTables()
  const pad = s.charCodeAt(len - 1) === PAD ? (s.charCodeAt(len - 2) === PAD ? 2 : 1) : 0
  const out = new Uint8Array((len / 4) * 3 - pad)
  // the bulk: every quad but the last, by chunks of ASCII codes looked up two at a time
  const body = len - 4
  const ascii = new Uint8Array(Math.min(CHUNK_CHARS, body))
  const ascii16 = new Uint16Array(ascii.buffer)
  const encoder = new textCodecs.TextEncoder()
  let k = 0
  let bad = 0
  for (let start = 0; start < body; start += CHUNK_CHARS) {
    const end = Math.min(body, start + CHUNK_CHARS)
    // why TextEncoder: it copies ASCII into bytes at memcpy speed; a character outside ASCII
    // takes 2–3 bytes, so the chunk cannot fit and `read` comes up short
    const { read, written } = encoder.encodeInto(s.substring(start, end), ascii)
    if (read !== end - start || written !== end - start) return null
    if (words) {
      for (let i = 0; i < written >> 1; i += 2) {
        const hi = decodePair[ascii16[i]],
          lo = decodePair[ascii16[i + 1]]
        bad |= hi | lo // a −1 anywhere sets the sign bit
        const v = (hi << 12) | lo
        out[k] = v >>> 16
        out[k + 1] = (v >>> 8) & 0xff
        out[k + 2] = v & 0xff
        k += 3
      }
    } else {
      for (let i = 0; i < written; i += 4) {
        const a = decodeOne[ascii[i]],
          b = decodeOne[ascii[i + 1]],
          c = decodeOne[ascii[i + 2]],
          d = decodeOne[ascii[i + 3]]
        bad |= a | b | c | d
        const v = (a << 18) | (b << 12) | (c << 6) | d
        out[k] = v >>> 16
        out[k + 1] = (v >>> 8) & 0xff
        out[k + 2] = v & 0xff
        k += 3
      }
    }
  }
  if (bad < 0) return null
  // the last quad, with its padding
  let v = 0
  for (let j = 0; j < 4; j++) {
    const c = s.charCodeAt(body + j)
    const six = j >= 4 - pad ? 0 : c < 256 ? decodeOne[c] : -1 // `pad` counted only trailing '='
    if (six < 0) return null
    v = (v << 6) | six
  }
  if ((pad === 1 && (v & 0xff) !== 0) || (pad === 2 && (v & 0xffff) !== 0)) return null
  out[k++] = v >>> 16
  if (pad < 2) out[k++] = (v >>> 8) & 0xff
  if (pad < 1) out[k] = v & 0xff
  return out
}

/**
 * The little-endian bytes of tensor storage (float32, float64, int32, or bool's one byte per
 * element). On a little-endian machine, a view of the same memory (no copy: read it, never
 * write it); elsewhere, a byte-swapped copy.
 */
export function littleEndianBytes(data: TypedArray): Uint8Array {
  if (isLittleEndian() || data.BYTES_PER_ELEMENT === 1) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  const out = new Uint8Array(data.byteLength)
  const view = new DataView(out.buffer)
  if (data instanceof Float64Array) for (let i = 0; i < data.length; i++) view.setFloat64(8 * i, data[i], true)
  else if (data instanceof Int32Array) for (let i = 0; i < data.length; i++) view.setInt32(4 * i, data[i], true)
  else for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true)
  return out
}

/**
 * Storage of `dtype` read from little-endian `bytes` (a multiple of the dtype's width long).
 * Takes over `bytes`' buffer when it can (a little-endian machine, a buffer of its own from
 * offset 0, as `fromBase64` returns): do not use `bytes` afterwards. bool bytes are taken as
 * they are: the caller checks they are 0 or 1.
 */
export function fromLittleEndianBytes(bytes: Uint8Array, dtype: DType): TypedArray {
  const width = BYTES[dtype]
  const n = bytes.length / width
  if (dtype === 'bool') return bytes
  if (isLittleEndian() && bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length && bytes.buffer instanceof ArrayBuffer) {
    return dtype === 'float64' ? new Float64Array(bytes.buffer, 0, n) : dtype === 'int32' ? new Int32Array(bytes.buffer, 0, n) : new Float32Array(bytes.buffer, 0, n)
  }
  const out = alloc(dtype, n)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  if (dtype === 'float64') for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true)
  else if (dtype === 'int32') for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true)
  else for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true)
  return out
}

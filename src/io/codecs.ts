/**
 * The io-ts codecs of purediff/io. `TensorCodec` turns a tensor into `{ dtype, shape, data }`
 * where `data` is the base64 of its little-endian IEEE-754 bytes, so every bit survives (NaN,
 * −0, ±Infinity, subnormals — JSON numbers cannot hold the first three). `Checkpoint` is the
 * versioned envelope of a pytree. Plain code, no Node APIs: safe in browsers.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { isRecord, show } from '../internal/codecs.js'
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, ArgumentError } from '../index.js'
import { concrete, dataOf, fromData, Tensor as TensorClass } from '../tensor/Tensor.js'
import { describe } from '../tensor/checks.js'
import { BYTES, type DType } from '../tensor/dtype.js'
import { fromBase64, fromLittleEndianBytes, littleEndianBytes, toBase64 } from './base64.js'
import { jsonFnv1a } from './jsonText.js'

// --- codecs

/**
 * A tensor as JSON: `dtype`, `shape` (non-negative integers) and `data`, the base64 of the
 * row-major values as little-endian bytes: float32, float64 or int32 (4, 8, 4 bytes), or bool
 * (one byte, 0 or 1).
 *
 * @category codecs
 * @since 0.1.0
 */
export interface TensorJSON {
  readonly dtype: DType
  readonly shape: readonly number[]
  readonly data: string
}

function encodeTensor(x: Tensor): TensorJSON {
  const c = concrete(x)
  return { dtype: c.dtype, shape: [...c.shape], data: toBase64(littleEndianBytes(dataOf(c))) }
}

function validateTensor(u: unknown, c: t.Context): t.Validation<Tensor> {
  if (!isRecord(u)) return t.failure(u, c, `expected a tensor { dtype, shape, data }, got ${show(u)}`)
  const extra = Object.keys(u).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data' && k !== 'type')
  if (extra.length > 0) return t.failure(u, c, `unknown field ${show(extra[0])} in a tensor (expected dtype, shape, data)`)
  const at = (k: string) => t.appendContext(c, k, t.unknown, u[k])
  const dtype = u.dtype
  if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'int32' && dtype !== 'bool') {
    return t.failure(dtype, at('dtype'), `expected 'float32', 'float64', 'int32' or 'bool', got ${show(dtype)}`)
  }
  const shape = u.shape
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    return t.failure(shape, at('shape'), `expected an array of non-negative integers, got ${show(shape)}`)
  }
  const size = shape.reduce((a: number, b: number) => a * b, 1)
  if (!Number.isSafeInteger(size) || size > 2 ** 31) return t.failure(shape, at('shape'), `shape ${show(shape)} is too large`)
  const width = BYTES[dtype]
  if (typeof u.data !== 'string') return t.failure(u.data, at('data'), `expected a base64 string, got ${show(u.data)}`)
  const bytes = fromBase64(u.data)
  if (bytes === null) return t.failure(u.data, at('data'), 'expected canonical base64 (A–Z a–z 0–9 + /, padded with =)')
  if (bytes.length !== size * width) {
    return t.failure(u.data, at('data'), `expected ${size * width} bytes (${size} ${dtype} values for shape [${shape.join(',')}]), got ${bytes.length} (truncated or tampered)`)
  }
  if (dtype === 'bool') {
    // A bool is stored as one byte, 0 or 1: any other byte is not a bool a tensor can hold.
    const bad = bytes.findIndex((b) => b > 1)
    if (bad >= 0) return t.failure(u.data, at('data'), `byte ${bad} of bool data is ${bytes[bad]}; expected 0 or 1`)
  }
  return t.success(fromData(fromLittleEndianBytes(bytes, dtype), Object.freeze(shape.slice() as number[]), dtype))
}

/**
 * The io-ts codec of a tensor: `encode` gives a `TensorJSON` (every bit of every value, as
 * base64 of little-endian bytes), `decode` checks each field and names it on failure
 * (`dtype`, `shape`, `data`: wrong byte count, non-canonical base64). A traced tensor is
 * encoded by its concrete value.
 *
 * @example
 * import { isRight } from 'fp-ts/lib/Either.js'
 * import { tensor, toFlatArray } from 'purediff'
 * import { TensorCodec } from 'purediff/io'
 * const x = tensor([NaN, -0, Infinity, 5e-324], 'float64')
 * const json = TensorCodec.encode(x)
 * const back = TensorCodec.decode(JSON.parse(JSON.stringify(json)))
 * if (!isRight(back) || !Object.is(toFlatArray(back.right)[1], -0) || toFlatArray(back.right)[3] !== 5e-324) throw new Error()
 * if (isRight(TensorCodec.decode({ ...json, data: json.data.slice(4) }))) throw new Error()
 * @category codecs
 * @since 0.1.0
 */
export const TensorCodec: t.Type<Tensor, TensorJSON, unknown> = new t.Type<Tensor, TensorJSON, unknown>(
  'Tensor',
  (u): u is Tensor => u instanceof TensorClass,
  validateTensor,
  encodeTensor,
)

// --- pytrees

/**
 * What a checkpoint holds: a pytree of tensors whose leaves may also be numbers (every bit kept,
 * as for tensors), strings, booleans or null — so a whole train state (params, optimizer state,
 * a random key `{ kind, bits }`, a step count) fits in one checkpoint. Objects keep their key
 * order exactly (also integer-like keys).
 *
 * @category model
 * @since 0.1.0
 */
export type CheckpointTree = Tensor | number | string | boolean | null | readonly CheckpointTree[] | { readonly [k: string]: CheckpointTree }

/**
 * A checkpoint node as JSON: `{ type: 'tensor', dtype, shape, data }`, `{ type: 'number', hex }`
 * (the 16 hex digits of the float64 bits), `{ type: 'string', value }`, `{ type: 'boolean',
 * value }`, `{ type: 'null' }`, `{ type: 'array', items }` or `{ type: 'object', entries }`
 * (`[key, node]` pairs, in the object's key order).
 *
 * @category model
 * @since 0.1.0
 */
export type NodeJSON =
  | ({ readonly type: 'tensor' } & TensorJSON)
  | { readonly type: 'number'; readonly hex: string }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'null' }
  | { readonly type: 'array'; readonly items: readonly NodeJSON[] }
  | { readonly type: 'object'; readonly entries: readonly (readonly [string, NodeJSON])[] }

/**
 * The versioned envelope: `{ format: 'purediff-checkpoint', version: 1, checksum, tree }`, where
 * `checksum` is the FNV-1a 32-bit hash (8 hex digits) of `JSON.stringify(tree)` — it catches
 * accidental corruption (a flipped character, a cut file), not deliberate forgery.
 *
 * @category model
 * @since 0.1.0
 */
export interface CheckpointJSON {
  readonly format: 'purediff-checkpoint'
  readonly version: 1
  readonly checksum: string
  readonly tree: NodeJSON
}

/** The version this purediff writes and reads. */
const VERSION = 1
const FORMAT = 'purediff-checkpoint'

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false
  const p = Object.getPrototypeOf(x)
  return p === Object.prototype || p === null
}

function numberToHex(x: number): string {
  const v = new DataView(new ArrayBuffer(8))
  v.setFloat64(0, x)
  return v.getUint32(0).toString(16).padStart(8, '0') + v.getUint32(4).toString(16).padStart(8, '0')
}

function hexToNumber(h: string): number {
  const v = new DataView(new ArrayBuffer(8))
  v.setUint32(0, parseInt(h.slice(0, 8), 16))
  v.setUint32(4, parseInt(h.slice(8), 16))
  return v.getFloat64(0)
}

/**
 * Encodes a pytree node; throws an ArgumentError naming the path of a value it cannot hold, of
 * a cycle, or of nesting deeper than the decoder accepts (so no file is written that cannot be
 * read back, and no tree overflows the stack).
 */
function encodeNode(x: unknown, path: string, seen: Set<object>, depth = 0): NodeJSON {
  if (depth > MAX_DEPTH) throw new ArgumentError('encodeCheckpoint', `the tree is nested deeper than ${MAX_DEPTH} levels at ${elide(path)}`)
  if (x instanceof TensorClass) return { type: 'tensor', ...encodeTensor(x) }
  if (typeof x === 'number') return { type: 'number', hex: numberToHex(x) }
  if (typeof x === 'string') return { type: 'string', value: x }
  if (typeof x === 'boolean') return { type: 'boolean', value: x }
  if (x === null) return { type: 'null' }
  if (Array.isArray(x) || isPlainObject(x)) {
    if (seen.has(x)) throw new ArgumentError('encodeCheckpoint', `the tree is cyclic at ${path || '<root>'}`)
    seen.add(x)
    const out: NodeJSON = Array.isArray(x)
      ? { type: 'array', items: x.map((v, i) => encodeNode(v, `${path}[${i}]`, seen, depth + 1)) }
      : { type: 'object', entries: Object.keys(x).map((k) => [k, encodeNode(x[k], `${path}.${k}`, seen, depth + 1)] as const) }
    seen.delete(x)
    return out
  }
  throw new ArgumentError('encodeCheckpoint', `the leaf at ${path || '<root>'} is ${describe(x)}; expected a Tensor, number, string, boolean, null, array or plain object`)
}

const MAX_DEPTH = 1000

/** A path with its middle elided past 200 characters (a deep path stays readable). */
const elide = (path: string): string => (path.length <= 200 ? path : `${path.slice(0, 80)}…(${path.length - 160} more characters)…${path.slice(-80)}`)

function validateNode(u: unknown, c: t.Context, depth: number): t.Validation<CheckpointTree> {
  if (depth > MAX_DEPTH) return t.failure(u, c, `the tree is nested deeper than ${MAX_DEPTH} levels`)
  if (!isRecord(u)) return t.failure(u, c, `expected a node { type, … }, got ${show(u)}`)
  const at = (k: string, v: unknown) => t.appendContext(c, k, t.unknown, v)
  const keys = Object.keys(u)
  const only = (...allowed: string[]): t.Validation<never> | null => {
    const extra = keys.find((k) => !allowed.includes(k))
    return extra === undefined ? null : t.failure(u, c, `unknown field ${show(extra)} in a ${show(u.type)} node`)
  }
  switch (u.type) {
    case 'tensor':
      return validateTensor(u, c)
    case 'number': {
      const bad = only('type', 'hex')
      if (bad) return bad
      return typeof u.hex === 'string' && /^[0-9a-f]{16}$/.test(u.hex)
        ? t.success(hexToNumber(u.hex))
        : t.failure(u.hex, at('hex', u.hex), `expected 16 lowercase hex digits (the float64 bits), got ${show(u.hex)}`)
    }
    case 'string': {
      const bad = only('type', 'value')
      if (bad) return bad
      return typeof u.value === 'string' ? t.success(u.value) : t.failure(u.value, at('value', u.value), `expected a string, got ${show(u.value)}`)
    }
    case 'boolean': {
      const bad = only('type', 'value')
      if (bad) return bad
      return typeof u.value === 'boolean' ? t.success(u.value) : t.failure(u.value, at('value', u.value), `expected a boolean, got ${show(u.value)}`)
    }
    case 'null':
      return only('type') ?? t.success(null)
    case 'array': {
      const bad = only('type', 'items')
      if (bad) return bad
      if (!Array.isArray(u.items)) return t.failure(u.items, at('items', u.items), `expected an array of nodes, got ${show(u.items)}`)
      const out: CheckpointTree[] = []
      for (let i = 0; i < u.items.length; i++) {
        const r = validateNode(u.items[i], at(String(i), u.items[i]), depth + 1)
        if (E.isLeft(r)) return r
        out.push(r.right)
      }
      return t.success(out)
    }
    case 'object': {
      const bad = only('type', 'entries')
      if (bad) return bad
      if (!Array.isArray(u.entries)) return t.failure(u.entries, at('entries', u.entries), `expected an array of [key, node] pairs, got ${show(u.entries)}`)
      const out: Record<string, CheckpointTree> = {}
      for (let i = 0; i < u.entries.length; i++) {
        const e: unknown = u.entries[i]
        if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') return t.failure(e, at(`entries[${i}]`, e), `expected a [key, node] pair, got ${show(e)}`)
        const k = e[0]
        if (Object.hasOwn(out, k)) return t.failure(e, at(k, e[1]), `duplicate key ${show(k)}`)
        const r = validateNode(e[1], at(k, e[1]), depth + 1)
        if (E.isLeft(r)) return r
        // defineProperty: a key such as "__proto__" must become an own key, not the prototype
        Object.defineProperty(out, k, { value: r.right, enumerable: true, writable: true, configurable: true })
      }
      return t.success(out)
    }
    default:
      return t.failure(u.type, at('type', u.type), `expected a node type 'tensor' | 'number' | 'string' | 'boolean' | 'null' | 'array' | 'object', got ${show(u.type)}`)
  }
}

/** FNV-1a, 32 bits, over the UTF-16 code units of `s`, as 8 hex digits. @internal */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(16).padStart(8, '0')
}

function validateCheckpoint(u: unknown, c: t.Context): t.Validation<CheckpointTree> {
  if (!isRecord(u)) return t.failure(u, c, `expected a checkpoint { format, version, checksum, tree }, got ${show(u)}`)
  const at = (k: string) => t.appendContext(c, k, t.unknown, u[k])
  if (u.format !== FORMAT) return t.failure(u.format, at('format'), `expected ${show(FORMAT)}, got ${show(u.format)}`)
  if (u.version !== VERSION) return t.failure(u.version, at('version'), `unsupported checkpoint version ${show(u.version)}; this purediff reads version ${VERSION}`)
  const extra = Object.keys(u).find((k) => !['format', 'version', 'checksum', 'tree'].includes(k))
  if (extra !== undefined) return t.failure(u, c, `unknown field ${show(extra)} in a checkpoint`)
  if (!('tree' in u)) return t.failure(undefined, at('tree'), 'missing the tree')
  const tree = validateNode(u.tree, at('tree'), 0)
  if (E.isLeft(tree)) return tree
  const checksum = jsonFnv1a(u.tree) // = fnv1a(JSON.stringify(u.tree)), without the copy
  if (u.checksum !== checksum) {
    return t.failure(u.checksum, at('checksum'), `checksum mismatch: expected ${checksum}, got ${show(u.checksum)} (the file was changed or damaged)`)
  }
  return tree
}

/**
 * The io-ts codec of a checkpoint: `encode(tree)` wraps a `CheckpointTree` in the versioned
 * envelope (throwing an ArgumentError naming the path of a value it cannot hold: a function, a
 * class instance, undefined, a cycle); `decode` checks the format, the version, every node and
 * the checksum, and names the failing path (`tree.layers.0.w.data`).
 *
 * @example
 * import { isLeft, isRight } from 'fp-ts/lib/Either.js'
 * import { tensor } from 'purediff'
 * import { Checkpoint } from 'purediff/io'
 * const json = Checkpoint.encode({ w: tensor([1, 2]), step: 3 })
 * if (json.format !== 'purediff-checkpoint' || json.version !== 1) throw new Error()
 * if (!isRight(Checkpoint.decode(json))) throw new Error()
 * if (!isLeft(Checkpoint.decode({ ...json, version: 2 }))) throw new Error()
 * @category codecs
 * @since 0.1.0
 */
export const Checkpoint: t.Type<CheckpointTree, CheckpointJSON, unknown> = new t.Type<CheckpointTree, CheckpointJSON, unknown>(
  'Checkpoint',
  (u): u is CheckpointTree => {
    try {
      encodeNode(u, '', new Set())
      return true
    } catch {
      return false
    }
  },
  validateCheckpoint,
  (tree) => {
    const node = encodeNode(tree, '', new Set())
    return { format: FORMAT, version: VERSION, checksum: jsonFnv1a(node), tree: node }
  },
)

/** `at tree.w.data: message` for each error: the reporter every boundary shares. @internal */
export { report } from '../internal/codecs.js'

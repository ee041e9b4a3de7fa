/// <reference types="node" />
/**
 * Data files of `purediff train` and `eval`: `{ "x": number[][], "y": number[], "classes"?: k }`,
 * rows of features and their class labels 0…k−1 (k is the largest label + 1 unless the file
 * says `classes`, which every label must then be below). The io-ts codec `DataFile` is the one definition of a
 * valid file (unknown fields, ragged rows, non-finite features and bad labels are a Left naming
 * the path); `scanDataText` is a single pass over the text of the usual layout that gives the
 * same dataset without building millions of small JS arrays (JSON.parse of 10M rows takes
 * seconds and a gigabyte); anything it does not recognise falls back to JSON.parse + `DataFile`,
 * which then names the problem.
 *
 * @internal
 */
import { readFileSync } from 'node:fs'
import { constants } from 'node:buffer'
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { isRecord, report, show } from '../internal/codecs.js'
import { CliError } from './args.js'
import type { Dataset } from './dataset.js'

// --- model

/** The largest class label a data file may hold (labels index a one-hot vector). */
export const MAX_LABEL = 2 ** 31 - 2

/** The JSON form of a data file. */
export interface DataFileJSON {
  readonly x: readonly (readonly number[])[]
  readonly y: readonly number[]
  /** The number of classes, when the labels alone do not show it (a class no row has). */
  readonly classes?: number
}

// --- codecs

const isLabel = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_LABEL
const isClasses = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_LABEL + 1
const FIELDS = ['x', 'y', 'classes']

/**
 * The codec of a data file: decodes a parsed JSON value into a `Dataset` (features as float32,
 * `classes` = the file's `classes`, else the largest label + 1); encodes a dataset back to
 * `{ x, y }` (with `classes` when it is not the largest label + 1). Exact: a field other than x,
 * y and classes is an error, as is an empty x, a row with no features or another width than
 * x.0, a feature that is not a finite number, a label that is not an integer in [0, MAX_LABEL]
 * (or not below `classes`), `classes` that is not an integer in [1, MAX_LABEL + 1], or y of
 * another length than x. Errors carry the path (`x.17.2`, `y.4`, `classes`, `extra`).
 */
export const DataFile = new t.Type<Dataset, DataFileJSON, unknown>(
  'DataFile',
  (u): u is Dataset => isRecord(u) && u.x instanceof Float32Array && Array.isArray(u.y),
  (u, c) => {
    const at = (k: string | number, v: unknown, ctx: t.Context = c) => t.appendContext(ctx, String(k), t.unknown, v)
    if (!isRecord(u)) return t.failure(u, c, `expected a data file { "x": number[][], "y": number[] }, got ${show(u)}`)
    const extra = Object.keys(u).find((k) => !FIELDS.includes(k))
    if (extra !== undefined) return t.failure(u[extra], at(extra, u[extra]), `unknown field '${extra}' in a data file; allowed fields: x, y, classes`)
    const { x, y, classes } = u
    if (classes !== undefined && !isClasses(classes)) {
      return t.failure(classes, at('classes', classes), `expected the number of classes (an integer from 1 to ${MAX_LABEL + 1}), got ${show(classes)}`)
    }
    if (!Array.isArray(x)) return t.failure(x, at('x', x), `expected rows of features (an array of arrays of numbers), got ${show(x)}`)
    if (x.length === 0) return t.failure(x, at('x', x), 'expected at least one row, got none')
    const cx = at('x', x)
    const first: unknown = x[0]
    const d = Array.isArray(first) ? first.length : 0
    const flat = new Float32Array(x.length * d)
    for (let i = 0; i < x.length; i++) {
      const row: unknown = x[i]
      if (!Array.isArray(row)) return t.failure(row, at(i, row, cx), `expected a row of features (an array of numbers), got ${show(row)}`)
      if (row.length === 0) return t.failure(row, at(i, row, cx), 'expected at least one feature, got an empty row')
      if (row.length !== d) return t.failure(row, at(i, row, cx), `expected ${d} features like x.0, got ${row.length}`)
      for (let j = 0; j < d; j++) {
        const v: unknown = row[j]
        if (typeof v !== 'number' || !Number.isFinite(v)) return t.failure(v, at(j, v, at(i, row, cx)), `expected a finite number, got ${show(v)}`)
        flat[i * d + j] = v
      }
    }
    if (!Array.isArray(y)) return t.failure(y, at('y', y), `expected class labels (an array of integers), got ${show(y)}`)
    const cy = at('y', y)
    let max = -1
    for (let i = 0; i < y.length; i++) {
      const v: unknown = y[i]
      if (!isLabel(v)) return t.failure(v, at(i, v, cy), `expected a class label (an integer from 0 to ${MAX_LABEL}), got ${show(v)}`)
      if (classes !== undefined && v >= classes) return t.failure(v, at(i, v, cy), `label ${v} of row ${i} is not below classes = ${classes} (labels 0 to ${classes - 1})`)
      if (v > max) max = v // a loop, not Math.max(...y): spreading 130k+ arguments overflows the stack
    }
    if (y.length !== x.length) return t.failure(y, cy, `x has ${x.length} rows but y has ${y.length} labels`)
    return t.success({ x: flat, y: y as number[], n: x.length, d, classes: classes ?? max + 1 })
  },
  (data) => {
    const json = { x: Array.from({ length: data.n }, (_, i) => Array.from(data.x.subarray(i * data.d, (i + 1) * data.d))), y: [...data.y] }
    let max = -1
    for (const v of data.y) if (v > max) max = v
    return data.classes === max + 1 ? json : { ...json, classes: data.classes }
  },
)

// --- the fast path

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i) // exact doubles up to 10^22
const byteAt = (b: Uint8Array, i: number): number => (i < b.length ? b[i] : -1)
const WS = (c: number) => c === 32 || c === 10 || c === 13 || c === 9

/**
 * A cursor over JSON text as UTF-8 bytes, for the plain layout of data files: whitespace,
 * single punctuation bytes, and numbers.
 */
export class Scanner {
  p = 0
  constructor(readonly bytes: Uint8Array) {}

  /** The byte at i, or −1 past the end. */
  at(i: number): number {
    return byteAt(this.bytes, i)
  }

  /** Skips JSON whitespace. */
  skip(): void {
    const b = this.bytes
    while (this.p < b.length && WS(b[this.p])) this.p++
  }

  /** Skips whitespace, then consumes byte `c` if it is next. */
  eat(c: number): boolean {
    this.skip()
    if (this.at(this.p) !== c) return false
    this.p++
    return true
  }

  /**
   * Skips whitespace, then reads a JSON number (strict grammar) and returns its value exactly
   * as `Number` of its text would (so as JSON.parse does), or NaN when none is next. With up to
   * 15 significant digits and a decimal exponent within ±22, m·10^e is computed as m × 10^e or
   * m / 10^−e: both operands are exact doubles, so the one correctly rounded operation IS the
   * correctly rounded value (Clinger's fast path); otherwise `Number` of the text.
   */
  number(): number {
    this.skip()
    const start = this.p
    let p = this.p
    const b = this.bytes
    const negative = byteAt(b, p) === 45 // -
    if (negative) p++
    const d0 = p
    let m = 0
    let digits = 0
    let c = byteAt(b, p)
    if (c === 48)
      p++ // a leading 0 stands alone
    else {
      while (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48)
        digits++
        c = byteAt(b, ++p)
      }
    }
    if (p === d0) return NaN
    let scale = 0
    if (byteAt(b, p) === 46) {
      // .
      const f = ++p
      c = byteAt(b, p)
      while (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48)
        digits++
        scale--
        c = byteAt(b, ++p)
      }
      if (p === f) return NaN
    }
    c = byteAt(b, p)
    if (c === 101 || c === 69) {
      // e E
      c = byteAt(b, ++p)
      const minus = c === 45
      if (c === 43 || c === 45) c = byteAt(b, ++p)
      const f = p
      let e = 0
      while (c >= 48 && c <= 57) {
        if (e < 1e6) e = e * 10 + (c - 48)
        c = byteAt(b, ++p)
      }
      if (p === f) return NaN
      scale += minus ? -e : e
    }
    this.p = p
    if (digits > 15 || scale < -22 || scale > 22) return Number(String.fromCharCode(...this.bytes.subarray(start, p)))
    const v = scale < 0 ? m / POW10[-scale] : m * POW10[scale]
    return negative ? -v : v
  }
}

/**
 * The dataset of a data file's bytes (UTF-8) in one pass, or undefined when the text is not the
 * plain layout this scanner knows (then JSON.parse + `DataFile` decide, and name any problem).
 * Accepted: an object with the keys "x" and "y" and maybe "classes" (no escapes, any order, any
 * JSON whitespace), x a non-empty array of equally wide non-empty rows of finite JSON numbers, y
 * an array of as many labels (integers in [0, MAX_LABEL], below `classes` when given). Numbers are read as JSON.parse reads
 * them (`Scanner.number`), so a result always equals the slow path's.
 */
export function scanDataText(bytes: Uint8Array): Dataset | undefined {
  const s = new Scanner(bytes)
  let x: Float32Array | undefined
  let rows = 0
  let d = -1
  let y: number[] | undefined
  let classes = 0
  const scanX = (): boolean => {
    let buf = new Float32Array(1024)
    let len = 0
    if (!s.eat(91)) return false // [
    if (s.eat(93)) return false // an empty x: the slow path names it
    do {
      if (!s.eat(91)) return false
      let w = 0
      do {
        const v = s.number()
        if (!Number.isFinite(v)) return false
        if (len === buf.length) {
          const bigger = new Float32Array(buf.length * 2)
          bigger.set(buf)
          buf = bigger
        }
        buf[len++] = v
        w++
      } while (s.eat(44)) // ,
      if (!s.eat(93)) return false
      if (d < 0) d = w
      else if (w !== d) return false
      rows++
    } while (s.eat(44))
    if (!s.eat(93)) return false
    x = buf.slice(0, len)
    return true
  }
  const scanY = (): boolean => {
    const out: number[] = []
    let max = -1
    if (!s.eat(91)) return false
    if (!s.eat(93)) {
      do {
        const v = s.number()
        if (!isLabel(v)) return false
        if (v > max) max = v
        out.push(v)
      } while (s.eat(44))
      if (!s.eat(93)) return false
    }
    y = out
    classes = max + 1
    return true
  }
  let declared: number | undefined
  if (!s.eat(123)) return undefined // {
  for (let field = 0; field < 3; field++) {
    if (field > 0 && !s.eat(44)) break // , — else the object should end here
    if (!s.eat(34)) return undefined // "
    const key = s.at(s.p)
    if (s.at(s.p + 1) === 34) s.p += 2
    else if (key === 99 && keyIs(s, 'classes"')) s.p += 8
    else return undefined
    if (!s.eat(58)) return undefined // :
    if (key === 120 && x === undefined) {
      if (!scanX()) return undefined
    } // x
    else if (key === 121 && y === undefined) {
      if (!scanY()) return undefined
    } // y
    else if (key === 99 && declared === undefined) {
      const v = s.number()
      if (!isClasses(v)) return undefined
      declared = v
    } // classes
    else return undefined
  }
  if (!s.eat(125)) return undefined // }
  s.skip()
  if (s.p !== bytes.length || x === undefined || y === undefined || y.length !== rows) return undefined
  if (declared !== undefined && classes > declared) return undefined // a label not below classes: the codec names it
  return { x, y, n: rows, d, classes: declared ?? classes }
}

/** Whether the bytes at the scanner's position spell `text` (ASCII). */
function keyIs(s: Scanner, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (s.at(s.p + i) !== text.charCodeAt(i)) return false
  return true
}

// --- reading

const MAX_STRING = constants.MAX_STRING_LENGTH

/** The dataset of a data file's bytes (UTF-8): the fast scan, else JSON.parse + `DataFile` (a Left names the problem). */
export function decodeDataFile(bytes: Uint8Array): E.Either<string, Dataset> {
  const fast = scanDataText(bytes)
  if (fast !== undefined) return E.right(fast)
  if (bytes.length > MAX_STRING) return E.left(`too large to read as JSON text (JavaScript strings hold at most ${MAX_STRING} characters); split the file`)
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(bytes))
  } catch (e) {
    return E.left(`not valid JSON (${e instanceof Error ? e.message : String(e)})`)
  }
  const decoded = DataFile.decode(json)
  return E.isLeft(decoded) ? E.left(`invalid data ${report(decoded.left)}`) : E.right(decoded.right)
}

/** Reads and decodes a data file; every problem is a CliError naming the file and the path. */
export function readDataFile(path: string): Dataset {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(path)
  } catch (e) {
    const code = (e as { code?: string }).code
    throw new CliError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(e)})`, 1)
  }
  const r = decodeDataFile(bytes)
  if (E.isLeft(r)) throw new CliError(`${path}: ${r.left}`)
  return r.right
}

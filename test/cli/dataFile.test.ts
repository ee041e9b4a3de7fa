/**
 * Data files: the one-pass scanner gives exactly what JSON.parse + the `DataFile` codec give
 * (every float32 bit, every label), for any formatting of the numbers, whitespace and key order,
 * and never accepts what the codec refuses; the codec rejects unknown fields, ragged rows,
 * non-finite features and bad labels with the path; and a file of 10 million rows is read (the
 * old `Math.max(...y)` overflowed the stack at about 130,000).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { DataFile, MAX_LABEL, Scanner, decodeDataFile, readDataFile, scanDataText } from '../../src/cli/dataFile.js'
import type { Dataset } from '../../src/cli/dataset.js'
import { subset } from '../../src/cli/data.js'

const dir = mkdtempSync(join(tmpdir(), 'purediff-data-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const bytes = (s: string) => new TextEncoder().encode(s)
/** The slow path alone: JSON.parse, then the codec. */
const slow = (text: string): E.Either<string, Dataset> => {
  const d = DataFile.decode(JSON.parse(text))
  return E.isLeft(d) ? E.left(String(d.left[0]?.message)) : E.right(d.right)
}
const same = (a: Dataset, b: Dataset) => {
  expect([a.n, a.d, a.classes]).toEqual([b.n, b.d, b.classes])
  expect(new Uint8Array(a.x.buffer, a.x.byteOffset, a.x.byteLength)).toEqual(new Uint8Array(b.x.buffer, b.x.byteOffset, b.x.byteLength))
  expect([...a.y]).toEqual([...b.y])
}

/** A finite double written as JSON allows: shortest, exponential, fixed or with many digits; E or e. */
const numberText = (v: number, how: number, digits: number, upper: boolean): string => {
  const s =
    how === 0
      ? JSON.stringify(v)
      : how === 1
        ? v.toExponential(Math.min(digits, 20))
        : how === 2 && Math.abs(v) < 1e21
          ? v.toFixed(Math.min(digits, 20))
          : v.toPrecision(Math.max(1, Math.min(digits, 21)))
  return upper ? s.toUpperCase() : s
}
const ws = fc.constantFrom('', ' ', '\n', '\t', '\r\n  ')
const finite = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, -0, 0.1, 1e-7, 123456789.12345679),
)
const fileText = fc
  .record({
    d: fc.integer({ min: 1, max: 4 }),
    n: fc.integer({ min: 1, max: 6 }),
    seedNums: fc.array(fc.tuple(finite, fc.nat(3), fc.nat(25), fc.boolean()), { minLength: 24, maxLength: 24 }),
    labels: fc.array(fc.oneof(fc.nat(9), fc.constant(MAX_LABEL)), { minLength: 6, maxLength: 6 }),
    yFirst: fc.boolean(),
    w: fc.array(ws, { minLength: 8, maxLength: 8 }),
    labelAsFloat: fc.boolean(),
    // an optional "classes" field: at least the largest label + 1, first, middle or last
    classes: fc.option(fc.tuple(fc.nat(3), fc.nat(2))),
  })
  .map(({ d, n, seedNums, labels, yFirst, w, labelAsFloat, classes }) => {
    const rows = Array.from(
      { length: n },
      (_, i) =>
        `${w[0]}[${Array.from({ length: d }, (_, j) => {
          const [v, how, dg, up] = seedNums[(i * d + j) % 24]
          return `${w[1]}${numberText(v, how, dg, up)}${w[2]}`
        }).join(',')}]${w[3]}`,
    )
    const y = labels.slice(0, n).map((l) => (labelAsFloat ? `${l}.0` : String(l)))
    const xPart = `${w[4]}"x"${w[5]}:${w[6]}[${rows.join(',')}]`
    const yPart = `${w[7]}"y":[${y.join(`,${w[2]}`)}]`
    const parts = yFirst ? [yPart, xPart] : [xPart, yPart]
    if (classes !== null) {
      const k = Math.min(MAX_LABEL + 1, Math.max(...labels.slice(0, n)) + 1 + classes[0])
      parts.splice(classes[1], 0, `${w[1]}"classes"${w[5]}:${w[6]}${k}`)
    }
    return `${w[0]}{${parts.join(',')}}${w[3]}`
  })

describe('Scanner.number reads a JSON number as JSON.parse does, to the last bit of the double', () => {
  it('for any finite double written in any JSON form', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.nat(3), fc.nat(25), fc.boolean(), (v, how, digits, upper) => {
        const text = numberText(v, how, digits, upper)
        const s = new Scanner(bytes(text))
        expect(Object.is(s.number(), JSON.parse(text))).toBe(true)
        expect(s.p).toBe(text.length)
      }),
      { numRuns: 2000 },
    )
  })
  it('for any string: a complete JSON number gives its value; anything else gives NaN or stops before the end', () => {
    const chars = fc.constantFrom('0', '1', '5', '9', '-', '+', '.', 'e', 'E', ' ', 'x')
    fc.assert(
      fc.property(
        fc.array(chars, { minLength: 1, maxLength: 12 }).map((cs) => cs.join('')),
        (text) => {
          let ref: unknown
          try {
            ref = JSON.parse(text)
          } catch {
            ref = undefined
          }
          const s = new Scanner(bytes(text))
          const v = s.number()
          s.skip()
          if (typeof ref === 'number') {
            expect(Object.is(v, ref)).toBe(true)
            expect(s.p).toBe(text.length)
          } else expect(Number.isNaN(v) || s.p < text.length).toBe(true)
        },
      ),
      { numRuns: 2000 },
    )
  })
  it("the fast path's edges: 15 and 16 digits, exponents ±22 and ±23, -0", () => {
    for (const t of [
      '123456789012345',
      '1234567890123456',
      '0.1',
      '9007199254740993',
      '1e22',
      '1e23',
      '1e-22',
      '1e-23',
      '-0',
      '-0.0e5',
      '4.35',
      '0.000001',
      '123456789012345e-22',
      '5e-324',
      '1.7976931348623157e308',
      '900906099281160.3',
      '90078186462.34173',
    ]) {
      expect(Object.is(new Scanner(bytes(t)).number(), Number(t)), t).toBe(true)
    }
  })
})

describe('the scanner agrees with JSON.parse + DataFile', () => {
  it('on valid files of any formatting: the same dataset, bit for bit', () => {
    fc.assert(
      fc.property(fileText, (text) => {
        const fast = scanDataText(bytes(text))
        const ref = slow(text)
        if (E.isLeft(ref)) throw new Error(`the generator made an invalid file: ${ref.left}`)
        expect(fast).toBeDefined()
        same(fast as Dataset, ref.right)
      }),
      { numRuns: 300 },
    )
  })

  it('on damaged files: it gives up or agrees, never accepts what the codec refuses', () => {
    const edit = fc.tuple(fc.nat(), fc.constantFrom(' ', ',', '[', ']', '{', '}', '"', 'x', 'y', '0', '-', '.', 'e', '+', 'a', '1', '', '\u00e9'), fc.boolean())
    fc.assert(
      fc.property(fileText, fc.array(edit, { minLength: 1, maxLength: 3 }), (text, edits) => {
        let t = text
        for (const [at, ch, replace] of edits) {
          const p = at % (t.length + 1)
          t = t.slice(0, p) + ch + t.slice(replace ? p + 1 : p)
        }
        const fast = scanDataText(bytes(t))
        if (fast === undefined) return
        let parsed: unknown
        try {
          parsed = JSON.parse(t)
        } catch {
          throw new Error(`scanner accepted invalid JSON: ${t}`)
        }
        const ref = DataFile.decode(parsed)
        expect(E.isRight(ref)).toBe(true)
        if (E.isRight(ref)) same(fast, ref.right)
      }),
      { numRuns: 500 },
    )
  })
})

describe('the DataFile codec names what is wrong', () => {
  const err = (text: string): string => {
    const r = decodeDataFile(bytes(text))
    if (E.isRight(r)) throw new Error(`accepted ${text}`)
    return r.left
  }
  it('unknown fields, with their path (the old t.strict dropped them silently)', () => {
    expect(err('{"x":[[1]],"y":[0],"labels":[1]}')).toBe("invalid data at labels: unknown field 'labels' in a data file; allowed fields: x, y, classes")
    expect(err('{"y":[0],"x":[[1]],"__proto__":{}}')).toMatch(/at __proto__: unknown field/)
  })
  it('shapes, values and labels', () => {
    expect(err('[]')).toMatch(/at <root>: expected a data file/)
    expect(err('{"x":[],"y":[]}')).toMatch(/at x: expected at least one row/)
    expect(err('{"x":[[1,2],[3]],"y":[0,1]}')).toMatch(/at x\.1: expected 2 features like x\.0, got 1/)
    expect(err('{"x":[[],[]],"y":[0,1]}')).toMatch(/at x\.0: expected at least one feature/)
    expect(err('{"x":[[1,2],[3,"a"]],"y":[0,1]}')).toMatch(/at x\.1\.1: expected a finite number, got "a"/)
    expect(err('{"x":[[1e400]],"y":[0]}')).toMatch(/at x\.0\.0: expected a finite number, got Infinity/)
    expect(err('{"x":[[1],[2]],"y":[0,1.5]}')).toMatch(/at y\.1: expected a class label \(an integer from 0 to 2147483646\), got 1\.5/)
    expect(err('{"x":[[1],[2]],"y":[0,-1]}')).toMatch(/at y\.1/)
    expect(err(`{"x":[[1]],"y":[${MAX_LABEL + 1}]}`)).toMatch(/at y\.0/)
    expect(err('{"x":[[1],[2]],"y":[0]}')).toMatch(/at y: x has 2 rows but y has 1 labels/)
    expect(err('{"x":[[1]],"y":[0]')).toMatch(/^not valid JSON/)
  })
  it('"classes": the number of classes (also one no row has); every label must be below it, named by row', () => {
    const ok = decodeDataFile(bytes('{"x":[[1],[2]],"y":[0,1],"classes":5}'))
    if (E.isLeft(ok)) throw new Error(ok.left)
    expect(ok.right.classes).toBe(5)
    const plain = decodeDataFile(bytes('{"x":[[1],[2]],"y":[0,1]}'))
    expect(E.isRight(plain) && plain.right.classes).toBe(2) // the largest label + 1
    expect(err('{"x":[[1],[2],[3]],"y":[0,4,1],"classes":3}')).toBe('invalid data at y.1: label 4 of row 1 is not below classes = 3 (labels 0 to 2)')
    expect(err('{"classes":2,"x":[[1]],"y":[2]}')).toMatch(/at y\.0: label 2 of row 0 is not below classes = 2/)
    for (const bad of ['0', '1.5', '"3"', '-1', String(MAX_LABEL + 2)]) {
      expect(err(`{"x":[[1]],"y":[0],"classes":${bad}}`)).toMatch(/^invalid data at classes: expected the number of classes \(an integer from 1 to 2147483647\), got /)
    }
    // a repeated key: the scanner defers to JSON.parse, which keeps the last
    const twice = decodeDataFile(bytes('{"x":[[1]],"y":[0],"classes":2,"classes":3}'))
    expect(E.isRight(twice) && twice.right.classes).toBe(3)
  })
  it('encode writes "classes" only when the labels do not show it', () => {
    const d: Dataset = { x: new Float32Array([1, 2]), y: [0, 1], n: 2, d: 1, classes: 2 }
    expect(DataFile.encode(d)).toEqual({ x: [[1], [2]], y: [0, 1] })
    expect(DataFile.encode({ ...d, classes: 4 })).toEqual({ x: [[1], [2]], y: [0, 1], classes: 4 })
    const back = DataFile.decode(JSON.parse(JSON.stringify(DataFile.encode({ ...d, classes: 4 }))))
    expect(E.isRight(back) && back.right.classes).toBe(4)
  })
  it('encode then decode is the identity', () => {
    const d: Dataset = { x: new Float32Array([0.5, -2, 3.25, 0]), y: [1, 0], n: 2, d: 2, classes: 2 }
    const back = DataFile.decode(JSON.parse(JSON.stringify(DataFile.encode(d))))
    expect(E.isRight(back)).toBe(true)
    if (E.isRight(back)) same(back.right, d)
  })
})

describe('subset', () => {
  it('row i of subset(data, idx) is row idx[i] of data, for narrow and wide rows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 30 }), fc.array(fc.nat(), { maxLength: 50 }), (d, n, picks) => {
        const data: Dataset = { x: Float32Array.from({ length: n * d }, (_, i) => i + 0.5), y: Array.from({ length: n }, (_, i) => i % 4), n, d, classes: 4 }
        const idx = picks.map((p) => p % n)
        const s = subset(data, idx)
        expect([s.n, s.d, s.classes]).toEqual([idx.length, d, 4])
        // each row remembers where it came from, through a subset of the subset too
        expect(s.rows).toEqual(idx)
        const back = idx.map((_, i) => idx.length - 1 - i)
        expect(subset(s, back).rows).toEqual(back.map((i) => idx[i]))
        idx.forEach((r, i) => {
          expect(Array.from(s.x.subarray(i * d, (i + 1) * d))).toEqual(Array.from({ length: d }, (_, j) => r * d + j + 0.5))
          expect(s.y[i]).toBe(r % 4)
        })
      }),
      { numRuns: 100 },
    )
  })
})

describe('big files', () => {
  it('reads a file of 10 million rows (1 feature, 3 classes)', () => {
    const n = 10_000_000,
      block = 100_000 // the block's rows repeat n / block times
    const xs = Array.from({ length: block }, (_, i) => `[${(i % 1000) / 8}]`).join(',')
    const ys = Array.from({ length: block }, (_, i) => String(i % 3)).join(',')
    const times = n / block
    const parts = [
      '{"x":[',
      ...Array.from({ length: times }, (_, i) => (i === 0 ? xs : `,${xs}`)),
      '],"y":[',
      ...Array.from({ length: times }, (_, i) => (i === 0 ? ys : `,${ys}`)),
      ']}',
    ]
    const file = join(dir, 'big.json')
    writeFileSync(file, parts.join(''))
    const data = readDataFile(file)
    expect([data.n, data.d, data.classes]).toEqual([n, 1, 3])
    // row r holds (r mod 100000 mod 1000) / 8, exactly representable in float32
    for (const r of [0, 1, 999, 1000, 123_457, n - 1]) expect(data.x[r]).toBe(((r % block) % 1000) / 8)
    expect(data.y[n - 1]).toBe(((n - 1) % block) % 3)
    rmSync(file)
  }, 120_000)
})

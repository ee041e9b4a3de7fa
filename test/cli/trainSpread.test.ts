/**
 * `purediff train` ends with the spread of per-example gradient norms on the first training
 * rows, handed to `diagnose`: the line names the layers with params and, for each example it
 * names, the row of the data file it is; a model too big for the memory bound gets no spread,
 * and a big one fewer rows.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { random } from '../../src/index.js'
import { type AnyLayer, dense, sequential } from '../../src/nn/index.js'
import { loadData } from '../../src/cli/commands.js'
import type { Dataset } from '../../src/cli/dataset.js'
import { MIN_SPREAD_ROWS, SPREAD_ENTRIES, spreadOn } from '../../src/cli/gradientSpread.js'
import { trainCommand } from '../../src/cli/train.js'
import { writeProblem } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'purediff-spread-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
writeProblem(dir)
const at = (f: string) => join(dir, f)

describe('purediff train: the gradient spread', () => {
  it('is printed for the first 32 training rows, and the examples it names are rows of the data file', async () => {
    const lines: string[] = []
    const code = await trainCommand({ model: at('model.json'), optimizer: at('opt.json'), data: at('data.json'), epochs: 2, batchSize: 16, out: at('run') }, (s) => lines.push(s), {
      write: () => true,
    })
    expect(code).toBe(0)
    const i = lines.findIndex((l) => l.startsWith('gradient spread'))
    expect(lines[i + 1]).toMatch(/^diagnosis: /)
    // 80 rows, 16 held out for validation: 64 training rows. The model is dense, relu, dropout,
    // dense: layers 0 and 3 have params
    expect(lines[i]).toMatch(
      /^gradient spread on the first 32 training rows: per-example gradient norms of 32 examples \(median, max\/median\): layer 0 [^;]+; layer 3 [^;]+; largest norms: /,
    )
    const named = [...lines[i].matchAll(/example (\d+) = row (\d+) of ([^,]+?)(?:,| \(rows from 0\))/g)]
    expect(named.length).toBeGreaterThan(0)
    const { all, train } = loadData({ file: at('data.json') }, 0) // seed 0: the run's split
    const row = (d: Dataset, r: number) => Array.from(d.x.subarray(r * d.d, (r + 1) * d.d))
    for (const [, b, r, file] of named) {
      expect(file).toBe(at('data.json'))
      expect(row(train, Number(b))).toEqual(row(all, Number(r)))
      expect(train.y[Number(b)]).toBe(all.y[Number(r)])
    }
  })

  it('keeps the per-example gradients under SPREAD_ENTRIES: fewer rows for a big model, none below MIN_SPREAD_ROWS', () => {
    const data: Dataset = { x: new Float32Array(64 * 2).fill(0.5), y: Array.from({ length: 64 }, (_, i) => i % 2), n: 64, d: 2, classes: 2 }
    const sized = (units: number) => {
      // dense(units) on 2 features, then dense(2): 3·units + 2·units + 2 params
      const model = sequential<AnyLayer[]>(dense(units), dense(2))
      return { model, params: model.init(random.key(0), [2]).params, size: 5 * units + 2 }
    }
    const small = sized(4)
    expect(spreadOn(small.model, small.params, data)?.rows).toEqual(Array.from({ length: 32 }, (_, i) => i)) // data has no `rows`: its own indices
    const big = sized(80_000) // 400,002 params: ⌊2²³ / 400,002⌋ = 20 rows
    expect(Math.floor(SPREAD_ENTRIES / big.size)).toBe(20)
    expect(spreadOn(big.model, big.params, data)?.spread[0].norms).toHaveLength(20)
    const huge = sized(Math.ceil(SPREAD_ENTRIES / MIN_SPREAD_ROWS / 5)) // just over 2²³/8 params: 7 rows would fit
    expect(spreadOn(huge.model, huge.params, data)).toBeUndefined()
  })
})

/**
 * `purediff eval` checks what it is given: a `--model` whose parameters do not have the
 * checkpoint's structure or shapes fails, naming the first mismatching parameter and both
 * shapes (it used to print numbers and exit 0); the checkpoint's stored `classes` is used, not
 * the largest label of the file, and a label ≥ classes is an error naming the row; the data must
 * have the model's number of features.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { fromSpec } from '../../src/nn/index.js'
import { loadCheckpoint } from '../../src/io/index.js'
import { evalCommand } from '../../src/cli/eval.js'
import { cli, oneLineError, separable, writeProblem, refusal } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'purediff-eval-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const at = (f: string) => join(dir, f)
const ckpt = at('run/checkpoint.json')

beforeAll(() => {
  writeProblem(dir)
  const r = cli(dir, 'train', '--model', 'model.json', '--optimizer', 'opt.json', '--data', 'data.json', '--epochs', '3', '--batch-size', '16', '--out', 'run')
  expect(r.code, r.stderr).toBe(0)
})

const refused = (o: Parameters<typeof evalCommand>[0]): Promise<string> => refusal(() => evalCommand(o, () => {}))

describe('eval refuses a model that does not fit the checkpoint', () => {
  it('another hidden width: one line naming the parameter path and both shapes, non-zero exit', () => {
    writeFileSync(at('model16.json'), JSON.stringify({ layers: [{ type: 'dense', units: 16 }, { type: 'relu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 2 }] }))
    const line = oneLineError(cli(dir, 'eval', '--checkpoint', 'run/checkpoint.json', '--data', 'data.json', '--model', 'model16.json'))
    expect(line).toBe(
      "purediff: model16.json: the model does not fit the checkpoint's params: at [0].w: the model has shape [3,16] (float32) but the checkpoint has shape [3,8] (float32)",
    )
  })

  it('another structure or dtype', async () => {
    writeFileSync(at('deeper.json'), JSON.stringify({ layers: [{ type: 'dense', units: 8 }, { type: 'relu' }, { type: 'dense', units: 8 }, { type: 'dense', units: 2 }] }))
    expect(await refused({ checkpoint: ckpt, data: at('data.json'), model: at('deeper.json') })).toMatch(/at \[2\]: the checkpoint has no field 'w' \(the model has w, b\)/)
    writeFileSync(
      at('nobias.json'),
      JSON.stringify({ layers: [{ type: 'dense', units: 8, useBias: false }, { type: 'relu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 2 }] }),
    )
    expect(await refused({ checkpoint: ckpt, data: at('data.json'), model: at('nobias.json') })).toMatch(/at \[0\]: the checkpoint has a field 'b' that the model has not/)
    writeFileSync(
      at('f64.json'),
      JSON.stringify({ layers: [{ type: 'dense', units: 8, dtype: 'float64' }, { type: 'relu' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 2 }] }),
    )
    expect(await refused({ checkpoint: ckpt, data: at('data.json'), model: at('f64.json') })).toMatch(
      /at \[0\]\.w: the model has shape \[3,8\] \(float64\) but the checkpoint has shape \[3,8\] \(float32\)/,
    )
    writeFileSync(at('seven.json'), JSON.stringify({ layers: [{ type: 'dense', units: 7 }] }))
    expect(await refused({ checkpoint: ckpt, data: at('data.json'), model: at('seven.json') })).toMatch(/the model's last layer has 7 outputs but the checkpoint has 2 classes/)
  })
})

describe("eval uses the checkpoint's classes", () => {
  it("a file whose labels are all 0 is evaluated with the checkpoint's 2 classes (the file alone says 1)", async () => {
    const { x } = separable(30, 3, 99)
    writeFileSync(at('zeros.json'), JSON.stringify({ x, y: x.map(() => 0) }))
    let out = ''
    expect(
      await evalCommand({ checkpoint: ckpt, data: at('zeros.json') }, (s) => {
        out += s
      }),
    ).toBe(0)
    // the oracle: the fraction of rows the stored model puts in class 0, computed here from the params
    const loaded = await loadCheckpoint(ckpt)
    if (E.isLeft(loaded)) throw loaded.left
    const ck = loaded.right as { model: unknown; params: unknown }
    const model = fromSpec(ck.model)
    if (E.isLeft(model)) throw model.left
    const pred = P.toFlatArray(P.argmax(model.right.apply(ck.params as unknown[], P.tensor(x)), 1))
    const expected = pred.filter((p) => p === 0).length / x.length
    expect(Number(/accuracy ([\d.]+)/.exec(out)?.[1])).toBeCloseTo(expected, 4)
  })

  it("a label at or above the checkpoint's classes is an error naming the row", async () => {
    const { x, y } = separable(10, 3, 5)
    y[6] = 2
    writeFileSync(at('three.json'), JSON.stringify({ x, y }))
    expect(await refused({ checkpoint: ckpt, data: at('three.json') })).toMatch(/three\.json: row 6 has label 2, but the checkpoint's model has 2 classes \(labels 0 to 1\)/)
  })

  it("the data must have the model's number of features", async () => {
    writeFileSync(at('four.json'), JSON.stringify(separable(10, 4)))
    expect(await refused({ checkpoint: ckpt, data: at('four.json') })).toMatch(/four\.json has 4 features per row but the checkpoint's model takes 3/)
  })

  it('still reads a checkpoint of the older purediff-cli/1 and /2 formats, and refuses what is not a train checkpoint', async () => {
    const loaded = await loadCheckpoint(ckpt)
    if (E.isLeft(loaded)) throw loaded.left
    const ck = loaded.right as Record<string, unknown>
    const { saveCheckpoint } = await import('../../src/io/index.js')
    await saveCheckpoint(at('old.json'), {
      format: 'purediff-cli/1',
      epoch: 2,
      seed: 0,
      inputs: 3,
      classes: 2,
      model: ck.model as never,
      params: ck.params as never,
      history: ck.history as never,
    })
    let a = '',
      b = ''
    await evalCommand({ checkpoint: at('old.json'), data: at('data.json') }, (s) => {
      a = s
    })
    await evalCommand({ checkpoint: ckpt, data: at('data.json') }, (s) => {
      b = s
    })
    expect(a).toBe(b)
    // and purediff-cli/2 (the CLI's loop before it trained through fit): the same fields eval reads
    await saveCheckpoint(at('old2.json'), { ...ck, format: 'purediff-cli/2' } as never)
    let c = ''
    await evalCommand({ checkpoint: at('old2.json'), data: at('data.json') }, (s) => {
      c = s
    })
    expect(c).toBe(b)
    await saveCheckpoint(at('other.json'), { w: P.zeros([2]) })
    expect(await refused({ checkpoint: at('other.json'), data: at('data.json') })).toMatch(/not a checkpoint written by purediff train: at format/)
    writeFileSync(at('cut.json'), readFileSync(ckpt, 'utf8').slice(0, 100))
    expect(await refused({ checkpoint: at('cut.json'), data: at('data.json') })).toMatch(/not a purediff checkpoint: .*not valid JSON/)
    expect(await refused({ checkpoint: at('none.json'), data: at('data.json') })).toMatch(/none\.json: no such file/)
  })
})

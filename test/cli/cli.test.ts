/**
 * The `purediff` command end to end, in a subprocess (tsx): train → checkpoint → eval on a tiny
 * dataset; every error path exits non-zero with one line and no stack trace; the recipe command's
 * flags (its experiments run in process, on real MNIST digits, in test/train/recipe.test.ts).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cli as run, oneLineError } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'purediff-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cli = (...args: string[]) => run(dir, ...args)

// A linearly separable 2-class problem: label = x0 + x1 > 1 (a fixed LCG, no Math.random).
let s = 12345
const rnd = () => {
  s = (s * 1103515245 + 12345) % 2 ** 31
  return s / 2 ** 31
}
const x = Array.from({ length: 80 }, () => [rnd(), rnd(), rnd()])
writeFileSync(join(dir, 'data.json'), JSON.stringify({ x, y: x.map((r) => (r[0] + r[1] > 1 ? 1 : 0)) }))
writeFileSync(join(dir, 'model.json'), JSON.stringify({ layers: [{ type: 'dense', units: 8 }, { type: 'relu' }, { type: 'dense', units: 2 }] }))
writeFileSync(join(dir, 'opt.json'), JSON.stringify({ name: 'adam', learningRate: 0.05 }))
writeFileSync(
  join(dir, 'bad-model.json'),
  JSON.stringify({
    layers: [
      { type: 'dense', units: 8 },
      { type: 'dropout', rate: 1.5 },
    ],
  }),
)
writeFileSync(join(dir, 'invalid.json'), '{ "layers": [')

describe('purediff train and eval', () => {
  it('trains, writes a checkpoint, prints the diagnosis, and eval reads it back', () => {
    const t = cli('train', '--model', 'model.json', '--optimizer', 'opt.json', '--data', 'data.json', '--epochs', '5', '--batch-size', '16', '--out', 'run')
    expect(t.code).toBe(0)
    expect(t.stdout).toMatch(/diagnosis: /)
    expect(t.stderr).toMatch(/epoch 5\/5/)
    expect(existsSync(join(dir, 'run', 'checkpoint.json'))).toBe(true)
    const e = cli('eval', '--checkpoint', join('run', 'checkpoint.json'), '--data', 'data.json')
    expect(e.code).toBe(0)
    const acc = Number(/accuracy ([\d.]+)/.exec(e.stdout)?.[1])
    expect(acc).toBeGreaterThan(0.6)
  })

  it('prints help for the tool and for each command', () => {
    expect(cli('--help').stdout).toMatch(/recipe.*\n.*train.*\n.*eval/)
    // `npx purediff -- --help` (npm's own separator reaches the command) means the same
    const viaNpx = cli('--', '--help')
    expect(viaNpx.code).toBe(0)
    expect(viaNpx.stdout).toMatch(/recipe.*\n.*train.*\n.*eval/)
    expect(cli('--', 'train', '--help').stdout).toMatch(/usage: purediff train/)
    for (const c of ['recipe', 'train', 'eval']) {
      const r = cli(c, '--help')
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(new RegExp(`usage: purediff ${c}`))
    }
  })
})

describe('purediff errors: one line, non-zero, no stack trace', () => {
  it('unknown command', () => {
    expect(oneLineError(cli('bogus'))).toMatch(/unknown command 'bogus'/)
  })
  it('missing file', () => {
    expect(oneLineError(cli('train', '--model', 'nope.json', '--optimizer', 'opt.json', '--data', 'data.json'))).toMatch(/nope\.json: no such file/)
    expect(oneLineError(cli('eval', '--checkpoint', 'nope.json', '--data', 'data.json'))).toMatch(/nope\.json/)
  })
  it('invalid JSON', () => {
    expect(oneLineError(cli('train', '--model', 'invalid.json', '--optimizer', 'opt.json', '--data', 'data.json'))).toMatch(/invalid\.json: not valid JSON/)
  })
  it('invalid model spec, with the path of the field', () => {
    expect(oneLineError(cli('train', '--model', 'bad-model.json', '--optimizer', 'opt.json', '--data', 'data.json'))).toMatch(/bad-model\.json: .*layers\.1\.rate/)
  })
  it('invalid data file, with the path of the field', () => {
    writeFileSync(
      join(dir, 'bad-data.json'),
      JSON.stringify({
        x: [
          [1, 2],
          [3, 'a'],
        ],
        y: [0, 1],
      }),
    )
    expect(oneLineError(cli('train', '--model', 'model.json', '--optimizer', 'opt.json', '--data', 'bad-data.json'))).toMatch(/x\.1\.1/)
  })
  it('bad flags', () => {
    expect(oneLineError(cli('train', '--model', 'model.json', '--frobnicate'))).toMatch(/unknown flag '--frobnicate'/)
    expect(oneLineError(cli('train', '--model', 'model.json', '--optimizer', 'opt.json', '--data', 'data.json', '--epochs', 'many'))).toMatch(/--epochs/)
    expect(oneLineError(cli('train', '--optimizer', 'opt.json', '--data', 'data.json'))).toMatch(/missing --model/)
  })
})

describe('purediff recipe', () => {
  it('runs the recipe command (its experiments are tested in process by test/train/recipe.test.ts)', () => {
    expect(oneLineError(cli('recipe', '--seed', 'x'))).toMatch(/--seed/)
    expect(cli('recipe', '--help').stdout).toMatch(/--quick/)
  })
})

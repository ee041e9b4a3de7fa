/**
 * `purediff train --model cnn.json` trains a small CNN from a model spec (reshape → conv2d →
 * relu → flatten → dense) on a tiny data file of 4×4 images: the run succeeds and writes its
 * checkpoint, whose params have the conv kernel's HWIO shape.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { cli } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'purediff-cnn-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('trains a conv2d model spec on 4×4 images and writes a checkpoint with a [3, 3, 1, 4] kernel', () => {
  // 40 images of 16 pixels from a fixed LCG; class 1 when the left half is brighter than the right
  let s = 7
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return s / 2 ** 31
  }
  const x = Array.from({ length: 40 }, () => Array.from({ length: 16 }, rnd))
  const y = x.map((r) => (r.filter((_, i) => i % 4 < 2).reduce((a, b) => a + b, 0) > r.filter((_, i) => i % 4 >= 2).reduce((a, b) => a + b, 0) ? 1 : 0))
  writeFileSync(join(dir, 'data.json'), JSON.stringify({ x, y }))
  const cnn = {
    layers: [
      { type: 'reshape', shape: [4, 4, 1] },
      { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'SAME' },
      { type: 'relu' },
      { type: 'flatten' },
      { type: 'dense', units: 2 },
    ],
  }
  writeFileSync(join(dir, 'cnn.json'), JSON.stringify(cnn))
  writeFileSync(join(dir, 'opt.json'), JSON.stringify({ name: 'adam', learningRate: 0.01 }))
  const r = cli(dir, 'train', '--model', 'cnn.json', '--optimizer', 'opt.json', '--data', 'data.json', '--epochs', '2', '--batch-size', '8', '--out', 'run')
  expect(r.code, r.stderr).toBe(0)
  const text = readFileSync(join(dir, 'run', 'checkpoint.json'), 'utf8')
  expect(text).toContain('"shape":[3,3,1,4]')
})

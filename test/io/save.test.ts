/**
 * Checkpoints on disk: save and load round-trip, saves are atomic (the temporary file never
 * remains, and a failed write or rename leaves the previous file intact), and load returns a
 * Left for missing or damaged files.
 */
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { loadCheckpoint, saveCheckpoint } from '../../src/io/index.js'
import { nodeIo, writeFileAtomic } from '../../src/io/save.js'

let dir = ''
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'purediff-io-')) })
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const w = (t: unknown) => P.toFlatArray((t as { w: P.Tensor }).w)

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips, overwrites, and leaves no temporary file', async () => {
    const path = join(dir, 'model.ckpt')
    expect(E.isRight(await saveCheckpoint(path, { w: P.tensor([1, -0, NaN], 'float64') }))).toBe(true)
    const a = await loadCheckpoint(path)
    if (E.isLeft(a)) throw a.left
    expect(Object.is(w(a.right)[1], -0)).toBe(true)
    expect(E.isRight(await saveCheckpoint(path, { w: P.tensor([2]) }))).toBe(true)
    const b = await loadCheckpoint(path)
    if (E.isLeft(b)) throw b.left
    expect(w(b.right)).toEqual([2])
    expect(readdirSync(dir)).toEqual(['model.ckpt'])
  })

  it('a failed write leaves the previous file intact and removes the temporary file', async () => {
    const path = join(dir, 'model.ckpt')
    await saveCheckpoint(path, { w: P.tensor([1]) })
    const before = readFileSync(path, 'utf8')
    const io = await nodeIo()
    // the write dies half-way: part of the text reached the temporary file
    const halfWrite = { ...io, writeFile: async (p: string, text: string) => { await io.writeFile(p, text.slice(0, 10)); throw new Error('disk full') } }
    await expect(writeFileAtomic(path, 'new text', halfWrite)).rejects.toThrow('disk full')
    expect(readFileSync(path, 'utf8')).toBe(before)
    expect(readdirSync(dir)).toEqual(['model.ckpt'])
    // the rename fails
    const badRename = { ...io, rename: async () => { throw new Error('EXDEV') } }
    await expect(writeFileAtomic(path, 'new text', badRename)).rejects.toThrow('EXDEV')
    expect(readFileSync(path, 'utf8')).toBe(before)
    expect(readdirSync(dir)).toEqual(['model.ckpt'])
    // a tree that cannot be encoded: a Left, nothing written
    const r = await saveCheckpoint(path, { w: (() => 1) as never })
    expect(E.isLeft(r)).toBe(true)
    expect(readFileSync(path, 'utf8')).toBe(before)
    expect(readdirSync(dir)).toEqual(['model.ckpt'])
  })

  it('returns a Left (never rejects) for a missing folder, a missing file or a damaged file', async () => {
    expect(E.isLeft(await saveCheckpoint(join(dir, 'no', 'such', 'x.ckpt'), { w: P.ones([1]) }))).toBe(true)
    expect(E.isLeft(await loadCheckpoint(join(dir, 'missing.ckpt')))).toBe(true)
    const path = join(dir, 'damaged.ckpt')
    await saveCheckpoint(path, { layers: [{ w: P.ones([4]) }] })
    writeFileSync(path, readFileSync(path, 'utf8').replace(/"data":"[^"]{4}/, '"data":"'))
    const r = await loadCheckpoint(path)
    if (E.isRight(r)) throw new Error('expected a Left')
    expect(r.left.message).toMatch(/tree\.layers\.0\.w\.data/)
  })
})

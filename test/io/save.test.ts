/**
 * Checkpoints on disk: save and load round-trip, saves are atomic (the temporary file never
 * remains, and a failed write or rename leaves the previous file intact), and load returns a
 * Left for missing or damaged files. A save keeps the replaced file's permission bits, writes a
 * symlinked path through to its target, and removes only the stale temporary files that are its
 * own (issue 11, item 12).
 */
import * as E from 'fp-ts/lib/Either.js'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as P from '../../src/index.js'
import { loadCheckpoint, saveCheckpoint } from '../../src/io/index.js'
import { type AtomicIo, nodeIo, writeFileAtomic } from '../../src/io/save.js'

let dir = ''
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'purediff-io-'))
})
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
    const halfWrite: AtomicIo = {
      ...io,
      writeFile: async (p, pieces, mode) => {
        await io.writeFile(p, [pieces.join('').slice(0, 10)], mode)
        throw new Error('disk full')
      },
    }
    await expect(writeFileAtomic(path, 'new text', halfWrite)).rejects.toThrow('disk full')
    expect(readFileSync(path, 'utf8')).toBe(before)
    expect(readdirSync(dir)).toEqual(['model.ckpt'])
    // the rename fails
    const badRename = {
      ...io,
      rename: async () => {
        throw new Error('EXDEV')
      },
    }
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

describe('saveCheckpoint keeps the file it replaces as it was', () => {
  const modeOf = (p: string) => statSync(p).mode & 0o7777

  it("keeps an existing file's permission bits (the temporary file has them before the rename)", async () => {
    const path = join(dir, 'model.ckpt')
    for (const mode of [0o600, 0o640, 0o400, 0o755, 0o664, 0o622]) {
      // with bits a umask of 022 would clear
      writeFileSync(path, 'old')
      chmodSync(path, mode)
      const io = await nodeIo()
      const seen: number[] = []
      // look at the temporary file after its text is written, before the rename
      const watch: AtomicIo = {
        ...io,
        writeFile: async (p, pieces, m) => {
          await io.writeFile(p, pieces, m)
          seen.push(modeOf(p))
        },
      }
      await writeFileAtomic(path, 'new', watch)
      expect(readFileSync(path, 'utf8')).toBe('new')
      expect(modeOf(path).toString(8)).toBe(mode.toString(8))
      expect(seen.map((m) => m.toString(8))).toEqual([mode.toString(8)])
      const r = await saveCheckpoint(path, { w: P.tensor([1]) })
      expect(E.isRight(r)).toBe(true)
      expect(modeOf(path).toString(8)).toBe(mode.toString(8))
    }
  })

  it('gives a new file the usual 0666 less the umask', async () => {
    const path = join(dir, 'new.ckpt')
    expect(E.isRight(await saveCheckpoint(path, { w: P.tensor([1]) }))).toBe(true)
    const umask = process.umask()
    expect(modeOf(path).toString(8)).toBe((0o666 & ~umask).toString(8))
  })

  it('removes the temporary files of its own target left by dead processes, and nothing else', async () => {
    // a process id that has just exited (not reused in the few milliseconds of this test)
    const dead = spawnSync(process.execPath, ['-e', '']).pid ?? Number.NaN
    expect(Number.isSafeInteger(dead)).toBe(true)
    const live = process.ppid // alive, and not this process
    const name = 'm+(1).ckpt' // RegExp characters in the name are taken literally
    const path = join(dir, name)
    writeFileSync(path, 'old')
    const stale = [`.${name}.${dead}.1700000000000.0.tmp`, `.${name}.${dead}.1.12.tmp`]
    const kept = [
      `.${name}.${live}.1700000000000.0.tmp`, // a running process: maybe a save in progress
      `.${name}.${process.pid}.1700000000000.0.tmp`, // this process: maybe a save in progress
      `.other.ckpt.${dead}.1700000000000.0.tmp`, // another target
      `.m+(1)xckpt.${dead}.1.0.tmp`, // not this name ('.' is literal)
      `.${name}.${dead}.x.0.tmp`,
      `.${name}.${dead}.1.0.tmp.bak`,
      `${name}.${dead}.1.0.tmp`, // not the pattern
      'notes.txt',
    ]
    for (const f of [...stale, ...kept]) writeFileSync(join(dir, f), 'leftover')
    expect(E.isRight(await saveCheckpoint(path, { w: P.tensor([1]) }))).toBe(true)
    expect(readdirSync(dir).sort()).toEqual([name, ...kept].sort())
  })

  it('writes a symlinked path through to its target, atomically in the target folder; the link stays', async () => {
    mkdirSync(join(dir, 'real'))
    const target = join(dir, 'real', 'model.ckpt')
    writeFileSync(target, 'old')
    chmodSync(target, 0o600)
    symlinkSync('real/model.ckpt', join(dir, 'link.ckpt')) // relative, as links usually are
    symlinkSync('link.ckpt', join(dir, 'chain.ckpt')) // a link to a link
    for (const via of ['link.ckpt', 'chain.ckpt']) {
      expect(E.isRight(await saveCheckpoint(join(dir, via), { w: P.tensor([via.length]) }))).toBe(true)
      expect(lstatSync(join(dir, via)).isSymbolicLink()).toBe(true)
      expect(readlinkSync(join(dir, 'link.ckpt'))).toBe('real/model.ckpt')
      const back = await loadCheckpoint(target)
      if (E.isLeft(back)) throw back.left
      expect(w(back.right)).toEqual([via.length])
      expect(modeOf(target).toString(8)).toBe('600')
    }
    expect(readdirSync(dir).sort()).toEqual(['chain.ckpt', 'link.ckpt', 'real'])
    expect(readdirSync(join(dir, 'real'))).toEqual(['model.ckpt'])
  })

  it('follows a link to a file not there yet, resolves ".." as the kernel does, and refuses a loop', async () => {
    symlinkSync('fresh.ckpt', join(dir, 'dangling.ckpt'))
    expect(E.isRight(await saveCheckpoint(join(dir, 'dangling.ckpt'), { w: P.tensor([3]) }))).toBe(true)
    expect(lstatSync(join(dir, 'dangling.ckpt')).isSymbolicLink()).toBe(true)
    expect(readdirSync(dir).sort()).toEqual(['dangling.ckpt', 'fresh.ckpt'])
    // dir/s → a/b (a folder link); dir/a/b/l → ../t.ckpt means dir/a/t.ckpt, not dir/t.ckpt
    mkdirSync(join(dir, 'a', 'b'), { recursive: true })
    symlinkSync(join('a', 'b'), join(dir, 's'))
    symlinkSync('../t.ckpt', join(dir, 'a', 'b', 'l'))
    expect(E.isRight(await saveCheckpoint(join(dir, 's', 'l'), { w: P.tensor([4]) }))).toBe(true)
    expect(existsSync(join(dir, 'a', 't.ckpt'))).toBe(true)
    expect(existsSync(join(dir, 't.ckpt'))).toBe(false)
    // a loop: a Left, nothing written
    symlinkSync('loop2', join(dir, 'loop1'))
    symlinkSync('loop1', join(dir, 'loop2'))
    const r = await saveCheckpoint(join(dir, 'loop1'), { w: P.tensor([1]) })
    if (E.isRight(r)) throw new Error('expected a Left')
    expect(r.left.message).toMatch(/symbolic links/)
  })
})

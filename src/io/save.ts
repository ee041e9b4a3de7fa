/**
 * Checkpoints on disk (NODE ONLY: this file reaches node:fs, loaded lazily so that importing
 * purediff/io in a browser still works for the codecs). `saveCheckpoint` writes atomically: the
 * text goes to a temporary file in the same folder, is flushed to disk, then renamed over the
 * target, so a crash leaves either the old file or the new one, never half of one.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { ArgumentError } from '../index.js'
import { type CheckpointTree } from './codecs.js'
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.js'

// --- internal

/** The file operations `writeFileAtomic` uses; tests replace some to simulate failures. @internal */
export interface AtomicIo {
  readonly writeFile: (path: string, text: string) => Promise<void>
  readonly rename: (from: string, to: string) => Promise<void>
  readonly unlink: (path: string) => Promise<void>
}

let counter = 0

/** The part of node:fs/promises this file uses (declared here: the build has no Node types, by design). */
interface FsPromises {
  open(path: string, flags: string): Promise<{ writeFile(text: string, encoding: 'utf8'): Promise<void>; sync(): Promise<void>; close(): Promise<void> }>
  rename(from: string, to: string): Promise<void>
  unlink(path: string): Promise<void>
  readFile(path: string, encoding: 'utf8'): Promise<string>
}

/**
 * node:fs/promises, imported on first use. why the variable specifier and the cast: the
 * specifier is not a literal so that bundlers for browsers do not try to resolve node:fs when
 * they meet purediff/io (whose codecs are browser-safe), and the library build has no Node types.
 */
async function fsPromises(): Promise<FsPromises> {
  const specifier = 'node:fs/promises'
  return (await import(specifier)) as FsPromises
}

/** The folder part of a path ('' for a bare name), for POSIX and Windows separators. */
function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  return i < 0 ? '' : path.slice(0, i + 1)
}

/** The process id where there is one (Node), else 0: part of the temporary file's name. */
function pid(): number {
  const p = (globalThis as { process?: { pid?: unknown } }).process
  return typeof p?.pid === 'number' ? p.pid : 0
}

/** The default file operations, from node:fs/promises (imported on first use). @internal */
export async function nodeIo(): Promise<AtomicIo> {
  const fs = await fsPromises()
  return {
    writeFile: async (path, text) => {
      const h = await fs.open(path, 'wx')
      try {
        await h.writeFile(text, 'utf8')
        await h.sync()
      } finally {
        await h.close()
      }
    },
    rename: (from, to) => fs.rename(from, to),
    unlink: (path) => fs.unlink(path),
  }
}

/** Writes `text` to `path` through a temporary sibling file and a rename; removes the temporary file on any failure. @internal */
export async function writeFileAtomic(path: string, text: string, io?: AtomicIo): Promise<void> {
  const ops = io ?? await nodeIo()
  const folder = folderOf(path)
  const tmp = `${folder}.${path.slice(folder.length)}.${pid()}.${Date.now()}.${counter++}.tmp`
  try {
    await ops.writeFile(tmp, text)
    await ops.rename(tmp, path)
  } catch (e) {
    await ops.unlink(tmp).catch(() => undefined)
    throw e
  }
}

// --- operations

/**
 * Saves `tree` (see `encodeCheckpoint`) to `path`, atomically: the text is written to a
 * temporary file `.<name>.<pid>.<time>.<n>.tmp` in the same folder, flushed, and renamed over
 * `path` (a rename within one folder is atomic on POSIX and NTFS). On any failure the temporary
 * file is removed and a previous file at `path` is left intact. Resolves to `Right(undefined)`,
 * or `Left(error)` (an encoding ArgumentError or the file system's error) — it never rejects, so
 * CHECK the result. Needs Node (node:fs).
 *
 * @example
 * import { isRight } from 'fp-ts/lib/Either.js'
 * import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { tensor, toFlatArray, type Tensor } from 'purediff'
 * import { loadCheckpoint, saveCheckpoint } from 'purediff/io'
 * const dir = mkdtempSync(join(tmpdir(), 'purediff-'))
 * const saved = await saveCheckpoint(join(dir, 'ckpt.json'), { w: tensor([1, 2]) })
 * const back = await loadCheckpoint(join(dir, 'ckpt.json'))
 * if (!isRight(saved) || !isRight(back) || toFlatArray((back.right as { w: Tensor }).w).join() !== '1,2') throw new Error()
 * if (readdirSync(dir).join() !== 'ckpt.json') throw new Error() // no temporary file remains
 * rmSync(dir, { recursive: true })
 * @category operations
 * @since 0.1.0
 */
export async function saveCheckpoint(path: string, tree: unknown): Promise<E.Either<Error, void>> {
  try {
    if (typeof path !== 'string' || path === '') return E.left(new ArgumentError('saveCheckpoint', `path must be a non-empty string, got ${typeof path}`))
    const text = encodeCheckpoint(tree)
    await writeFileAtomic(path, text)
    return E.right(undefined)
  } catch (e) {
    return E.left(e instanceof Error ? e : new ArgumentError('saveCheckpoint', String(e)))
  }
}

/**
 * Reads and decodes the checkpoint at `path`: `Right(tree)`, or `Left(error)` for a file that
 * cannot be read or does not decode (see `decodeCheckpoint`; the message names the path in the
 * tree). Never rejects. Needs Node (node:fs).
 *
 * @example
 * import { isLeft } from 'fp-ts/lib/Either.js'
 * import { loadCheckpoint } from 'purediff/io'
 * const missing = await loadCheckpoint('/nonexistent/purediff/ckpt.json')
 * if (!isLeft(missing)) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export async function loadCheckpoint(path: string): Promise<E.Either<Error, CheckpointTree>> {
  try {
    const fs = await fsPromises()
    const text = await fs.readFile(path, 'utf8')
    return decodeCheckpoint(text)
  } catch (e) {
    return E.left(e instanceof Error ? e : new ArgumentError('loadCheckpoint', String(e)))
  }
}

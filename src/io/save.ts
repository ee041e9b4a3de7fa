/**
 * Checkpoints on disk (NODE ONLY: this file reaches node:fs, loaded lazily so that importing
 * purediff/io in a browser still works for the codecs). `saveCheckpoint` writes atomically: the
 * text goes to a temporary file in the same folder, is flushed to disk, then renamed over the
 * target, so a crash leaves either the old file or the new one, never half of one. The new file
 * keeps the old one's permissions, a symlinked path is written through to its target, and the
 * temporary files of saves that crashed are cleared away.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { ArgumentError } from '../index.js'
import type { CheckpointTree } from './codecs.js'
import { decodeCheckpoint, encodeCheckpointPieces } from './checkpoint.js'

// --- internal

/** What an existing file's replacement keeps: its permission bits, owner and group. */
export interface FileMode {
  readonly mode: number
  readonly uid: number
  readonly gid: number
}

/** The file operations `writeFileAtomic` uses; tests replace some to simulate failures. @internal */
export interface AtomicIo {
  /** Creates `path` (it must not exist) with `mode`'s permissions, writes the pieces and flushes them to disk. */
  readonly writeFile: (path: string, pieces: readonly string[], mode: FileMode | undefined) => Promise<void>
  readonly rename: (from: string, to: string) => Promise<void>
  readonly unlink: (path: string) => Promise<void>
  /** The file a write to `path` lands on: `path` itself, or where its chain of symlinks ends (which may not exist yet). */
  readonly resolve: (path: string) => Promise<string>
  /** The mode of the file at `path`, or undefined if there is none. */
  readonly modeOf: (path: string) => Promise<FileMode | undefined>
  /** The names in a folder ('' is the current folder). */
  readonly list: (folder: string) => Promise<readonly string[]>
  /** Whether a process with this id exists on this machine. */
  readonly isRunning: (pid: number) => boolean
}

let counter = 0

/** Characters per write: long pieces are written in slices, so no copy of the whole text is made. */
const SLICE = 1 << 20

interface FileHandle {
  writeFile(text: string, encoding: 'utf8'): Promise<void>
  chmod(mode: number): Promise<void>
  chown(uid: number, gid: number): Promise<void>
  sync(): Promise<void>
  close(): Promise<void>
}
interface Stats {
  mode: number
  uid: number
  gid: number
  isSymbolicLink(): boolean
}

/** The part of node:fs/promises this file uses (declared here: the build has no Node types, by design). */
interface FsPromises {
  open(path: string, flags: string, mode?: number): Promise<FileHandle>
  rename(from: string, to: string): Promise<void>
  unlink(path: string): Promise<void>
  readFile(path: string, encoding: 'utf8'): Promise<string>
  stat(path: string): Promise<Stats>
  lstat(path: string): Promise<Stats>
  readlink(path: string): Promise<string>
  readdir(path: string): Promise<string[]>
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

/** Whether a path is absolute (POSIX `/…`, Windows `C:\…` or `\\server\…`). */
const isAbsolute = (path: string): boolean => /^(?:[/\\]|[A-Za-z]:[/\\])/.test(path)

/** Node's `process` where there is one. */
const nodeProcess = (): { pid?: unknown; kill?: (pid: number, signal: number) => void } | undefined =>
  (globalThis as { process?: { pid?: unknown; kill?: (pid: number, signal: number) => void } }).process

/** The process id where there is one (Node), else 0: part of the temporary file's name. */
function pid(): number {
  const p = nodeProcess()
  return typeof p?.pid === 'number' ? p.pid : 0
}

const code = (e: unknown): unknown => (e as { code?: unknown } | null)?.code

/** The default file operations, from node:fs/promises (imported on first use). @internal */
export async function nodeIo(): Promise<AtomicIo> {
  const fs = await fsPromises()
  return {
    writeFile: async (path, pieces, mode) => {
      // created with the old file's permissions from the start (the umask may only narrow them),
      // so the new text is never readable by more people than the old one
      const h = await fs.open(path, 'wx', mode === undefined ? 0o666 : mode.mode & 0o777)
      try {
        if (mode !== undefined) {
          // the owner and group first (changing them may clear set-id bits), best effort: only
          // root may give a file away; then the exact bits, which the umask may have narrowed
          await h.chown(mode.uid, mode.gid).catch(() => undefined)
          await h.chmod(mode.mode)
        }
        let batch = ''
        for (const piece of pieces) {
          if (batch.length + piece.length <= SLICE) {
            batch += piece
            continue
          }
          if (batch !== '') await h.writeFile(batch, 'utf8')
          batch = ''
          for (let i = 0; i < piece.length; i += SLICE) await h.writeFile(piece.substring(i, i + SLICE), 'utf8')
        }
        if (batch !== '') await h.writeFile(batch, 'utf8')
        await h.sync()
      } finally {
        await h.close()
      }
    },
    rename: (from, to) => fs.rename(from, to),
    unlink: (path) => fs.unlink(path),
    resolve: async (path) => {
      let p = path
      for (let hops = 0; hops < 40; hops++) {
        let st: Stats
        try {
          st = await fs.lstat(p)
        } catch (e) {
          if (code(e) === 'ENOENT') return p // nothing there (yet): the write creates it
          throw e
        }
        if (!st.isSymbolicLink()) return p
        const link = await fs.readlink(p)
        // relative to the link's own folder; kept unnormalised ('a/s/../x'), so that the kernel
        // resolves '..' after any folder link, as it does when it follows the link itself
        p = isAbsolute(link) ? link : folderOf(p) + link
      }
      throw new ArgumentError('saveCheckpoint', `too many levels of symbolic links at ${path}`)
    },
    modeOf: async (path) => {
      try {
        const st = await fs.stat(path)
        return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid }
      } catch (e) {
        if (code(e) === 'ENOENT') return undefined
        throw e
      }
    },
    list: (folder) => fs.readdir(folder === '' ? '.' : folder),
    isRunning: (id) => {
      try {
        nodeProcess()?.kill?.(id, 0) // signal 0: no signal, only the check
        return true
      } catch (e) {
        return code(e) === 'EPERM' // it exists, but belongs to someone else
      }
    },
  }
}

/** `.<name>.<pid>.<time>.<n>.tmp` with `name` escaped for a RegExp. */
function tempPattern(name: string): RegExp {
  return new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.\\d+\\.\\d+\\.tmp$`)
}

/**
 * Removes the temporary files that saves of `target` left when their process died (killed, out
 * of memory, power cut) — they can be as large as the checkpoint. A file is taken as such only
 * if its name is `.<name>.<pid>.<time>.<n>.tmp` for this very target and no process `pid` runs:
 * a save in progress, here or in another process, is never touched. (A folder shared by saves
 * of one target from SEVERAL machines would defeat the process check; don't.) Best effort: a
 * file that cannot be removed is left.
 */
async function removeStaleTemps(target: string, ops: AtomicIo): Promise<void> {
  const folder = folderOf(target)
  const pattern = tempPattern(target.slice(folder.length))
  const names = await ops.list(folder).catch(() => [] as readonly string[])
  const me = pid()
  for (const name of names) {
    const m = pattern.exec(name)
    if (m === null) continue
    const owner = Number(m[1])
    if (owner === me || ops.isRunning(owner)) continue
    await ops.unlink(folder + name).catch(() => undefined)
  }
}

/**
 * Writes `text` (or the pieces of it) to `path` through a temporary sibling file and a rename;
 * removes the temporary file on any failure. See `saveCheckpoint` for modes, symlinks and stale
 * temporary files. @internal
 */
export async function writeFileAtomic(path: string, text: string | readonly string[], io?: AtomicIo): Promise<void> {
  const ops = io ?? (await nodeIo())
  const target = await ops.resolve(path)
  const mode = await ops.modeOf(target)
  await removeStaleTemps(target, ops)
  const folder = folderOf(target)
  const tmp = `${folder}.${target.slice(folder.length)}.${pid()}.${Date.now()}.${counter++}.tmp`
  try {
    await ops.writeFile(tmp, typeof text === 'string' ? [text] : text, mode)
    await ops.rename(tmp, target)
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
 * - An existing file's permission bits are kept (a 0600 checkpoint stays 0600; the temporary
 *   file has them from its creation), and its owner and group where the process may set them
 *   (root). A new file gets the usual 0666 less the umask.
 * - A symlinked `path` is written THROUGH: the file at the end of the link (or chain of links)
 *   is replaced, atomically, by a temporary file in ITS folder; the link stays a link. A link to
 *   a file that does not exist yet creates that file.
 * - Temporary files of this same target left by saves whose process has died (a crash or a kill
 *   mid-save) are removed first; those of a running process, this one included, are not.
 * - The text is written in slices straight from its pieces (≈ 1.33× the params' bytes), never
 *   copied whole.
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
    await writeFileAtomic(path, encodeCheckpointPieces(tree))
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

/// <reference types="node" />
/**
 * The output folder of `purediff train`, checked before the first batch: it is created if
 * needed (remembering which folders this run made) and a probe file is written and removed, so
 * an unwritable folder is a one-line error at once — not a raw EACCES after a full epoch. A run
 * that fails before saving anything removes the (empty) folders it created.
 *
 * @internal
 */
import { mkdirSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { CliError } from './args.js'

/** A prepared output folder. */
export interface OutDir {
  readonly dir: string
  /** Removes the folders this run created, deepest first, as long as they are empty. */
  readonly removeIfCreated: () => void
}

const reasons: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder is in the way',
  ENOSPC: 'no space left on the device',
  EEXIST: 'a file of that name exists',
}
const why = (e: unknown): string => {
  const code = (e as { code?: string }).code
  return code === undefined ? String(e) : `${code}: ${reasons[code] ?? 'see the system error'}`
}

/** Creates `dir` if needed and proves it writable; a CliError (exit 1) naming the folder and the reason otherwise. */
export function prepareOutDir(command: string, dir: string): OutDir {
  let isDir: boolean | undefined
  try {
    isDir = statSync(dir).isDirectory()
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw new CliError(`${command}: cannot create the output folder ${dir} (${why(e)})`, 1)
  }
  if (isDir === false) throw new CliError(`${command}: the output folder ${dir} is a file, not a folder`, 1)
  let created: string | undefined
  if (isDir === undefined) {
    try {
      created = mkdirSync(dir, { recursive: true })
    } catch (e) {
      throw new CliError(`${command}: cannot create the output folder ${dir} (${why(e)})`, 1)
    }
  }
  const removeIfCreated = (): void => {
    if (created === undefined) return
    const top = resolve(created)
    for (let d = resolve(dir); ; d = dirname(d)) {
      try {
        rmdirSync(d) // only empty folders go
      } catch {
        return
      }
      if (d === top || dirname(d) === d) return
    }
  }
  const probe = join(dir, `.purediff-write-test-${process.pid}`)
  try {
    writeFileSync(probe, '')
    unlinkSync(probe)
  } catch (e) {
    removeIfCreated()
    throw new CliError(`${command}: cannot write to the output folder ${dir} (${why(e)})`, 1)
  }
  return { dir, removeIfCreated }
}

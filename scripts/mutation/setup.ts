/**
 * Setup file of mutation runs: pins fast-check's seed (so a verdict can be replayed) and, in the
 * coverage run (PD_MUTATION_COVDIR set), records which coverage marks each test file reached.
 */
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import fc from 'fast-check'
import { afterAll } from 'vitest'

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(process.env.PD_MUTATION_SEED ?? 20251203) })

const dir = process.env.PD_MUTATION_COVDIR
const g = globalThis as { __pdCov?: Set<string> }
g.__pdCov = dir === undefined ? undefined : new Set()
if (dir !== undefined) {
  afterAll((suite) => {
    const file = (suite as { file?: { filepath?: string } }).file?.filepath ?? ''
    const name = createHash('sha1').update(file).digest('hex').slice(0, 16)
    writeFileSync(`${dir}/${name}.json`, JSON.stringify({ file, marks: [...(g.__pdCov ?? [])] }))
  })
}

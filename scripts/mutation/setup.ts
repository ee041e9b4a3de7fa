/**
 * Setup file of mutation runs: pins fast-check's seed (so a verdict can be replayed) and, in the
 * coverage run (PD_MUTATION_COVDIR set), records which coverage marks each test reached. Marks
 * reached outside a test (imports, collection, beforeAll hooks) belong to the whole file: a
 * mutant there is judged by running every test of the file.
 */
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import fc from 'fast-check'
import { afterAll, afterEach, beforeEach } from 'vitest'

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(process.env.PD_MUTATION_SEED ?? 20251203) })

const dir = process.env.PD_MUTATION_COVDIR
const g = globalThis as { __pdCov?: Set<string> }
g.__pdCov = dir === undefined ? undefined : new Set()
if (dir !== undefined) {
  const fileMarks = new Set<string>()
  const tests: Record<string, string[]> = {}
  const take = (): string[] => {
    const marks = [...(g.__pdCov ?? [])]
    g.__pdCov = new Set()
    return marks
  }
  beforeEach(() => {
    for (const k of take()) fileMarks.add(k)
  })
  afterEach(({ task }) => {
    tests[task.id] = take()
  })
  // (vitest requires an object pattern as a hook's first parameter; the file is the second)
  // biome-ignore lint/correctness/noEmptyPattern: vitest refuses a hook whose first parameter is not an object pattern
  afterAll(({}, suite) => {
    for (const k of take()) fileMarks.add(k)
    const file = suite.file.filepath
    const name = createHash('sha1').update(file).digest('hex').slice(0, 16)
    writeFileSync(`${dir}/${name}.json`, JSON.stringify({ file, fileMarks: [...fileMarks], tests }))
  })
}

/**
 * The vitest configuration of mutation runs (loaded inside the sandbox copy, never by `npm test`):
 * the root configuration plus the setup file that pins fast-check's seed and records coverage,
 * a sequencer that keeps the runner's order (fastest covering test files first), a cache of its
 * own, and, in the coverage run, the plugin that marks every function of the target files.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { defineConfig, mergeConfig } from 'vitest/config'
import type { TestSpecification } from 'vitest/node'
import root from '../../vitest.config.js'
import { instrument } from './mutate.js'
import { loadTs } from './ts.js'

const repo = new URL('../..', import.meta.url).pathname
const targets = new Set((process.env.PD_MUTATION_INSTRUMENT ?? '').split(',').filter((s) => s !== ''))

/** Keeps the order the runner gave (vitest's default puts slow and failed files first). */
class KeepOrder {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return files
  }
  async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    return files
  }
}

export default mergeConfig(
  root,
  defineConfig({
    cacheDir: `${repo}scripts/mutation/out/vite-cache`,
    plugins:
      targets.size === 0
        ? []
        : [
            {
              name: 'purediff-mutation-coverage',
              enforce: 'pre',
              load(id: string) {
                const file = relative(repo, id.split('?')[0])
                if (!targets.has(file)) return null
                return instrument(loadTs(), file, readFileSync(id.split('?')[0], 'utf8'))
              },
            },
          ],
    test: {
      setupFiles: [`${repo}scripts/mutation/setup.ts`],
      sequence: { sequencer: KeepOrder },
    },
  }),
)

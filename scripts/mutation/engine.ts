/**
 * One long-lived vitest instance in the sandbox, driven by the runner over IPC (a child process,
 * so that a mutant stuck in an endless loop is ended by killing this process group). For each
 * request it drops vitest's cached transform of the files the runner rewrote (a mutant written
 * into the sandbox, or the original restored), runs the given test files in the given order
 * (stopping at the first failure unless PD_MUTATION_BAIL=0), and answers with the first failure.
 *
 * Run as: tsx engine.ts <sandbox dir>  (with PUREDIFF_KERNELS and the PD_MUTATION_* variables).
 */
import { join } from 'node:path'
import { createVitest } from 'vitest/node'
import type { TestModule } from 'vitest/node'

/** A request: forget the cached transforms of `invalidate` (rewritten by the runner), then run `files`. */
export interface EngineRequest {
  readonly invalidate: readonly string[]
  readonly files: readonly string[]
}

/** The answer: how many tests failed or passed, the first failure, and per-file durations. */
export interface EngineAnswer {
  readonly failed: number
  readonly passed: number
  readonly firstFailure: string | null
  readonly durations: Record<string, number>
  readonly error: string | null
}

const sandbox = process.argv[2]
if (sandbox === undefined) throw new Error('engine: the sandbox folder is required')
const bail = Number(process.env.PD_MUTATION_BAIL ?? 1)
const vitest = await createVitest('test', {
  root: sandbox,
  config: join(sandbox, 'scripts/mutation/vitest.config.ts'),
  watch: false,
  reporters: [{}],
  maxWorkers: Number(process.env.PD_MUTATION_WORKERS ?? 1),
  bail,
  passWithNoTests: true,
})

/** First failing test's name and message, from the run's modules. */
function summarize(modules: readonly TestModule[]): Omit<EngineAnswer, 'error'> {
  let failed = 0
  let passed = 0
  let firstFailure: string | null = null
  const durations: Record<string, number> = {}
  for (const m of modules) {
    durations[m.relativeModuleId] = m.diagnostic().duration
    const errs = m.errors()
    if (errs.length > 0) {
      failed++
      firstFailure ??= `${m.relativeModuleId}: ${errs[0].message}`
    }
    for (const t of m.children.allTests()) {
      const r = t.result()
      if (r.state === 'failed') {
        failed++
        firstFailure ??= `${m.relativeModuleId} > ${t.fullName}: ${(r.errors?.[0]?.message ?? '').split('\n')[0].slice(0, 300)}`
      } else if (r.state === 'passed') passed++
    }
    if (m.state() === 'failed' && failed === 0) {
      failed++
      firstFailure ??= `${m.relativeModuleId}: failed`
    }
  }
  return { failed, passed, firstFailure, durations }
}

process.on('message', (req: EngineRequest) => {
  void (async () => {
    try {
      for (const f of req.invalidate) vitest.invalidateFile(join(sandbox, f))
      const specs = req.files.map((f) => vitest.getRootProject().createSpecification(join(sandbox, f)))
      const res = await vitest.runTestSpecifications(specs)
      // The result lists every module vitest has seen; keep this run's.
      const asked = new Set(req.files)
      process.send!({ ...summarize(res.testModules.filter((m) => asked.has(m.relativeModuleId))), error: null } satisfies EngineAnswer)
    } catch (e) {
      process.send!({ failed: 1, passed: 0, firstFailure: null, durations: {}, error: String((e as Error).stack ?? e) } satisfies EngineAnswer)
    }
  })()
})
process.send!({ ready: true })

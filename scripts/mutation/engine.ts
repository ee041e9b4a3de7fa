/**
 * One long-lived vitest instance in the sandbox, driven by the runner over IPC (a child process,
 * so that a mutant stuck in an endless loop is ended by killing this process group). For each
 * request it drops vitest's cached transform of the files the runner rewrote (a mutant written
 * into the sandbox, or the original restored), runs the given test files in the given order,
 * and answers with the failures. With `stopAtNew`, the run is cancelled at the first failure
 * that is not in `known` (the tests that fail without any mutant), which is the mutant's kill.
 *
 * Run as: tsx engine.ts <sandbox dir>  (with PUREDIFF_KERNELS and the PD_MUTATION_* variables).
 */
import { join } from 'node:path'
import { createVitest } from 'vitest/node'
import type { Reporter, TestCase, TestModule } from 'vitest/node'

/** A test file (sandbox-relative) and, when not all of it, the vitest ids of the tests to run. */
export interface Selection {
  readonly file: string
  readonly tests?: readonly string[]
}

/** A request: forget the transforms of `invalidate`, then run `files` in order. */
export interface EngineRequest {
  readonly invalidate: readonly string[]
  readonly files: readonly Selection[]
  /** Test ids (`file > full name`, or `file > (module)`) that fail without any mutant. */
  readonly known: readonly string[]
  readonly stopAtNew: boolean
}

/** The answer: the failures not in `known`, every failure, and durations (ms) per file (import and collection included) and per test id. */
export interface EngineAnswer {
  readonly newFailures: number
  readonly firstFailure: string | null
  readonly failedIds: readonly string[]
  readonly passed: number
  readonly durations: Record<string, number>
  readonly testDurations?: Record<string, number>
  readonly error: string | null
}

const sandbox = process.argv[2]
if (sandbox === undefined) throw new Error('engine: the sandbox folder is required')

let known = new Set<string>()
let stopAtNew = false
let firstNew: string | null = null
const moduleId = (m: TestModule) => `${m.relativeModuleId} > (module)`
const caseId = (t: TestCase) => `${t.module.relativeModuleId} > ${t.fullName}`

/** A sign of life for the runner's stall timer: what starts now (a file's load, a test) or '' (between steps). */
export interface Progress {
  readonly progress: 'file' | 'test' | 'between'
  readonly id: string
}
/** To the runner, over the IPC channel it forks this engine with. */
const send = (m: Progress | EngineAnswer | { ready: true }) => {
  if (process.send === undefined) throw new Error("the mutation engine runs as the runner's fork (it has no IPC channel)")
  process.send(m)
}
const progress = (p: Progress) => {
  send(p)
}

/**
 * Reports progress, and cancels the run at the first failure a mutant caused (the rest cannot
 * change the verdict).
 */
const stopper: Reporter = {
  onTestModuleStart: (m) => progress({ progress: 'file', id: m.relativeModuleId }),
  onTestModuleCollected: (m) => progress({ progress: 'file', id: m.relativeModuleId }),
  onTestCaseReady: (t) => progress({ progress: 'test', id: t.id }),
  onTestCaseResult(t) {
    progress({ progress: 'between', id: t.module.relativeModuleId })
    if (!stopAtNew || firstNew !== null || t.result().state !== 'failed' || known.has(caseId(t))) return
    firstNew = `${caseId(t)}: ${(t.result().errors?.[0]?.message ?? '').split('\n')[0].slice(0, 300)}`
    void vitest.cancelCurrentRun('test-failure')
  },
  onTestModuleEnd(m) {
    progress({ progress: 'between', id: m.relativeModuleId })
    if (!stopAtNew || firstNew !== null || m.errors().length === 0 || known.has(moduleId(m))) return
    firstNew = `${moduleId(m)}: ${m.errors()[0].message.split('\n')[0].slice(0, 300)}`
    void vitest.cancelCurrentRun('test-failure')
  },
}

const vitest = await createVitest('test', {
  root: sandbox,
  config: join(sandbox, 'scripts/mutation/vitest.config.ts'),
  watch: false,
  reporters: [stopper],
  maxWorkers: Number(process.env.PD_MUTATION_WORKERS ?? 1),
  passWithNoTests: true,
})

function summarize(modules: readonly TestModule[]): Omit<EngineAnswer, 'error'> {
  const failedIds: string[] = []
  let passed = 0
  let firstFailure: string | null = firstNew
  const durations: Record<string, number> = {}
  const testDurations: Record<string, number> = {}
  const fail = (id: string, msg: string) => {
    failedIds.push(id)
    if (!known.has(id)) firstFailure ??= `${id}: ${msg.split('\n')[0].slice(0, 300)}`
  }
  for (const m of modules) {
    const d = m.diagnostic()
    durations[m.relativeModuleId] = d.prepareDuration + d.collectDuration + d.setupDuration + d.duration
    if (m.errors().length > 0) fail(moduleId(m), m.errors()[0].message)
    for (const t of m.children.allTests()) {
      const r = t.result()
      testDurations[t.id] = t.diagnostic()?.duration ?? 0
      if (r.state === 'failed') fail(caseId(t), r.errors?.[0]?.message ?? '')
      else if (r.state === 'passed') passed++
    }
  }
  const newFailures = failedIds.filter((id) => !known.has(id)).length + (firstNew !== null && failedIds.length === 0 ? 1 : 0)
  return { newFailures, firstFailure, failedIds, passed, durations, testDurations }
}

process.on('message', (req: EngineRequest) => {
  void (async () => {
    try {
      known = new Set(req.known)
      stopAtNew = req.stopAtNew
      firstNew = null
      for (const f of req.invalidate) vitest.invalidateFile(join(sandbox, f))
      const project = vitest.getRootProject()
      const specs = req.files.map((f) => project.createSpecification(join(sandbox, f.file), f.tests === undefined ? undefined : { testIds: [...f.tests] }))
      const res = await vitest.runTestSpecifications(specs)
      // The result lists every module vitest has seen; keep this run's.
      const asked = new Set(req.files.map((f) => f.file))
      send({ ...summarize(res.testModules.filter((m) => asked.has(m.relativeModuleId))), error: null } satisfies EngineAnswer)
    } catch (e) {
      send({ newFailures: 0, firstFailure: null, failedIds: [], passed: 0, durations: {}, error: String((e as Error).stack ?? e) } satisfies EngineAnswer)
    }
  })()
})
send({ ready: true })

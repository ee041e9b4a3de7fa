/**
 * The runner's side of an engine (engine.ts): starts it as a child process in its own process
 * group, sends requests, and ends the whole group (vitest's workers included) when a request
 * outlives its timeout, which is how a mutant that never terminates is detected.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'
import type { EngineAnswer, EngineRequest, Progress } from './engine.js'

const live = new Set<Engine>()
// An ended runner leaves no engine behind (each runs in its own process group).
process.on('exit', () => {
  for (const e of live) e.stop()
})

export type Outcome = { readonly kind: 'answer'; readonly answer: EngineAnswer } | { readonly kind: 'timeout' }

/** One engine for one kernel mode; restarted after a timeout. */
export class Engine {
  private child: ChildProcess | null = null
  /** The started process, once it has said it is ready. */
  private ready: Promise<ChildProcess> | null = null

  constructor(
    private readonly sandbox: string,
    private readonly env: Record<string, string>,
  ) {}

  private start(): Promise<ChildProcess> {
    const child = fork(join(this.sandbox, 'scripts/mutation/engine.ts'), [this.sandbox], {
      cwd: this.sandbox,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...this.env },
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    })
    this.child = child
    live.add(this)
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve(child))
      child.once('exit', (code) => reject(new Error(`mutation engine exited with ${code} before it was ready`)))
    })
  }

  /**
   * Runs a request; 'timeout' when a step (a file's load, one test) outlives `stallMs(step)`
   * (it is stuck), or after `totalMs` in all. The engine is then ended.
   */
  async run(req: EngineRequest, stallMs: (p: Progress | null) => number, totalMs: number): Promise<Outcome> {
    this.ready ??= this.start()
    const child = await this.ready
    return new Promise<Outcome>((resolve) => {
      let stall: NodeJS.Timeout | undefined
      const done = (o: Outcome) => {
        clearTimeout(stall)
        clearTimeout(total)
        child.off('exit', onExit)
        child.off('message', onMessage)
        resolve(o)
      }
      const timeout = () => {
        this.stop()
        done({ kind: 'timeout' })
      }
      const arm = (p: Progress | null) => {
        clearTimeout(stall)
        stall = setTimeout(timeout, stallMs(p))
      }
      const total = setTimeout(timeout, totalMs)
      const onExit = () => {
        this.reset()
        done({ kind: 'answer', answer: { newFailures: 1, firstFailure: 'the engine exited (the mutant ended the process)', failedIds: [], passed: 0, durations: {}, error: null } })
      }
      const onMessage = (msg: EngineAnswer | Progress) => {
        if ('progress' in msg) arm(msg)
        else done({ kind: 'answer', answer: msg })
      }
      child.on('exit', onExit)
      child.on('message', onMessage)
      arm(null)
      child.send(req)
    })
  }

  private reset(): void {
    live.delete(this)
    this.child = null
    this.ready = null
  }

  /** Ends the engine's process group (its vitest workers with it). */
  stop(): void {
    const pid = this.child?.pid
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        /* already gone */
      }
    }
    this.reset()
  }
}

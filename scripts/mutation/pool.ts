/**
 * The runner's side of an engine (engine.ts): starts it as a child process in its own process
 * group, sends requests, and ends the whole group (vitest's workers included) when a request
 * outlives its timeout, which is how a mutant that never terminates is detected.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'
import type { EngineAnswer, EngineRequest } from './engine.js'

export type Outcome = { readonly kind: 'answer'; readonly answer: EngineAnswer } | { readonly kind: 'timeout' }

/** One engine for one kernel mode; restarted after a timeout. */
export class Engine {
  private child: ChildProcess | null = null
  private ready: Promise<void> | null = null

  constructor(private readonly sandbox: string, private readonly env: Record<string, string>) {}

  private start(): Promise<void> {
    const child = fork(join(this.sandbox, 'scripts/mutation/engine.ts'), [this.sandbox], {
      cwd: this.sandbox,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...this.env },
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    })
    this.child = child
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve())
      child.once('exit', (code) => reject(new Error(`mutation engine exited with ${code} before it was ready`)))
    })
  }

  /** Runs a request; 'timeout' after `ms` milliseconds (the engine is then ended). */
  async run(req: EngineRequest, ms: number): Promise<Outcome> {
    this.ready ??= this.start()
    await this.ready
    const child = this.child!
    return new Promise<Outcome>((resolve) => {
      const onExit = () => { clearTimeout(timer); this.reset(); resolve({ kind: 'answer', answer: { failed: 1, passed: 0, firstFailure: 'the engine exited (the mutant ended the process)', durations: {}, error: null } }) }
      const timer = setTimeout(() => {
        child.off('exit', onExit)
        this.stop()
        resolve({ kind: 'timeout' })
      }, ms)
      child.once('exit', onExit)
      child.once('message', (answer: EngineAnswer) => {
        clearTimeout(timer)
        child.off('exit', onExit)
        resolve({ kind: 'answer', answer })
      })
      child.send(req)
    })
  }

  private reset(): void {
    this.child = null
    this.ready = null
  }

  /** Ends the engine's process group (its vitest workers with it). */
  stop(): void {
    const pid = this.child?.pid
    if (pid !== undefined) {
      try { process.kill(-pid, 'SIGKILL') } catch { /* already gone */ }
    }
    this.reset()
  }
}

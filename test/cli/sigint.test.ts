/**
 * Ctrl-C within one batch, with a real child process and a real SIGINT (one node process with
 * tsx's loader, as the built command runs: the tsx command would relay the signal). An epoch here is
 * 160,000 batches (tens of seconds); the signal comes about a second into it. The process must
 * exit 130 well within a generous bound (5 s — a responsiveness check, not a speed test: before,
 * the handler only ran at the epoch's end), having saved the state after its last complete
 * batch: the checkpoint decodes, is mid-epoch, equals bit for bit that many batches run in
 * process, and `--resume` continues from exactly there (interrupted again, it has gone further).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeCheckpoint, loadCheckpoint } from '../../src/io/index.js'
import { fromSpec } from '../../src/nn/index.js'
import { fromConfig } from '../../src/optim/index.js'
import * as P from '../../src/index.js'
import { initModel, loadData } from '../../src/cli/commands.js'
import { readRunTree } from '../../src/cli/runFile.js'
import { type RunState, runEpochs, startState } from '../../src/cli/trainRun.js'
import { main, nodeTsx } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'purediff-sigint-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const at = (f: string) => join(dir, f)

// 200,000 rows of 2 features (a fixed LCG), label x0 > x1; batch size 1: 160,000 batches per epoch
let s = 777
const rnd = () => {
  s = (s * 1103515245 + 12345) % 2 ** 31
  return s / 2 ** 31
}
const rows = Array.from({ length: 200_000 }, () => [Math.round(rnd() * 1000) / 1000, Math.round(rnd() * 1000) / 1000])
writeFileSync(at('data.json'), JSON.stringify({ x: rows, y: rows.map(([a, b]) => (a > b ? 1 : 0)) }))
const spec = { layers: [{ type: 'dense', units: 4 }, { type: 'relu' }, { type: 'dense', units: 2 }] }
const opt = { name: 'adam', learningRate: 0.01 }
writeFileSync(at('model.json'), JSON.stringify(spec))
writeFileSync(at('opt.json'), JSON.stringify(opt))

/** Starts purediff, waits for `ready` on stdout, lets it train `ms` more, sends SIGINT; resolves with the exit code, stdout and the ms from the signal to the exit. */
function interrupt(args: string[], ready: RegExp, ms: number): Promise<{ code: number | null; stdout: string; latency: number }> {
  return new Promise((resolve, reject) => {
    const [node, ...flags] = nodeTsx
    const child = spawn(node, [...flags, main, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let sent = 0
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no '${ready.source}' within 60 s: ${stdout}`))
    }, 60_000)
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString()
      if (sent === 0 && ready.test(stdout)) {
        sent = -1
        setTimeout(() => {
          sent = performance.now()
          child.kill('SIGINT')
        }, ms)
      }
    })
    child.stderr.resume()
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, latency: performance.now() - sent })
    })
  })
}

async function stateOf(file: string): Promise<RunState> {
  const loaded = await loadCheckpoint(file)
  if (E.isLeft(loaded)) throw loaded.left
  const r = readRunTree(loaded.right)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right.state
}

describe('Ctrl-C during a long epoch', () => {
  it('exits 130 within one batch, saving the state after the last complete batch, which resumes', async () => {
    const first = await interrupt(
      ['train', '--model', 'model.json', '--optimizer', 'opt.json', '--data', 'data.json', '--batch-size', '1', '--epochs', '1', '--out', 'run'],
      /training on/,
      1000,
    )
    expect(first.code, first.stdout).toBe(130)
    expect(first.latency).toBeLessThan(5000)
    const m = /interrupted: saved the state in epoch 1, after batch (\d+) in run\/checkpoint\.json; continue with: purediff train --resume run/.exec(first.stdout)
    expect(m, first.stdout).not.toBeNull()
    const k = Number(m?.[1])
    const saved = await stateOf(at('run/checkpoint.json'))
    expect([saved.epoch, saved.batch]).toEqual([0, k])
    expect(k).toBeGreaterThan(0)
    expect(k).toBeLessThan(160_000) // the epoch was far from over: the signal was handled within it

    // the same k batches in process, from the same files: the same state, bit for bit
    const model = fromSpec(spec)
    const optimizer = fromConfig(opt)
    if (E.isLeft(model) || E.isLeft(optimizer)) throw new Error('bad fixture')
    const { train, validation } = loadData({ file: at('data.json') }, 0)
    const params = initModel(model.right, 0, train.d, train.classes, 'model.json', 'the data')
    let done = 0
    const expected = await runEpochs(
      { model: model.right, optimizer: optimizer.right, train, validation, batchSize: 1, epochs: 1 },
      startState(params, optimizer.right.init(params as never), P.random.key(1), false),
      {
        pause: async () => {
          done++
        },
        interrupted: () => done >= k,
      },
    )
    const bits = (st: RunState) => encodeCheckpoint({ params: st.params as never, opt: st.opt as never, at: [st.epoch, st.batch] })
    expect(bits(saved)).toBe(bits(expected.state))

    const again = await interrupt(['train', '--resume', 'run'], new RegExp(`resuming after epoch 0, batch ${k}`), 500)
    expect(again.code, again.stdout).toBe(130)
    expect(again.latency).toBeLessThan(5000)
    const later = await stateOf(at('run/checkpoint.json'))
    expect(later.epoch).toBe(0)
    expect(later.batch).toBeGreaterThan(k)
  }, 180_000)
})

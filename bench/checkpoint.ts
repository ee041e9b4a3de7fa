/**
 * `npm run bench:checkpoint`: the time and the peak extra memory of `encodeCheckpoint`,
 * `decodeCheckpoint`, `saveCheckpoint` and `loadCheckpoint` on 100 MB of float32 params (the
 * issue's target: encode under 1 s and under 3× the params' size in extra memory).
 *
 *   npm run bench:checkpoint                 100 MB (25M float32 values in 4 layers of [n, n] + [n])
 *   npm run bench:checkpoint -- --mb 20      another size
 *   npm run bench:checkpoint -- --layers 1   all in one tensor (the worst case for memory)
 *
 * Method. Each operation runs in its OWN child process (`node --expose-gc`), so no garbage or
 * heap growth of one measurement is counted in the next. The child builds its input (the params,
 * or for decode/load the checkpoint's text or file), runs a full garbage collection twice and
 * records its resident set size (RSS) as the baseline; then it runs the operation ONCE and reads
 * the kernel's high-water mark of the RSS (`process.resourceUsage().maxRSS`, which sees every
 * transient copy however short-lived, unlike sampling). Peak extra = high-water mark − baseline:
 * everything the operation allocated, its result included (for encode, the text itself is
 * ≈ 1.33× the params). The high-water mark could hide a peak lower than one reached while the
 * input was built; the child prints it so that case shows (`hwm before`). The V8 heap's growth
 * with the result still alive is shown too (strings live there; typed arrays do not). The time is
 * the median of 3 runs in the same child (the first run is the memory measurement); the CPU time
 * (user + system, all threads) is shown beside it, as it moves less than the wall time when other
 * processes share the machine.
 */
import { collectGarbage } from './preload.js' // first: before any purediff module loads (see preload.ts)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import * as P from '../src/index.js'
import { decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint } from '../src/io/index.js'
import { must, uniformF32 } from './util.js'

const OPS = ['encode', 'decode', 'save', 'load'] as const
type Op = (typeof OPS)[number]

interface Result {
  readonly op: Op
  readonly paramsBytes: number
  readonly ms: number[]
  readonly cpuMs: number[]
  readonly peakExtraBytes: number
  readonly hwmBeforeBytes: number
  readonly baselineBytes: number
  readonly heapGrowthBytes: number
}

/** `layers` layers of [n, n] weights and [n] biases, n chosen so that the total is about `mb` MB (10⁶ bytes). */
function makeParams(mb: number, layers: number): { params: unknown; bytes: number } {
  const n = Math.floor(Math.sqrt((mb * 1e6) / 4 / layers))
  const params = Array.from({ length: layers }, (_, i) => ({
    w: P.fromArray(uniformF32(n * n, 1 + i), [n, n], 'float32'),
    b: P.fromArray(uniformF32(n, 100 + i), [n], 'float32'),
  }))
  return { params: { layers: params }, bytes: layers * (n * n + n) * 4 }
}

const rss = () => process.memoryUsage().rss
const hwm = () => process.resourceUsage().maxRSS * 1024
/** CPU time of this process since `since` (all threads: GC helpers count too), in ms. */
const cpuMs = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since)
  return (c.user + c.system) / 1e3
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function child(op: Op, mb: number, layers: number): Promise<Result> {
  const { params, bytes } = makeParams(mb, layers)
  const dir = mkdtempSync(join(tmpdir(), 'purediff-bench-'))
  const file = join(dir, 'params.ckpt')
  let text: string | null = op === 'decode' ? encodeCheckpoint(params) : null
  if (op === 'load') writeFileSync(file, encodeCheckpoint(params))
  // decode and load measure from the text/file alone: the params are not part of their input
  const input = op === 'encode' || op === 'save' ? params : null
  const run = async (): Promise<unknown> => {
    switch (op) {
      case 'encode':
        return encodeCheckpoint(input)
      case 'decode': {
        const r = decodeCheckpoint(must(text, 'the checkpoint text'))
        if (r._tag === 'Left') throw r.left
        return r.right
      }
      case 'save': {
        const r = await saveCheckpoint(file, input)
        if (r._tag === 'Left') throw r.left
        return r
      }
      case 'load': {
        const r = await loadCheckpoint(file)
        if (r._tag === 'Left') throw r.left
        return r.right
      }
    }
  }
  collectGarbage()
  collectGarbage()
  const baseline = rss(),
    hwmBefore = hwm(),
    heapBefore = process.memoryUsage().heapUsed
  const t0 = performance.now(),
    c0 = process.cpuUsage()
  let out: unknown = await run()
  const first = performance.now() - t0,
    firstCpu = cpuMs(c0)
  const peak = hwm()
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore
  const ms = [first],
    cpu = [firstCpu]
  for (let i = 0; i < 2; i++) {
    out = null
    collectGarbage()
    const t = performance.now(),
      c = process.cpuUsage()
    out = await run()
    ms.push(performance.now() - t)
    cpu.push(cpuMs(c))
  }
  if (out === null) throw new Error('no result')
  text = null
  rmSync(dir, { recursive: true, force: true })
  return { op, paramsBytes: bytes, ms, cpuMs: cpu, peakExtraBytes: peak - baseline, hwmBeforeBytes: hwmBefore - baseline, baselineBytes: baseline, heapGrowthBytes: heapGrowth }
}

const MB = (b: number) => `${(b / 1e6).toFixed(0)} MB`

function main(): void {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '100' }, layers: { type: 'string', default: '4' }, child: { type: 'string' } } })
  const mb = Number(values.mb),
    layers = Number(values.layers)
  if (!(mb > 0)) throw new Error(`--mb must be a positive number, got ${values.mb}`)
  if (!Number.isInteger(layers) || layers < 1) throw new Error(`--layers must be a positive integer, got ${values.layers}`)
  if (values.child !== undefined) {
    const op = values.child as Op
    if (!OPS.includes(op)) throw new Error(`unknown --child ${op}`)
    void child(op, mb, layers).then((r) => process.stdout.write(JSON.stringify(r)))
    return
  }
  const self = fileURLToPath(import.meta.url)
  console.log(`checkpoint bench: ${mb} MB of float32 params in ${layers} layers, each operation in its own process (node ${process.version})`)
  console.log('op        wall (median of 3)   wall runs (ms)          CPU (median)   peak extra RSS   × params   V8 heap growth')
  for (const op of OPS) {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', op, '--mb', String(mb), '--layers', String(layers)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    })
    const r = JSON.parse(out) as Result
    const note = r.hwmBeforeBytes > r.peakExtraBytes ? `  (hwm before ${MB(r.hwmBeforeBytes)} above: peak may be higher)` : ''
    console.log(
      `${op.padEnd(9)} ${`${median(r.ms).toFixed(0)} ms`.padEnd(20)} ${r.ms
        .map((m) => m.toFixed(0))
        .join(', ')
        .padEnd(
          23,
        )} ${`${median(r.cpuMs).toFixed(0)} ms`.padEnd(14)} ${MB(r.peakExtraBytes).padEnd(16)} ${(r.peakExtraBytes / r.paramsBytes).toFixed(2).padEnd(10)} ${MB(r.heapGrowthBytes)}${note}`,
    )
  }
  console.log('targets (issue 11, item 12): encode < 1000 ms and peak extra < 3.00 × params')
}

main()

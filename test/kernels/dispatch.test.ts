/**
 * One dispatch table: every kernel with a WebAssembly twin has a row in `KERNELS`
 * (src/kernels/dispatch.ts), every caller asks `useWasm` with its row, and the row alone decides
 * the path: under 'auto' the real kernel runs in WebAssembly from the row's size on and in
 * TypeScript below it; 'js' never and 'wasm' always runs the twin.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { random } from '../../src/index.js'
import { type KernelMode, kernelMode, setKernelMode } from '../../src/kernels/backend.js'
import { conv } from '../../src/kernels/conv.js'
import { KERNELS, type KernelName, affine, matmul, useWasm } from '../../src/kernels/dispatch.js'
import { wasmCalls } from '../../src/kernels/wasm/runtime.js'
import * as k from '../../src/optim/kernels.js'
import { hashCounters, hashKeyRows } from '../../src/random/threefry.js'

const initial = kernelMode()
afterEach(() => {
  setKernelMode(initial)
})

const src = new URL('../../src/', import.meta.url).pathname
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

/** Runs kernel `name` once on a problem of about `size` (the row's unit); returns the size it ran. */
function run(name: KernelName, size: number): number {
  const f = new Float64Array(size)
  switch (name) {
    case 'matmul':
    case 'affine': {
      // m = n = 1: 2·k flops, so k = ⌈size/2⌉ is the first size at or above `size`
      const kk = Math.max(1, Math.ceil(size / 2))
      const a = new Float64Array(kk).fill(0.5),
        out = new Float64Array(1)
      if (name === 'matmul') matmul(a, 0, a, 0, out, 0, 1, 1, kk, false, false)
      else affine(a, a, new Float64Array(1), out, 1, 1, kk, true)
      return 2 * kk
    }
    case 'conv': {
      // a 1-D convolution of one input channel and one output channel over kk positions, window
      // 1 (one output row): 2·kk flops, as the matmul case
      const kk = Math.max(1, Math.ceil(size / 2))
      const one = [1, 1, 1]
      conv(new Float64Array(kk).fill(0.5), new Float64Array(kk).fill(0.5), new Float64Array(1), {
        batch: 1,
        n: [1, 1, kk],
        inC: 1,
        k: [1, 1, kk],
        outC: 1,
        o: one,
        strides: one,
        dilation: one,
        lhsDilation: one,
        lo: [0, 0, 0],
        groups: 1,
      })
      return 2 * kk
    }
    case 'add':
      k.add(f, f, new Float64Array(size))
      return size
    case 'trace':
      k.trace(f, f, new Float64Array(size), new Float64Array(size), 0.9, false, 1)
      return size
    case 'rss':
      k.rss(f, f, new Float64Array(size), new Float64Array(size), 1e-8, false, 1)
      return size
    case 'rms':
      k.rms(f, f, new Float64Array(size), new Float64Array(size), 0.9, 1e-8, false, false, 1)
      return size
    case 'adam':
      k.adam(f, f, f, new Float64Array(size), new Float64Array(size), new Float64Array(size), 0.9, 0.999, 0.1, 0.001, 1e-8, 0, 1)
      return size
    case 'hashCounters':
      hashCounters(1, 2, 0, size)
      return size
    case 'hashRows': {
      // two keys of ⌊size/2⌋ counters each: size counters when size is even
      const n = Math.floor(size / 2)
      hashKeyRows(Uint32Array.of(1, 2, 3, 4), 0, n)
      return 2 * n
    }
    case 'bernoulli':
      random.bernoulli(random.key(1), 0.5, [size])
      return size
  }
}

/** How many calls ran in WebAssembly while `f` ran. */
function wasmCallsIn(f: () => void): number {
  const before = wasmCalls()
  f()
  return wasmCalls() - before
}

const names = Object.keys(KERNELS) as KernelName[]

describe('the dispatch table', () => {
  it('names each row by its key, and every row has a positive threshold and both source files', () => {
    for (const name of names) {
      const row = KERNELS[name]
      expect(row.name).toBe(name)
      expect(row.wasmFrom).toBeGreaterThan(1)
      expect(row.ts).toMatch(/^src\//)
      expect(row.wasm).toMatch(/^wasm\/assembly\//)
    }
  })

  it('is read by every caller: each useWasm call in src names a row, each row has a caller, and nothing else decides', () => {
    const used = new Set<string>()
    for (const file of sources(src)) {
      // the code without its comments (which may quote a call)
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '')
      const rel = file.slice(src.length)
      for (const m of text.matchAll(/useWasm\(([^,)]*)/g)) {
        if (rel === 'kernels/dispatch.ts' && /^kernel: KernelRow/.test(m[1])) continue // its definition
        const row = /^KERNELS\.(\w+)$/.exec(m[1].trim())
        if (row === null || !(row[1] in KERNELS)) throw new Error(`${rel}: useWasm(${m[1]}…) does not name a row of KERNELS`)
        used.add(row[1])
      }
      // Only the dispatch asks whether the module is ready; nobody else keeps a threshold or a mode check.
      if (!['kernels/dispatch.ts', 'kernels/backend.ts', 'kernels/wasm/runtime.ts'].includes(rel)) {
        expect(text, rel).not.toMatch(/wasmUnavailable|kernelMode\(\)/)
      }
    }
    expect([...used].sort()).toEqual([...names].sort())
  })

  it("decides the path: under 'auto' each kernel runs in WebAssembly from its row's size on, in TypeScript below", () => {
    setKernelMode('auto')
    for (const name of names) {
      const from = KERNELS[name].wasmFrom
      let below = 0
      expect(
        wasmCallsIn(() => {
          below = run(name, from - 2)
        }),
        `${name} at ${from - 2}`,
      ).toBe(0)
      expect(below).toBeLessThan(from)
      let at = 0
      expect(
        wasmCallsIn(() => {
          at = run(name, from)
        }),
        `${name} at ${from}`,
      ).toBe(1)
      expect(at).toBe(from)
    }
  })

  it("'js' never runs the twin, 'wasm' always does, whatever the size", () => {
    for (const [mode, want] of [
      ['js', 0],
      ['wasm', 1],
    ] as [KernelMode, number][]) {
      setKernelMode(mode)
      for (const name of names) {
        for (const size of [2, 4 * KERNELS[name].wasmFrom])
          expect(
            wasmCallsIn(() => run(name, size)),
            `${mode} ${name} ${size}`,
          ).toBe(want)
        expect(useWasm(KERNELS[name], 1)).toBe(want === 1)
      }
    }
  })
})

/**
 * The committed WebAssembly binary is the build of its AssemblyScript source: compiling
 * wasm/assembly again gives exactly the embedded bytes (so nobody edits one without the other),
 * and the module imports nothing but its memory (no AssemblyScript runtime, no data segments
 * that would collide with the regions the runtime hands out).
 */
import { describe, expect, it } from 'vitest'
import { compileKernels, embed } from '../../scripts/build-wasm.js'
import { readFileSync } from 'node:fs'
import { wasmBase64 } from '../../src/kernels/wasm/binary.js'

// The WebAssembly global, typed for what is used here (the project compiles without DOM types).
interface Described {
  readonly module?: string
  readonly name: string
  readonly kind: string
}
const WA = (
  globalThis as unknown as {
    WebAssembly: {
      Module: { new (b: Uint8Array): object; imports(m: object): Described[]; exports(m: object): Described[] }
    }
  }
).WebAssembly

describe('the embedded WebAssembly kernels', () => {
  it('are exactly the build of wasm/assembly (run `npm run build:wasm` after editing it)', async () => {
    const bytes = await compileKernels()
    expect(Buffer.from(bytes).toString('base64')).toBe(wasmBase64)
    expect(readFileSync(new URL('../../src/kernels/wasm/binary.ts', import.meta.url), 'utf8')).toBe(embed(bytes))
  }, 120_000)

  it('import only env.memory, export only functions, and carry no data segments', () => {
    const mod = new WA.Module(Buffer.from(wasmBase64, 'base64'))
    expect(WA.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }])
    const exports = WA.Module.exports(mod)
    expect(exports.every((e) => e.kind === 'function')).toBe(true)
    expect(exports.map((e) => e.name).sort()).toEqual([
      'adam32',
      'adam64',
      'add32',
      'add64',
      'bernoulliMask32',
      'bernoulliMask64',
      'gemm32',
      'gemm64',
      'hashCounters',
      'hashRows',
      'im2col32',
      'im2col64',
      'rms32',
      'rms64',
      'rss32',
      'rss64',
      'trace32',
      'trace64',
    ])
    // Walk the sections (id byte, LEB128 size): id 11, the data section, must be absent, so no
    // static data lives in the low memory the runtime reserves.
    const bytes = Buffer.from(wasmBase64, 'base64')
    let at = 8
    const sections: number[] = []
    while (at < bytes.length) {
      const id = bytes[at++]
      let size = 0,
        shift = 0,
        b: number
      do {
        b = bytes[at++]
        size |= (b & 0x7f) << shift
        shift += 7
      } while (b & 0x80)
      sections.push(id)
      at += size
    }
    expect(sections).not.toContain(11)
    expect(at).toBe(bytes.length)
  })
})

/**
 * Shared by the WebAssembly size tests: deterministic fills, bitwise comparison, running under
 * the TypeScript kernels, and a stand-in for a host that refuses WebAssembly memories.
 */
import { expect } from 'vitest'
import { setKernelMode } from '../../src/kernels/backend.js'

export const PAGE = 65536
export type Arr = Float32Array | Float64Array

export const alloc = (f64: boolean, n: number): Arr => (f64 ? new Float64Array(n) : new Float32Array(n))

/** Deterministic values in [−2, 2) from a 32-bit LCG, with some exact zeros and −0. */
export function filled(f64: boolean, n: number, seed: number): Arr {
  const x = alloc(f64, n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    x[i] = s % 97 === 0 ? 0 : s % 89 === 0 ? -0 : (s / 2 ** 32 - 0.5) * 4
  }
  return x
}

/** Throws at the first element that differs as Object.is sees it (−0 ≠ +0, NaN = NaN). */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`${what}[${i}]: ${a[i]} vs ${b[i]}`)
}

/** `f` run under the TypeScript kernels. */
export function js<T>(f: () => T): T {
  const prev = setKernelMode('js')
  try {
    return f()
  } finally {
    setKernelMode(prev)
  }
}

interface MemoryCtor {
  new (desc: { initial: number }): unknown
}
const WA = (globalThis as unknown as { WebAssembly: { Memory: MemoryCtor } }).WebAssembly

/**
 * `f` run while the host refuses every WebAssembly memory of more than `pages` pages with a
 * RangeError, as a browser short of address space does.
 */
export function refusingAbove<T>(pages: number, f: () => T): T {
  const real = WA.Memory
  WA.Memory = function Memory(desc: { initial: number }) {
    if (desc.initial > pages) throw new RangeError(`WebAssembly.Memory(): could not allocate ${desc.initial} pages`)
    return new real(desc)
  } as unknown as MemoryCtor
  try {
    return f()
  } finally {
    WA.Memory = real
  }
}

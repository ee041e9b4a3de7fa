/**
 * Loading and selecting the other libraries. TF.js is loaded with Node's own CommonJS loader
 * (`plainRequire`, see util.ts: tsx's hook would detach an ArrayBuffer while loading it); jax-js is
 * an ES module, loaded with a dynamic import (tsx parses ES modules on its loader thread, which
 * leaves the main thread alone).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type * as TFW from '@tensorflow/tfjs-backend-wasm'
import type { Jax, Tf } from './model.js'
import { plainRequire } from './util.js'

let tf: Tf | null = null

/** TF.js (the full package: tfjs-core alone registers no gradients), loaded once. */
export function loadTf(): Tf {
  tf ??= plainRequire(import.meta.url, '@tensorflow/tfjs') as Tf
  return tf
}

/** Selects a TF.js backend; returns lines worth printing about it. */
export async function useTfBackend(backend: 'cpu' | 'wasm'): Promise<string[]> {
  const t = loadTf()
  if (backend === 'cpu') {
    if (!(await t.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false')
    return []
  }
  const w = plainRequire(import.meta.url, '@tensorflow/tfjs-backend-wasm') as typeof TFW
  // The .wasm files ship in the package: point at them so nothing is fetched from the network.
  const pkg = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'))
  w.setWasmPaths(`${join(pkg, 'dist')}/`)
  // Only the threaded build uses it (Node never gets that build, see below); set anyway, single thread.
  w.setThreadsCount(1)
  if (!(await t.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false')
  const simd = await t.env().getAsync('WASM_HAS_SIMD_SUPPORT')
  const threads = await t.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')
  return [`tfjs-wasm: SIMD ${String(simd)}, multithread build ${String(threads)} (TF.js never picks it in Node), threads ${w.getThreadsCount()}`]
}

let jax: Jax | null = null

/** jax-js with `device` initialised and made the default. */
export async function useJax(device: 'wasm' | 'cpu'): Promise<{ jax: Jax; notes: string[] }> {
  jax ??= await import('@jax-js/jax')
  const got = await jax.init(device)
  if (!got.includes(device)) throw new Error(`jax.init("${device}") gave ${JSON.stringify(got)}`)
  jax.defaultDevice(device)
  const threads = typeof (globalThis as { Worker?: unknown }).Worker !== 'undefined'
  return { jax, notes: device === 'wasm' ? [`jax-wasm: ${threads ? 'Web Workers available: may be multi-threaded' : 'no Web Worker in Node: single-threaded'}`] : [] }
}

/** Installed version of a package, read from its package.json (not all packages export it). */
export function versionOf(name: string): string {
  try {
    const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', name, 'package.json')
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

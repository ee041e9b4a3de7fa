/**
 * Imported first by index.ts, before any purediff module: it must run before they load.
 * (It also exposes a full garbage collection, `collectGarbage`, see below.)
 *
 * 1. Turns on V8's trace of protector invalidation, so that the first detachment of an
 *    ArrayBuffer in this process prints "Invalidating protector cell ArrayBufferDetaching"
 *    (from V8 itself, so it can print out of order with the bench's lines when stdout is a pipe).
 * 2. Loads the CommonJS packages purediff imports (io-ts, fp-ts) with Node's own loader. Under
 *    tsx they would go through tsx's hook, whose WebAssembly lexer grows its memory on these
 *    files and so detaches an ArrayBuffer: every typed-array loop in the process would run
 *    30–70% slower from then on (purediff's JS kernels, tfjs-cpu's), an artefact of running
 *    TypeScript through tsx that a user of the built package on plain `node` never sees. Once
 *    they are in the require cache, purediff's imports of them reuse the loaded modules.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { plainRequire } from './util.js'

setFlagsFromString('--trace-protector-invalidation')
for (const id of ['io-ts', 'fp-ts/lib/Either.js']) plainRequire(import.meta.url, id)

// A full garbage collection on demand (V8's `gc`, exposed at run time), so that each task starts
// with no garbage left by the one before, whichever library made it.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as (() => void) | undefined

/** Collects all garbage now (a no-op if V8 would not expose `gc`). */
export function collectGarbage(): void {
  gc?.()
}

/**
 * Nothing runs at import: importing every entry point of the package touches no WebAssembly API
 * (package.json says "sideEffects": false), and the module is compiled exactly once, on the
 * first kernel call that runs in WebAssembly. Where synchronous compilation is refused (a
 * browser main thread), that first use starts an asynchronous compilation and the TypeScript
 * kernels answer meanwhile, with the same bits.
 *
 * Each case runs in a fresh Node process (a test worker has imported the package already),
 * which wraps the WebAssembly API in counters before it imports anything.
 */
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url).pathname

/**
 * Counts every call of the WebAssembly API made from purediff's sources (the loader, tsx, compiles
 * a lexer of its own when it loads some modules: its calls are not counted); `refuseSync` makes
 * `new Module` throw as a browser main thread may.
 */
const prelude = (refuseSync: boolean) => `
const WA = globalThis.WebAssembly
const ours = () => /\\/(src|laws)\\//.test(new Error().stack.split('\\n').slice(2).filter((l) => !l.includes('node_modules')).join('\\n'))
const counts = { Module: 0, compile: 0, instantiate: 0, Instance: 0, Memory: 0, validate: 0 }
for (const name of ['Module', 'Instance', 'Memory']) {
  const Real = WA[name]
  WA[name] = new Proxy(Real, { construct(t, args) {
    if (!ours()) return Reflect.construct(t, args)
    counts[name]++
    if (${refuseSync} && name === 'Module') throw new RangeError('WebAssembly.Module(): synchronous compilation refused')
    return Reflect.construct(t, args)
  } })
}
for (const name of ['compile', 'instantiate', 'validate']) {
  const real = WA[name]
  WA[name] = (...args) => { if (ours()) counts[name]++; return real.apply(WA, args) }
}
const at = (p) => import(${JSON.stringify(root)} + p)
const snap = () => ({ ...counts })
`

/** Runs `body` (an async module body that returns a JSON-safe value) in a fresh process. */
function child(body: string, kernels: 'auto' | 'js' | 'wasm', refuseSync = false): Record<string, unknown> {
  const script = `${prelude(refuseSync)}\nconst out = await (async () => { ${body} })()\nconsole.log(JSON.stringify(out))`
  const env = { ...process.env, PUREDIFF_KERNELS: kernels }
  let text: string
  try {
    text = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env, encoding: 'utf8', stdio: 'pipe' })
  } catch (e) {
    throw new Error(`the child process failed: ${String((e as { stderr?: unknown }).stderr ?? e)}`)
  }
  return JSON.parse(text.trim().split('\n').at(-1) ?? '') as Record<string, unknown>
}

const none = { Module: 0, compile: 0, instantiate: 0, Instance: 0, Memory: 0, validate: 0 }

// Every public entry point of package.json's "exports".
const importAll = `
const P = await at('src/index.ts')
for (const e of ['src/nn/index.ts', 'src/optim/index.ts', 'src/train/index.ts', 'src/io/index.ts', 'src/testing/index.ts', 'laws/index.ts']) await at(e)
const O = await at('src/optim/index.ts')
const R = await at('src/kernels/wasm/runtime.ts')
const afterImport = snap()
`

describe('the WebAssembly module is compiled lazily', () => {
  it('importing every entry point compiles nothing; small calls neither; the first large call compiles once', () => {
    const out = child(
      `${importAll}
      // below every threshold of the dispatch table: TypeScript, no compile
      const t = P.tensor([1, 2, 3], 'float64')
      P.toFlatArray(P.add(t, t)); P.toFlatArray(P.matmul(P.tensor([[1, 2], [3, 4]]), P.tensor([[1, 0], [0, 1]])))
      P.toFlatArray(P.random.uniform(P.random.key(0), [10]))
      const opt = O.adam(0.1); const p = [P.tensor([1, 2], 'float64')]; opt.update(p, opt.init(p), p)
      const afterSmall = snap()
      // a 32×32 product (65536 flops), then more large calls: one compile, one first memory
      const a = P.random.normal(P.random.key(1), [32, 32]) // 1024 counters: the hash compiles
      const afterFirst = snap(); const compilesFirst = R.wasmCompiles()
      P.toFlatArray(P.matmul(a, a))
      const big = [P.random.normal(P.random.key(2), [4096], { dtype: 'float64' })]
      const [u] = opt.update(big, opt.init(big), big); P.toFlatArray(u[0])
      return { afterImport, afterSmall, afterFirst, compilesFirst, end: snap(), compiles: R.wasmCompiles(), calls: R.wasmCalls() }
    `,
      'auto',
    )
    expect(out.afterImport).toEqual(none)
    expect(out.afterSmall).toEqual(none)
    expect(out.afterFirst).toEqual({ ...none, Module: 1, validate: 1, Instance: 1, Memory: 1 })
    expect(out.compilesFirst).toBe(1)
    // later calls reuse the module and its memory (a replacement only when a call needs more room)
    expect(out.end).toEqual({ ...none, Module: 1, validate: 1, Instance: 1, Memory: 1 })
    expect(out.compiles).toBe(1)
    expect(out.calls).toBe(4) // hash, matmul, the normal draw's hash, adam
  }, 60_000)

  it('under PUREDIFF_KERNELS=wasm the first kernel call compiles, however small; under js nothing ever does', () => {
    const body = `${importAll}
      const x = P.tensor([[1, 2], [3, 4]])
      P.toFlatArray(P.matmul(x, x))
      const first = snap()
      P.toFlatArray(P.matmul(x, x)); P.toFlatArray(P.random.uniform(P.random.key(0), [2000]))
      return { afterImport, first, end: snap(), compiles: R.wasmCompiles() }
    `
    const wasm = child(body, 'wasm')
    expect(wasm.afterImport).toEqual(none)
    expect(wasm.first).toEqual({ ...none, Module: 1, validate: 1, Instance: 1, Memory: 1 })
    expect(wasm.end).toEqual(wasm.first)
    expect(wasm.compiles).toBe(1)
    const js = child(body, 'js')
    expect(js).toEqual({ afterImport: none, first: none, end: none, compiles: 0 })
  }, 60_000)

  it('where synchronous compilation is refused, the first use compiles asynchronously and TypeScript answers meanwhile, with the same bits', () => {
    const out = child(
      `${importAll}
      const draw = () => Array.from(P.toFlatArray(P.random.uniform(P.random.key(7), [5000], { dtype: 'float64' })))
      const before = draw() // refused: TypeScript, and compile() started in the background
      const pending = R.wasmUnavailable()
      const callsBefore = R.wasmCalls()
      for (let i = 0; i < 200 && R.wasmUnavailable() !== null; i++) await new Promise((r) => setTimeout(r, 10))
      const after = draw() // now in WebAssembly
      return { afterImport, pending, callsBefore, ready: R.wasmUnavailable(), callsAfter: R.wasmCalls(), same: before.every((v, i) => Object.is(v, after[i])), end: snap(), compiles: R.wasmCompiles() }
    `,
      'auto',
      true,
    )
    expect(out.afterImport).toEqual(none)
    expect(out.pending).toBe('the WebAssembly kernels are still compiling')
    expect(out.callsBefore).toBe(0)
    expect(out.ready).toBeNull()
    expect(out.callsAfter).toBe(1)
    expect(out.same).toBe(true)
    // one refused synchronous attempt, one asynchronous compilation, nothing more
    expect(out.end).toEqual({ ...none, Module: 1, compile: 1, validate: 1, Instance: 1, Memory: 1 })
    expect(out.compiles).toBe(1)
  }, 60_000)
})

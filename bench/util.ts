/**
 * Shared helpers of the benchmarks: deterministic inputs without the random module (a 32-bit
 * LCG is plenty for benchmark data), and a median-of-runs timer.
 */

/** `n` numbers uniform in [-0.5, 0.5) from a Numerical Recipes LCG seeded with `seed`. */
export function uniformArray(n: number, seed: number): number[] {
  const out = new Array<number>(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    out[i] = s / 4294967296 - 0.5
  }
  return out
}

/** Median of `runs` timings (ms per call) of `f`, each timing ≥ `minMs` long, after `warmup` calls. */
export function medianMs(f: () => void, opts: { readonly warmup?: number; readonly runs?: number; readonly minMs?: number } = {}): number {
  const { warmup = 3, runs = 5, minMs = 100 } = opts
  for (let i = 0; i < warmup; i++) f()
  const times: number[] = []
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now()
    let calls = 0
    do { f(); calls++ } while (performance.now() - t0 < minMs)
    times.push((performance.now() - t0) / calls)
  }
  return median(times)
}

/** Async version of `medianMs`, for work that must be awaited (TF.js `data()`). */
export async function medianMsAsync(f: () => Promise<void>, opts: { readonly warmup?: number; readonly runs?: number; readonly minMs?: number } = {}): Promise<number> {
  const { warmup = 3, runs = 5, minMs = 100 } = opts
  for (let i = 0; i < warmup; i++) await f()
  const times: number[] = []
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now()
    let calls = 0
    do { await f(); calls++ } while (performance.now() - t0 < minMs)
    times.push((performance.now() - t0) / calls)
  }
  return median(times)
}

function median(xs: number[]): number {
  const s = xs.slice().sort((x, y) => x - y)
  const h = s.length >> 1
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2
}

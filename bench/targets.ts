/**
 * The targets of issue 6, checked on the numbers of this run. Every comparison uses purediff's
 * main column (the library's default kernel selection). A target whose numbers were not
 * measured in this run (a `--only`/`--libs` subset, or n/a) has `pass: null`.
 */
import type { LibId, RowSpec } from './model.js'
import { fmtNum } from './util.js'

export interface RowResult extends RowSpec {
  readonly results: Partial<Record<LibId, number | null>>
}

export interface Target {
  readonly name: string
  /** null: not measured in this run. */
  readonly pass: boolean | null
  readonly detail: string
}

export function checkTargets(rows: readonly RowResult[], quick: boolean): Target[] {
  const byId = new Map(rows.map((r) => [r.id, r]))
  const val = (id: string, lib: LibId): number | null => {
    const v = byId.get(id)?.results[lib]
    return v === undefined || v === null || !Number.isFinite(v) ? null : v
  }
  const out: Target[] = []
  /** A target "a ≥ k·b" (or ≤ with `atMost`) on two measured numbers. */
  const ratio = (name: string, a: number | null, b: number | null, k: number, what: (q: number, a: number, b: number) => string, atMost = false) => {
    if (a === null || b === null) {
      out.push({ name, pass: null, detail: 'not measured in this run' })
      return
    }
    const q = a / b
    out.push({ name, pass: atMost ? q <= k : q >= k, detail: what(q, a, b) })
  }
  const x = (q: number) => `${fmtNum(q)}×`

  const sizes = [256, 512, 1024]
  for (const n of sizes) {
    ratio(
      `matmul f32 ${n}: purediff ≥ 1.0× tfjs-wasm GFLOP/s`,
      val(`matmul-f32-${n}`, 'purediff'),
      val(`matmul-f32-${n}`, 'tfjs-wasm'),
      1,
      (q, a, b) => `${fmtNum(a)} vs ${fmtNum(b)} GFLOP/s: ${x(q)}`,
    )
  }
  for (const n of sizes) {
    ratio(
      `matmul f64 ${n}: purediff ≥ 0.5× tfjs-wasm f32 GFLOP/s`,
      val(`matmul-f64-${n}`, 'purediff'),
      val(`matmul-f32-${n}`, 'tfjs-wasm'),
      0.5,
      (q, a, b) => `${fmtNum(a)} (f64) vs ${fmtNum(b)} (tfjs-wasm f32) GFLOP/s: ${x(q)}`,
    )
  }
  for (const n of [256, 512]) {
    for (const dt of ['f32', 'f64']) {
      for (const [v, label] of [
        ['AtB', 'Aᵀ·B'],
        ['ABt', 'A·Bᵀ'],
      ] as const) {
        ratio(`matmul ${dt} ${n} ${label}: ≥ 0.8× the plain product`, val(`matmul-${dt}-${n}-${v}`, 'purediff'), val(`matmul-${dt}-${n}`, 'purediff'), 0.8, (q) => `${x(q)} of A·B`)
      }
    }
  }
  // issue 13: the embedding lookup and its backward at least as fast as TF.js (jax-js: the loop below)
  for (const id of ['embedding-lookup', 'embedding-backward']) {
    for (const lib of ['tfjs-cpu', 'tfjs-wasm'] as const) {
      ratio(`${id.replace('-', ' ')}: ≤ 1.0× ${lib} time`, val(id, 'purediff'), val(id, lib), 1, (q, a, b) => `${fmtNum(a)} vs ${fmtNum(b)} ms: ${x(q)} of its time`, true)
    }
  }
  // issue 15: conv2d forward and forward + backward at least as fast as TF.js wasm (jax-js: the loop below)
  for (const id of ['conv2d-a-fwd', 'conv2d-a-fwdbwd', 'conv2d-b-fwd', 'conv2d-b-fwdbwd']) {
    ratio(`${id}: ≥ 1.0× tfjs-wasm GFLOP/s`, val(id, 'purediff'), val(id, 'tfjs-wasm'), 1, (q, a, b) => `${fmtNum(a)} vs ${fmtNum(b)} GFLOP/s: ${x(q)}`)
  }
  // issue 15: the LeNet CNN step faster than TF.js (cpu: its wasm backend cannot take the
  // gradient, and cpu's 3 epochs would take ≈ 50 min) and jax-js (the loop below); accuracy ≥ 97.5%
  ratio('LeNet CNN step: faster than tfjs-cpu', val('cnn-step', 'tfjs-cpu'), val('cnn-step', 'purediff'), 1, (q, a, b) => `${fmtNum(b)} vs ${fmtNum(a)} ms: ${x(q)} faster`)
  {
    const a = val('cnn-mnist-accuracy', 'purediff')
    const name = 'LeNet CNN 3 MNIST epochs: test accuracy ≥ 97.5%'
    out.push(a === null ? { name, pass: null, detail: 'not measured in this run' } : { name, pass: a >= 97.5, detail: `${a.toFixed(2)}%` })
  }
  for (const v of ['relu', 'sigmoid', 'relu-dropout']) {
    const id = `mlp-${v}`
    ratio(`MLP step (${v}): ≤ 0.5× tfjs-wasm time`, val(id, 'purediff'), val(id, 'tfjs-wasm'), 0.5, (q, a, b) => `${fmtNum(a)} vs ${fmtNum(b)} ms: ${x(q)} of its time`, true)
    ratio(`MLP step (${v}): ≥ 10× faster than tfjs-cpu`, val(id, 'tfjs-cpu'), val(id, 'purediff'), 10, (q) => `${x(q)} faster`)
  }
  // issue 14: per-example gradients through vmap(grad) against the loop and the batched gradient
  // (against jax-js: the "at least as fast as jax-js" loop below)
  ratio(
    'per-example grads b128: vmap(grad) ≥ 20× faster than the loop of 128 grads',
    val('perexample-loop', 'purediff'),
    val('perexample-vmap', 'purediff'),
    20,
    (q, a, b) => `${fmtNum(b)} vs ${fmtNum(a)} ms: ${x(q)} faster`,
  )
  ratio(
    'per-example grads b128: vmap(grad) ≤ 1.5× the batched grad time',
    val('perexample-vmap', 'purediff'),
    val('perexample-batched', 'purediff'),
    1.5,
    (q, a, b) => `${fmtNum(a)} vs ${fmtNum(b)} ms: ${x(q)} its time`,
    true,
  )
  ratio('200-op chain: ≥ 5× faster than tfjs-cpu', val('chain', 'tfjs-cpu'), val('chain', 'purediff'), 5, (q) => `${x(q)} faster`)
  ratio(
    `MNIST ${quick ? '(quick: 1 epoch) ' : ''}wall time: ≤ 0.6× tfjs-wasm's`,
    val('mnist-time', 'purediff'),
    val('mnist-time', 'tfjs-wasm'),
    0.6,
    (q, a, b) => `${fmtNum(a)} vs ${fmtNum(b)} s: ${x(q)} of its time`,
    true,
  )
  {
    const a = val('mnist-accuracy', 'purediff'),
      b = val('mnist-accuracy', 'tfjs-wasm')
    const name = 'MNIST test accuracy: within 0.5 points of tfjs-wasm'
    out.push(
      a === null || b === null
        ? { name, pass: null, detail: 'not measured in this run' }
        : { name, pass: Math.abs(a - b) <= 0.5, detail: `${a.toFixed(2)}% vs ${b.toFixed(2)}% (${(a - b >= 0 ? '+' : '') + (a - b).toFixed(2)} points)` },
    )
  }
  // "every workload at least as fast as @jax-js/jax": each speed row where both were measured
  for (const r of rows) {
    if (r.compare !== 'ratio') continue
    const a = val(r.id, 'purediff'),
      b = val(r.id, 'jax-wasm')
    if (b === null) continue
    const faster = r.better === 'higher' ? ([a, b] as const) : ([b, a] as const)
    ratio(`at least as fast as jax-js: ${r.workload}`, faster[0], faster[1], 1, (q) => `${x(q)}`)
  }
  {
    const g = val('rss', 'purediff')
    const name = 'RSS flat over training steps (growth < 20 MB), no dispose'
    out.push(g === null ? { name, pass: null, detail: 'not measured in this run' } : { name, pass: g < 20, detail: `${g >= 0 ? '+' : ''}${g.toFixed(1)} MB` })
  }
  return out
}

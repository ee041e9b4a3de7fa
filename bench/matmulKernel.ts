/**
 * The matmul kernel alone, per transpose combination and dtype: GFLOP/s (2·m·n·k flops per
 * call, median of 5 runs of ≥ 200 ms each after a warm-up). Run with `npx tsx bench/matmulKernel.ts`.
 * Not part of `npm run bench`, which compares against TF.js instead.
 */
import { matmul } from '../src/kernels/matmul.js'
import { uniformArray } from './util.js'

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor

function gflops(m: number, n: number, k: number, ta: boolean, tb: boolean, T: Ctor): number {
  const a = new T(uniformArray(m * k, 1)),
    b = new T(uniformArray(k * n, 2)),
    c = new T(m * n)
  const run = () => matmul(a, 0, b, 0, c, 0, m, n, k, ta, tb)
  for (let i = 0; i < 3; i++) run()
  const rates: number[] = []
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now()
    let calls = 0
    do {
      run()
      calls++
    } while (performance.now() - t0 < 200)
    rates.push((2 * m * n * k * calls) / ((performance.now() - t0) * 1e6))
  }
  return rates.sort((x, y) => x - y)[2]
}

const combos: readonly (readonly [boolean, boolean])[] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
]
const sizes =
  process.argv.length > 2
    ? process.argv.slice(2).map((s) => s.split('x').map(Number))
    : [
        [256, 256, 256],
        [512, 512, 512],
      ]
console.log('m×n×k          dtype     A·B     A·Bᵀ    Aᵀ·B    Aᵀ·Bᵀ   (GFLOP/s)')
for (const [m, n = m, k = m] of sizes) {
  for (const T of [Float32Array, Float64Array] as const) {
    const row = combos.map(([ta, tb]) => gflops(m, n, k, ta, tb, T).toFixed(2).padStart(6))
    console.log(`${`${m}×${n}×${k}`.padEnd(14)} ${T === Float32Array ? 'float32' : 'float64'}  ${row.join('  ')}`)
  }
}

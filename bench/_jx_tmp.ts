import { init, defaultDevice, numpy as np, jit, grad, valueAndGrad, nn, random, tree } from '@jax-js/jax'
console.log(await init('wasm', 'cpu'))
for (const dev of ['wasm', 'cpu'] as const) {
  defaultDevice(dev)
  for (const n of [64, 256, 512]) {
    for (const dtype of [np.float32, np.float64]) {
      try {
        const a = np.array(new (dtype === np.float32 ? Float32Array : Float64Array)(n * n).fill(0.5), { shape: [n, n], dtype })
        const b = np.array(new (dtype === np.float32 ? Float32Array : Float64Array)(n * n).fill(0.25), { shape: [n, n], dtype })
        const f = jit((x: np.Array, y: np.Array) => np.matmul(x, y))
        const g = (x: np.Array, y: np.Array) => np.matmul(x, y)
        for (const [name, fn] of [['eager', g], ['jit', f]] as const) {
          let c = fn(a.ref, b.ref); const v = c.dataSync(); 
          const t0 = performance.now(); let k = 0
          do { c = fn(a.ref, b.ref); c.dataSync(); k++ } while (performance.now() - t0 < (dev === 'cpu' && n > 64 ? 10 : 300))
          const ms = (performance.now() - t0) / k
          console.log(dev, n, dtype, name, v[0], (2 * n ** 3 / ms / 1e6).toFixed(2), 'GFLOP/s', k)
        }
        a.dispose(); b.dispose()
      } catch (e) { console.log(dev, n, dtype, 'ERR', (e as Error).message) }
    }
  }
}

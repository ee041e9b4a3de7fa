import Module, { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
console.log('--- start')
const exts = (Module as unknown as { _extensions: Record<string, (m: { _compile(c: string, f: string): void }, f: string) => void> })._extensions
const saved = exts['.js']
exts['.js'] = (m, f) => m._compile(readFileSync(f, 'utf8'), f)
const req = createRequire(import.meta.url)
const tf = req('@tensorflow/tfjs')
req('@tensorflow/tfjs-backend-cpu')
req('@tensorflow/tfjs-backend-wasm')
exts['.js'] = saved
console.log('loaded', tf.version.tfjs)
await tf.setBackend('cpu')
const g = tf.grad((x: any) => tf.sum(tf.sin(x)))(tf.ones([10]))
console.log(g.dataSync()[0])
const j = await import('@jax-js/jax')
console.log('jax imported')
const d = await j.init('cpu'); console.log(d); j.defaultDevice('cpu'); console.log(j.numpy.ones([1000]).sum().item())
console.log('--- end')

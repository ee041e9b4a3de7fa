// The WebAssembly kernels of purediff (AssemblyScript). Built by `npm run build:wasm` into
// src/kernels/wasm/binary.ts. Memory is imported and managed by the caller (src/kernels/wasm/runtime.ts).
export { gemm32, gemm64 } from './gemm'
export { im2col32, im2col64 } from './im2col'
export { adam32, adam64, trace32, trace64, rss32, rss64, rms32, rms64, add32, add64 } from './optim'
export { hashCounters, hashRows, bernoulliMask32, bernoulliMask64 } from './rng'

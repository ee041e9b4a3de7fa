/**
 * The kernel layer's one dispatch table, and the matrix-product entry points that read it. Every
 * kernel that has a WebAssembly SIMD twin has one row in `KERNELS`: what its size counts, from
 * which size 'auto' runs the twin, and the two files that hold the formula (the TypeScript
 * source of truth and its WebAssembly twin, which computes the same bits, or for matmul the same
 * sums within float32 rounding). Every caller asks `useWasm(KERNELS.<name>, size)`; a kernel that
 * is not in the table (elementwise, reductions, movement, norms) has only its TypeScript path.
 * The policy (PUREDIFF_KERNELS=js|wasm|auto, `setKernelMode`) is in backend.ts.
 *
 * To add a kernel with a twin: the TypeScript loop, the AssemblyScript twin in wasm/assembly
 * (then `npm run build:wasm`), its wrapper in wasm/, a row here, and an equivalence property in
 * test/kernels/wasmEquivalence.test.ts.
 *
 * @internal
 */
import type { TypedArray } from '../tensor/dtype.js'
import { kernelMode } from './backend.js'
import { relu as reluKernel } from './elementwise.js'
import { matmul as jsMatmul } from './matmul.js'
import { wasmMatmul } from './wasm/matmul.js'
import { wasmUnavailable } from './wasm/runtime.js'

/** One row of the table. All rows have the same fields in the same order (one hidden class). */
export interface KernelRow {
  /** the kernel's name, as in the table */
  readonly name: string
  /** what the size passed to `useWasm` counts */
  readonly counts: 'flops' | 'elements' | 'counters'
  /** under 'auto', the size from which the WebAssembly twin runs (below it the copies cost more than SIMD saves) */
  readonly wasmFrom: number
  /** where the TypeScript source of truth is */
  readonly ts: string
  /** where its WebAssembly twin is (AssemblyScript, built into wasm/binary.ts) */
  readonly wasm: string
}

const row = (name: string, counts: KernelRow['counts'], wasmFrom: number, ts: string, wasm: string): KernelRow => Object.freeze({ name, counts, wasmFrom, ts, wasm })

/** Matrix products: the measured crossover is near 8×8×8, so from 2·10·10·10 flops. */
const MATMUL_FLOPS = 2 * 10 * 10 * 10
/** Optimizer updates: below 1024 elements the TypeScript loop wins. */
const OPTIM_ELEMENTS = 1024
/** Threefry hashing and Bernoulli masks: from 64 counters the SIMD hash is faster. */
const HASH_COUNTERS = 64

/**
 * The dispatch table, keyed by kernel name: which kernels have a WebAssembly twin and from which
 * size 'auto' runs it. The thresholds are the measured crossovers (flops for products, elements
 * for the optimizer updates, hashed counters for the random kernels).
 */
export const KERNELS = Object.freeze({
  matmul: row('matmul', 'flops', MATMUL_FLOPS, 'src/kernels/matmul.ts', 'wasm/assembly/gemm.ts'),
  conv: row('conv', 'flops', MATMUL_FLOPS, 'src/kernels/conv.ts (gather, then matmul)', 'wasm/assembly/im2col.ts (then gemm.ts)'),
  affine: row('affine', 'flops', MATMUL_FLOPS, 'src/kernels/dispatch.ts (matmul, then bias and relu)', 'wasm/assembly/gemm.ts (epilogue)'),
  add: row('add', 'elements', OPTIM_ELEMENTS, 'src/optim/kernels.ts', 'wasm/assembly/optim.ts'),
  trace: row('trace', 'elements', OPTIM_ELEMENTS, 'src/optim/kernels.ts', 'wasm/assembly/optim.ts'),
  rss: row('rss', 'elements', OPTIM_ELEMENTS, 'src/optim/kernels.ts', 'wasm/assembly/optim.ts'),
  rms: row('rms', 'elements', OPTIM_ELEMENTS, 'src/optim/kernels.ts', 'wasm/assembly/optim.ts'),
  adam: row('adam', 'elements', OPTIM_ELEMENTS, 'src/optim/kernels.ts', 'wasm/assembly/optim.ts'),
  hashCounters: row('hashCounters', 'counters', HASH_COUNTERS, 'src/random/threefry.ts', 'wasm/assembly/rng.ts'),
  hashRows: row('hashRows', 'counters', HASH_COUNTERS, 'src/random/threefry.ts (hashKeyRows)', 'wasm/assembly/rng.ts (hashRows)'),
  bernoulli: row('bernoulli', 'counters', HASH_COUNTERS, 'src/random/index.ts (bernoulli)', 'wasm/assembly/rng.ts (bernoulliMask)'),
})

/** The name of a kernel with a WebAssembly twin. */
export type KernelName = keyof typeof KERNELS

/**
 * Whether a call of `kernel` of `size` (in the row's unit) should run in WebAssembly: never
 * under 'js'; always under 'wasm' (which throws if the kernels cannot run in this runtime);
 * under 'auto' when `size` reaches the row's `wasmFrom` and the module is ready. The module is
 * compiled on the first call that asks for it (wasm/runtime.ts), never at import. The caller
 * still runs TypeScript when the twin answers "not here" (a size no memory can hold).
 */
export function useWasm(kernel: KernelRow, size: number): boolean {
  const mode = kernelMode()
  if (mode === 'js') return false
  if (mode === 'wasm') {
    const why = wasmUnavailable()
    if (why !== null) throw new Error(`PUREDIFF_KERNELS=wasm, but the WebAssembly kernels cannot run: ${why}`)
    return true
  }
  // Size first: a small call never compiles the module.
  return size >= kernel.wasmFrom && wasmUnavailable() === null
}

/**
 * C = op(A)·op(B) into `c[co..co+m·n)`, overwritten; the contract of ./matmul.ts. The
 * WebAssembly kernel needs one dtype throughout; mixed float32/float64 products run in TypeScript.
 * Where TypeScript runs and k = 1 (a per-example weight gradient under vmap is a batch of those),
 * `outerProduct` replaces the packed kernel with the same bits. The row still decides: under
 * 'auto' a large k = 1 product runs in WebAssembly, which was measured faster there (128
 * products of 784×256: 18–24 ms against 27–28 ms into a C already in memory; 66–73 ms both into
 * a fresh 103 MB C, whose page faults cost ≈45 ms alone; the bench's vmap(grad) row: 69–70 ms
 * against 77–79 with the fast path there too).
 * `flops` is what the row compares with its threshold: the product's own by default; a caller
 * that splits one operation into blocks (conv) passes the whole operation's, so every block
 * takes the same path and the result does not depend on the block size.
 */
export function matmul(
  a: TypedArray,
  ao: number,
  b: TypedArray,
  bo: number,
  c: TypedArray,
  co: number,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
  flops = 2 * m * n * k,
): void {
  if (m === 0 || n === 0) return
  const same = a instanceof Float64Array === c instanceof Float64Array && b instanceof Float64Array === c instanceof Float64Array
  if (same && useWasm(KERNELS.matmul, flops) && wasmMatmul(a, ao, b, bo, c, co, m, n, k, ta, tb)) return
  if (k === 1) outerProduct(a, ao, b, bo, c, co, m, n)
  else jsMatmul(a, ao, b, bo, c, co, m, n, k, ta, tb)
}

/**
 * C = op(A)·op(B) for k = 1, an outer product in one pass over C: c[co + i·n + j] = a[ao + i]·b[bo + j].
 * With k = 1, op(A) is the m values from `ao` whether A is stored [m,1] or (ta) [1,m], and op(B)
 * the n values from `bo` either way, so the flags change nothing. Each entry is the kernels' sum
 * of one product, bit for bit: they start every sum at +0, so `+ 0` turns a −0 product into +0
 * as they do, and the store rounds once (a float32 product is exact in a double), as the
 * TypeScript kernel does. (The WebAssembly kernel rounds the float32 product first: a product
 * that underflows to zero from below is −0 here and in TypeScript, +0 there.) The TypeScript
 * kernel would pack both operands and run its 4×4 tiles for one multiplication each.
 *
 * @internal
 */
export function outerProduct(a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, co: number, m: number, n: number): void {
  const m4 = m - (m % 4)
  let i = 0
  // Why this loop: 4 rows of C at a time, so each b[j] is loaded once for 4 stores (measured
  // 28 ms against 47 for a row at a time on a 128×784×256 float32 C already in memory).
  for (; i < m4; i += 4) {
    const x0 = a[ao + i],
      x1 = a[ao + i + 1],
      x2 = a[ao + i + 2],
      x3 = a[ao + i + 3]
    const o0 = co + i * n,
      o1 = o0 + n,
      o2 = o1 + n,
      o3 = o2 + n
    for (let j = 0; j < n; j++) {
      const y = b[bo + j]
      c[o0 + j] = x0 * y + 0
      c[o1 + j] = x1 * y + 0
      c[o2 + j] = x2 * y + 0
      c[o3 + j] = x3 * y + 0
    }
  }
  // Why this loop: the last m mod 4 rows.
  for (; i < m; i++) {
    const x = a[ao + i],
      o = co + i * n
    for (let j = 0; j < n; j++) c[o + j] = x * b[bo + j] + 0
  }
}

/**
 * Y = X·W (+ bias per row) (then ReLU): X is m×k, W k×n, bias n values or null, Y m×n,
 * overwritten. The WebAssembly kernel applies bias and ReLU in its epilogue; the TypeScript path
 * runs the product, then one pass. Both round exactly as matmul, add and relu would one by one.
 */
export function affine(x: TypedArray, w: TypedArray, bias: TypedArray | null, out: TypedArray, m: number, n: number, k: number, relu: boolean): void {
  if (m === 0 || n === 0) return
  const f64 = out instanceof Float64Array
  const same = x instanceof Float64Array === f64 && w instanceof Float64Array === f64 && (bias === null || bias instanceof Float64Array === f64)
  if (same && useWasm(KERNELS.affine, 2 * m * n * k) && wasmMatmul(x, 0, w, 0, out, 0, m, n, k, false, false, bias, relu)) return
  jsMatmul(x, 0, w, 0, out, 0, m, n, k, false, false)
  // Why this loop: the bias per row, rounded on store as add rounds it.
  if (bias !== null) for (let i = 0, o = 0; i < m; i++) for (let j = 0; j < n; j++, o++) out[o] += bias[j]
  if (relu) reluKernel(out, out)
}

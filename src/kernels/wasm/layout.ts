/**
 * Where operands go in WebAssembly memory and how large work is cut to fit: pure arithmetic on
 * byte offsets, separate from the runtime so it can be tested at sizes no test could allocate.
 *
 * Everything here is plain float64 arithmetic, exact for every integer below 2⁵³. No bitwise
 * operator is used on an offset or a count: JavaScript's `&`, `|`, `>>` work on 32-bit signed
 * integers, so `(at + bytes) & ~63` wraps at 2³¹ bytes (this was the bug behind all-zero draws
 * of 2³¹ random values and the out-of-bounds traps at 2²⁸).
 *
 * @internal
 */

// --- model

/** The bytes of one WebAssembly page. */
export const PAGE = 65536

/** wasm32 addresses are 32 bits: one memory holds at most 65536 pages, 4 GiB. */
export const WASM32_MAX_BYTES = 65536 * PAGE

/** Addresses below this are left to the module (AssemblyScript's stack and statics, unused). */
export const BASE = PAGE

/** The byte offsets of consecutive regions, and the end of the last (with its slack). */
export interface Regions {
  readonly at: readonly number[]
  readonly end: number
}

// --- operations

// Offsets are float64 arithmetic, exact while sums stay below 2^53 bytes; real requests are
// below 2^38 (a few regions of at most 2^32 elements of 8 bytes).

/** Rounds `n ≥ 0` up to a multiple of `m`. */
export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m
}

/**
 * The byte offset of the region after one of `bytes` bytes at `at`, aligned to 64 (a cache line),
 * with at least 16 bytes of slack between, so a kernel may run one vector past its last element.
 */
export function after(at: number, bytes: number): number {
  return roundUp(at + bytes + 16, 64)
}

/** Regions of the given byte sizes, one after the other from BASE. */
export function regions(sizes: readonly number[]): Regions {
  const at = [BASE]
  for (let i = 1; i < sizes.length; i++) at.push(after(at[i - 1], sizes[i - 1]))
  return { at, end: after(at[at.length - 1], sizes[sizes.length - 1]) }
}

/**
 * The most elements, a multiple of 64, that one call may take when each element needs
 * `perElement[r]` bytes in region r and the regions must end within `budget` bytes above BASE;
 * 0 when not even 64 fit. With a multiple of 64 elements every region is a multiple of 64
 * bytes, so `after` adds exactly 64 bytes to each: hence the closed form (one division, so
 * never short of the largest); the loop only guards against its rounding up.
 */
export function chunkLength(perElement: readonly number[], budget: number): number {
  const bytes = perElement.reduce((s, e) => s + e, 0)
  let len = Math.floor((budget - 64 * perElement.length) / (64 * bytes)) * 64
  while (len > 0 && regions(perElement.map((e) => e * len)).end - BASE > budget) len -= 64
  return Math.max(0, len)
}

/** How n elements run: `chunk` elements per call (the last call takes the rest), in `regions`. */
export interface ChunkPlan {
  readonly chunk: number
  readonly regions: Regions
}

/**
 * The plan for n > 0 elements needing `perElement[r]` bytes each in region r, within `budget`
 * bytes above BASE, for a kernel that writes whole blocks of `block` elements (regions hold
 * whole blocks); null when not even one chunk fits. Chunks are at most `chunkLength`, so a
 * count passed to the module stays far below 2³¹ for any budget up to 4 GiB.
 */
export function chunkPlan(n: number, perElement: readonly number[], budget: number, block: number): ChunkPlan | null {
  const max = chunkLength(perElement, budget)
  if (max === 0) return null
  const chunk = Math.min(n, max)
  return { chunk, regions: regions(perElement.map((e) => e * roundUp(chunk, block))) }
}

// The gemm's cache blocks: a KC×8 float32 panel of B (8 KiB) stays in L1 while an MC×KC block
// of A (128 KiB) streams from L2; float64 halves the panel width, so the same KC fits.
export const KC = 256
export const MC = 128

/** Where the operands of one gemm call sit (byte offsets; see wasm/assembly/gemm.ts). */
export interface GemmLayout {
  readonly a: number
  readonly b: number
  readonly c: number
  readonly pa: number
  readonly pb: number
  readonly bias: number
  /** bytes needed above BASE */
  readonly need: number
}

/**
 * The layout of a gemm of `rows` rows of op(A) (k columns) times op(B) (k×n): A, B, C with rows
 * padded to `nr` columns and to whole 4-row tiles, the packing scratch, and n bias values.
 */
export function gemmLayout(rows: number, n: number, k: number, es: number, nr: number): GemmLayout {
  const np = roundUp(n, nr)
  const kc = Math.min(KC, k),
    mc = Math.min(MC, rows)
  const r = regions([rows * k * es, k * n * es, roundUp(rows, 4) * np * es, roundUp(mc, 4) * kc * es, np * kc * es, np * es])
  const [a, b, c, pa, pb, bias] = r.at
  return { a, b, c, pa, pb, bias, need: r.end - BASE }
}

/**
 * How many rows of op(A) one gemm call takes so that its layout fits in `budget` bytes above
 * BASE: all m when they fit, else the most that fit (a multiple of MC when at least MC fit, else
 * of 4, the tile height), or 0 when even min(m, 4) rows do not fit (B alone is too large).
 * Rows are independent sums, so cutting op(A) into row panels changes no bit of C.
 */
export function panelRows(m: number, n: number, k: number, es: number, nr: number, budget: number): number {
  if (gemmLayout(m, n, k, es, nr).need <= budget) return m
  if (gemmLayout(Math.min(m, 4), n, k, es, nr).need > budget) return 0
  // The layout grows with the rows: binary search for the most that fit.
  let lo = Math.min(m, 4),
    hi = m
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (gemmLayout(mid, n, k, es, nr).need <= budget) lo = mid
    else hi = mid
  }
  return lo >= MC ? lo - (lo % MC) : lo - (lo % 4)
}

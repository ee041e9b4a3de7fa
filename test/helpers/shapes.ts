/**
 * Row-major index arithmetic for tests that compute expected values with plain loops.
 */

/** Row-major multi-index of flat position i in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length)
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]
    i = Math.floor(i / shape[d])
  }
  return idx
}

/** Flat row-major position of a multi-index in `shape`. */
export const ravel = (idx: readonly number[], shape: readonly number[]): number => idx.reduce((a, k, d) => a * shape[d] + k, 0)

/**
 * Matrix product of one pair of row-major matrices, in any of the four transpose combinations
 * the backward pass needs: C[m,n] = op(A)·op(B), op(A) is m×k, op(B) is k×n. A is stored as
 * [m,k] (or [k,m] when `ta`), B as [k,n] (or [n,k] when `tb`). C is overwritten.
 *
 * @internal
 */
import type { TypedArray } from '../tensor/dtype.js'

export function matmul(
  a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, co: number,
  m: number, n: number, k: number, ta: boolean, tb: boolean,
): void {
  if (!tb) {
    // i-k-j: the inner loop streams a row of B and a row of C.
    for (let i = 0; i < m; i++) {
      const ci = co + i * n
      for (let j = 0; j < n; j++) c[ci + j] = 0
      for (let p = 0; p < k; p++) {
        const aip = ta ? a[ao + p * m + i] : a[ao + i * k + p]
        const bp = bo + p * n
        for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j]
      }
    }
  } else if (!ta) {
    // C = A·Bᵀ: each element is a dot product of two contiguous rows.
    for (let i = 0; i < m; i++) {
      const ai = ao + i * k
      for (let j = 0; j < n; j++) {
        const bj = bo + j * k
        let s = 0
        for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p]
        c[co + i * n + j] = s
      }
    }
  } else {
    // C = Aᵀ·Bᵀ
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const bj = bo + j * k
        let s = 0
        for (let p = 0; p < k; p++) s += a[ao + p * m + i] * b[bj + p]
        c[co + i * n + j] = s
      }
    }
  }
}

/**
 * A tensor as source text: the call that rebuilds it, e.g. `tensor([[1, 2], [3, -0]], 'float64')`,
 * with every number exact (the shortest decimal that reads back to the same float32 or float64,
 * `-0`, `NaN`, `Infinity`, `-Infinity`). fast-check prints counterexamples with it (through the
 * `fast-check/toStringMethod` symbol on `Tensor`, so the core never imports fast-check): a
 * failing property's input can be pasted into a test as it is.
 *
 * @internal
 */
import type { DType } from './dtype.js'

/** Tensors with more elements than this print as a summary, not as a call. */
export const MAX_PRINTED = 1000
/** Elements shown from each end of a tensor too big to print in full. */
const ENDS = 6

/** The shortest decimal text that reads back as exactly `v` in the dtype. */
export function formatNumber(v: number, dtype: DType): string {
  if (Object.is(v, -0)) return '-0'
  if (!Number.isFinite(v) || dtype !== 'float32') return String(v) // NaN, ±Infinity, and float64's shortest round trip
  // float32: the fewest significant digits that round back to the same float32 (9 always do)
  for (let p = 1; p < 9; p++) {
    const text = String(Number(v.toPrecision(p)))
    if (Math.fround(Number(text)) === v) return text
  }
  return String(Number(v.toPrecision(9)))
}

/**
 * `tensor(nested, dtype)` for a tensor of this shape over the row-major `data`; `zeros(shape,
 * dtype)` when it has no elements (nested arrays cannot carry a shape like [0, 3]); a summary
 * naming the shape, the count and the first and last values when it has more than MAX_PRINTED.
 */
export function formatTensor(shape: readonly number[], dtype: DType, data: ArrayLike<number>): string {
  const n = data.length
  const num = (i: number) => formatNumber(data[i], dtype)
  if (n === 0) return `zeros([${shape.join(', ')}], '${dtype}')`
  if (n > MAX_PRINTED) {
    const head = Array.from({ length: ENDS }, (_, i) => num(i)),
      tail = Array.from({ length: ENDS }, (_, i) => num(n - ENDS + i))
    return `Tensor(${dtype} [${shape.join(', ')}], ${n} values, too many to print; row-major: ${head.join(', ')}, …, ${tail.join(', ')})`
  }
  let k = 0
  const nest = (depth: number): string => {
    if (depth === shape.length) return num(k++)
    const parts: string[] = []
    for (let i = 0; i < shape[depth]; i++) parts.push(nest(depth + 1))
    return `[${parts.join(', ')}]`
  }
  return `tensor(${nest(0)}, '${dtype}')`
}

/**
 * The values of a tensor as nested JS arrays, one level per axis (a number at rank 0). The
 * static type cannot know the rank: narrow it with a cast you know holds, e.g.
 * `toArray(matrix) as number[][]`.
 *
 * @category model
 * @since 0.1.0
 */
export type NestedArray = number | NestedArray[]

/** The row-major `data` of a tensor of `shape` as nested arrays (a copy); a number at rank 0. */
export function nestedArray(shape: readonly number[], data: ArrayLike<number>): NestedArray {
  if (shape.length === 0) return data[0]
  let k = 0
  const build = (depth: number): NestedArray[] => {
    const n = shape[depth]
    const out = new Array<NestedArray>(n)
    if (depth === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = data[k++]
    } else {
      for (let i = 0; i < n; i++) out[i] = build(depth + 1)
    }
    return out
  }
  return build(0)
}

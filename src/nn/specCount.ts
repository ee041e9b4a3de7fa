/**
 * Parameter counts of a model spec from its shapes alone (nothing is allocated): the size guard
 * of `fromSpec`.
 *
 * @internal
 */
import type { LayerSpec } from './spec.js'
import { countConv } from './specConv.js'
import { poolOutputShape } from './specPool.js'

// --- parameter counts (from shapes alone)

/**
 * The number of parameters `layers` create for examples of `shape`, computed from the shapes
 * alone (nothing is allocated), and the output shape; `shape` is undefined from the first layer
 * that would reject its input (its own init then says why), so the count is then a lower bound.
 */
export function countParams(layers: readonly LayerSpec[], shape: number[] | undefined): { count: number; shape: number[] | undefined } {
  let count = 0
  for (const l of layers) {
    if (shape === undefined) break
    const last = shape[shape.length - 1]
    switch (l.type) {
      case 'dense':
      case 'maxout': {
        if (shape.length === 0) {
          shape = undefined
          break
        }
        const width = l.type === 'dense' ? l.units : l.units * l.pieces
        count += last * width + (l.useBias === false ? 0 : width)
        shape = [...shape.slice(0, -1), l.units]
        break
      }
      case 'prelu':
        count += shape.length === 0 ? 1 : last
        break
      case 'embedding':
        count += l.vocab * l.dim
        shape = [...shape, l.dim]
        break
      case 'conv1d':
      case 'conv2d':
      case 'reshape': {
        const c = countConv(l, shape)
        count += c.count
        shape = c.shape
        break
      }
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)]
        break
      case 'maxPool2d':
      case 'avgPool2d':
      case 'globalAvgPool':
        shape = poolOutputShape(l, shape)
        break
      case 'sequential': {
        const inner = countParams(l.layers, shape)
        count += inner.count
        shape = inner.shape
        break
      }
      default:
        break
    }
  }
  return { count, shape }
}

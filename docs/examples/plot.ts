/**
 * Vega-Lite spec builders for the docs' plots. An example exports `plot` (one spec) or `plots`
 * (a record of specs) built with these from a real run; `docs/scripts/plots.ts` renders each to
 * `docs/public/plots/<slug>/<name>[-<key>].svg` with vega, headless in Node.
 *
 * `lineSpec` and `histogramSpec` are the very builders of `purediff recipe` (src/cli/plot.ts),
 * re-exported so the CLI's plots and the site's come from one library. They stay in src/ because
 * the published CLI needs them and docs/ is not shipped.
 *
 * This is a helper, not an example: test/docsExamples.test.ts does not run it on its own.
 */
import { histogramSpec, lineSpec, type Point } from '../../src/cli/plot.js'

export { histogramSpec, lineSpec, type Point }

const schema = 'https://vega.github.io/schema/vega-lite/v5.json'

/** Samples `f` at `n` evenly spaced points of [lo, hi] (both ends included) as one series. */
export function sample(series: string, f: (x: number) => number, lo: number, hi: number, n = 201): Point[] {
  return Array.from({ length: n }, (_, i) => {
    const x = lo + ((hi - lo) * i) / (n - 1)
    return { series, x, y: f(x) }
  })
}

/**
 * Curves without point markers (dense samples of functions, e.g. activations and their
 * derivatives): one line per series. `yDomain` clips the view when a curve runs off.
 */
export function curvesSpec(
  title: string,
  xTitle: string,
  yTitle: string,
  points: readonly Point[],
  opts: { yDomain?: readonly [number, number]; logY?: boolean; width?: number; height?: number } = {},
): object {
  const scale = {
    ...(opts.yDomain ? { domain: [...opts.yDomain] } : {}),
    ...(opts.logY ? { type: 'log' } : {}),
  }
  return {
    $schema: schema,
    title,
    width: opts.width ?? 420,
    height: opts.height ?? 260,
    data: { values: points },
    mark: { type: 'line', clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle },
      y: { field: 'y', type: 'quantitative', title: yTitle, ...(Object.keys(scale).length > 0 ? { scale } : {}) },
      // Long series names (e.g. grad(grad(tanh))) stay whole in the legend.
      color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 600 } },
      strokeDash: { field: 'series', type: 'nominal', title: null },
    },
  }
}

/**
 * A histogram with a linear count axis, series overlaid in translucent colours (for comparing
 * distributions; `histogramSpec`, the CLI's, stacks one panel per series on a symlog axis,
 * which suits weight histograms with a spike at 0).
 */
export function countsSpec(title: string, xTitle: string, values: readonly { series: string; value: number }[], maxbins = 60): object {
  return {
    $schema: schema,
    title,
    width: 420,
    height: 220,
    data: { values },
    mark: { type: 'bar', opacity: 0.55 },
    encoding: {
      x: { field: 'value', type: 'quantitative', bin: { maxbins }, title: xTitle },
      y: { aggregate: 'count', type: 'quantitative', title: 'count', stack: null },
      color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 600, orient: 'bottom' } },
    },
  }
}

/** A grid cell of a sampled surface: the rectangle [x, x2] × [y, y2] and its height z. */
export interface Cell {
  readonly x: number
  readonly x2: number
  readonly y: number
  readonly y2: number
  readonly z: number
}

/** Samples z = f(x, y) on an n × n grid of cells over [x0, x1] × [y0, y1] (at cell centres). */
export function surface(f: (x: number, y: number) => number, [x0, x1]: readonly [number, number], [y0, y1]: readonly [number, number], n = 60): Cell[] {
  const dx = (x1 - x0) / n
  const dy = (y1 - y0) / n
  const cells: Cell[] = []
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = x0 + i * dx
      const y = y0 + j * dy
      cells.push({ x, x2: x + dx, y, y2: y + dy, z: f(x + dx / 2, y + dy / 2) })
    }
  }
  return cells
}

/** One step of a path over a surface: `step` orders the points of a series. */
export interface PathPoint {
  readonly series: string
  readonly step: number
  readonly x: number
  readonly y: number
}

/**
 * Paths over a 2-D surface (e.g. optimizers descending a loss): the surface as a heat map
 * (`logZ` colours by log z, which shows the valleys of losses spanning decades), each path
 * a line with points in step order.
 */
export function pathSpec(
  title: string,
  cells: readonly Cell[],
  paths: readonly PathPoint[],
  opts: { logZ?: boolean; xTitle?: string; yTitle?: string; width?: number; height?: number } = {},
): object {
  const xs = cells.flatMap((c) => [c.x, c.x2])
  const ys = cells.flatMap((c) => [c.y, c.y2])
  const xScale = { domain: [Math.min(...xs), Math.max(...xs)], nice: false, zero: false }
  const yScale = { domain: [Math.min(...ys), Math.max(...ys)], nice: false, zero: false }
  // log of z + a small offset keeps a zero minimum finite on the log colour scale.
  const zs = opts.logZ ? cells.map((c) => ({ ...c, z: Math.log10(c.z + 1e-3) })) : cells
  return {
    $schema: schema,
    title,
    width: opts.width ?? 420,
    height: opts.height ?? 360,
    layer: [
      {
        data: { values: zs },
        mark: { type: 'rect' },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: xScale, title: opts.xTitle ?? 'w₁' },
          x2: { field: 'x2' },
          y: { field: 'y', type: 'quantitative', scale: yScale, title: opts.yTitle ?? 'w₂' },
          y2: { field: 'y2' },
          color: { field: 'z', type: 'quantitative', scale: { scheme: 'greys' }, legend: null },
        },
      },
      {
        data: { values: paths },
        mark: { type: 'line', point: { size: 12 }, clip: true, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: xScale },
          y: { field: 'y', type: 'quantitative', scale: yScale },
          order: { field: 'step', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', title: null, scale: { scheme: 'category10' } },
        },
      },
    ],
    // The heat map's quantitative colours and the paths' categorical ones are separate scales.
    resolve: { scale: { color: 'independent' } },
  }
}

/** A labelled 2-D point, e.g. of a toy classification set. */
export interface LabelledPoint {
  readonly x: number
  readonly y: number
  readonly label: string
}

/** A scatter plot of labelled points, one colour and shape per label. */
export function scatterSpec(title: string, points: readonly LabelledPoint[], opts: { xTitle?: string; yTitle?: string } = {}): object {
  return {
    $schema: schema,
    title,
    width: 360,
    height: 300,
    data: { values: points },
    mark: { type: 'point', filled: true, size: 30 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xTitle ?? 'x₁' },
      y: { field: 'y', type: 'quantitative', title: opts.yTitle ?? 'x₂' },
      color: { field: 'label', type: 'nominal', title: null },
      shape: { field: 'label', type: 'nominal', title: null },
    },
  }
}

/** A horizontal bar chart of named values (e.g. per-layer gradient norms, or speed ratios). */
export function barSpec(
  title: string,
  xTitle: string,
  bars: readonly { readonly name: string; readonly value: number; readonly series?: string }[],
  opts: { logX?: boolean } = {},
): object {
  const grouped = bars.some((b) => b.series !== undefined)
  return {
    $schema: schema,
    title,
    width: 420,
    data: { values: bars },
    mark: 'bar',
    encoding: {
      y: { field: 'name', type: 'nominal', title: null, sort: null, axis: { labelLimit: 600 } },
      x: { field: 'value', type: 'quantitative', title: xTitle, ...(opts.logX ? { scale: { type: 'log' } } : {}) },
      ...(grouped ? { color: { field: 'series', type: 'nominal', title: null }, yOffset: { field: 'series', type: 'nominal' } } : {}),
    },
  }
}

/** One image of an `imagesSpec` grid: rows of numbers (any range) and its caption. */
export interface Image {
  readonly name: string
  readonly pixels: readonly (readonly number[])[]
}

/** One cell of an image, its value scaled to [0, 1] within its image (0.5 when the image is constant). */
export interface Pixel {
  readonly image: string
  readonly row: number
  readonly col: number
  readonly v: number
}

/** The cells of `images`, each image min–max scaled on its own (so a filter's pattern shows whatever its range). */
export function pixels(images: readonly Image[]): Pixel[] {
  return images.flatMap(({ name, pixels: rows }) => {
    const all = rows.flat()
    const lo = Math.min(...all)
    const hi = Math.max(...all)
    return rows.flatMap((r, row) => r.map((x, col) => ({ image: name, row, col, v: hi > lo ? (x - lo) / (hi - lo) : 0.5 })))
  })
}

/**
 * A grid of small grayscale images (filters, feature maps, digits), `columns` per row, each
 * scaled on its own: its lowest value white, its highest black. `cell` is a pixel's side in
 * points.
 */
export function imagesSpec(title: string, images: readonly Image[], opts: { columns?: number; cell?: number } = {}): object {
  const cell = opts.cell ?? 8
  const none = { title: null, axis: null }
  return {
    $schema: schema,
    title,
    data: { values: pixels(images) },
    columns: opts.columns ?? images.length,
    facet: { field: 'image', type: 'nominal', title: null, sort: images.map((i) => i.name), header: { labelFontSize: 11 } },
    spec: {
      width: { step: cell },
      height: { step: cell },
      // no ARIA label per cell: a 24×24 map would carry hundreds of them
      mark: { type: 'rect', aria: false },
      encoding: {
        x: { field: 'col', type: 'ordinal', ...none },
        y: { field: 'row', type: 'ordinal', ...none },
        color: { field: 'v', type: 'quantitative', scale: { domain: [0, 1], range: ['#ffffff', '#000000'] }, legend: null },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  }
}

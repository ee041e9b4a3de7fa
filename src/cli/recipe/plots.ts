/**
 * The recipe's own Vega-Lite specs, where a plain line chart or histogram would hide the point:
 * (e) early stopping with its best and stop epochs marked and a validation scale that shows the
 * rise; (f) the exact zeros of L1 as labelled counts, beside histograms of the non-zero weights;
 * (g) dropout's accuracies on clean and noisy test digits.
 *
 * @internal
 */

const schema = 'https://vega.github.io/schema/vega-lite/v5.json'
const TRAIN = '#4c78a8'
const VALIDATION = '#f58518'
const count = (n: number): string => n.toLocaleString('en-US')

/** Compresses sorted integers into ranges: [1, 2, 3, 5] → '1–3, 5'. */
export function ranges(xs: readonly number[]): string {
  const out: string[] = []
  for (let i = 0; i < xs.length; i++) {
    let j = i
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++
    out.push(j === i ? String(xs[i]) : `${xs[i]}–${xs[j]}`)
    i = j
  }
  return out.join(', ')
}

/**
 * The validation panel's y domain [lo, hi]: from just under the lowest loss to 3× its rise after
 * the best epoch (so the rise fills about a third of the panel), or every value when there is no
 * rise. The margins are 8% of that span, at least 1% of the lowest loss.
 * Epochs above `hi` are clipped and named in the panel's subtitle.
 */
export function validationDomain(validation: readonly number[], best: number): [number, number] {
  const lo = Math.min(...validation)
  const max = Math.max(...validation)
  const rise = Math.max(...validation.slice(best - 1)) - lo
  const hi = rise > 0 ? Math.min(max, lo + 3 * rise) : max
  // At least 1% of the loss, so a rise lost in rounding is not blown up to fill the panel.
  const pad = Math.max((hi - lo) * 0.08, Math.abs(lo) * 0.01) || 1
  // A positive loss keeps a positive floor: the axis must not slide back to zero.
  return [lo > 0 ? lo - Math.min(pad, lo / 2) : lo - pad, hi + (hi === max ? pad : 0)]
}

/** The inputs of the (e) plot; epochs count from 1 (best and stop too); `stop` is null when patience never ran out. */
export interface EarlyStoppingPlot {
  readonly train: readonly number[]
  readonly validation: readonly number[]
  readonly best: number
  readonly stop: number | null
  readonly patience: number
}

/** (e): validation loss (focused scale) above training loss (log scale), best and stop epochs marked in both. */
export function earlyStoppingSpec(p: EarlyStoppingPlot): object {
  const n = p.validation.length
  const [lo, hi] = validationDomain(p.validation, p.best)
  const clipped = p.validation
    .map((v, i) => [v, i + 1])
    .filter(([v]) => v > hi)
    .map(([, e]) => e)
  const x = {
    field: 'x',
    type: 'quantitative',
    title: 'epoch (epoch 1 = after one pass over the data)',
    scale: { domain: [1, n], nice: false },
    axis: { tickMinStep: 1, format: 'd' },
  }
  const marks = (yPx: (i: number) => number, withValue: boolean) =>
    [
      { x: p.best, label: `best: epoch ${p.best}${withValue ? ` (${p.validation[p.best - 1].toFixed(4)})` : ''}`, dash: [] },
      ...(p.stop === null ? [] : [{ x: p.stop, label: `stop: epoch ${p.stop} (patience ${p.patience})`, dash: [4, 3] }]),
    ].flatMap((m, i) => [
      { data: { values: [m] }, mark: { type: 'rule', color: '#555', strokeDash: m.dash }, encoding: { x: { field: 'x', type: 'quantitative' } } },
      {
        data: { values: [m] },
        mark: { type: 'text', align: 'left', dx: 4, color: '#333', fontSize: 11 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: yPx(i) }, text: { field: 'label' } },
      },
    ])
  const points = (values: readonly number[]) => values.map((y, i) => ({ x: i + 1, y }))
  const subtitle =
    clipped.length === 0
      ? []
      : [`epoch${clipped.length > 1 ? 's' : ''} ${ranges(clipped)} above this scale (up to ${Math.max(...p.validation).toFixed(4)}); every value is in the table`]
  return {
    $schema: schema,
    title: `(e) early stopping: best epoch ${p.best}, ${p.stop === null ? 'patience never ran out' : `stop after epoch ${p.stop}`}`,
    vconcat: [
      {
        title: { text: 'validation loss (rises after the best epoch)', subtitle, fontSize: 12 },
        width: 440,
        height: 220,
        layer: [
          {
            data: { values: points(p.validation) },
            mark: { type: 'line', point: { color: VALIDATION }, clip: true, color: VALIDATION },
            encoding: { x, y: { field: 'y', type: 'quantitative', title: 'validation loss', scale: { domain: [lo, hi], nice: false, zero: false } } },
          },
          {
            data: { values: [{ x: p.best, y: p.validation[p.best - 1] }] },
            mark: { type: 'point', filled: true, size: 120, color: '#222' },
            encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
          },
          ...marks((i) => 10 + 14 * i, true),
        ],
      },
      {
        title: { text: 'training loss (keeps falling)', fontSize: 12 },
        width: 440,
        height: 140,
        layer: [
          {
            data: { values: points(p.train) },
            mark: { type: 'line', point: { color: TRAIN }, color: TRAIN },
            encoding: { x, y: { field: 'y', type: 'quantitative', title: 'training loss (log)', scale: { type: 'log' } } },
          },
          ...marks((i) => 10 + 14 * i, false),
        ],
      },
    ],
  }
}

/** One penalty's first-layer weights for (f): how many are exactly 0 and a histogram of the others. */
export interface WeightsPlot {
  readonly series: string
  readonly weights: ArrayLike<number>
}

/** Histogram bins of the non-zero values of each series over one shared range: `{ series, x0, x1, count }`. */
export function nonZeroBins(all: readonly WeightsPlot[], bins = 60): { series: string; x0: number; x1: number; count: number }[] {
  let lo = Infinity
  let hi = -Infinity
  for (const s of all)
    for (let i = 0; i < s.weights.length; i++) {
      const w = s.weights[i]
      if (w !== 0) {
        lo = Math.min(lo, w)
        hi = Math.max(hi, w)
      }
    }
  if (!(hi > lo)) return []
  const step = (hi - lo) / bins
  return all.flatMap((s) => {
    const c = new Array<number>(bins).fill(0)
    for (let i = 0; i < s.weights.length; i++) {
      const w = s.weights[i]
      if (w !== 0) c[Math.min(bins - 1, Math.floor((w - lo) / step))]++
    }
    return c.map((count, b) => ({ series: s.series, x0: lo + b * step, x1: lo + (b + 1) * step, count }))
  })
}

/** (f): a labelled bar of the exact zeros per penalty (out of all the weights), then histograms of the non-zero weights. */
export function weightsSpec(all: readonly WeightsPlot[]): object {
  const order = all.map((s) => s.series)
  const zeros = all.map((s) => {
    let z = 0
    for (let i = 0; i < s.weights.length; i++) if (s.weights[i] === 0) z++
    const total = s.weights.length
    return { series: s.series, zeros: z, total, inside: z >= total / 2, label: `${count(z)} of ${count(total)} exactly 0 (${((100 * z) / total).toFixed(1)}%)` }
  })
  const total = Math.max(...zeros.map((z) => z.total))
  const y = { field: 'series', type: 'nominal', title: null, sort: order }
  const text = (inside: boolean) => ({
    transform: [{ filter: `datum.inside == ${inside}` }],
    mark: { type: 'text', align: inside ? 'right' : 'left', dx: inside ? -6 : 6, color: inside ? 'white' : '#222', fontSize: 12, fontWeight: 'bold' },
    encoding: { y, x: { field: 'zeros', type: 'quantitative' }, text: { field: 'label' } },
  })
  return {
    $schema: schema,
    title: '(f) first-layer weights: L1 sets most of them to exactly 0',
    vconcat: [
      {
        title: { text: 'weights that are exactly 0 (bar) out of all of them (grey)', fontSize: 12 },
        width: 440,
        height: 24 * all.length,
        data: { values: zeros },
        layer: [
          {
            mark: { type: 'bar', color: '#e3e3e3' },
            encoding: { y, x: { field: 'total', type: 'quantitative', title: 'number of weights', scale: { domain: [0, total], nice: false }, axis: { format: ',d' } } },
          },
          { mark: { type: 'bar', color: TRAIN }, encoding: { y, x: { field: 'zeros', type: 'quantitative' } } },
          text(true),
          text(false),
        ],
      },
      {
        title: { text: 'the non-zero weights (count per bin; each row its own scale)', fontSize: 12 },
        data: { values: nonZeroBins(all) },
        facet: { row: { field: 'series', type: 'nominal', title: null, sort: order } },
        spec: {
          width: 440,
          height: 80,
          mark: { type: 'bar', color: TRAIN },
          encoding: { x: { field: 'x0', type: 'quantitative', bin: 'binned', title: 'weight' }, x2: { field: 'x1' }, y: { field: 'count', type: 'quantitative', title: 'count' } },
        },
        resolve: { scale: { y: 'independent' } },
      },
    ],
  }
}

/** (g): accuracy per dropout mode on the training digits, the clean test digits and the noisy ones, labelled. */
export function dropoutSpec(title: string, rows: readonly { mode: string; set: string; accuracy: number }[]): object {
  const y = { field: 'mode', type: 'nominal', title: null, sort: [...new Set(rows.map((r) => r.mode))] }
  const yOffset = { field: 'set', type: 'nominal', sort: [...new Set(rows.map((r) => r.set))] }
  const x = { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] } }
  return {
    $schema: schema,
    title,
    width: 440,
    height: 60 * new Set(rows.map((r) => r.mode)).size,
    data: { values: rows.map((r) => ({ ...r, label: r.accuracy.toFixed(3) })) },
    layer: [
      { mark: 'bar', encoding: { y, yOffset, x, color: { field: 'set', type: 'nominal', title: null, sort: yOffset.sort, legend: { labelLimit: 300 } } } },
      { mark: { type: 'text', align: 'right', dx: -4, color: 'white', fontSize: 10 }, encoding: { y, yOffset, x, text: { field: 'label' } } },
    ],
  }
}

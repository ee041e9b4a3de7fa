// The measured speed ratios of bench/results.json (written by `npm run bench`) as a chart, and a
// check that the reader used by the comparison page copes with any shape of that file.
import assert from 'node:assert/strict'
import { normalise, ratios, readBenchTable } from './benchResults.js'

// #region reader
// Today's shape: { rows: [{ benchmark, unit, purediff, tfjsCpu, ratioCpu, … }], notes }.
const t = normalise({
  cpu: 'x',
  ratio: 'tfjs time / purediff time',
  rows: [
    { benchmark: 'matmul', unit: 'GFLOP/s', purediff: 3, tfjsCpu: 1, ratioCpu: 3 },
    { benchmark: 'mlp', unit: 'ms', purediff: 2, ratioCpu: 0.5, extra: 'a' },
  ],
})
assert.deepEqual(
  t.columns.map((c) => `${c.key}:${c.kind}`),
  ['benchmark:text', 'unit:text', 'purediff:number', 'tfjsCpu:number', 'ratioCpu:ratio', 'extra:text'],
)
assert.equal(t.nameKey, 'benchmark')
assert.equal(t.ratioNote, 'tfjs time / purediff time')
assert.deepEqual(
  ratios(t).map((r) => r.value),
  [3, 0.5],
)
// The bench's current shape: nested results and ratios per library become columns; a row that
// compares by difference (accuracy points) contributes no ratio.
const v2 = normalise({
  rows: [
    { workload: 'matmul', unit: 'GFLOP/s', compare: 'ratio', results: { purediff: 30, 'tfjs-wasm': 27 }, ratios: { 'tfjs-wasm': 30 / 27 } },
    { workload: 'accuracy', unit: '%', compare: 'difference', results: { purediff: 95.1, 'tfjs-wasm': 94.9 }, ratios: { 'tfjs-wasm': 0.2 } },
  ],
})
assert.deepEqual(
  v2.columns.map((c) => `${c.key}:${c.kind}`),
  ['workload:text', 'unit:text', 'purediff:number', 'tfjs-wasm:number', 'ratio vs tfjs-wasm:ratio'],
)
assert.deepEqual(
  ratios(v2).map((r) => r.value),
  [30 / 27],
)
// Another shape (a bare array) still reads; nothing readable gives an empty table, not a crash.
assert.equal(normalise([{ name: 'a', speedup: 2 }]).rows.length, 1)
assert.equal(normalise('garbage').found, false)
// #endregion reader

const table = readBenchTable()
const points = ratios(table)
assert.ok(!table.found || points.every((p) => Number.isFinite(p.value) && p.value > 0))

// A dot per (benchmark, other library) on a log axis, with the line of parity at 1.
export const plot = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  title: table.found ? 'Speed of purediff relative to each library (> 1: purediff is faster)' : 'No bench results yet: run npm run bench',
  width: 420,
  layer: [
    {
      data: { values: points },
      mark: { type: 'point', filled: true, size: 80 },
      encoding: {
        y: { field: 'name', type: 'nominal', title: null, sort: null, axis: { labelLimit: 600 } },
        x: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'other time / purediff time (or purediff rate / other rate)' },
        color: { field: 'against', type: 'nominal', title: null },
        shape: { field: 'against', type: 'nominal', title: null },
      },
    },
    { data: { values: [{ x: 1 }] }, mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { x: { field: 'x', type: 'quantitative' } } },
  ],
}

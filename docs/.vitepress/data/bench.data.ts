/**
 * Build-time data for the comparison page: bench/results.json as a generic table (see
 * docs/examples/comparison/benchResults.ts). Re-read when the file changes under `docs:dev`.
 */
import { type BenchTable, readBenchTable } from '../../examples/comparison/benchResults.js'

export type { BenchTable }

declare const data: BenchTable
export { data }

export default {
  watch: ['../../../bench/results.json'],
  load(): BenchTable {
    return readBenchTable()
  },
}

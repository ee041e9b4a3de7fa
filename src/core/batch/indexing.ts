/**
 * Batching rules of the indexing and sorting primitives: gathers and scatters with batched
 * data, batched indices or both, argsort and topK.
 *
 * @internal
 */
import type { BatchRule } from './common.js'

/** Rules of the indexing and sorting primitives. */
export const indexingRules: Readonly<Record<string, BatchRule>> = Object.freeze({})

/**
 * The batching rules of every primitive, by name: one table assembled from the rule modules of
 * this folder (each owns a family of primitives). `BatchTrace` reads it; a primitive missing
 * here is an error when vmap meets it, naming the primitive.
 *
 * @internal
 */
import type { BatchRule } from './common.js'
import { activationRules } from './activations.js'
import { convRules } from './conv.js'
import { elementwiseRules } from './elementwise.js'
import { indexingRules } from './indexing.js'
import { poolRules } from './pool.js'
import { randomRules } from './random.js'
import { structuralRules } from './structural.js'

/** Batching rules keyed by primitive name. */
export const BATCH_RULES: Readonly<Record<string, BatchRule>> = Object.freeze({
  ...elementwiseRules,
  ...activationRules,
  ...structuralRules,
  ...indexingRules,
  ...randomRules,
  ...convRules,
  ...poolRules,
})

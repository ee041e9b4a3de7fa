/**
 * Batching rules of the random primitives (src/random/prims.ts). Each takes keys [...lead, 2] and
 * puts `lead` in front of its result, so a batch of keys only needs its batch axis moved first:
 * one call then draws for every key at once (row b is what key b alone gives).
 *
 * @internal
 */
import { bind } from '../../engine/trace.js'
import { KEY_PRIMITIVES } from '../../random/prims.js'
import { type BatchRule, moveAxis } from './common.js'

// --- rules

/** A key primitive: the batch axis of the keys goes first, and is the result's axis 0. */
const keysFirst: BatchRule = (prim, [keys], [d], params) => [bind(prim, [moveAxis(keys, d as number, 0)], params), 0]

/** Batching rules keyed by primitive name. */
export const randomRules: Readonly<Record<string, BatchRule>> = Object.fromEntries(KEY_PRIMITIVES.map((name) => [name, keysFirst]))

/**
 * Batching rules of reductions, shape and movement ops, and matmul: the batch axis moves first
 * and every axis parameter shifts by one.
 *
 * @internal
 */
import type { BatchRule } from './common.js'

/** Rules of the reduction, shape, movement and product primitives. */
export const structuralRules: Readonly<Record<string, BatchRule>> = Object.freeze({})

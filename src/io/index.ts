/**
 * purediff/io: io-ts codecs for outside data (`TensorCodec`, `Checkpoint`, and the model and
 * optimizer configs `ModelSpec`, `OptimizerConfig`), lossless checkpoints as text, and
 * atomic save/load. The codecs and `encodeCheckpoint`/`decodeCheckpoint` are browser-safe;
 * `saveCheckpoint`/`loadCheckpoint` need Node (they import node:fs lazily, on first call).
 * This file only re-exports.
 *
 * @since 0.1.0
 */

// --- codecs
export { TensorCodec, Checkpoint } from './codecs.js'
export type { TensorJSON, CheckpointTree, CheckpointJSON, NodeJSON } from './codecs.js'
export { ModelSpec } from '../nn/spec.js'
export { OptimizerConfig } from '../optim/config.js'

// --- checkpoints as text (browser-safe)
export { encodeCheckpoint, decodeCheckpoint } from './checkpoint.js'

// --- checkpoints on disk (Node only)
export { saveCheckpoint, loadCheckpoint } from './save.js'

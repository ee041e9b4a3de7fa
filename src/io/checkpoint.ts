/**
 * Checkpoints as text: `encodeCheckpoint(tree)` and `decodeCheckpoint(text)`. Lossless (every
 * bit of every float32/float64 value, NaN payloads aside), versioned, deterministic (the same
 * tree gives the same text), and the decoder never throws: malformed, truncated or tampered
 * input is a `Left` whose message names the path. Browser-safe.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { ArgumentError } from '../index.js'
import { Checkpoint, type CheckpointTree, report } from './codecs.js'
import { concatenate, jsonPieces } from './jsonText.js'

// --- operations

/**
 * The text of a checkpoint of `tree` (a pytree of tensors; numbers, strings, booleans and null
 * are allowed as leaves too, so a whole train state fits): compact JSON of
 * `{ "format": "purediff-checkpoint", "version": 1, "checksum", "tree" }` with tensors as base64
 * of their little-endian bytes and numbers as the hex of their float64 bits. Keys are written in
 * a fixed order and objects keep their own key order, so equal trees give equal text. Throws an
 * ArgumentError naming the path of a leaf it cannot hold (a function, undefined, a class
 * instance) or of a cycle. The argument is typed `unknown` so that interfaces (params, a
 * `TrainState`) are accepted; it is checked at run time.
 *
 * @example
 * import { tensor } from 'purediff'
 * import { encodeCheckpoint } from 'purediff/io'
 * const text = encodeCheckpoint({ w: tensor([1, 2], 'float64'), step: 7 })
 * if (!text.startsWith('{"format":"purediff-checkpoint","version":1,')) throw new Error()
 * if (text !== encodeCheckpoint({ w: tensor([1, 2], 'float64'), step: 7 })) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function encodeCheckpoint(tree: unknown): string {
  return concatenate(encodeCheckpointPieces(tree))
}

/**
 * The text of `encodeCheckpoint(tree)` as pieces to concatenate (a long base64 string is a piece
 * of its own): `saveCheckpoint` writes them one by one, so the whole text never exists as one
 * more copy. @internal
 */
export function encodeCheckpointPieces(tree: unknown): readonly string[] {
  // why `unknown` and the cast: params and states are usually interfaces (DenseParams,
  // TrainState), which TypeScript will not match against CheckpointTree's index signature;
  // every leaf is checked at run time instead, and a bad one throws naming its path.
  // why not JSON.stringify: it would copy every base64 string into one more 1.33× string
  return jsonPieces(Checkpoint.encode(tree as CheckpointTree))
}

/**
 * The tree of a checkpoint's text, or a `Left` with an ArgumentError whose message names where
 * it failed: `not valid JSON` (truncated text), `at format`, `at version` (another version), `at
 * tree.layers.0.w.data: expected 48 bytes …`, `at checksum` (changed or damaged). Never throws.
 * Tensors come back with their dtype and every bit; numbers too (NaN, −0, ±Infinity).
 *
 * @example
 * import { isLeft, isRight } from 'fp-ts/lib/Either.js'
 * import { tensor, toFlatArray, Tensor } from 'purediff'
 * import { decodeCheckpoint, encodeCheckpoint } from 'purediff/io'
 * const text = encodeCheckpoint({ w: tensor([-0, NaN, Infinity], 'float64'), step: -0 })
 * const back = decodeCheckpoint(text)
 * if (!isRight(back)) throw new Error()
 * const tree = back.right as { w: Tensor; step: number }
 * if (!Object.is(toFlatArray(tree.w)[0], -0) || !Number.isNaN(toFlatArray(tree.w)[1]) || !Object.is(tree.step, -0)) throw new Error()
 * const cut = decodeCheckpoint(text.slice(0, 40))
 * if (!isLeft(cut) || !cut.left.message.includes('JSON')) throw new Error()
 * @category operations
 * @since 0.1.0
 */
export function decodeCheckpoint(text: string): E.Either<Error, CheckpointTree> {
  const op = 'decodeCheckpoint'
  try {
    if (typeof text !== 'string') return E.left(new ArgumentError(op, `expected the text of a checkpoint, got ${typeof text}`))
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (e) {
      return E.left(new ArgumentError(op, `not valid JSON (truncated or damaged?): ${e instanceof Error ? e.message : String(e)}`))
    }
    const decoded = Checkpoint.decode(value)
    return E.isLeft(decoded) ? E.left(new ArgumentError(op, `invalid checkpoint: ${report(decoded.left)}`)) : E.right(decoded.right)
  } catch (e) {
    // e.g. a stack overflow on absurdly deep JSON: still a Left, never a throw
    return E.left(new ArgumentError(op, `invalid checkpoint: ${e instanceof Error ? e.message : String(e)}`))
  }
}

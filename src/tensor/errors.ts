/**
 * The errors purediff throws. Every message names the operation, the shapes or values it got,
 * and what it expected, so a failure deep inside a model points straight at its cause.
 *
 * @since 0.1.0
 */

// --- model

/**
 * Base class of every error purediff throws on bad input.
 *
 * @example
 * import { add, tensor, PurediffError } from 'purediff'
 * let caught: unknown
 * try { add(tensor([1, 2]), tensor([1, 2, 3])) } catch (e) { caught = e }
 * if (!(caught instanceof PurediffError)) throw new Error('expected a PurediffError')
 * @category errors
 * @since 0.1.0
 */
export class PurediffError extends Error {
  /** The operation that refused its input, e.g. `'matmul'`. */
  readonly op: string
  constructor(op: string, message: string) {
    super(`${op}: ${message}`)
    this.op = op
    this.name = new.target.name
  }
}

/**
 * Shapes that do not fit together (broadcasting, matmul inner dimensions, reshape sizes, axes).
 *
 * @example
 * import { matmul, ones, ShapeError } from 'purediff'
 * let caught: unknown
 * try { matmul(ones([2, 3]), ones([4, 5])) } catch (e) { caught = e }
 * if (!(caught instanceof ShapeError) || !caught.message.includes('[2,3]')) throw new Error('expected a ShapeError')
 * @category errors
 * @since 0.1.0
 */
export class ShapeError extends PurediffError {}

/**
 * A dtype that is not supported where it was given (an unknown dtype, an int32 or bool value
 * where a float is needed, such as a gradient with respect to integer indices).
 *
 * @example
 * import { grad, sum, tensor, zeros, DTypeError } from 'purediff'
 * let caught: unknown
 * try { zeros([2], 'int64' as never) } catch (e) { caught = e }
 * if (!(caught instanceof DTypeError)) throw new Error('expected a DTypeError')
 * caught = undefined
 * try { grad(sum)(tensor([1, 2], 'int32')) } catch (e) { caught = e }
 * if (!(caught instanceof DTypeError)) throw new Error('expected a DTypeError')
 * @category errors
 * @since 0.1.0
 */
export class DTypeError extends PurediffError {}

/**
 * Any other invalid argument: a non-finite size, a rate outside its range, a non-tensor leaf.
 *
 * @example
 * import { eye, ArgumentError } from 'purediff'
 * let caught: unknown
 * try { eye(-1) } catch (e) { caught = e }
 * if (!(caught instanceof ArgumentError)) throw new Error('expected an ArgumentError')
 * @category errors
 * @since 0.1.0
 */
export class ArgumentError extends PurediffError {}

// --- helpers

/** Formats a shape as `[2,3]` for error messages. @internal */
export const fmt = (shape: readonly number[]): string => `[${shape.join(',')}]`

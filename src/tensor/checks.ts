/**
 * The one home of argument checks and their formatting helpers, used by every layer above:
 * `describe` names any value in an error message, `checkTensor` rejects a non-tensor argument
 * naming the op and the argument. (Shapes print with `fmt` from `errors.ts`.)
 *
 * @internal
 */
import { ArgumentError } from './errors.js'
import { Tensor } from './model.js'

/** @internal a short description of any value for error messages */
export function describe(x: unknown): string {
  if (x === null) return 'null'
  if (Array.isArray(x)) return `an array of length ${x.length}`
  // Every kind of tensor (concrete or traced) is described by its public class name.
  if (x instanceof Tensor) return 'an object (Tensor)'
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`
  return `${typeof x} ${String(x)}`
}

/** @internal throws unless `x` is a Tensor, naming the op and the argument */
export function checkTensor(op: string, x: unknown, arg = 'x'): Tensor {
  if (x instanceof Tensor) return x
  throw new ArgumentError(op, `argument '${arg}' must be a Tensor, got ${describe(x)}`)
}

/**
 * io-ts helpers shared by every boundary that decodes outside data (`fromSpec`, `fromConfig`,
 * `decodeCheckpoint`): short value descriptions, number codecs with a predicate, strict objects
 * that name unknown fields, and the one reporter that turns errors into `at a.b.c: …` lines.
 *
 * @internal
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'

/** A short, never-throwing description of any value for error messages. */
export const show = (u: unknown): string => {
  try {
    const s = u === undefined ? 'undefined' : typeof u === 'number' && !Number.isFinite(u) ? String(u) : JSON.stringify(u)
    return s === undefined ? typeof u : s.length > 60 ? `${s.slice(0, 57)}...` : s
  } catch {
    return typeof u
  }
}

export const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === 'object' && !Array.isArray(u)

/** A number codec with a predicate; the type stays a plain `number`. */
export function numberWhere(name: string, expected: string, ok: (n: number) => boolean): t.Type<number, number, unknown> {
  const is = (u: unknown): u is number => typeof u === 'number' && ok(u)
  return new t.Type<number, number, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c, `expected ${expected}, got ${show(u)}`)), t.identity)
}

/**
 * An object codec with required and optional fields that rejects unknown fields, naming them.
 * The two halves validate separately (not as a t.intersection), so error paths hold field
 * names only.
 */
export function strictObject<R extends t.Props, O extends t.Props>(name: string, required: R, optional: O) {
  const req = t.type(required)
  const opt = t.partial(optional)
  type A = t.TypeOf<typeof req> & t.TypeOf<typeof opt>
  const allowed = [...Object.keys(required), ...Object.keys(optional)]
  return new t.Type<A, A, unknown>(
    name,
    (u): u is A => req.is(u) && opt.is(u) && Object.keys(u).every((k) => allowed.includes(k)),
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c, `expected ${name} (an object), got ${show(u)}`)
      const a = req.validate(u, c)
      const b = opt.validate(u, c)
      const extra: t.ValidationError[] = Object.keys(u)
        .filter((k) => !allowed.includes(k))
        .map((k) => ({
          value: u[k],
          context: t.appendContext(c, k, t.never, u[k]),
          message: `unknown field '${k}' in ${name}; allowed fields: ${allowed.join(', ')}`,
        }))
      if (E.isRight(a) && E.isRight(b) && extra.length === 0) return t.success({ ...a.right, ...b.right })
      return t.failures([...(E.isLeft(a) ? a.left : []), ...(E.isLeft(b) ? b.left : []), ...extra])
    },
    t.identity,
  )
}

/**
 * How many entries of the context `codec` decodes: the nesting depth of a recursive codec, which
 * checks it before descending so that a deep or cyclic value is a failure, not a stack overflow.
 */
export function nesting(c: t.Context, codec: t.Decoder<unknown, unknown>): number {
  let n = 0
  for (let i = 0; i < c.length; i++) if (c[i].type === codec) n++
  return n
}

/** A dotted path, its middle elided past 24 keys (a deep path stays readable). */
export function pathText(keys: readonly string[]): string {
  if (keys.length <= 24) return keys.join('.')
  return `${keys.slice(0, 8).join('.')}.…(${keys.length - 16} more keys)….${keys.slice(-8).join('.')}`
}

/** `at layers.2.rate: expected …` for each error (the root entry has no key), duplicates dropped. */
export function report(errors: t.Errors): string {
  const lines = errors.map((e) => {
    const path = pathText(e.context.slice(1).map((entry) => entry.key))
    const last = e.context[e.context.length - 1]
    return `at ${path === '' ? '<root>' : path}: ${e.message ?? `expected ${last?.type.name ?? 'a valid value'}, got ${show(e.value)}`}`
  })
  return [...new Set(lines)].join('; ')
}

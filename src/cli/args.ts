/**
 * Command-line flags: `--name value`, `--name=value` and boolean `--name`, checked against the
 * flags a command declares. Integers are plain decimal digits within the flag's bounds (`0x2`,
 * `1e20`, `1.0`, `-3` are refused with the accepted range). Any mistake is a `CliError`, printed
 * as one line by main.ts.
 *
 * @internal
 */

/** An error meant for the user: main.ts prints its message alone, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** An integer flag accepting `min … max`. */
export interface IntFlag {
  readonly min: number
  readonly max: number
}

/** An integer flag from `min` to `max` (both included, safe integers). */
export const int = (min: number, max: number): IntFlag => ({ min, max })

/** The kind of each flag a command accepts. */
export type FlagKinds = Readonly<Record<string, 'boolean' | 'string' | IntFlag>>

/** Parsed flags. */
export type Flags = Readonly<Record<string, string | number | boolean | undefined>>

const fmt = (n: number): string => (n >= 10_000 ? n.toLocaleString('en-US') : String(n))

/** The value of an integer flag: decimal digits only, within `kind`'s bounds; else a CliError giving the range. */
export function parseInt10(command: string, name: string, value: string, kind: IntFlag): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < kind.min || n > kind.max) {
    throw new CliError(`${command}: --${name} needs an integer from ${fmt(kind.min)} to ${fmt(kind.max)} written in decimal digits, got '${value}'`)
  }
  return n
}

/** Parses `argv` against `kinds`; positional arguments are an error, and so is a flag given twice. */
export function parseFlags(command: string, argv: readonly string[], kinds: FlagKinds): Flags {
  const out: Record<string, string | number | boolean> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('--')) throw new CliError(`${command}: unexpected argument '${arg}' (see purediff ${command} --help)`)
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq)
    const kind = Object.hasOwn(kinds, name) ? kinds[name] : undefined
    if (kind === undefined) throw new CliError(`${command}: unknown flag '--${name}' (see purediff ${command} --help)`)
    if (Object.hasOwn(out, name)) throw new CliError(`${command}: flag '--${name}' is given twice`)
    if (kind === 'boolean') {
      if (eq >= 0) throw new CliError(`${command}: flag '--${name}' takes no value`)
      out[name] = true
      continue
    }
    let value: string | undefined
    if (eq >= 0) value = arg.slice(eq + 1)
    else {
      value = argv[i + 1]
      i++
    }
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new CliError(`${command}: flag '--${name}' needs a value`)
    out[name] = kind === 'string' ? value : parseInt10(command, name, value, kind)
  }
  return out
}

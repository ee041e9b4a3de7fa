/**
 * Command-line flags: `--name value`, `--name=value` and boolean `--name`, checked against the
 * flags a command declares. Any mistake is a `CliError`, printed as one line by main.ts.
 *
 * @internal
 */

/** An error meant for the user: main.ts prints its message alone, no stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message)
    this.name = 'CliError'
  }
}

/** The kind of each flag a command accepts. */
export type FlagKinds = Readonly<Record<string, 'boolean' | 'string' | 'int'>>

/** Parsed flags. */
export type Flags = Readonly<Record<string, string | number | boolean | undefined>>

/** Parses `argv` against `kinds`; positional arguments are an error. */
export function parseFlags(command: string, argv: readonly string[], kinds: FlagKinds): Flags {
  const out: Record<string, string | number | boolean> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('--')) throw new CliError(`${command}: unexpected argument '${arg}' (see purediff ${command} --help)`)
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq)
    const kind = kinds[name]
    if (kind === undefined) throw new CliError(`${command}: unknown flag '--${name}' (see purediff ${command} --help)`)
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
    if (kind === 'int') {
      const n = Number(value)
      if (!Number.isInteger(n) || n < 0) throw new CliError(`${command}: flag '--${name}' needs a non-negative integer, got '${value}'`)
      out[name] = n
    } else out[name] = value
  }
  return out
}

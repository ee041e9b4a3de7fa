/**
 * Flag parsing: integers are plain decimal digits within each flag's bounds — `0x2`, `1e20`,
 * `1.0`, `-3`, `+5`, ` 7` are refused with a message giving the accepted range — and unknown
 * flags, missing values, flags given twice and positional arguments are CliErrors.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CliError, int, parseFlags } from '../../src/cli/args.js'

const kinds = { epochs: int(1, 1_000_000), seed: int(0, 2 ** 32 - 1), name: 'string', force: 'boolean' } as const
const parse = (...argv: string[]) => parseFlags('train', argv, kinds)
const error = (...argv: string[]): string => {
  try {
    parse(...argv)
  } catch (e) {
    expect(e).toBeInstanceOf(CliError)
    return (e as Error).message
  }
  throw new Error(`accepted ${argv.join(' ')}`)
}

describe('integer flags', () => {
  it('accepts decimal digits within the bounds, in both spellings', () => {
    expect(parse('--epochs', '12', '--seed=0')).toEqual({ epochs: 12, seed: 0 })
    expect(parse('--seed', '4294967295').seed).toBe(2 ** 32 - 1)
    expect(parse('--epochs', '1000000').epochs).toBe(1e6)
    expect(parse('--epochs', '007').epochs).toBe(7)
  })

  it('refuses 0x2, 1e20, 1.0, signs, spaces and out-of-range values, giving the range', () => {
    expect(error('--epochs', '0')).toBe("train: --epochs needs an integer from 1 to 1,000,000 written in decimal digits, got '0'")
    for (const bad of ['0x2', '1e3', '1.0', '-3', '+5', ' 7', '7 ', '1_000', 'Infinity', 'NaN', '٣', '1000001', '9'.repeat(400)]) {
      expect(error('--epochs', bad)).toMatch(/--epochs needs an integer from 1 to 1,000,000 written in decimal digits, got '/)
    }
    expect(error('--seed', '1e20')).toBe("train: --seed needs an integer from 0 to 4,294,967,295 written in decimal digits, got '1e20'")
    expect(error('--seed', '4294967296')).toMatch(/from 0 to 4,294,967,295/)
  })

  it('a string is accepted exactly when it is decimal digits whose value is within the bounds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9]{1,9}$/), fc.integer({ min: -5, max: 2e6 }).map(String)), (s) => {
        const ok = /^[0-9]+$/.test(s) && Number(s) >= 1 && Number(s) <= 1e6
        if (ok) expect(parse('--epochs', s).epochs).toBe(Number(s))
        else if (s !== '' && !s.startsWith('--')) expect(error('--epochs', s)).toMatch(/--epochs needs an integer/)
      }),
      { numRuns: 300 },
    )
  })
})

describe('other flag mistakes', () => {
  it('unknown flags (also prototype names), missing values, repeated flags, positional arguments', () => {
    expect(error('--bogus')).toMatch(/unknown flag '--bogus'/)
    expect(error('--constructor', 'x')).toMatch(/unknown flag '--constructor'/)
    expect(error('--name')).toMatch(/flag '--name' needs a value/)
    expect(error('--name', '--force')).toMatch(/flag '--name' needs a value/)
    expect(error('--force=yes')).toMatch(/takes no value/)
    expect(error('--epochs', '2', '--epochs', '3')).toMatch(/flag '--epochs' is given twice/)
    expect(error('model.json')).toMatch(/unexpected argument 'model\.json'/)
  })
})

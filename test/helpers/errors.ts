/**
 * Shared by the error tests: what a call threw, and the check that it is a purediff error of
 * the expected class whose message names every given part.
 */
import { expect } from 'vitest'
import { PurediffError } from '../../src/index.js'

/** Runs f and returns what it threw; fails when it throws nothing. */
export function thrown(f: () => unknown): Error {
  try {
    f()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a throw')
}

/** f throws a `cls` (a PurediffError) whose message contains each string and matches each RegExp. */
export function expectError(f: () => unknown, cls: new (...a: never[]) => Error, ...parts: (string | RegExp)[]): void {
  const e = thrown(f)
  expect(e).toBeInstanceOf(cls)
  expect(e).toBeInstanceOf(PurediffError)
  for (const p of parts) {
    if (typeof p === 'string') expect(e.message).toContain(p)
    else expect(e.message).toMatch(p)
  }
}

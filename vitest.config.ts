import { defineConfig } from 'vitest/config'

// Vitest 5's reporter calls Map.groupBy (Node ≥ 21) when it prints failures; Node 20 lacks it.
// Polyfill it in the main process, where reporters run, so failures are reported, not crashed on.
if (typeof (Map as unknown as { groupBy?: unknown }).groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', {
    configurable: true,
    writable: true,
    value: <K, T>(items: Iterable<T>, key: (item: T, index: number) => K): Map<K, T[]> => {
      const out = new Map<K, T[]>()
      let i = 0
      for (const item of items) {
        const k = key(item, i++)
        const list = out.get(k)
        if (list) list.push(item)
        else out.set(k, [item])
      }
      return out
    },
  })
}

const here = (p: string): string => new URL(p, import.meta.url).pathname

export default defineConfig({
  // Docs examples import the package by name, as users do; point the names at the sources.
  resolve: {
    alias: [
      { find: /^purediff$/, replacement: here('./src/index.ts') },
      { find: /^purediff\/laws$/, replacement: here('./laws/index.ts') },
      { find: /^purediff\/(nn|optim|train|io|testing)$/, replacement: here('./src/$1/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})

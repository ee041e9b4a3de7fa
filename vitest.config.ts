import { defineConfig } from 'vitest/config'

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

/**
 * The VitePress site: the lecture's guide pages in lecture order, and the API reference that
 * docs/scripts/api.ts generates from the doc comments into docs/api (with its own sidebar).
 * The package's names ('purediff', 'purediff/nn', …) resolve to the sources, so the live page
 * bundles the library exactly as a user's app would, and only what it imports.
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig, type DefaultTheme } from 'vitepress'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))

// Written by TypeDoc (typedoc-vitepress-theme); absent until `npm run docs:api` has run.
const apiSidebarFile = here('../api/typedoc-sidebar.json')
const apiSidebar: DefaultTheme.SidebarItem[] = existsSync(apiSidebarFile) ? (JSON.parse(readFileSync(apiSidebarFile, 'utf8')) as DefaultTheme.SidebarItem[]) : []

const guide = (text: string, slug: string): DefaultTheme.SidebarItem => ({ text, link: `/guide/${slug}` })

const sidebar: DefaultTheme.SidebarItem[] = [
  {
    text: 'Start',
    items: [
      guide('Getting started', 'getting-started'),
      guide('Train a model in your browser', 'live'),
      guide('Tensors and immutability', 'tensors'),
      guide('Indexing and dtypes', 'indexing'),
      guide('Autodiff', 'autodiff'),
      guide('vmap and per-example gradients', 'vmap'),
    ],
  },
  {
    text: 'Tips for training deep networks',
    items: [
      guide('The recipe of deep learning', 'recipe'),
      guide('The vanishing gradient', 'vanishing-gradient'),
      guide('ReLU, its family, and Maxout', 'relu-family'),
      guide('Adaptive learning rates', 'adaptive-learning-rates'),
      guide('Early stopping', 'early-stopping'),
      guide('L1 vs L2 regularisation', 'regularization'),
      guide('Dropout', 'dropout'),
    ],
  },
  {
    text: 'Images',
    items: [guide('Convolutions', 'convolutions')],
  },
  {
    text: 'Tools',
    items: [
      guide('Property testing your code', 'property-testing'),
      guide('Checkpoints and configs', 'checkpoints'),
      guide('Comparison with TF.js and JAX', 'comparison'),
      guide('Architecture', 'architecture'),
    ],
  },
]

// Guide pages list the API's modules; API pages get the whole generated tree (~300 entries,
// too heavy to repeat on every guide page).
const guideSidebar: DefaultTheme.SidebarItem[] = [
  ...sidebar,
  { text: 'API reference', link: '/api/', collapsed: true, items: apiSidebar.map(({ text, link }) => ({ text, link })) },
]
const apiSidebarFull: DefaultTheme.SidebarItem[] = [
  { text: 'Guide', collapsed: true, items: sidebar.flatMap((g) => g.items ?? []) },
  { text: 'API reference', link: '/api/', items: apiSidebar },
]

export default defineConfig({
  title: 'purediff',
  description: 'Functional, immutable, reverse-mode autodiff for TypeScript, with the lecture "tips for training deep networks" as runnable pages.',
  // A sub-path deployment (e.g. GitHub Pages) sets DOCS_BASE=/purediff/.
  base: process.env.DOCS_BASE ?? '/',
  lang: 'en-GB',
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: `${process.env.DOCS_BASE ?? '/'}favicon.svg` }]],
  // Leave docs/examples and the build scripts out of the site: they are code, not pages.
  srcExclude: ['examples/**', 'scripts/**'],
  markdown: { math: true, lineNumbers: false },
  themeConfig: {
    logo: '/favicon.svg',
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Live', link: '/guide/live' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: { '/api/': apiSidebarFull, '/': guideSidebar },
    outline: [2, 3],
    search: { provider: 'local' },
  },
  vite: {
    // The local search index of ~300 API pages is one ~600 kB chunk, loaded only when searching.
    build: { chunkSizeWarningLimit: 1024 },
    resolve: {
      alias: [
        { find: /^purediff$/, replacement: here('../../src/index.ts') },
        { find: /^purediff\/laws$/, replacement: here('../../laws/index.ts') },
        { find: /^purediff\/(nn|optim|train|io|testing)$/, replacement: `${here('../../src')}/$1/index.ts` },
      ],
    },
  },
})

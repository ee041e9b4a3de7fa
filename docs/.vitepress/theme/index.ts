/**
 * The default theme plus the site's two components: the live trainer (docs/guide/live.md) and
 * the bench table (docs/guide/comparison.md).
 */
import type { Theme } from 'vitepress'
import DefaultTheme from 'vitepress/theme'
import BenchTable from './BenchTable.vue'
import LiveTrainer from './LiveTrainer.vue'

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('LiveTrainer', LiveTrainer)
    app.component('BenchTable', BenchTable)
  },
} satisfies Theme

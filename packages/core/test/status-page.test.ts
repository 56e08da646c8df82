// Issue 20: the service status page in core: the `statusPage` option, the page's answer and
// security headers, the disclosure policy on the page and its event stream, the stream's
// events (snapshot, change, pings, end at closing), no check run caused by the page, and the
// bound on the history's memory.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHealth, isHealthzError } from '@healthz/core'
import type { Health, HealthOptions, HealthResponse, StatusView } from '@healthz/core'
import { StatusHistory } from '../src/status-history.js'
import { countedCheck } from './helpers.js'

const cleanups: (() => void)[] = []
beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
  vi.useRealTimers()
})

function make(options: HealthOptions): Health {
  const health = createHealth({ shutdown: { signals: false, exit: false }, runtime: false, ...options })
  cleanups.push(() => health.close())
  return health
}

/** An open event stream: the chunks written to it, whether it was ended, and its unsubscribe. */
interface OpenStream {
  chunks: string[]
  ended: boolean
  stop: () => void
  events(): { event: string; data: unknown }[]
}

function open(response: HealthResponse | undefined): OpenStream {
  if (response?.stream === undefined) throw new Error(`not a stream: ${response?.status}`)
  const state: OpenStream = {
    chunks: [],
    ended: false,
    stop: () => undefined,
    events: () =>
      state.chunks
        .join('')
        .split('\n\n')
        .filter((block) => /^(retry: \d+\n)?event: /.test(block))
        .map((block) => {
          const event = /event: (\w+)/.exec(block)?.[1] ?? ''
          const data = /\ndata: (.*)/.exec(block)?.[1] ?? 'null'
          return { event, data: JSON.parse(data) as unknown }
        }),
  }
  state.stop = response.stream({ write: (chunk) => state.chunks.push(chunk), end: () => void (state.ended = true) })
  return state
}

function expectInvalid(options: HealthOptions, message: RegExp): void {
  let error: unknown
  try {
    createHealth({ shutdown: { signals: false }, runtime: false, ...options })
  } catch (thrown) {
    error = thrown
  }
  expect(isHealthzError(error) ? error.code : error).toBe('INVALID_OPTION')
  expect((error as Error).message).toMatch(message)
}

describe('issue-20: the statusPage option', () => {
  it('issue-20: is off by default: no page, no route, no history', async () => {
    const health = make({ readiness: [{ name: 'db', run: () => undefined }] })
    expect(health.statusPage).toBeUndefined()
    expect(health.matches('/statusz')).toBe(false)
    expect(await health.handle({ path: '/statusz' })).toBeUndefined()
    expect(await health.handle({ path: '/statusz/events' })).toBeUndefined()
  })

  it('issue-20: true gives /statusz and a history of 100; a path and a history are taken, after the prefix', () => {
    const on = make({ statusPage: true })
    expect(on.statusPage).toMatchObject({ path: '/statusz', events: '/statusz/events', history: 100, subscribers: 0 })
    expect(on.matches('/statusz')).toBe(true)
    expect(on.matches('/statusz/events?x=1')).toBe(true)
    expect(on.matches('/statusz/other')).toBe(false)
    const custom = make({ prefix: '/health', statusPage: { path: '/status/', history: 5 } })
    expect(custom.statusPage).toMatchObject({ path: '/health/status', events: '/health/status/events', history: 5 })
    expect(make({ statusPage: false }).statusPage).toBeUndefined()
  })

  it('issue-20: refuses an unknown key, a wrong path, a path on a probe, a history out of range, and a value of the wrong type', () => {
    expectInvalid({ statusPage: { pth: '/s' } as never }, /statusPage: unknown option "pth"; did you mean "path"\?/)
    expectInvalid({ statusPage: { histroy: 5 } as never }, /did you mean "history"\?/)
    expectInvalid({ statusPage: { path: 'statusz' } }, /statusPage\.path must be a path like '\/statusz', got "statusz"/)
    expectInvalid({ statusPage: { path: '/' } }, /statusPage\.path must be a path/)
    expectInvalid({ statusPage: { path: '/readyz' } }, /collides with the readiness probe at \/readyz/)
    expectInvalid({ statusPage: { path: '/livez/page' } }, /collides with the liveness probe/)
    expectInvalid({ paths: { startup: '/statusz/events' }, statusPage: true }, /collides with the startup probe at \/statusz\/events/)
    expectInvalid({ statusPage: { history: 0 } }, /statusPage\.history must be a whole number from 1 to 10000, got 0/)
    expectInvalid({ statusPage: { history: 10_001 } }, /from 1 to 10000/)
    expectInvalid({ statusPage: { history: 1.5 } }, /whole number/)
    expectInvalid({ statusPage: 'yes' as never }, /statusPage must be true, false or an object/)
    expectInvalid({ statusPaeg: true } as never, /createHealth: unknown option "statusPaeg"; did you mean "statusPage"\?/)
  })
})

describe('issue-20: the page', () => {
  it('issue-20: answers GET with the page and its security headers (a fresh CSP nonce per response, used by the one style and the one script), HEAD without a body, 405 otherwise', async () => {
    const health = make({ service: { name: 'orders', version: '2.14.0' }, readiness: [{ name: 'db', run: () => undefined }], statusPage: true })
    const page = await health.handle({ path: '/statusz' })
    expect(page?.status).toBe(200)
    const headers = page?.headers ?? {}
    expect(headers['content-type']).toBe('text/html; charset=utf-8')
    expect(headers['cache-control']).toBe('no-store')
    expect(headers['x-content-type-options']).toBe('nosniff')
    expect(headers['referrer-policy']).toBe('no-referrer')
    expect(headers['content-length']).toBe(String(Buffer.byteLength(page?.body ?? '')))
    const csp = headers['content-security-policy'] ?? ''
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1]
    expect(nonce).toBeDefined()
    expect(csp).toBe(
      `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    )
    expect(csp).not.toMatch(/unsafe/)
    const body = page?.body ?? ''
    expect(body.match(/<script\b[^>]*>/g)).toEqual([`<script nonce="${nonce}">`])
    expect(body.match(/<style\b[^>]*>/g)).toEqual([`<style nonce="${nonce}">`])
    expect(body).not.toMatch(/ on[a-z]+=|style="|innerHTML|eval\(|new Function/)
    expect(body).toContain('<title>orders status</title>')
    expect(body).toContain('2.14.0')
    expect(body).toContain('data-events="statusz/events"')
    const again = await health.handle({ path: '/statusz' })
    expect(again?.headers['content-security-policy']).not.toContain(nonce)
    const head = await health.handle({ method: 'HEAD', path: '/statusz' })
    expect(head).toMatchObject({ status: 200, body: '' })
    expect(head?.headers['content-length']).toBe(again?.headers['content-length'])
    const post = await health.handle({ method: 'POST', path: '/statusz' })
    expect(post?.status).toBe(405)
    expect(post?.headers['allow']).toBe('GET, HEAD')
    expect((await health.handle({ method: 'DELETE', path: '/statusz/events' }))?.status).toBe(405)
    const slash = await health.handle({ path: '/statusz/?a=1' })
    expect(slash).toMatchObject({ status: 308, headers: { location: '../statusz?a=1' } })
  })

  it('issue-20: shows every probe and check, with states, durations, deadlines, the sparkline and the transition, each value escaped', async () => {
    const db = countedCheck('db', () => undefined, { timeout: 250, cache: 0 })
    const health = make({
      service: { name: '<b>orders</b>', version: '"><script>alert(1)</script>' },
      readiness: [db],
      liveness: [{ name: 'heap', kind: 'process', run: () => undefined }],
      details: 'always',
      statusPage: true,
    })
    health.markStarted()
    await health.probe('readiness')
    db.behave(() => {
      throw new Error('<img src=x onerror=alert(1)>')
    })
    await health.probe('readiness')
    const body = (await health.handle({ path: '/statusz' }))?.body ?? ''
    expect(body).not.toContain('<b>orders</b>')
    expect(body).toContain('&lt;b&gt;orders&lt;/b&gt;')
    expect(body).not.toContain('<script>alert')
    expect(body).not.toContain('<img')
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(body).toContain('data-check="db" data-state="fail"')
    expect(body).toContain('data-check="heap" data-state="pending"')
    expect(body).toContain('data-probe="readiness" data-state="fail"')
    expect(body).toContain('data-probe="liveness" data-state="pending"')
    expect(body).toContain('250 ms')
    expect(body).toContain('pass → fail')
    expect(body).toMatch(/<svg class="spark" role="img" aria-label="2 recent runs: [^"]*1 failed"/)
    expect(body).toContain('<circle class="spark-fail"')
    expect(body).toContain('href="readyz"')
  })

  it('issue-20: links and the event stream are relative to the page, so they hold under a prefix and a mount path', async () => {
    const health = make({ prefix: '/ops', paths: { readiness: '/ready' }, statusPage: { path: '/status/page' } })
    const body = (await health.handle({ path: '/ops/status/page' }))?.body ?? ''
    expect(body).toContain('data-events="page/events"')
    expect(body).toContain('href="../ready"')
    expect(body).toContain('href="../livez"')
  })
})

describe('issue-20: the details policy applies to the page and its stream exactly as to health+json', () => {
  const secret = 'connect ECONNREFUSED postgres://app:hunter2@db:5432/orders'
  const failing = () => [{ name: 'db', cache: 0, run: () => { throw new Error(secret) } }]

  it('issue-20: details withheld: no error text in the page or in any event, only "reason withheld", as in health+json', async () => {
    const health = make({ readiness: failing(), statusPage: true })
    health.markStarted()
    const stream = open(await health.handle({ path: '/statusz/events' }))
    const json = await health.handle({ path: '/readyz' })
    expect(json?.body).toContain('reason withheld')
    await vi.advanceTimersByTimeAsync(0)
    const page = await health.handle({ path: '/statusz' })
    for (const text of [page?.body ?? '', stream.chunks.join('')]) {
      expect(text).not.toContain('ECONNREFUSED')
      expect(text).not.toContain('hunter2')
      expect(text).not.toContain('postgres://')
      expect(text).toContain('reason withheld')
    }
    expect(stream.events().map((event) => event.event)).toEqual(['snapshot', 'change'])
  })

  it('issue-20: details always: the text is shown redacted of credentials, as in health+json', async () => {
    const health = make({ readiness: failing(), details: 'always', statusPage: true })
    health.markStarted()
    const stream = open(await health.handle({ path: '/statusz/events' }))
    const json = JSON.parse((await health.handle({ path: '/readyz' }))?.body ?? '{}') as { checks: Record<string, { output: string }[]> }
    const shown = json.checks['db:responseTime']?.[0]?.output
    expect(shown).toBe('connect ECONNREFUSED postgres://app:[redacted]@db:5432/orders')
    await vi.advanceTimersByTimeAsync(0)
    const page = (await health.handle({ path: '/statusz' }))?.body ?? ''
    expect(page).toContain('connect ECONNREFUSED postgres://app:[redacted]@db:5432/orders')
    const change = stream.events().at(-1)?.data as StatusView
    expect(change.checks[0]?.output).toBe(shown)
    expect(change.timeline.find((entry) => entry.subject === 'db')?.output).toBe(shown)
    for (const text of [page, stream.chunks.join('')]) expect(text).not.toContain('hunter2')
  })

  it('issue-20: a details function decides per request, for the page and for each stream, and one that throws withholds', async () => {
    const errors: Error[] = []
    const health = make({
      readiness: failing(),
      details: (request) => {
        if (request.headers?.['x-token'] === 'boom') throw new Error('policy broke')
        return request.headers?.['x-token'] === 'letmein'
      },
      onError: (error) => errors.push(error),
      statusPage: true,
    })
    health.markStarted()
    await health.probe('readiness')
    const allowed = (await health.handle({ path: '/statusz', headers: { 'x-token': 'letmein' } }))?.body ?? ''
    const refused = (await health.handle({ path: '/statusz', headers: { 'x-token': 'nope' } }))?.body ?? ''
    const broken = (await health.handle({ path: '/statusz', headers: { 'x-token': 'boom' } }))?.body ?? ''
    expect(allowed).toContain('ECONNREFUSED')
    expect(refused).not.toContain('ECONNREFUSED')
    expect(broken).not.toContain('ECONNREFUSED')
    expect(errors.map((error) => error.message)).toEqual(['policy broke'])
    const insider = open(await health.handle({ path: '/statusz/events', headers: { 'x-token': 'letmein' } }))
    const outsider = open(await health.handle({ path: '/statusz/events' }))
    await health.probe('readiness')
    await vi.advanceTimersByTimeAsync(0)
    expect(insider.chunks.join('')).toContain('ECONNREFUSED')
    expect(outsider.chunks.join('')).not.toContain('ECONNREFUSED')
    expect(outsider.events().map((event) => event.event)).toEqual(['snapshot', 'change'])
  })
})

describe('issue-20: the event stream', () => {
  it('issue-20: sends a snapshot first, one change event per probe that moves a check, pings every 15 s, and ends at closing', async () => {
    const db = countedCheck('db', () => undefined, { cache: 0 })
    const health = make({ readiness: [db], statusPage: true })
    health.markStarted()
    const response = await health.handle({ path: '/statusz/events' })
    expect(response?.status).toBe(200)
    expect(response?.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(response?.headers['cache-control']).toBe('no-store')
    const stream = open(response)
    expect(health.statusPage?.subscribers).toBe(1)
    expect(stream.chunks[0]).toMatch(/^retry: 2000\nevent: snapshot\ndata: /)
    const first = stream.events()[0]?.data as StatusView
    expect(first.checks[0]).toMatchObject({ name: 'db', state: 'pending' })

    db.behave(() => {
      throw new Error('down')
    })
    await health.probe('readiness')
    await vi.advanceTimersByTimeAsync(0)
    const events = stream.events()
    expect(events.map((event) => event.event)).toEqual(['snapshot', 'change'])
    const change = events[1]?.data as StatusView
    expect(change.checks[0]).toMatchObject({ name: 'db', state: 'fail', last: { current: 'fail' } })
    expect(change.checks[0]?.last?.previous).toBeUndefined()
    expect(change.probes.find((probe) => probe.probe === 'readiness')?.state).toBe('fail')

    await vi.advanceTimersByTimeAsync(15_000)
    expect(stream.chunks.at(-1)).toBe(': ping\n\n')
    await vi.advanceTimersByTimeAsync(15_000)
    expect(stream.chunks.filter((chunk) => chunk === ': ping\n\n')).toHaveLength(2)

    const shutdown = health.shutdown()
    await vi.advanceTimersByTimeAsync(0)
    expect(stream.ended).toBe(true)
    expect(stream.events().at(-1)).toEqual({ event: 'end', data: { phase: 'closing' } })
    expect(health.statusPage?.subscribers).toBe(0)
    await shutdown
    const late = await health.handle({ path: '/statusz/events' })
    expect(late?.status).toBe(503)
    expect(late?.stream).toBeUndefined()
    // No ping timer is left behind.
    expect(vi.getTimerCount()).toBe(0)
  })

  it('issue-20: the draining phase is shown live; the stream stays open until closing', async () => {
    const health = make({ readiness: [{ name: 'db', run: () => undefined }], statusPage: true, shutdown: { signals: false, exit: false, drainDelay: 5_000 } })
    health.markStarted()
    const stream = open(await health.handle({ path: '/statusz/events' }))
    const shutdown = health.shutdown()
    await vi.advanceTimersByTimeAsync(0)
    expect(stream.ended).toBe(false)
    const draining = stream.events().at(-1)?.data as StatusView
    expect(draining.phase).toBe('draining')
    expect(draining.probes.find((probe) => probe.probe === 'readiness')?.state).toBe('fail')
    expect(draining.timeline[0]).toMatchObject({ kind: 'service', subject: 'phase', previous: 'running', current: 'draining' })
    await vi.advanceTimersByTimeAsync(5_000)
    expect(stream.ended).toBe(true)
    await shutdown
  })

  it('issue-20: unsubscribing drops the stream: the subscriber count goes back to 0 and no timer is left', async () => {
    const health = make({ statusPage: true })
    const streams = await Promise.all([1, 2, 3].map(async () => open(await health.handle({ path: '/statusz/events' }))))
    expect(health.statusPage?.subscribers).toBe(3)
    for (const stream of streams) stream.stop()
    expect(health.statusPage?.subscribers).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('issue-20: a sink that throws is dropped and reported, the others keep their stream', async () => {
    const errors: Error[] = []
    const health = make({ readiness: [{ name: 'db', cache: 0, run: () => undefined }], statusPage: true, onError: (error) => errors.push(error) })
    health.markStarted()
    const response = await health.handle({ path: '/statusz/events' })
    let calls = 0
    response?.stream?.({
      write: () => {
        calls += 1
        if (calls > 1) throw new Error('socket gone')
      },
      end: () => undefined,
    })
    const good = open(await health.handle({ path: '/statusz/events' }))
    expect(health.statusPage?.subscribers).toBe(2)
    await health.probe('readiness')
    await vi.advanceTimersByTimeAsync(0)
    expect(errors.map((error) => error.message)).toEqual(['socket gone'])
    expect(health.statusPage?.subscribers).toBe(1)
    expect(good.events().map((event) => event.event)).toEqual(['snapshot', 'change'])
  })
})

describe('issue-20: the page never runs a check', () => {
  it('issue-20: page loads and open streams over a minute add no check run; only probes do', async () => {
    const db = countedCheck('db', () => undefined, { cache: 0 })
    const cached = countedCheck('cache', () => undefined, { cache: 1_000 })
    const background = countedCheck('queue', () => undefined, { interval: 10_000, jitter: 0 })
    const health = make({ readiness: [db, cached, background], statusPage: true })
    health.markStarted()
    await vi.advanceTimersByTimeAsync(0)
    const before = [db.calls, cached.calls, background.calls]
    expect(before).toEqual([0, 0, 1])
    const streams = [open(await health.handle({ path: '/statusz/events' })), open(await health.handle({ path: '/statusz/events' }))]
    for (let second = 0; second < 60; second += 1) {
      await health.handle({ path: '/statusz' })
      await health.handle({ method: 'HEAD', path: '/statusz' })
      await vi.advanceTimersByTimeAsync(1_000)
    }
    // Each background run starts `interval` after the previous one settled: let the sixth settle.
    await vi.advanceTimersByTimeAsync(500)
    // The background check ran on its own timer (6 more runs in 60 s), exactly as without the page.
    expect([db.calls, cached.calls, background.calls]).toEqual([0, 0, 7])
    expect(streams[0]?.events().filter((event) => event.event === 'change')).toHaveLength(6)
    await health.probe('readiness')
    expect([db.calls, cached.calls]).toEqual([1, 1])
  })
})

describe('issue-20: the history is bounded', () => {
  it('issue-20: filled far past its bound (10,000 runs, 5,000 transitions of each check), it keeps `history` entries per list', async () => {
    const flip = countedCheck('flip', () => undefined, { cache: 0 })
    let fail = false
    flip.behave(() => {
      fail = !fail
      if (fail) throw new Error(`failure ${'x'.repeat(5_000)}`)
    })
    const steady = countedCheck('steady', () => undefined, { cache: 0 })
    const health = make({ readiness: [flip, steady], statusPage: { history: 20 }, details: 'always' })
    health.markStarted()
    for (let run = 0; run < 10_000; run += 1) await health.probe('readiness')
    expect(flip.calls).toBe(10_000)
    const stream = open(await health.handle({ path: '/statusz/events' }))
    const view = stream.events()[0]?.data as StatusView
    for (const check of view.checks) {
      expect(check.durations).toHaveLength(20)
      expect(check.outcomes).toHaveLength(20)
    }
    expect(view.checks[0]?.outcomes).toBe('fp'.repeat(10))
    expect(view.timeline).toHaveLength(20)
    // Transition text is cut, so a huge error cannot inflate the memory either.
    for (const entry of view.timeline) expect((entry.output ?? '').length).toBeLessThanOrEqual(160)
  })

  it('issue-20: the history object itself: rings never outgrow their capacity, and checks that are gone are forgotten', () => {
    const history = new StatusHistory(50, () => 0)
    for (let index = 0; index < 100_000; index += 1) {
      const name = `check-${index % 10}`
      history.record({ name, status: 'pass', observedValue: 1, observedUnit: 'ms', output: undefined, time: index, duration: 1, error: undefined })
      history.change({ type: 'check', name, previous: 'pass', current: 'fail', result: { name, status: 'fail', observedValue: 1, observedUnit: 'ms', output: 'y'.repeat(1_000), time: index, duration: 1, error: undefined } })
      history.change({ type: 'probe', probe: 'readiness', previous: 'pass', current: 'fail' })
      history.change({ type: 'phase', previous: 'running', current: 'draining' })
    }
    // 10 checks × (samples + transitions) + 1 probe + the service: 22 rings of at most 50.
    expect(history.size()).toEqual({ rings: 22, entries: 22 * 50 })
    expect(history.timeline()).toHaveLength(50)
    expect(history.samplesOf('check-3').at(-1)?.time).toBe(99_993)
    history.keep(new Set(['check-1']))
    expect(history.size()).toEqual({ rings: 4, entries: 4 * 50 })
  })

  it('issue-20: a stopped watchdog\'s history is forgotten', async () => {
    const health = make({ statusPage: true })
    health.markStarted()
    const dog = health.watchdog('loop', { timeout: 1_000 })
    await health.probe('liveness')
    const before = (await health.handle({ path: '/statusz' }))?.body ?? ''
    expect(before).toContain('data-check="loop"')
    dog.stop()
    const stream = open(await health.handle({ path: '/statusz/events' }))
    const view = stream.events()[0]?.data as StatusView
    expect(view.checks.map((check) => check.name)).toEqual([])
    expect(view.timeline.filter((entry) => entry.kind === 'check')).toEqual([])
  })
})

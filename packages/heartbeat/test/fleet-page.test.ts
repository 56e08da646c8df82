// The fleet page over real HTTP (listen(0)), fed by a real monitor and real emitters on the
// memory transport: options refused at construction, the headers and the escaping of the
// page, and the event stream: a snapshot first, diffs batched, a killed member suspected then
// convicted, pings, the stream ended by close() and by a health object's shutdown, and no
// subscriber or monitor listener left behind.
import { get } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { createGunzip } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, isHealthzError, systemClock } from '@healthz/core'
import type { Clock } from '@healthz/core'
import { createHeartbeatMonitor, createMemoryTransport, phiAccrual, startHeartbeat } from '@healthz/heartbeat'
import type { HeartbeatEmitter, HeartbeatMonitor, MemberChangeEvent } from '@healthz/heartbeat'
import { createFleetPage } from '@healthz/heartbeat/http'
import type { FleetPage } from '@healthz/heartbeat/http'
import { openStream, serve } from './fleet-stream.js'
import { waitFor } from './helpers.js'

const INTERVAL = 100
const detector = phiAccrual({ expectedInterval: INTERVAL, acceptableHeartbeatPause: 200, minStdDeviation: 50 })

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await Promise.resolve(step()).catch(() => undefined)
})

type Row = [string, string, string, string, number, number, number, number, string]
interface Snapshot {
  now: number
  counts: Record<string, number>
  rows: Row[]
  transitions: unknown[]
}
interface Diff {
  now: number
  counts: Record<string, number>
  upsert: Row[]
  remove: string[]
  transitions: Array<[number, string, string, string, string]>
}

/** A monitor on the memory transport, `n` emitters and a fleet page served on listen(0). */
async function fleet(n: number, pageOptions: Parameters<typeof createFleetPage>[1] = {}, monitorOptions: Omit<Parameters<typeof createHeartbeatMonitor>[0], 'transport'> = {}) {
  const transport = createMemoryTransport()
  const monitor = createHeartbeatMonitor({ transport, detector, deadAfter: 400, checkInterval: 20, runtime: false, ...monitorOptions })
  cleanup.push(() => monitor.close())
  await monitor.ready()
  const emitters = new Map<string, HeartbeatEmitter>()
  for (let i = 0; i < n; i += 1) {
    const nodeId = `node-${String(i).padStart(3, '0')}`
    emitters.set(nodeId, startHeartbeat({ nodeId, transport, interval: INTERVAL, metadata: { zone: `z${i % 3}` } }))
  }
  cleanup.push(() => Promise.all(Array.from(emitters.values(), (emitter) => emitter.stop({ leave: false }))))
  await waitFor(() => monitor.members().length === n, `${n} members`)
  const page = createFleetPage(monitor, pageOptions)
  cleanup.push(() => page.close())
  const server = await serve((req, res) => page.handler(req, res))
  cleanup.push(() => server.close())
  return { transport, monitor, emitters, page, base: server.base }
}

function refusal(make: () => unknown): Error {
  let caught: unknown
  try {
    make()
  } catch (error) {
    caught = error
  }
  expect(isHealthzError(caught) && caught.code === 'INVALID_OPTION', `expected INVALID_OPTION, got ${String(caught)}`).toBe(true)
  return caught as Error
}

describe('createFleetPage options', () => {
  it('refuses unknown keys, bad values and a monitor that is not one, at construction', async () => {
    const monitor = createHeartbeatMonitor({ transport: createMemoryTransport(), runtime: false })
    cleanup.push(() => monitor.close())
    const cases: Array<[() => unknown, RegExp]> = [
      [() => createFleetPage(monitor, { paht: '/fleet' } as never), /createFleetPage: unknown option "paht"; did you mean "path"\?/],
      [() => createFleetPage(monitor, { batchIntervall: 100 } as never), /did you mean "batchInterval"\?/],
      [() => createFleetPage(monitor, { path: 'fleet' }), /path must start with '\/'/],
      [() => createFleetPage(monitor, { path: '/fleet?x=1' }), /path must start with '\/' and hold no query/],
      [() => createFleetPage(monitor, { batchInterval: 0 }), /batchInterval must be a number of milliseconds above 0/],
      [() => createFleetPage(monitor, { refreshInterval: -1 }), /refreshInterval must be/],
      [() => createFleetPage(monitor, { staticRows: 1.5 }), /staticRows must be a whole number from 0 to 10000/],
      [() => createFleetPage(monitor, { authorize: 'yes' as never }), /authorize must be a function \(req\) => boolean/],
      [() => createFleetPage(monitor, { title: '' }), /title must be a string of 1 to 200 characters/],
      [() => createFleetPage(monitor, { health: {} as never }), /health must be the object createHealth\(\) returns/],
      [() => createFleetPage({} as never), /needs the monitor createHeartbeatMonitor\(\) returns/],
    ]
    for (const [make, message] of cases) expect(refusal(make).message).toMatch(message)
  })
})

describe('the fleet page over HTTP', () => {
  it('serves one self-contained page with a per-response CSP nonce and the security headers', async () => {
    const { base } = await fleet(3)
    const first = await fetch(`${base}/fleet`)
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(first.headers.get('x-content-type-options')).toBe('nosniff')
    expect(first.headers.get('referrer-policy')).toBe('no-referrer')
    expect(first.headers.get('cache-control')).toBe('no-store')
    const csp = first.headers.get('content-security-policy') ?? ''
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1]
    expect(nonce).toBeDefined()
    expect(csp).toBe(`default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`)
    const html = await first.text()
    // Every inline block carries the nonce; no inline handler, no external resource.
    expect(html.match(/<script\b[^>]*>/g)).toEqual([`<script nonce="${nonce}">`])
    expect(html.match(/<style\b[^>]*>/g)).toEqual([`<style nonce="${nonce}">`])
    expect(html).not.toMatch(/\son[a-z]+=/i)
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//)
    expect(html).toContain('data-events="fleet/events"')
    // The static snapshot: counts and every member (3 alive, fewer than staticRows).
    expect(html).toMatch(/<span class="n">3<\/span> alive/)
    for (const nodeId of ['node-000', 'node-001', 'node-002']) expect(html).toContain(`<th scope="row">${nodeId}</th>`)
    const second = await fetch(`${base}/fleet`)
    expect(second.headers.get('content-security-policy')).not.toContain(nonce)
    await second.text()
    const head = await fetch(`${base}/fleet`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  it('answers 405, 401 and 404 and passes other paths to next', async () => {
    const transport = createMemoryTransport()
    const monitor = createHeartbeatMonitor({ transport, runtime: false })
    cleanup.push(() => monitor.close())
    const page = createFleetPage(monitor, { path: '/ops/fleet', authorize: (req) => req.headers.authorization === 'Bearer t' })
    cleanup.push(() => page.close())
    let passed = 0
    const withNext = await serve((req, res) =>
      page.handler(req, res, () => {
        passed += 1
        res.end('app')
      }),
    )
    cleanup.push(() => withNext.close())
    const auth = { authorization: 'Bearer t' }
    expect((await fetch(`${withNext.base}/ops/fleet`, { headers: auth })).status).toBe(200)
    expect((await fetch(`${withNext.base}/ops/fleet`)).status).toBe(401)
    expect((await fetch(`${withNext.base}/ops/fleet/events`, { headers: { authorization: 'Bearer x' } })).status).toBe(401)
    const post = await fetch(`${withNext.base}/ops/fleet`, { method: 'POST', headers: auth })
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
    const headEvents = await fetch(`${withNext.base}/ops/fleet/events`, { method: 'HEAD', headers: auth })
    expect([headEvents.status, headEvents.headers.get('allow')]).toEqual([405, 'GET'])
    expect(await (await fetch(`${withNext.base}/orders`)).text()).toBe('app')
    expect(await (await fetch(`${withNext.base}/ops/fleet/other`)).text()).toBe('app')
    expect(passed).toBe(2)
    const alone = await serve((req, res) => page.handler(req, res))
    cleanup.push(() => alone.close())
    expect((await fetch(`${alone.base}/orders`)).status).toBe(404)
  })

  it('escapes every value: node ids, metadata and statuses are text in the page', async () => {
    const transport = createMemoryTransport()
    const monitor = createHeartbeatMonitor({ transport, runtime: false })
    cleanup.push(() => monitor.close())
    const evil = '<img src=x onerror=alert(1)>'
    const emitter = startHeartbeat({ nodeId: `${evil}"'&`, transport, metadata: { note: '</script><script>alert(2)</script>' } })
    cleanup.push(() => emitter.stop({ leave: false }))
    await waitFor(() => monitor.members().length === 1, 'the member')
    const page = createFleetPage(monitor)
    cleanup.push(() => page.close())
    const server = await serve((req, res) => page.handler(req, res))
    cleanup.push(() => server.close())
    const html = await (await fetch(`${server.base}/fleet`)).text()
    expect(html).not.toContain('<img')
    expect(html).not.toContain('</script><script>')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;')
    expect(html).toContain('note=&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;')
  })
})

describe('the fleet page event stream', () => {
  it('sends a snapshot first, then batched diffs: a killed member turns suspect, then dead, then is removed when forgotten', async () => {
    // A wide deviation: φ takes about 1.2 s to climb from 1 to the threshold, so the refresh
    // (every 100 ms) shows the late member's rising φ before it is suspected.
    const slowClimb = phiAccrual({ expectedInterval: INTERVAL, acceptableHeartbeatPause: 200, minStdDeviation: 300 })
    const { page, base, emitters, monitor } = await fleet(20, { batchInterval: 100, refreshInterval: 100 }, { detector: slowClimb, deadAfter: 600, forgetAfter: 1000 })
    const stream = await openStream(`${base}/fleet/events`)
    cleanup.push(() => stream.abort())
    expect(stream.status).toBe(200)
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(stream.headers.get('cache-control')).toBe('no-store')
    const snapshot = JSON.parse((await stream.next('snapshot')).data) as Snapshot
    expect(stream.events[0]?.event).toBe('snapshot')
    expect(snapshot.rows).toHaveLength(20)
    expect(snapshot.counts).toEqual({ alive: 20, suspect: 0, dead: 0, left: 0 })
    // [nodeId, state, status, last transition ('' when it happened before the page was created), …]
    expect(snapshot.rows.find((row) => row[0] === 'node-007')?.slice(0, 4)).toEqual(['node-007', 'alive', 'pass', ''])
    await waitFor(() => page.stats().subscribers === 1, 'one subscriber')

    await emitters.get('node-007')?.stop({ leave: false })
    const seen: string[] = []
    const latePhis: number[] = []
    await waitFor(
      () => {
        for (const event of stream.events.splice(1)) {
          if (event.event !== 'diff') continue
          const diff = JSON.parse(event.data) as Diff
          for (const row of diff.upsert) {
            if (row[0] !== 'node-007') continue
            if (row[1] === 'alive') latePhis.push(row[7])
            if (seen.at(-1) !== row[1]) seen.push(row[1])
          }
        }
        return seen.at(-1) === 'dead'
      },
      'node-007 dead in the stream',
      6000,
    )
    // Before the suspicion, the refresh sent its rising φ while it was still alive (late).
    expect(seen).toEqual(['alive', 'suspect', 'dead'])
    expect(latePhis.length).toBeGreaterThan(0)
    for (const phi of latePhis) expect(phi).toBeGreaterThanOrEqual(1)
    expect(monitor.member('node-007')?.state).toBe('dead')
    // The monitor forgets it after forgetAfter without an event: the page's sweep notices.
    let counts: Record<string, number> = {}
    await waitFor(
      () =>
        stream.events.splice(1).some((event) => {
          if (event.event !== 'diff') return false
          const diff = JSON.parse(event.data) as Diff
          counts = diff.counts
          return diff.remove.includes('node-007')
        }),
      'node-007 removed from the page',
      5000,
    )
    expect(monitor.member('node-007')).toBeUndefined()
    expect(counts).toEqual({ alive: 19, suspect: 0, dead: 0, left: 0 })
    expect(page.stats().members).toBe(19)
  }, 15_000)

  it('coalesces a burst of changes into few diffs, and re-serialises only the rows that changed', async () => {
    const { page, base, transport } = await fleet(50, { batchInterval: 250 })
    const stream = await openStream(`${base}/fleet/events`)
    cleanup.push(() => stream.abort())
    await stream.next('snapshot')
    const before = page.stats().rowsSerialised
    // 300 nodes join at once: 300 change events.
    const joiners = Array.from({ length: 300 }, (_, i) => startHeartbeat({ nodeId: `burst-${i}`, transport, interval: INTERVAL }))
    cleanup.push(() => Promise.all(joiners.map((emitter) => emitter.stop({ leave: false }))))
    const joined = new Set<string>()
    let counts: Record<string, number> = {}
    await waitFor(
      () => {
        for (const event of stream.events) {
          if (event.event !== 'diff') continue
          const diff = JSON.parse(event.data) as Diff
          for (const row of diff.upsert) if (row[0].startsWith('burst-')) joined.add(row[0])
          counts = diff.counts
        }
        return joined.size === 300
      },
      '300 joins in the stream',
    )
    const diffs = stream.events.filter((event) => event.event === 'diff').length
    expect(diffs).toBeLessThanOrEqual(4) // one per 250 ms batch, not 300
    expect(counts.alive).toBe(350)
    // Each joiner serialised once or twice (joined, and a φ refresh), the 50 others not at all.
    const serialised = page.stats().rowsSerialised - before
    expect(serialised).toBeGreaterThanOrEqual(300)
    expect(serialised).toBeLessThan(2 * 300)
  })

  it('compresses the page and the stream for clients that accept gzip, event by event', async () => {
    const { base } = await fleet(100)
    const request = (path: string, encoding?: string): Promise<IncomingMessage> =>
      new Promise((resolve, reject) => {
        const req = get(`${base}${path}`, { headers: encoding === undefined ? {} : { 'accept-encoding': encoding } }, resolve)
        req.on('error', reject)
        cleanup.push(() => req.destroy())
      })
    /** Reads the stream until its first event is whole; returns the bytes received and the event's text. */
    const firstEvent = (res: IncomingMessage, gzip: boolean): Promise<{ wire: number; text: string }> =>
      new Promise((resolve) => {
        let wire = 0
        let text = ''
        res.on('data', (chunk: Buffer) => {
          wire += chunk.length
        })
        const decoded = gzip ? res.pipe(createGunzip()) : res
        decoded.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8')
          if (text.includes('\n\n')) resolve({ wire, text })
        })
      })
    const plainStream = await request('/fleet/events')
    expect(plainStream.headers['content-encoding']).toBeUndefined()
    const plainEvent = await firstEvent(plainStream, false)
    const zipped = await request('/fleet/events', 'br, gzip;q=0.8')
    expect(zipped.headers['content-encoding']).toBe('gzip')
    expect(zipped.headers.vary).toBe('accept-encoding')
    // The snapshot arrives whole without waiting for more data: the compressor is flushed per event.
    const zippedEvent = await firstEvent(zipped, true)
    expect(zippedEvent.text.split('\n\n')[0]).toMatch(/^retry: 2000\nevent: snapshot\ndata: \{"now":\d+/)
    expect(zippedEvent.wire).toBeLessThan(plainEvent.wire / 4)
    const refused = await request('/fleet/events', 'gzip;q=0')
    expect(refused.headers['content-encoding']).toBeUndefined()
    const page = await request('/fleet', 'gzip')
    expect(page.headers['content-encoding']).toBe('gzip')
    page.resume()
  })

  it('pings idle streams, and leaves no subscriber and no timer behind when a client goes away', async () => {
    // The system clock, with its pending timers counted.
    let pending = 0
    const clock: Clock = {
      now: () => systemClock.now(),
      schedule(callback, ms) {
        let settled = false
        const settle = (): void => {
          if (!settled) pending -= 1
          settled = true
        }
        pending += 1
        const cancel = systemClock.schedule(() => {
          settle()
          callback()
        }, ms)
        return () => {
          settle()
          cancel()
        }
      },
    }
    const { page, base } = await fleet(2, { pingInterval: 50, clock })
    expect(pending).toBe(0) // nobody watches: no timer
    const a = await openStream(`${base}/fleet/events`)
    const b = await openStream(`${base}/fleet/events`)
    await a.next('snapshot')
    await b.next('snapshot')
    await waitFor(() => page.stats().subscribers === 2, 'two subscribers')
    await waitFor(() => a.comments >= 2, 'two pings')
    expect(pending).toBeGreaterThanOrEqual(2) // the refresh and the ping
    a.abort()
    await waitFor(() => page.stats().subscribers === 1, 'one subscriber after an abort')
    b.abort()
    await waitFor(() => page.stats().subscribers === 0, 'no subscriber')
    expect(pending).toBe(0)
  })

  it('close() ends every stream with an end event and stops listening to the monitor', async () => {
    const transport = createMemoryTransport()
    const real = createHeartbeatMonitor({ transport, runtime: false })
    cleanup.push(() => real.close())
    // The real monitor, with its change listeners counted.
    let listening = 0
    const monitor: HeartbeatMonitor = Object.assign(Object.create(real) as HeartbeatMonitor, {
      on: (event: 'change', listener: (event: MemberChangeEvent) => void) => {
        const off = real.on(event, listener)
        listening += 1
        return () => {
          listening -= 1
          off()
        }
      },
    })
    const page: FleetPage = createFleetPage(monitor)
    expect(listening).toBe(1)
    const server = await serve((req, res) => page.handler(req, res))
    cleanup.push(() => server.close())
    const stream = await openStream(`${server.base}/fleet/events`)
    await stream.next('snapshot')
    page.close()
    await stream.next('end')
    await waitFor(() => stream.ended, 'the stream ended by the server')
    expect(page.stats().subscribers).toBe(0)
    expect(listening).toBe(0)
    page.close() // idempotent
    // A closed page still shows its last view; its stream answers 204, which stops EventSource.
    expect((await fetch(`${server.base}/fleet`)).status).toBe(200)
    expect((await fetch(`${server.base}/fleet/events`)).status).toBe(204)
  })

  it("ends its streams when the health object's shutdown starts, so they do not hold the drain", async () => {
    const health = createHealth({ runtime: false, shutdown: { signals: false, drainDelay: 0, gracePeriod: 100, exit: false } })
    health.markStarted()
    const { base, page } = await fleet(2, { health })
    const stream = await openStream(`${base}/fleet/events`)
    await stream.next('snapshot')
    await health.shutdown()
    await stream.next('end')
    await waitFor(() => stream.ended, 'the stream ended at shutdown')
    expect(page.stats().subscribers).toBe(0)
  })
})

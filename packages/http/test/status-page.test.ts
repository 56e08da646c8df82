// Issue 20: the status page and its event stream through @healthz/http's one responder, on a
// real server and real sockets: the page, a live change, a client that goes away, a shutdown
// with a stream held open on a keep-alive connection, and no check run caused by the page.
import { once } from 'node:events'
import { Agent, request } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import type { Health, HealthOptions, StatusView } from '@healthz/core'
import { listen } from '@healthz/http'
import { call } from '../../../test-utils/client.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A check the test makes fail, and the count of its runs. */
interface Counted {
  calls: number
  fail: boolean
  readonly check: { name: string; cache: number; run: () => void }
}

function check(name: string, cache = 0): Counted {
  const state: Counted = {
    calls: 0,
    fail: false,
    check: {
      name,
      cache,
      run: () => {
        state.calls += 1
        if (state.fail) throw new Error(`${name} down: password=hunter2`)
      },
    },
  }
  return state
}

async function serve(options: HealthOptions): Promise<{ health: Health; server: Server; port: number }> {
  const health = createHealth({ shutdown: { signals: false, exit: false, gracePeriod: 3_000 }, runtime: false, statusPage: true, ...options })
  const server = await listen((_req, res) => res.writeHead(404).end('app\n'), health, { port: 0, host: '127.0.0.1' })
  cleanups.push(() => {
    health.close()
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  })
  return { health, server, port: (server.address() as AddressInfo).port }
}

/** A keep-open event-stream client over a real socket: the events it parsed, and how to leave. */
interface EventClient {
  response: IncomingMessage
  events: { event: string; data: unknown }[]
  raw: string
  ended: Promise<void>
  next(match: (event: { event: string; data: unknown }) => boolean): Promise<{ event: string; data: unknown }>
  close(): void
}

async function subscribe(port: number, path = '/statusz/events', agent: Agent | false = false): Promise<EventClient> {
  const req = request({ host: '127.0.0.1', port, path, agent, headers: { accept: 'text/event-stream' } })
  req.end()
  const [response] = (await once(req, 'response')) as [IncomingMessage]
  // Closing the client aborts the response: an error the test causes on purpose.
  response.on('error', () => undefined)
  const waiters: { match: (event: { event: string; data: unknown }) => boolean; resolve: (event: { event: string; data: unknown }) => void }[] = []
  const client: EventClient = {
    response,
    events: [],
    raw: '',
    ended: new Promise((resolve) => response.once('end', resolve)),
    next: (match) => {
      const seen = client.events.find(match)
      return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }))
    },
    close: () => req.destroy(),
  }
  let buffer = ''
  response.setEncoding('utf8')
  response.on('data', (chunk: string) => {
    client.raw += chunk
    buffer += chunk
    let end = buffer.indexOf('\n\n')
    while (end !== -1) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const name = /^event: (\w+)$/m.exec(block)?.[1]
      const data = /^data: (.*)$/m.exec(block)?.[1]
      if (name !== undefined && data !== undefined) {
        const event = { event: name, data: JSON.parse(data) as unknown }
        client.events.push(event)
        for (const waiter of waiters.filter((w) => w.match(event))) {
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve(event)
        }
      }
      end = buffer.indexOf('\n\n')
    }
  })
  response.resume()
  cleanups.push(() => req.destroy())
  return client
}

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 10))
  expect(condition()).toBe(true)
}

describe('issue-20: the status page over @healthz/http', () => {
  it('issue-20: serves the page with its headers, and a stream whose next event shows a check that failed, without a reload', async () => {
    const db = check('db')
    const { health, port } = await serve({ service: { name: 'orders' }, readiness: [db.check] })
    health.markStarted()
    const page = await call(port, '/statusz')
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'nonce-/)
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.body).toContain('<title>orders status</title>')
    expect((await call(port, '/other')).body).toBe('app\n')

    const stream = await subscribe(port)
    expect(stream.response.statusCode).toBe(200)
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(stream.response.headers['content-length']).toBeUndefined()
    await stream.next((event) => event.event === 'snapshot')
    db.fail = true
    expect((await call(port, '/readyz')).status).toBe(503)
    const change = await stream.next((event) => event.event === 'change')
    const view = change.data as StatusView
    expect(view.checks[0]).toMatchObject({ name: 'db', state: 'fail', output: 'reason withheld' })
    expect(stream.raw).not.toContain('hunter2')
    expect(stream.raw).not.toContain('db down')
  })

  it('issue-20: a client that goes away is unsubscribed: the count goes back to 0', async () => {
    const { health, port } = await serve({})
    const streams = await Promise.all([subscribe(port), subscribe(port), subscribe(port)])
    await until(() => health.statusPage?.subscribers === 3)
    for (const stream of streams) stream.close()
    await until(() => health.statusPage?.subscribers === 0)
  })

  it('issue-20: health.shutdown() ends an open stream on a keep-alive connection at closing, so the drain closes the server without waiting or destroying it', async () => {
    const db = check('db')
    const { health, server, port } = await serve({ readiness: [db.check] })
    health.markStarted()
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    cleanups.push(() => agent.destroy())
    // The same keep-alive socket serves a request first, then holds the stream.
    expect((await call(port, '/livez', { agent })).status).toBe(200)
    const stream = await subscribe(port, '/statusz/events', agent)
    await stream.next((event) => event.event === 'snapshot')
    const closed = once(server, 'close')
    const result = await health.shutdown()
    expect(result).toMatchObject({ closeFailures: 0, exitCode: 0 })
    await closed
    await stream.ended
    expect(stream.events.at(-1)).toEqual({ event: 'end', data: { phase: 'closing' } })
    expect(health.statusPage?.subscribers).toBe(0)
    expect(server.listening).toBe(false)
  })

  it('issue-20: page loads and an open stream for 2 s run no check; a probe runs each once', async () => {
    const db = check('db')
    const other = check('other', 60_000)
    const { health, port } = await serve({ readiness: [db.check, other.check] })
    health.markStarted()
    const stream = await subscribe(port)
    const started = Date.now()
    while (Date.now() - started < 2_000) {
      expect((await call(port, '/statusz')).status).toBe(200)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect([db.calls, other.calls]).toEqual([0, 0])
    expect(stream.events.map((event) => event.event)).toEqual(['snapshot'])
    await call(port, '/readyz')
    expect([db.calls, other.calls]).toEqual([1, 1])
  })
})

// Connection: close once the shutdown reaches `closing`, for the probes' answers and for the
// application's responses through withConnectionClose; and what the drain helpers refuse.
import { createServer } from 'node:http'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'
import { closeConnectionIfClosing, createFetchHandler, drainOnShutdown, withConnectionClose } from '@healthz/fetch'
import { afterEach, describe, expect, it } from 'vitest'

const healths: Health[] = []
afterEach(() => {
  for (const health of healths.splice(0)) health.close()
})

function healthOf(): Health {
  const health = createHealth({ shutdown: { signals: false, drainDelay: 50, gracePeriod: 1000 }, runtime: false })
  healths.push(health)
  health.markStarted()
  return health
}

/** Starts the shutdown and holds it at `closing` until the returned release is called. */
async function holdAtClosing(health: Health): Promise<{ release: () => Promise<unknown> }> {
  let release: () => void = () => undefined
  let reached: () => void = () => undefined
  const atClosing = new Promise<void>((resolve) => (reached = resolve))
  health.onClosing(() => {
    reached()
    return new Promise<void>((resolve) => (release = resolve))
  })
  const shutdown = health.shutdown()
  return {
    release: async () => {
      await atClosing
      release()
      return shutdown
    },
  }
}

const request = (path: string): Request => new Request(`http://127.0.0.1${path}`)

describe('Connection: close once closing', () => {
  it('leaves answers alone through the drain delay, and closes the connection from closing on', async () => {
    const health = healthOf()
    const probes = createFetchHandler(health)
    const app = withConnectionClose(health, () => new Response('app'))
    expect((await probes(request('/readyz')))?.headers.get('connection')).toBeNull()
    expect((await app(request('/orders'))).headers.get('connection')).toBeNull()
    const hold = await holdAtClosing(health)
    expect(health.phase).toBe('draining')
    const draining = await probes(request('/readyz'))
    expect(draining?.status).toBe(503)
    expect(draining?.headers.get('connection')).toBeNull()
    expect((await app(request('/orders'))).headers.get('connection')).toBeNull()
    await new Promise((resolve) => setTimeout(resolve, 100)) // past the drain delay
    expect(health.phase).toBe('closing')
    for (const path of ['/readyz', '/livez']) expect((await probes(request(path)))?.headers.get('connection'), path).toBe('close')
    const closing = await app(request('/orders'))
    expect(closing.headers.get('connection')).toBe('close')
    expect(await closing.text()).toBe('app')
    await hold.release()
    expect(health.phase).toBe('stopped')
    expect((await app(request('/orders'))).headers.get('connection')).toBe('close')
  })

  it('copies a response whose headers are immutable', async () => {
    const health = healthOf()
    const hold = await holdAtClosing(health)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const redirect = Response.redirect('http://127.0.0.1/elsewhere', 302)
    expect(() => redirect.headers.set('x', 'y')).toThrow()
    const closed = closeConnectionIfClosing(health, redirect)
    expect(closed).not.toBe(redirect)
    expect(closed.status).toBe(302)
    expect(closed.headers.get('location')).toBe('http://127.0.0.1/elsewhere')
    expect(closed.headers.get('connection')).toBe('close')
    await hold.release()
  })
})

describe('what the drain helpers refuse', () => {
  it('drainOnShutdown refuses a wrong health object, a node:http server and an object it cannot stop', () => {
    const health = healthOf()
    expect(() => drainOnShutdown({} as never, { stop: () => undefined })).toThrow(/^drainOnShutdown expects the object createHealth\(\) returns/)
    const node = createServer()
    expect(() => drainOnShutdown(health, node as never)).toThrow(/got a node:http server; use drainOnShutdown of @healthz\/http/)
    for (const server of [{}, undefined, { close: 1 }]) {
      try {
        drainOnShutdown(health, server as never)
        expect.unreachable()
      } catch (error) {
        expect((error as { code?: string }).code).toBe('INVALID_OPTION')
        expect((error as Error).message).toMatch(/Bun\.serve\(\), Deno\.serve\(\) or srvx's serve\(\).*when the platform owns the server, leave it out/)
      }
    }
  })

  it('withConnectionClose refuses anything but a health object and a function', () => {
    const health = healthOf()
    expect(() => withConnectionClose(health, 'app' as never)).toThrow(/withConnectionClose expects the object createHealth\(\) returns and the fetch handler to wrap.*got .* and "app"/)
    expect(() => withConnectionClose({} as never, () => new Response())).toThrow(/withConnectionClose expects/)
  })
})

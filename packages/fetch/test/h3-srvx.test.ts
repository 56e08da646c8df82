// The fetch handler in h3 2 and srvx 1 on real ports, without glue: as h3 middleware
// (`app.use((event) => probes(event.req))`, h3 moves on when a middleware resolves undefined)
// and as srvx's fetch. srvx on Node is a node:http server underneath (`server.node.server`):
// @healthz/http drains it with Connection: close; @healthz/fetch's drainOnShutdown drives its
// close(), and cuts at the grace period.
import { Agent } from 'node:http'
import type { Server as NodeServer } from 'node:http'
import { H3, serve as serveH3 } from 'h3'
import { serve } from 'srvx'
import type { Server } from 'srvx'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'
import { createFetchHandler, drainOnShutdown } from '@healthz/fetch'
import { drainOnShutdown as drainNodeServer } from '@healthz/http'
import { afterEach, describe, expect, it } from 'vitest'
import { call } from '../../../test-utils/client.js'

const servers: Server[] = []
const healths: Health[] = []
afterEach(async () => {
  for (const health of healths.splice(0)) health.close()
  await Promise.all(servers.splice(0).map((server) => server.close(true)))
})

const quiet = { port: 0, hostname: '127.0.0.1', silent: true, gracefulShutdown: false } as const

async function started(server: Server): Promise<number> {
  servers.push(server)
  await server.ready()
  return Number(new URL(server.url as string).port)
}

function healthOf(options: Parameters<typeof createHealth>[0] = {}): Health {
  const health = createHealth({ readiness: [{ name: 'db', run: () => undefined }], shutdown: { signals: false }, runtime: false, ...options })
  healths.push(health)
  return health
}

/** The app: authentication on everything, /orders, /orders/slow (300 ms). */
async function app(request: Request, seenByAuth: string[]): Promise<Response> {
  const url = new URL(request.url)
  seenByAuth.push(url.pathname)
  if (request.headers.get('authorization') !== 'Bearer secret') return Response.json({ error: 'unauthorized' }, { status: 401 })
  if (url.pathname === '/orders/slow') {
    await new Promise((resolve) => setTimeout(resolve, 300))
    return new Response('slow ok')
  }
  return url.pathname === '/orders' ? Response.json({ orders: [] }) : new Response('not found', { status: 404 })
}

describe('h3 2', () => {
  it('takes the handler as middleware ahead of its auth, with no glue; @healthz/http drains server.node.server', async () => {
    const health = healthOf()
    const probes = createFetchHandler(health)
    const seenByAuth: string[] = []
    const h3 = new H3()
    h3.use((event) => probes(event.req))
    h3.use((event) => {
      seenByAuth.push(event.url.pathname)
      if (event.req.headers.get('authorization') !== 'Bearer secret') return new Response('unauthorized', { status: 401 })
      return undefined
    })
    h3.get('/orders', () => ({ orders: [] }))
    const server = serveH3(h3, quiet)
    drainNodeServer(health, server.node?.server as NodeServer)
    const port = await started(server)
    expect((await call(port, '/readyz')).status).toBe(503) // not started
    health.markStarted()
    const ready = await call(port, '/readyz')
    expect(ready.status).toBe(200)
    expect(ready.headers['content-type']).toBe('application/health+json')
    expect((await call(port, '/readyz/db')).status).toBe(200)
    expect((await call(port, '/livez', { method: 'HEAD' })).body).toBe('')
    expect((await call(port, '/livez', { method: 'POST' })).headers.allow).toBe('GET, HEAD')
    expect(seenByAuth).toEqual([])
    expect((await call(port, '/orders')).status).toBe(401)
    expect((await call(port, '/orders', { headers: { authorization: 'Bearer secret' } })).body).toBe('{"orders":[]}')
    expect(seenByAuth).toEqual(['/orders', '/orders'])
    expect(await health.shutdown()).toMatchObject({ closeFailures: 0, exitCode: 0 })
    await expect(call(port, '/livez')).rejects.toThrow(/ECONNREFUSED/)
  })
})

describe('srvx 1', () => {
  it('serves the handler as its fetch; @healthz/http drains server.node.server with Connection: close', async () => {
    const health = healthOf({ shutdown: { signals: false, drainDelay: 100, gracePeriod: 5000 } })
    const probes = createFetchHandler(health)
    const seenByAuth: string[] = []
    const server = serve({ ...quiet, fetch: async (request) => (await probes(request)) ?? app(request, seenByAuth) })
    drainNodeServer(health, server.node?.server as NodeServer)
    const port = await started(server)
    health.markStarted()
    expect((await call(port, '/readyz')).status).toBe(200)
    expect(seenByAuth).toEqual([])
    const agent = new Agent({ keepAlive: true })
    try {
      const closing = health.shutdown()
      expect((await call(port, '/readyz', { agent })).status).toBe(503) // draining; the server still accepts
      const slow = call(port, '/orders/slow', { agent, headers: { authorization: 'Bearer secret' } }) // in flight when it closes
      const result = await closing
      const reply = await slow
      expect(reply).toMatchObject({ status: 200, body: 'slow ok' })
      expect(reply.headers.connection).toBe('close')
      expect(result).toMatchObject({ closeFailures: 0, exitCode: 0 })
    } finally {
      agent.destroy()
    }
  })

  it("drainOnShutdown of @healthz/fetch closes srvx's server after the in-flight requests", async () => {
    const health = healthOf({ shutdown: { signals: false, drainDelay: 0, gracePeriod: 5000 } })
    const server = serve({ ...quiet, fetch: (request) => app(request, []) })
    drainOnShutdown(health, server)
    const port = await started(server)
    const slow = call(port, '/orders/slow', { headers: { authorization: 'Bearer secret' } })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const result = await health.shutdown()
    expect(await slow).toMatchObject({ status: 200, body: 'slow ok' })
    expect(result).toMatchObject({ closeFailures: 0, exitCode: 0 })
    await expect(call(port, '/orders')).rejects.toThrow(/ECONNREFUSED/)
  })

  it('cuts what is still running at the grace period and reports SERVER_CLOSE_FAILED', async () => {
    const errors: Array<Error & { code?: string }> = []
    const health = healthOf({ shutdown: { signals: false, drainDelay: 0, gracePeriod: 100 }, onError: (error) => void errors.push(error) })
    const server = serve({ ...quiet, fetch: (request) => app(request, []) })
    drainOnShutdown(health, server)
    const port = await started(server)
    const slow = call(port, '/orders/slow', { headers: { authorization: 'Bearer secret' } }).then(
      () => 'answered',
      () => 'cut',
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    const result = await health.shutdown()
    expect(await slow).toBe('cut')
    expect(result).toMatchObject({ closeFailures: 1, exitCode: 1 })
    expect(errors.map((error) => error.code)).toEqual(['SERVER_CLOSE_FAILED'])
    expect(errors[0]?.message).toMatch(/still had requests in flight after gracePeriod 100 ms; their connections were closed/)
  })
})

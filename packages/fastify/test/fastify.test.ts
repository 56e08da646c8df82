// Fastify specifics on real Fastify 5 and 4.19 on listen(0), beyond the adapter contract: the
// probes out of reach of every hook, the request logger, @fastify/helmet and @fastify/rate-limit
// (serve: 'server'); what Fastify's routing does to the probe routes (serve: 'route');
// fastify.inject(); and a prefixed plugin context.
import { Writable } from 'node:stream'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'
import { healthz } from '@healthz/fastify'
import { call } from '../../../test-utils/client.js'
import { auth } from '../../../test-utils/contract.js'
import { addOrders, authenticate, versions } from './app.js'

const apps: FastifyInstance[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

function started(options: Parameters<typeof createHealth>[0] = {}): Health {
  const health = createHealth({ readiness: [{ name: 'db', run: () => undefined }], runtime: false, shutdown: { signals: false }, ...options })
  health.markStarted()
  return health
}

async function listening(app: FastifyInstance): Promise<number> {
  apps.push(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening on a port')
  return address.port
}

/** A log stream: every line Fastify's logger writes, parsed. */
function logLines(): { stream: Writable; lines: Array<{ msg?: string; req?: { url?: string }; [key: string]: unknown }> } {
  const lines: Array<{ msg?: string; req?: { url?: string } }> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as { msg?: string })
      done()
    },
  })
  return { stream, lines }
}

const PROBES: Array<[method: string, path: string, status: number]> = [
  ['GET', '/livez', 200],
  ['GET', '/readyz', 200],
  ['GET', '/startupz', 200],
  ['GET', '/readyz/db', 200],
  ['GET', '/readyz?exclude=db&verbose', 200],
  ['HEAD', '/readyz', 200],
  ['POST', '/livez', 405],
]

describe.each(versions)('%s', (name, Fastify) => {
  it("serve: 'server': no onRequest hook (before or after the plugin), onSend hook, logger, helmet or rate limiter sees a probe", async () => {
    const { stream, lines } = logLines()
    const app = Fastify({ logger: { level: 'info', stream } })
    const seenBefore: string[] = []
    const seenAfter: string[] = []
    const fastify5 = name === 'Fastify 5' // @fastify/helmet 13 and @fastify/rate-limit 11 need Fastify 5
    if (fastify5) {
      await app.register(helmet)
      await app.register(rateLimit, { max: 3, timeWindow: 60_000 })
    }
    app.addHook('onRequest', authenticate(seenBefore))
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('x-on-send', 'seen')
      return payload
    })
    await app.register(healthz, { health: started() })
    app.addHook('onRequest', authenticate(seenAfter))
    addOrders(app)
    const port = await listening(app)

    for (let round = 0; round < 5; round += 1) {
      for (const [method, path, status] of PROBES) {
        const reply = await call(port, path, { method })
        expect(reply.status, `${method} ${path}`).toBe(status)
        expect(reply.headers['x-on-send'], path).toBeUndefined()
        expect(reply.headers['x-ratelimit-limit'], path).toBeUndefined()
        expect(reply.headers['x-dns-prefetch-control'], path).toBeUndefined()
      }
    }
    expect(seenBefore).toEqual([])
    expect(seenAfter).toEqual([])
    expect(lines.filter((line) => /z(\/|\?|$)/.test(line.req?.url ?? ''))).toEqual([])

    // The app's routes do see all of it: the hooks, the logger, and (Fastify 5) helmet and the limiter.
    const orders = await call(port, '/orders', { headers: auth })
    expect(orders.status).toBe(200)
    expect(orders.headers['x-on-send']).toBe('seen')
    expect(seenBefore).toEqual(['/orders'])
    expect(seenAfter).toEqual(['/orders'])
    expect(lines.some((line) => line.req?.url === '/orders')).toBe(true)
    if (fastify5) {
      expect(orders.headers['x-dns-prefetch-control']).toBe('off')
      expect(orders.headers['x-ratelimit-limit']).toBe('3')
      await call(port, '/orders', { headers: auth })
      await call(port, '/orders', { headers: auth })
      expect((await call(port, '/orders', { headers: auth })).status).toBe(429)
      expect((await call(port, '/livez')).status).toBe(200) // the limit hit, the probes still answer
    }
  })

  it("serve: 'route': the probes are routes that log nothing and carry config.healthz for hooks to skip", async () => {
    const { stream, lines } = logLines()
    const app = Fastify({ logger: { level: 'info', stream } })
    const seen: string[] = []
    const guard = authenticate(seen)
    app.addHook('onRequest', async (request, reply) => {
      // Fastify 5: request.routeOptions.config; Fastify 4.19: request.routeConfig.
      const config = (request.routeOptions as { config?: { healthz?: boolean } }).config ?? (request as unknown as { routeConfig: { healthz?: boolean } }).routeConfig
      if (config.healthz === true) return
      await guard(request, reply)
    })
    await app.register(healthz, { health: started(), serve: 'route' })
    addOrders(app)
    const port = await listening(app)
    for (const [method, path, status] of PROBES) expect((await call(port, path, { method })).status, `${method} ${path}`).toBe(status)
    expect(seen).toEqual([])
    expect(lines.filter((line) => /z(\/|\?|$)/.test(line.req?.url ?? ''))).toEqual([])
    expect((await call(port, '/orders')).status).toBe(401)
    expect(seen).toEqual(['/orders'])
  })

  it("serve: 'route' follows Fastify's routing: ignoreTrailingSlash, caseSensitive: false, a prefixed plugin context", async () => {
    const app = Fastify({ ignoreTrailingSlash: true, caseSensitive: false })
    await app.register(
      async (api) => {
        await api.register(healthz, { health: started(), serve: 'route' })
      },
      { prefix: '/api' },
    )
    const port = await listening(app)
    for (const path of ['/api/livez', '/api/livez/', '/api/LIVEZ', '/api/readyz/db', '/api/readyz/db/', '/api/readyz/?exclude=db']) {
      expect((await call(port, path)).status, path).toBe(200)
    }
    expect((await call(port, '/api/readyz/nope')).status).toBe(404) // the health object's 404 for an unknown check
    const notFound = await call(port, '/api/livez/a/b') // not a probe path: Fastify's own 404
    expect(notFound.status).toBe(404)
    expect(JSON.parse(notFound.body)).toMatchObject({ statusCode: 404, error: 'Not Found' })
    expect((await call(port, '/livez')).status).toBe(404)
  })

  it("serve: 'server' refuses a prefixed plugin context it could not follow, and says what to do", async () => {
    const app = Fastify()
    apps.push(app)
    const registered = app.register(
      async (api) => {
        await api.register(healthz, { health: started() })
      },
      { prefix: '/api' },
    )
    const error = await Promise.resolve(registered).then(() => undefined, (thrown: unknown) => thrown as Error & { code?: string })
    expect(error?.code).toBe('INVALID_OPTION')
    expect(error?.message).toMatch(/registered under the Fastify prefix '\/api'.*createHealth\(\{ prefix: '\/api' \}\), or use serve: 'route'/)
  })

  it("serve: 'server' still answers fastify.inject(), which bypasses the server, through the probe routes", async () => {
    const app = Fastify()
    apps.push(app)
    await app.register(healthz, { health: started() })
    const reply = await app.inject({ method: 'GET', url: '/readyz' })
    expect(reply.statusCode).toBe(200)
    expect(reply.headers['content-type']).toBe('application/health+json')
    expect(JSON.parse(reply.body)).toMatchObject({ status: 'pass' })
    expect((await app.inject({ method: 'DELETE', url: '/livez' })).statusCode).toBe(405)
  })
})

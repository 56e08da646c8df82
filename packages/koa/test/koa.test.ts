// The Koa adapter against real Koa 2 and 3 on listen(0), both ways in: the middleware inside
// the app's pipeline, and `listen()` answering ahead of Koa.
import { once } from 'node:events'
import { Agent } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Koa3 from 'koa'
import type { Context, Next } from 'koa'
import Koa2 from 'koa2'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import type { Health } from '@healthz/core'
import { createHealthMiddleware, drainOnShutdown, listen } from '@healthz/koa'
import { call, visible } from '../../../test-utils/client.js'
import { drainNow, expectDrainSeesProbeInFlight, GRACE_PERIOD, slowCheck } from '../../../test-utils/drain.js'

const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    server.close()
  }
})

const frameworks = [
  ['Koa 3', Koa3],
  ['Koa 2', Koa2],
] as const

type KoaClass = typeof Koa3

function newHealth(options: Parameters<typeof createHealth>[0] = {}): Health {
  return createHealth({
    service: { name: 'orders' },
    readiness: [defineCheck({ name: 'db', run: () => undefined })],
    shutdown: { signals: false },
    ...options,
  })
}

/** The application under test: an error handler, auth on everything, routes, a body reader. */
function buildApp(Koa: KoaClass, before?: (app: Koa3) => void) {
  const app = new Koa()
  app.silent = true
  const seenByAuth: string[] = []
  before?.(app)
  app.use(async (ctx: Context, next: Next) => {
    try {
      await next()
    } catch (error) {
      ctx.status = 500
      ctx.body = { handled: (error as Error).message }
    }
  })
  app.use(async (ctx: Context, next: Next) => {
    seenByAuth.push(ctx.url)
    if (ctx.get('authorization') !== 'Bearer secret') {
      ctx.status = 401
      ctx.body = { error: 'unauthorized' }
      return
    }
    await next()
  })
  app.use(async (ctx: Context, next: Next) => {
    if (ctx.path === '/orders') ctx.body = { orders: [1, 2] }
    else if (ctx.path === '/slow') {
      await new Promise((resolve) => setTimeout(resolve, 300))
      ctx.body = 'slow ok'
    } else if (ctx.path === '/boom') throw new Error('boom')
    else await next()
  })
  return { app, seenByAuth }
}

async function serve(app: Koa3): Promise<number> {
  const server = app.listen(0, '127.0.0.1')
  servers.push(server)
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

const auth = { authorization: 'Bearer secret' }

describe.each(frameworks)('%s', (_name, Koa) => {
  describe.each([
    ['middleware', async (health: Health) => {
      const { app, seenByAuth } = buildApp(Koa as KoaClass, (app) => app.use(createHealthMiddleware(health)))
      const port = await serve(app)
      return { port, seenByAuth, server: servers[servers.length - 1] as Server }
    }],
    ['listen() fast path', async (health: Health) => {
      const { app, seenByAuth } = buildApp(Koa as KoaClass)
      const server = await listen(app, health, { port: 0, host: '127.0.0.1' })
      servers.push(server)
      return { port: (server.address() as AddressInfo).port, seenByAuth, server }
    }],
  ] as const)('%s', (way, start) => {
    it('serves the three probes with their status codes and health+json bodies', async () => {
      const health = newHealth()
      const { port } = await start(health)
      expect((await call(port, '/livez')).status).toBe(200)
      expect((await call(port, '/readyz')).status).toBe(503)
      expect((await call(port, '/startupz')).status).toBe(503)
      health.markStarted()
      const ready = await call(port, '/readyz')
      expect(ready.status).toBe(200)
      expect(ready.headers['content-type']).toBe('application/health+json')
      expect(ready.headers['cache-control']).toBe('no-store')
      expect(JSON.parse(ready.body)).toMatchObject({ status: 'pass', serviceId: 'orders', checks: { 'db:responseTime': [{ status: 'pass' }] } })
      expect((await call(port, '/startupz')).status).toBe(200)
    })

    it('answers probes without credentials while auth registered after them rejects every other route', async () => {
      const health = newHealth()
      health.markStarted()
      const { port, seenByAuth } = await start(health)
      for (const path of ['/livez', '/readyz', '/startupz', '/readyz/db']) expect((await call(port, path)).status).toBe(200)
      expect(seenByAuth).toEqual([])
      expect((await call(port, '/orders')).status).toBe(401)
      expect((await call(port, '/nope')).status).toBe(401)
      expect((await call(port, '/orders', { headers: auth })).status).toBe(200)
    })

    it('leaves routes, 404s and error handlers exactly as without the adapter', async () => {
      const health = newHealth()
      health.markStarted()
      const { port } = await start(health)
      const plain = await serve(buildApp(Koa as KoaClass).app)
      for (const [path, headers] of [
        ['/orders', auth],
        ['/orders', {}],
        ['/missing', auth],
        ['/boom', auth],
        ['/orders?page=2', auth],
        ['/livezz', auth],
      ] as const) {
        expect(visible(await call(port, path, { headers }))).toEqual(visible(await call(plain, path, { headers })))
      }
    })

    it('handles HEAD, 405, trailing slashes and query strings', async () => {
      const health = newHealth()
      health.markStarted()
      const { port } = await start(health)
      const head = await call(port, '/readyz', { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.body).toBe('')
      expect(Number(head.headers['content-length'])).toBeGreaterThan(0)
      const post = await call(port, '/livez', { method: 'POST' })
      expect(post.status).toBe(405)
      expect(post.headers.allow).toBe('GET, HEAD')
      expect((await call(port, '/livez/')).status).toBe(200)
      expect((await call(port, '/readyz?exclude=db')).body).toContain('excluded: db')
      expect((await call(port, '/livez?verbose')).body).toContain('runtime:worstPause')
    })

    it('honours a custom prefix', async () => {
      const health = newHealth({ prefix: '/health' })
      health.markStarted()
      const { port } = await start(health)
      expect((await call(port, '/health/livez')).status).toBe(200)
      expect((await call(port, '/health/readyz')).status).toBe(200)
      expect((await call(port, '/livez')).status).toBe(401)
    })

    it('drains on shutdown through the adapter with keep-alive clients, dropping nothing', async () => {
      const health = newHealth({ shutdown: { signals: false, drainDelay: 300, gracePeriod: 5000 } })
      health.markStarted()
      const { port, server } = await start(health)
      // listen() drains by itself; with the middleware, drain the server the way the README says.
      if (way === 'middleware') drainOnShutdown(health, server)
      const agent = new Agent({ keepAlive: true, maxSockets: 4 })
      expect((await call(port, '/orders', { headers: auth, agent })).status).toBe(200)
      const done = health.shutdown()
      const during = await Promise.all([
        call(port, '/readyz', { agent }),
        call(port, '/livez', { agent }),
        call(port, '/orders', { headers: auth, agent }),
      ])
      expect(during.map((reply) => reply.status)).toEqual([503, 200, 200])
      const inFlight = call(port, '/slow', { headers: auth, agent })
      const result = await done
      const slow = await inFlight
      expect(slow).toMatchObject({ status: 200, body: 'slow ok' })
      expect(slow.headers.connection).toBe('close')
      expect(result).toMatchObject({ closeFailures: 0, exitCode: 0 })
      agent.destroy()
    })

    it('issue-13-drain-sees-a-probe-in-flight-when-shutdown-starts', { timeout: GRACE_PERIOD + 5000 }, async () => {
      const { check, running } = slowCheck()
      const health = newHealth({ readiness: [check], shutdown: drainNow })
      health.markStarted()
      const { port, server } = await start(health)
      if (way === 'middleware') drainOnShutdown(health, server)
      await expectDrainSeesProbeInFlight({ port, health, running })
    })
  })
})

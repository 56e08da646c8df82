// The Express adapter against real Express 4 and 5 on listen(0), both ways in: the middleware
// inside the app's pipeline, and `listen()` answering ahead of Express.
import { once } from 'node:events'
import { Agent } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express5 from 'express'
import type { NextFunction, Request, Response } from 'express'
import express4 from 'express4'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import type { Health } from '@healthz/core'
import { createHealthMiddleware, listen } from '@healthz/express'
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
  ['Express 5', express5],
  ['Express 4', express4],
] as const

type ExpressFactory = typeof express5

function newHealth(options: Parameters<typeof createHealth>[0] = {}): Health {
  return createHealth({
    service: { name: 'orders' },
    readiness: [defineCheck({ name: 'db', run: () => undefined })],
    shutdown: { signals: false },
    ...options,
  })
}

/** The application under test: body parser, auth on everything, routes, an error handler. */
function buildApp(express: ExpressFactory, before?: (app: ReturnType<ExpressFactory>) => void) {
  const app = express()
  const seenByAuth: string[] = []
  before?.(app)
  app.use(express.json())
  app.use((req: Request, res: Response, next: NextFunction) => {
    seenByAuth.push(req.url)
    if (req.headers.authorization !== 'Bearer secret') {
      res.status(401).json({ error: 'unauthorized' })
      return
    }
    next()
  })
  app.get('/orders', (_req: Request, res: Response) => {
    res.json({ orders: [1, 2] })
  })
  app.get('/slow', (_req: Request, res: Response) => {
    setTimeout(() => res.send('slow ok'), 300)
  })
  app.get('/boom', () => {
    throw new Error('boom')
  })
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ handled: error.message })
  })
  return { app, seenByAuth }
}

async function serve(app: ReturnType<ExpressFactory>): Promise<number> {
  const server = app.listen(0, '127.0.0.1')
  servers.push(server)
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

const auth = { authorization: 'Bearer secret' }

describe.each(frameworks)('%s', (_name, express) => {
  describe.each([
    ['middleware', async (health: Health, setup: typeof buildApp) => {
      const { app, seenByAuth } = setup(express as ExpressFactory, (app) => app.use(createHealthMiddleware(health)))
      return { port: await serve(app), seenByAuth }
    }],
    ['listen() fast path', async (health: Health, setup: typeof buildApp) => {
      const { app, seenByAuth } = setup(express as ExpressFactory)
      const server = await listen(app, health, { port: 0, host: '127.0.0.1' })
      servers.push(server)
      return { port: (server.address() as AddressInfo).port, seenByAuth }
    }],
  ] as const)('%s', (_way, start) => {
    it('serves the three probes with their status codes and health+json bodies', async () => {
      const health = newHealth()
      const { port } = await start(health, buildApp)
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
      const { port, seenByAuth } = await start(health, buildApp)
      for (const path of ['/livez', '/readyz', '/startupz', '/readyz/db']) expect((await call(port, path)).status).toBe(200)
      expect(seenByAuth).toEqual([])
      expect((await call(port, '/orders')).status).toBe(401)
      expect((await call(port, '/nope')).status).toBe(401)
      expect((await call(port, '/orders', { headers: auth })).status).toBe(200)
    })

    it('leaves routes, 404s and error handlers exactly as without the adapter', async () => {
      const health = newHealth()
      health.markStarted()
      const { port } = await start(health, buildApp)
      const { app: plainApp } = buildApp(express as ExpressFactory)
      const plain = await serve(plainApp)
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
      const { port } = await start(health, buildApp)
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
      const { port } = await start(health, buildApp)
      expect((await call(port, '/health/livez')).status).toBe(200)
      expect((await call(port, '/health/readyz')).status).toBe(200)
      expect((await call(port, '/livez')).status).toBe(401) // no longer a probe: the app's auth answers
    })

    it('drains on shutdown through the adapter with keep-alive clients, dropping nothing', async () => {
      const health = newHealth({ shutdown: { signals: false, drainDelay: 300, gracePeriod: 5000 } })
      health.markStarted()
      const { port } = await start(health, buildApp)
      if (_way === 'middleware') {
        // The middleware does not know the server: drain it the way the README says.
        const { drainOnShutdown } = await import('@healthz/express')
        drainOnShutdown(health, servers[servers.length - 1] as Server)
      }
      const agent = new Agent({ keepAlive: true, maxSockets: 4 })
      expect((await call(port, '/orders', { headers: auth, agent })).status).toBe(200)
      const done = health.shutdown()
      const during = await Promise.all([
        call(port, '/readyz', { agent }),
        call(port, '/livez', { agent }),
        call(port, '/orders', { headers: auth, agent }),
      ])
      expect(during.map((reply) => reply.status)).toEqual([503, 200, 200])
      const inFlight = call(port, '/slow', { headers: auth, agent }) // still running when the listener closes
      await new Promise((resolve) => setTimeout(resolve, 100))
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
      const { port } = await start(health, buildApp)
      if (_way === 'middleware') {
        const { drainOnShutdown } = await import('@healthz/express')
        drainOnShutdown(health, servers[servers.length - 1] as Server)
      }
      await expectDrainSeesProbeInFlight({ port, health, running })
    })
  })

  it('works mounted under a path', async () => {
    const health = newHealth()
    health.markStarted()
    const app = (express as ExpressFactory)()
    app.use('/ops', createHealthMiddleware(health))
    app.get('/ops/info', (_req: Request, res: Response) => {
      res.send('info')
    })
    const port = await serve(app)
    expect((await call(port, '/ops/livez')).status).toBe(200)
    expect((await call(port, '/ops/info')).body).toBe('info')
    expect((await call(port, '/livez')).status).toBe(404)
  })
})

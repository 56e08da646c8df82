// The HTTP transport on listen(0): emitters POST to the monitor's handler, mounted through
// @healthz/http's createHealthListener (ahead of the app) and through Express middleware.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import express from 'express'
import Koa from 'koa'
import { createHealth, isHealthzError } from '@healthz/core'
import { createHealthListener } from '@healthz/http'
import { createHealthMiddleware } from '@healthz/express'
import { createHealthMiddleware as createKoaHealthMiddleware } from '@healthz/koa'
import { createHeartbeatMonitor } from '@healthz/heartbeat'
import { httpReceiver, httpTransport } from '@healthz/heartbeat/http'
import { TcpProxy } from '../../../test-utils/tcp-proxy.mjs'
import { waitFor } from './helpers.js'
import { runTransportScenario } from './scenario.js'

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return (server.address() as AddressInfo).port
}

describe('HTTP transport', () => {
  it('through @healthz/http: beats, death, leaving, restart, and emitters that get their server back', async () => {
    const receiver = httpReceiver({ path: '/heartbeat' })
    const health = createHealth({ runtime: false, shutdown: { signals: false } })
    health.markStarted()
    let appRequests = 0
    const port = await listen(
      createServer(
        createHealthListener(health, {
          next: (req, res) =>
            receiver.handler(req, res, () => {
              appRequests += 1
              res.end('app')
            }),
        }),
      ),
    )
    const through = await TcpProxy.start({ port })
    cleanup.push(() => through.stop())
    await runTransportScenario({
      sender: httpTransport({ url: `http://127.0.0.1:${through.port}/heartbeat` }),
      listener: receiver,
      proxy: through,
      cut: 'senders',
    })
    // The probes and the application still answer on the same server.
    expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200)
    expect(await (await fetch(`http://127.0.0.1:${port}/orders`)).text()).toBe('app')
    expect(appRequests).toBe(1)
  }, 30_000)

  it('as Express middleware behind the health middleware, with the monitor in readiness', async () => {
    const receiver = httpReceiver({ authorize: (req) => req.headers.authorization === 'Bearer s3cret' })
    const monitor = createHeartbeatMonitor({ transport: receiver, runtime: false })
    cleanup.push(() => monitor.close())
    const health = createHealth({ readiness: [monitor.check], runtime: false, shutdown: { signals: false } })
    health.markStarted()
    const app = express()
    app.use(createHealthMiddleware(health))
    app.use(receiver.handler)
    app.get('/orders', (_req, res) => {
      res.send('orders')
    })
    const port = await listen(createServer(app))
    const url = `http://127.0.0.1:${port}/heartbeat`
    const post = (body: string, authorization = 'Bearer s3cret'): Promise<Response> =>
      fetch(url, { method: 'POST', body, headers: { authorization, 'content-type': 'application/json' } })
    const beat = JSON.stringify({ nodeId: 'w1', incarnation: 1, seq: 0, sentAt: 0, status: 'pass', metadata: {} })
    expect((await post(beat)).status).toBe(204)
    await waitFor(() => monitor.member('w1') !== undefined, 'w1 in the view')
    expect((await post(beat, 'Bearer wrong')).status).toBe(401)
    expect((await fetch(url)).status).toBe(405)
    expect((await fetch(url)).headers.get('allow')).toBe('POST')
    expect((await post('x'.repeat(70_000))).status).toBe(413)
    expect((await post('not json')).status).toBe(204) // accepted, counted as malformed
    expect(monitor.stats()).toMatchObject({ received: 1, malformed: 1 })
    expect(await (await fetch(`http://127.0.0.1:${port}/orders`)).text()).toBe('orders')
    const ready = await fetch(`http://127.0.0.1:${port}/readyz?verbose`)
    expect(ready.status).toBe(200)
    await monitor.close()
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503)
    expect((await post(beat)).status).toBe(503) // no monitor listening any more
  })

  it('in a Koa app, ahead of its own middleware, with beats from a real emitter', async () => {
    const { startHeartbeat } = await import('@healthz/heartbeat')
    const receiver = httpReceiver()
    const monitor = createHeartbeatMonitor({ transport: receiver, runtime: false })
    cleanup.push(() => monitor.close())
    const health = createHealth({ readiness: [monitor.check], runtime: false, shutdown: { signals: false } })
    health.markStarted()
    const app = new Koa()
    app.use(createKoaHealthMiddleware(health))
    app.use(async function heartbeats(ctx, next) {
      if (ctx.path !== '/heartbeat') return next()
      ctx.respond = false
      receiver.handler(ctx.req, ctx.res)
    })
    app.use((ctx) => {
      ctx.body = 'koa app'
    })
    const port = await listen(createServer(app.callback()))
    const emitter = startHeartbeat({ nodeId: 'k1', transport: httpTransport({ url: `http://127.0.0.1:${port}/heartbeat` }), interval: 50 })
    await waitFor(() => (monitor.member('k1')?.beats ?? 0) >= 3, 'three beats through Koa')
    await emitter.stop()
    await waitFor(() => monitor.member('k1')?.state === 'left', 'k1 left')
    expect(emitter.stats().failed).toBe(0)
    expect(await (await fetch(`http://127.0.0.1:${port}/other`)).text()).toBe('koa app')
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200)
  })

  it('an emitter pointed at a server that is not there keeps trying, and counts failures', async () => {
    const { startHeartbeat } = await import('@healthz/heartbeat')
    const port = await listen(createServer((_req, res) => res.writeHead(500).end()))
    const errors: Error[] = []
    const emitter = startHeartbeat({ nodeId: 'w', transport: httpTransport({ url: `http://127.0.0.1:${port}/heartbeat` }), interval: 50, maxBackoff: 100, onError: (error) => errors.push(error) })
    await waitFor(() => errors.length >= 3, 'three failures')
    await emitter.stop({ leave: false })
    expect(errors[0]?.message).toMatch(/answered 500/)
    expect(emitter.stats().sent).toBe(0)
  })

  it('refuses a bad url or path at construction', () => {
    for (const [make, message] of [
      [() => httpTransport({ url: 'coordinator/heartbeat' }), /absolute http\(s\) URL/],
      [() => httpTransport({ url: 'ftp://coordinator/heartbeat' }), /must use http: or https:/],
      [() => httpReceiver({ path: 'heartbeat' }), /must start with '\/'/],
    ] as const) {
      let caught: unknown
      try {
        make()
      } catch (error) {
        caught = error
      }
      expect(isHealthzError(caught) && caught.code === 'INVALID_OPTION').toBe(true)
      expect((caught as Error).message).toMatch(message)
    }
  })
})

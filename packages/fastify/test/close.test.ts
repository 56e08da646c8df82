// The shutdown wired to Fastify's close, on real Fastify 5 and 4.19 with keep-alive clients:
// - health.shutdown(): readiness fails at once while every app route keeps answering through the
//   drain delay (Fastify's return503OnClosing must not start before it, fastify#1714); the server
//   drains (in-flight requests finish with Connection: close); only then fastify.close() runs its
//   preClose and onClose hooks; the healthz onShutdown hooks come last.
// - fastify.close() called directly (close-with-grace, tests): it starts and joins the same
//   shutdown, and resolves once it is over.
import { Agent } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'
import { healthz } from '@healthz/fastify'
import { call } from '../../../test-utils/client.js'
import { auth } from '../../../test-utils/contract.js'
import { addOrders, versions } from './app.js'
import type { FastifyFactory } from './app.js'

// Shorter than the slow route (500 ms): that request is still in flight when the server drains.
const DRAIN_DELAY = 300
const GRACE_PERIOD = 5000
const agents: Agent[] = []
const apps: FastifyInstance[] = []
afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy()
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

interface Setup {
  app: FastifyInstance
  health: Health
  port: number
  agent: Agent
  /** What happened, in order. */
  events: string[]
  /** Resolves once a request for /orders/slow is inside Fastify's hooks: past its closing check, in flight. */
  slowInFlight: () => Promise<void>
}

async function setup(Fastify: FastifyFactory, drain?: boolean): Promise<Setup> {
  const events: string[] = []
  const health = createHealth({ readiness: [{ name: 'db', run: () => undefined }], runtime: false, shutdown: { signals: false, drainDelay: DRAIN_DELAY, gracePeriod: GRACE_PERIOD } })
  health.onShutdown(() => void events.push('healthz onShutdown'), { name: 'pool' })
  const app = Fastify()
  apps.push(app)
  await app.register(healthz, drain === undefined ? { health } : { health, drain })
  app.addHook('preClose', async () => {
    events.push('fastify preClose')
  })
  app.addHook('onClose', async () => {
    events.push('fastify onClose')
  })
  const waiting: Array<() => void> = []
  app.addHook('onRequest', async (request) => {
    if (request.url === '/orders/slow') for (const resolve of waiting.splice(0)) resolve()
  })
  addOrders(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  health.markStarted()
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening on a port')
  const agent = new Agent({ keepAlive: true, maxSockets: 8 })
  agents.push(agent)
  return { app, health, port: address.port, agent, events, slowInFlight: () => new Promise((resolve) => void waiting.push(resolve)) }
}

describe.each(versions)('%s', (_name, Fastify) => {
  it('health.shutdown(): app routes answer through the drain delay, the drain ends in-flight requests, and fastify.close() comes after it', async () => {
    const { app, health, port, agent, events, slowInFlight } = await setup(Fastify)
    expect((await call(port, '/orders', { agent, headers: auth })).status).toBe(200) // an idle keep-alive connection
    const inFlight = slowInFlight()
    const slow = call(port, '/orders/slow', { agent }).then((reply) => (events.push('slow request answered'), reply))
    await inFlight
    const began = Date.now()
    const shutdown = health.shutdown()
    expect(health.phase).toBe('draining')
    // Inside the drain delay: readiness fails, liveness passes, and Fastify has not begun closing.
    const during = await Promise.all([call(port, '/readyz', { agent }), call(port, '/livez', { agent }), call(port, '/orders', { agent }), call(port, '/orders', {})])
    expect(during.map((reply) => reply.status)).toEqual([503, 200, 200, 200])
    expect(events).toEqual([])
    const result = await shutdown
    const reply = await slow
    expect(reply).toMatchObject({ status: 200, body: 'slow ok' })
    expect(reply.headers.connection).toBe('close')
    expect(result).toMatchObject({ closeFailures: 0, exitCode: 0, failedHooks: [] })
    expect(events).toEqual(['slow request answered', 'fastify preClose', 'fastify onClose', 'healthz onShutdown'])
    expect(app.server.listening).toBe(false)
    // The idle keep-alive connection was closed at once, not waited for until the grace period
    // (5000 ms) cut it: that would also show as a close failure above.
    expect(Date.now() - began).toBeLessThan(GRACE_PERIOD / 2)
    await expect(call(port, '/livez')).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    await app.close() // a second close is harmless
  })

  it('fastify.close() called directly fails readiness at once, drains, and resolves after the healthz shutdown hooks', async () => {
    const { app, health, port, agent, events, slowInFlight } = await setup(Fastify)
    const inFlight = slowInFlight()
    const slow = call(port, '/orders/slow', { agent }).then((reply) => (events.push('slow request answered'), reply))
    await inFlight
    const draining = new Promise<void>((resolve) => health.on('change', (event) => void (event.type === 'phase' && event.current === 'draining' && resolve())))
    const closed = app.close().then(() => void events.push('fastify.close() resolved'))
    await draining // from the plugin's preClose hook
    // Fastify is closing: its app routes answer 503 (return503OnClosing); the probes are answered before Fastify.
    const during = await Promise.all([call(port, '/readyz'), call(port, '/livez'), call(port, '/orders')])
    expect(during.map((reply) => reply.status)).toEqual([503, 200, 503])
    await closed
    const reply = await slow
    expect(reply).toMatchObject({ status: 200, body: 'slow ok' })
    expect(reply.headers.connection).toBe('close')
    expect(health.phase).toBe('stopped')
    expect(await health.shutdown()).toMatchObject({ reason: 'shutdown()', closeFailures: 0, exitCode: 0 })
    // The same order as when healthz closes Fastify: the drain, Fastify's hooks, the healthz hooks; then close() resolves.
    expect(events).toEqual(['slow request answered', 'fastify preClose', 'fastify onClose', 'healthz onShutdown', 'fastify.close() resolved'])
  })

  it('fastify.close() during a shutdown already draining (close-with-grace on the same SIGTERM) joins it', async () => {
    const { app, health, port, events } = await setup(Fastify)
    const shutdown = health.shutdown()
    const closed = app.close().then(() => void events.push('fastify.close() resolved'))
    const [result] = await Promise.all([shutdown, closed])
    expect(result).toMatchObject({ closeFailures: 0, exitCode: 0, failedHooks: [] })
    expect(events).toEqual(['fastify preClose', 'fastify onClose', 'healthz onShutdown', 'fastify.close() resolved'])
    expect(app.server.listening).toBe(false)
    await expect(call(port, '/livez')).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('drain: false leaves Fastify open when the health object shuts down', async () => {
    const { app, health, port, events } = await setup(Fastify, false)
    await health.shutdown()
    expect(events).toEqual(['healthz onShutdown'])
    expect(app.server.listening).toBe(true)
    expect((await call(port, '/orders')).status).toBe(200)
    expect((await call(port, '/readyz')).status).toBe(503)
  })
})

// Issue 13, item 2: a probe answered at the server's request event (attachHealth) is seen by the
// drain like any other response. Real sockets and a keep-alive client, as load balancers probe.
import { once } from 'node:events'
import { Agent, createServer } from 'node:http'
import type { RequestListener, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import type { Health } from '@healthz/core'
import { attachHealth, createHealthListener, drainOnShutdown } from '@healthz/http'
import { call } from '../../../test-utils/client.js'

const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.closeAllConnections()
})

const GRACE = 10_000

/** drainDelay 0: the listener closes while a readiness probe (300 ms check) is still running. */
function slowHealth(): { health: Health; checkStarted: Promise<void> } {
  let started = (): void => undefined
  const checkStarted = new Promise<void>((resolve) => (started = resolve))
  const health = createHealth({
    readiness: [
      defineCheck({
        name: 'db',
        cache: 0,
        run: () => {
          started()
          return new Promise<void>((resolve) => setTimeout(resolve, 300))
        },
      }),
    ],
    shutdown: { signals: false, drainDelay: 0, gracePeriod: GRACE },
    runtime: false,
  })
  health.markStarted()
  return { health, checkStarted }
}

const app: RequestListener = (_req, res) => res.end('app')

const ways = {
  'createHealthListener + drainOnShutdown': (health: Health): Server => {
    const server = createServer(createHealthListener(health, { next: app }))
    drainOnShutdown(health, server)
    return server
  },
  attachHealth: (health: Health): Server => {
    const server = createServer(app)
    attachHealth(server, health)
    return server
  },
  'attachHealth({ drain: false }) + drainOnShutdown': (health: Health): Server => {
    const server = createServer(app)
    drainOnShutdown(health, server) // registered first: the order must not matter
    attachHealth(server, health, { drain: false })
    return server
  },
}

describe.each(Object.entries(ways))('%s', (_way, build) => {
  it('issue-13-drain-sees-a-probe-in-flight-when-shutdown-starts', { timeout: GRACE + 5000 }, async () => {
    const { health, checkStarted } = slowHealth()
    const server = build(health)
    servers.push(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const port = (server.address() as AddressInfo).port
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })

    const inFlight = call(port, '/readyz', { agent })
    await checkStarted
    const began = Date.now()
    const result = await health.shutdown()
    const reply = await inFlight
    // Answered, for the phase it was written in, and its connection closed after it.
    expect(reply.status).toBe(503)
    expect(reply.headers.connection).toBe('close')
    expect(result).toMatchObject({ closeFailures: 0, exitCode: 0 })
    expect(reply.socket.destroyed).toBe(true)
    // The drain ended with the last connection, not at the end of the grace period.
    expect(Date.now() - began).toBeLessThan(GRACE / 2)
    agent.destroy()
  })
})

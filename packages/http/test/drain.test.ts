// Server draining in-process, with real sockets: counts of connections closed and destroyed.
import { once } from 'node:events'
import { Agent, createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import { createHealthServer, drainOnShutdown, trackConnections } from '@healthz/http'
import { call } from '../../../test-utils/client.js'

const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.closeAllConnections()
})

async function serve(): Promise<{ server: Server; port: number; release: () => void }> {
  let release = (): void => undefined
  const held = new Promise<void>((resolve) => (release = resolve))
  const server = createServer((req, res) => {
    if (req.url === '/hold') {
      void held.then(() => res.end('held ok'))
      return
    }
    if (req.url === '/forever') return // never answers
    res.end('ok')
  })
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, port: (server.address() as AddressInfo).port, release }
}

describe('trackConnections', () => {
  it('closes idle keep-alive connections at once, lets in-flight requests finish with Connection: close, and resolves when the last is gone', async () => {
    const { server, port, release } = await serve()
    const drainer = trackConnections(server)
    const idleA = new Agent({ keepAlive: true })
    const idleB = new Agent({ keepAlive: true })
    const busy = new Agent({ keepAlive: true })
    await call(port, '/', { agent: idleA })
    await call(port, '/', { agent: idleB })
    const inFlight = call(port, '/hold', { agent: busy })
    while (drainer.inFlight === 0) await new Promise((resolve) => setImmediate(resolve))
    expect(drainer.connections).toBe(3)

    const drained = drainer.close({ gracePeriod: 10_000 })
    while (drainer.connections > 1) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(drainer.connections).toBe(1) // the idle two are gone; the busy one is still serving
    release()
    const response = await inFlight
    expect(response).toMatchObject({ status: 200, body: 'held ok' })
    expect(response.headers.connection).toBe('close')
    expect(await drained).toEqual({ closed: 3, destroyed: 0 })
    expect(server.listening).toBe(false)
    for (const agent of [idleA, idleB, busy]) agent.destroy()
  })

  it('adds nothing to a request until the drain begins: no request listener, no listener on the response', async () => {
    const { server, port, release } = await serve()
    const before = server.listenerCount('request')
    let closeListeners = -1
    server.prependListener('request', (_req, res) => {
      // After every request listener has run: what did the tracker add to this response?
      setImmediate(() => (closeListeners = res.listenerCount('close')))
    })
    const drainer = trackConnections(server)
    expect(server.listenerCount('request')).toBe(before + 1) // ours above, none of the tracker's
    const plain = createServer((_req, res) => {
      setImmediate(() => (closeListeners = res.listenerCount('close')))
      res.end('ok')
    })
    servers.push(plain)
    plain.listen(0, '127.0.0.1')
    await once(plain, 'listening')
    await call((plain.address() as AddressInfo).port, '/')
    const untracked = closeListeners // what node:http itself puts on a response
    closeListeners = -1
    await call(port, '/')
    expect(closeListeners).toBe(untracked)

    const agent = new Agent({ keepAlive: true })
    const held = call(port, '/hold', { agent })
    while (drainer.inFlight === 0) await new Promise((resolve) => setImmediate(resolve))
    const drained = drainer.close({ gracePeriod: 10_000 })
    expect(server.listenerCount('request')).toBe(before + 2) // from the drain on, requests on open connections are told to close
    release()
    expect((await held).headers.connection).toBe('close')
    await drained
    agent.destroy()
  })

  it('destroys what is still busy at the end of the grace period, and drainOnShutdown reports it', async () => {
    const { server, port } = await serve()
    const errors: Error[] = []
    const health = createHealth({ shutdown: { signals: false, gracePeriod: 100 }, onError: (error) => errors.push(error) })
    drainOnShutdown(health, server)
    const agent = new Agent({ keepAlive: true })
    const stuck = call(port, '/forever', { agent }).catch((error: Error) => error)
    await new Promise((resolve) => setTimeout(resolve, 20))
    const result = await health.shutdown()
    expect(result).toMatchObject({ closeFailures: 1, exitCode: 1 })
    expect(errors.map((error) => error.message)).toEqual([
      'closing a server failed: 1 connection(s) still busy after gracePeriod 100 ms were destroyed; raise shutdown.gracePeriod if requests legitimately take longer',
    ])
    expect(await stuck).toBeInstanceOf(Error)
    agent.destroy()
  })

  it('refuses something that is not a server', () => {
    expect(() => trackConnections({} as never)).toThrowError(/expects a node:http or node:https Server/)
    expect(() => trackConnections([])).toThrowError(/expects a node:http or node:https Server/)
  })
})

describe('createHealthServer during shutdown', () => {
  it('keeps answering (readiness 503) through the drain and closes once stopped', async () => {
    const health = createHealth({ shutdown: { signals: false, drainDelay: 200 } })
    health.markStarted()
    const probes = createHealthServer(health, { port: 0, host: '127.0.0.1' })
    const { port } = await probes.listen()
    const agent = new Agent({ keepAlive: false })
    const done = health.shutdown()
    expect((await call(port, '/readyz', { agent })).status).toBe(503)
    expect((await call(port, '/livez', { agent })).status).toBe(200)
    await done
    await new Promise((resolve) => setImmediate(resolve))
    expect(probes.server.listening).toBe(false)
  })
})

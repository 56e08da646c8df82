// node:http specifics: what the adapter contract (contract.test.ts) does not cover: the listener
// without a next handler, a thousand concurrent probes, a pending check not run again, errors
// to onError, attachHealth's later listeners and detach, the responder's path argument, listen().
import { once } from 'node:events'
import { Agent, createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import type { Health } from '@healthz/core'
import { attachHealth, createHealthListener, createHealthServer, createProbeResponder, listen as httpListen } from '@healthz/http'
import { call } from '../../../test-utils/client.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

async function listen(server: Server): Promise<number> {
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

function app(req: IncomingMessage, res: ServerResponse): void {
  if (req.headers.authorization !== 'Bearer ok') {
    res.writeHead(401, { 'content-type': 'text/plain' })
    res.end('unauthorized')
    return
  }
  res.writeHead(200, { 'content-type': 'text/plain' })
  res.end(`app saw ${req.url}`)
}

function startedHealth(options: Parameters<typeof createHealth>[0]): Health {
  const health = createHealth(options)
  health.markStarted()
  return health
}

describe('createHealthListener', () => {
  it('answers 404 for other paths when it has no next handler, and works as connect-style middleware', async () => {
    const health = startedHealth({})
    const alone = await listen(createServer(createHealthListener(health)))
    expect((await call(alone, '/orders')).status).toBe(404)

    const listener = createHealthListener(health)
    const middleware = await listen(
      createServer((req, res) => listener(req, res, () => app(req, res))),
    )
    expect((await call(middleware, '/orders')).status).toBe(401)
    expect((await call(middleware, '/livez')).status).toBe(200)
  })

  it('1,000 concurrent HTTP readiness probes against a 200 ms check cause exactly one run', async () => {
    let calls = 0
    const slow = defineCheck({
      name: 'slow',
      // A cache window longer than the whole burst: under CI load 1,000 connections can take
      // more than the default 1 s to arrive, and a second window would rightly run again.
      cache: 60_000,
      run: () => {
        calls += 1
        return new Promise<void>((resolve) => setTimeout(resolve, 200))
      },
    })
    const health = startedHealth({ readiness: [slow] })
    const port = await listen(createServer(createHealthListener(health)))
    const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY })
    const replies = await Promise.all(Array.from({ length: 1000 }, () => call(port, '/readyz', { agent })))
    agent.destroy()
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(1000)
    expect(calls).toBe(1)
  })

  it('a check that never settles makes the probe answer 503 at its deadline, and is not run again while pending', async () => {
    let calls = 0
    const hung = defineCheck({
      name: 'hung',
      timeout: 100,
      cache: 0,
      run: () => {
        calls += 1
        return new Promise<void>(() => undefined)
      },
    })
    const health = startedHealth({ readiness: [hung], details: 'always' })
    const port = await listen(createServer(createHealthListener(health)))
    const first = await call(port, '/readyz')
    expect(first.status).toBe(503)
    expect(first.body).toContain('timed out after 100 ms')
    const second = await call(port, '/readyz')
    expect(second.status).toBe(503)
    expect(second.body).toContain('not started again until it settles')
    expect(calls).toBe(1)
  })

  it('answers 500 and reports through onError if handling throws unexpectedly', async () => {
    const onError = vi.fn()
    const broken = { matches: () => true, handleCached: () => undefined, handle: () => Promise.reject(new Error('bug')) } as unknown as Health
    const port = await listen(createServer(createHealthListener(broken, { onError })))
    expect((await call(port, '/livez')).status).toBe(500)
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'bug' }))

    const throwing = { matches: () => true, handleCached: () => { throw new Error('sync bug') }, handle: () => Promise.resolve(undefined) } as unknown as Health
    const other = await listen(createServer(createHealthListener(throwing, { onError })))
    expect((await call(other, '/livez')).status).toBe(500)
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'sync bug' }))
  })

  it('refuses a missing health object at construction', () => {
    expect(() => createHealthListener(undefined as never)).toThrowError(/expects the object createHealth\(\) returns/)
  })
})

describe('createHealthServer', () => {
  it('serves probes on a port of its own and 404 for anything else', async () => {
    const health = startedHealth({ readiness: [defineCheck({ name: 'db', run: () => undefined })] })
    const probes = createHealthServer(health, { port: 0, host: '127.0.0.1' })
    const { port } = await probes.listen()
    expect((await call(port, '/readyz')).status).toBe(200)
    expect((await call(port, '/livez')).status).toBe(200)
    expect((await call(port, '/')).status).toBe(404)
    await probes.close()
    expect(probes.server.listening).toBe(false)
    await expect(call(port, '/livez', { agent: new Agent({ keepAlive: false }) })).rejects.toThrow(/ECONNREFUSED/)
  })

  it('listens on every address by default and closes cleanly even if never started', async () => {
    const probes = createHealthServer(startedHealth({}), { port: 0 })
    await probes.close()
    const address = await probes.listen()
    expect(['::', '0.0.0.0']).toContain(address.address)
    expect((await call(address.port, '/livez')).status).toBe(200)
    await probes.close()
  })

  it('refuses a bad port at construction', () => {
    expect(() => createHealthServer(startedHealth({}), { port: 70_000 })).toThrowError(/port must be a whole number/)
  })
})

describe('attachHealth', () => {
  it('answers probes at the request event before the application sees them, and detaches', async () => {
    const seen: string[] = []
    const server = createServer((req, res) => {
      seen.push(req.url ?? '')
      app(req, res)
    })
    const health = startedHealth({})
    const detach = attachHealth(server, health)
    // A listener added after attaching must not see probes either.
    server.on('request', (req: IncomingMessage) => seen.push(`late:${req.url ?? ''}`))
    const port = await listen(server)

    expect((await call(port, '/livez')).status).toBe(200)
    expect((await call(port, '/readyz')).status).toBe(200)
    expect((await call(port, '/orders')).status).toBe(401)
    expect(seen).toEqual(['/orders', 'late:/orders'])

    detach()
    expect((await call(port, '/livez')).status).toBe(401)
  })
})

describe('createProbeResponder', () => {
  it('answers a probe path, taken from the URL or given by the router, and writes nothing for any other path', async () => {
    const respond = createProbeResponder(startedHealth({}))
    const passed: string[] = []
    const port = await listen(
      createServer((req, res) => {
        // A router that mounted the probes under /ops hands the path without its mount.
        const url = req.url ?? '/'
        const answered = url.startsWith('/ops/') ? respond(req, res, url.slice('/ops'.length)) : respond(req, res)
        if (!answered) {
          passed.push(url)
          app(req, res)
        }
      }),
    )
    expect((await call(port, '/livez')).status).toBe(200)
    expect((await call(port, '/ops/readyz')).status).toBe(200)
    expect((await call(port, '/ops/readyz', { method: 'HEAD' })).body).toBe('')
    expect((await call(port, '/livez', { method: 'POST' })).status).toBe(405)
    expect((await call(port, '/orders')).status).toBe(401)
    expect((await call(port, '/ops/orders')).status).toBe(401)
    expect(passed).toEqual(['/orders', '/ops/orders'])
  })

  it('refuses a missing health object at construction', () => {
    expect(() => createProbeResponder(undefined as never)).toThrowError(/createProbeResponder expects the object createHealth\(\) returns/)
  })
})

describe('listen', () => {
  it('resolves with the server once it listens, probes answered ahead of the listener; rejects when the port is taken', async () => {
    const health = startedHealth({})
    const server = await httpListen(app, health, { host: '127.0.0.1', drain: false })
    servers.push(server)
    expect(server.listening).toBe(true)
    const { port } = server.address() as AddressInfo
    expect((await call(port, '/livez')).status).toBe(200)
    expect((await call(port, '/orders')).status).toBe(401)
    await expect(httpListen(app, health, { port, host: '127.0.0.1', drain: false })).rejects.toMatchObject({ code: 'EADDRINUSE' })
    await expect(createHealthServer(health, { port, host: '127.0.0.1' }).listen()).rejects.toMatchObject({ code: 'EADDRINUSE' })
  })

  it('refuses a listener that is not a function, before anything listens', () => {
    expect(() => httpListen({ listen: () => undefined } as never, startedHealth({}))).toThrowError(/listen expects a request handler/)
  })
})

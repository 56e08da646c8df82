// Issue 20: every node:http way in serves the status page and its stream with no adapter code,
// because each answers through @healthz/http's one responder: the listener, attachHealth, the
// standalone health server, Express (mounted under a path) and Koa middleware. One scenario, run
// over each: the page, the stream's first event, and the subscription dropped when the client goes.
import { once } from 'node:events'
import { createServer, request } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import Koa from 'koa'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'
import { createHealthMiddleware as expressMiddleware } from '@healthz/express'
import { attachHealth, createHealthListener, createHealthServer } from '@healthz/http'
import { createHealthMiddleware as koaMiddleware } from '@healthz/koa'
import { call } from '../../test-utils/client.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function started(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanups.push(() => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  })
  return (server.address() as AddressInfo).port
}

/** Each way in: a server answering the health object's page at `mount` + its path. */
const WAYS: Record<string, { mount: string; start: (health: Health) => Promise<number> }> = {
  createHealthListener: { mount: '', start: (health) => started(createServer(createHealthListener(health))) },
  attachHealth: {
    mount: '',
    start: async (health) => {
      const server = createServer((_req, res) => res.writeHead(404).end())
      attachHealth(server, health, { drain: false })
      return started(server)
    },
  },
  createHealthServer: {
    mount: '',
    start: async (health) => {
      const probes = createHealthServer(health, { port: 0, host: '127.0.0.1' })
      cleanups.push(() => probes.close())
      return (await probes.listen()).port
    },
  },
  'express (mounted at /ops)': {
    mount: '/ops',
    start: (health) => {
      const app = express()
      app.use('/ops', expressMiddleware(health))
      return started(createServer(app))
    },
  },
  'koa middleware': {
    mount: '',
    start: (health) => {
      const app = new Koa()
      app.use(koaMiddleware(health))
      return started(createServer(app.callback()))
    },
  },
}

describe('issue-20: the status page on every node:http way in', () => {
  for (const [name, way] of Object.entries(WAYS)) {
    it(`issue-20: ${name}: the page, the stream's snapshot, and the subscription dropped when the client goes`, async () => {
      const health = createHealth({ readiness: [{ name: 'db', run: () => undefined }], statusPage: true, shutdown: { signals: false, exit: false }, runtime: false })
      cleanups.push(() => health.close())
      const port = await way.start(health)
      const page = await call(port, `${way.mount}/statusz`)
      expect(page.status).toBe(200)
      expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'/)
      expect(page.body).toContain('data-events="statusz/events"')
      const req = request({ host: '127.0.0.1', port, path: `${way.mount}/statusz/events`, agent: false })
      req.end()
      const [response] = (await once(req, 'response')) as [IncomingMessage]
      response.on('error', () => undefined) // aborted by req.destroy() below, on purpose
      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8')
      response.setEncoding('utf8')
      const [first] = (await once(response, 'data')) as [string]
      expect(first).toMatch(/event: snapshot\ndata: \{/)
      expect(health.statusPage?.subscribers).toBe(1)
      req.destroy()
      for (let tries = 0; tries < 100 && health.statusPage?.subscribers !== 0; tries += 1) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(health.statusPage?.subscribers).toBe(0)
    })
  }
})

// Express specifics against real Express 4 and 5 on listen(0): what the adapter contract
// (contract.test.ts) does not cover. The middleware mounted under a path, and Express's own
// error handlers and body parser left as they are without the adapter.
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express5 from 'express'
import type { NextFunction, Request, Response } from 'express'
import express4 from 'express4'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth } from '@healthz/core'
import { createHealthMiddleware, listen } from '@healthz/express'
import { call, visible } from '../../../test-utils/client.js'

const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    server.close()
  }
})

type ExpressFactory = typeof express5

async function serve(server: Server): Promise<number> {
  servers.push(server)
  if (!server.listening) await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

/** An app with a JSON body parser, a throwing route and an error handler. */
function withErrorHandler(express: ExpressFactory) {
  const app = express()
  app.use(express.json())
  app.post('/echo', (req: Request, res: Response) => void res.json(req.body))
  app.get('/boom', () => {
    throw new Error('boom')
  })
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ handled: error.message })
  })
  return app
}

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
] as const)('%s', (_name, express) => {
  it('works mounted under a path', async () => {
    const health = createHealth({ shutdown: { signals: false } })
    health.markStarted()
    const app = (express as ExpressFactory)()
    app.use('/ops', createHealthMiddleware(health))
    app.get('/ops/info', (_req: Request, res: Response) => {
      res.send('info')
    })
    const port = await serve(app.listen(0, '127.0.0.1'))
    expect((await call(port, '/ops/livez')).status).toBe(200)
    expect((await call(port, '/ops/info')).body).toBe('info')
    expect((await call(port, '/livez')).status).toBe(404)
  })

  it('leaves error handlers as they are without the adapter, both ways in', async () => {
    const health = createHealth({ shutdown: { signals: false } })
    const plain = await serve(withErrorHandler(express as ExpressFactory).listen(0, '127.0.0.1'))
    const middleware = withErrorHandler(express as ExpressFactory)
    middleware.use(createHealthMiddleware(health)) // after the routes: only 404s reach it
    const ports = [await serve(middleware.listen(0, '127.0.0.1')), await serve(await listen(withErrorHandler(express as ExpressFactory), health, { host: '127.0.0.1', drain: false }))]
    for (const port of ports) {
      for (const path of ['/boom', '/missing', '/echo']) expect(visible(await call(port, path)), path).toEqual(visible(await call(plain, path)))
    }
  })
})

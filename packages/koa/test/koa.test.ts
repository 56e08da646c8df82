// Koa specifics against real Koa 2 and 3 on listen(0): what the adapter contract
// (contract.test.ts) does not cover. The middleware settles once its answer is written, so
// the middleware around it (a request logger, a timer) sees the probe finished, as with Koa's own responses.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import Koa3 from 'koa'
import type { Context, Next } from 'koa'
import Koa2 from 'koa2'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, defineCheck } from '@healthz/core'
import { createHealthMiddleware } from '@healthz/koa'
import { call } from '../../../test-utils/client.js'
import { running } from '../../../test-utils/contract.js'

const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    server.close()
  }
})

describe.each([
  ['Koa 3', Koa3],
  ['Koa 2', Koa2],
] as const)('%s', (_name, Koa) => {
  it('settles once the probe answer is written, even when a check makes it wait', async () => {
    const slow = defineCheck({ name: 'slow', cache: 0, run: () => new Promise<void>((resolve) => setTimeout(resolve, 100)) })
    const health = createHealth({ readiness: [slow], shutdown: { signals: false } })
    health.markStarted()
    const app = new (Koa as typeof Koa3)()
    const seen: Array<{ url: string; ended: boolean }> = []
    app.use(async (ctx: Context, next: Next) => {
      await next()
      seen.push({ url: ctx.url, ended: ctx.res.writableEnded })
    })
    app.use(createHealthMiddleware(health))
    const server = createServer(app.callback()).listen(0, '127.0.0.1')
    servers.push(server)
    const { port } = await running(server, [])
    expect((await call(port, '/readyz')).status).toBe(200)
    expect((await call(port, '/livez', { method: 'HEAD' })).status).toBe(200)
    expect(seen).toEqual([
      { url: '/readyz', ended: true },
      { url: '/livez', ended: true },
    ])
  })
})

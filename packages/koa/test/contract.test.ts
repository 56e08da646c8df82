// Koa 3 and 2 (both ends of the peer range), both ways in, against the adapter contract
// (test-utils/contract.ts): one entry each.
import { createServer } from 'node:http'
import Koa3 from 'koa'
import type { Context, Next } from 'koa'
import Koa2 from 'koa2'
import { createHealth } from '@healthz/core'
import { createHealthMiddleware, drainOnShutdown, listen } from '@healthz/koa'
import { auth, describeContract, running, SLOW_MS } from '../../../test-utils/contract.js'
import type { AdapterUnderTest, ContractOptions } from '../../../test-utils/contract.js'

type KoaClass = typeof Koa3

/** The contract app: authentication on every route, /orders, /orders/slow; `first` runs ahead of all of it. */
function app(Koa: KoaClass, seenByAuth: string[], first?: (app: Koa3) => void): Koa3 {
  const created = new Koa()
  created.silent = true
  first?.(created)
  created.use(async (ctx: Context, next: Next) => {
    seenByAuth.push(ctx.url)
    if (ctx.get('authorization') !== auth.authorization) {
      ctx.status = 401
      ctx.body = { error: 'unauthorized' }
      return
    }
    await next()
  })
  created.use(async (ctx: Context, next: Next) => {
    if (ctx.path === '/orders') ctx.body = { orders: [1, 2] }
    else if (ctx.path === '/orders/slow') {
      await new Promise((resolve) => setTimeout(resolve, SLOW_MS))
      ctx.body = 'slow ok'
    } else await next()
  })
  return created
}

function adapter(name: string, Koa: KoaClass, way: 'listen' | 'middleware'): AdapterUnderTest {
  return {
    name: `${name} ${way}`,
    async start(options: ContractOptions) {
      const health = createHealth(options)
      const seenByAuth: string[] = []
      if (way === 'listen') return { ...(await running(await listen(app(Koa, seenByAuth), health, { host: '127.0.0.1' }), seenByAuth)), health }
      const server = createServer(app(Koa, seenByAuth, (created) => created.use(createHealthMiddleware(health))).callback()).listen(0, '127.0.0.1')
      drainOnShutdown(health, server) // the middleware does not know the server: drained the way the README says
      return { ...(await running(server, seenByAuth)), health }
    },
    async startPlain() {
      const seenByAuth: string[] = []
      return running(createServer(app(Koa, seenByAuth).callback()).listen(0, '127.0.0.1'), seenByAuth)
    },
  }
}

describeContract([
  adapter('Koa 3', Koa3, 'listen'),
  adapter('Koa 3', Koa3, 'middleware'),
  adapter('Koa 2', Koa2, 'listen'),
  adapter('Koa 2', Koa2, 'middleware'),
])

// Express 5 and 4 (both ends of the peer range), both ways in, against the adapter contract
// (test-utils/contract.ts): one entry each.
import express5 from 'express'
import type { NextFunction, Request, Response } from 'express'
import express4 from 'express4'
import { createHealth } from '@healthz/core'
import { createHealthMiddleware, drainOnShutdown, listen } from '@healthz/express'
import { auth, describeContract, running, SLOW_MS } from '../../../test-utils/contract.js'
import type { AdapterUnderTest, ContractOptions } from '../../../test-utils/contract.js'

type Express = typeof express5
type App = ReturnType<Express>

/** The contract app: authentication on every route, /orders, /orders/slow; `first` runs ahead of all of it. */
function app(express: Express, seenByAuth: string[], first?: (app: App) => void): App {
  const created = express()
  first?.(created)
  created.use((req: Request, res: Response, next: NextFunction) => {
    seenByAuth.push(req.url)
    if (req.headers.authorization === auth.authorization) next()
    else res.status(401).json({ error: 'unauthorized' })
  })
  created.get('/orders', (_req: Request, res: Response) => void res.json({ orders: [1, 2] }))
  created.get('/orders/slow', (_req: Request, res: Response) => void setTimeout(() => res.send('slow ok'), SLOW_MS))
  return created
}

function adapter(name: string, express: Express, way: 'listen' | 'middleware'): AdapterUnderTest {
  return {
    name: `${name} ${way}`,
    async start(options: ContractOptions) {
      const health = createHealth(options)
      const seenByAuth: string[] = []
      if (way === 'listen') return { ...(await running(await listen(app(express, seenByAuth), health, { host: '127.0.0.1' }), seenByAuth)), health }
      const server = app(express, seenByAuth, (created) => created.use(createHealthMiddleware(health))).listen(0, '127.0.0.1')
      drainOnShutdown(health, server) // the middleware does not know the server: drained the way the README says
      return { ...(await running(server, seenByAuth)), health }
    },
    async startPlain() {
      const seenByAuth: string[] = []
      return running(app(express, seenByAuth).listen(0, '127.0.0.1'), seenByAuth)
    },
  }
}

describeContract([
  adapter('Express 5', express5, 'listen'),
  adapter('Express 5', express5, 'middleware'),
  adapter('Express 4', express4, 'listen'),
  adapter('Express 4', express4, 'middleware'),
])

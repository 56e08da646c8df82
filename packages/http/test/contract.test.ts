// The node:http ways in against the adapter contract (test-utils/contract.ts): one entry each.
import { createServer } from 'node:http'
import type { RequestListener } from 'node:http'
import { createHealth } from '@healthz/core'
import type { Health } from '@healthz/core'
import { attachHealth, createHealthListener, drainOnShutdown } from '@healthz/http'
import { auth, describeContract, running, SLOW_MS } from '../../../test-utils/contract.js'
import type { AdapterUnderTest, ContractOptions } from '../../../test-utils/contract.js'

/** The contract app as a plain node:http handler: authentication on every route, /orders, /orders/slow. */
function app(seenByAuth: string[]): RequestListener {
  return (req, res) => {
    seenByAuth.push(req.url ?? '')
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(body)
    }
    const path = (req.url ?? '/').split('?')[0]
    if (req.headers.authorization !== auth.authorization) send(401, 'unauthorized')
    else if (path === '/orders') send(200, 'orders')
    else if (path === '/orders/slow') setTimeout(() => send(200, 'slow ok'), SLOW_MS)
    else send(404, 'no such route')
  }
}

/** An entry of the table: how this way in serves the app, given the health object. */
function adapter(name: string, serve: (health: Health, app: RequestListener) => import('node:http').Server): AdapterUnderTest {
  return {
    name,
    async start(options: ContractOptions) {
      const health = createHealth(options)
      const seenByAuth: string[] = []
      return { ...(await running(serve(health, app(seenByAuth)).listen(0, '127.0.0.1'), seenByAuth)), health }
    },
    async startPlain() {
      const seenByAuth: string[] = []
      return running(createServer(app(seenByAuth)).listen(0, '127.0.0.1'), seenByAuth)
    },
  }
}

describeContract([
  adapter('node:http createHealthListener + drainOnShutdown', (health, next) => {
    const server = createServer(createHealthListener(health, { next }))
    drainOnShutdown(health, server)
    return server
  }),
  adapter('node:http attachHealth', (health, next) => {
    const server = createServer(next)
    attachHealth(server, health)
    return server
  }),
])

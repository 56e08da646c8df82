// Hono on Node (@hono/node-server, a node:http server underneath) at both ends of the peer
// range, against the adapter contract (test-utils/contract.ts). The server is drained by
// @healthz/http's drainOnShutdown, as the README says for @hono/node-server.
import { serve } from '@hono/node-server'
import type { Server } from 'node:http'
import { Hono } from 'hono'
import { Hono as Hono4v0 } from 'hono4'
import { createHealth } from '@healthz/core'
import { drainOnShutdown } from '@healthz/http'
import { createHealthMiddleware } from '@healthz/hono'
import { describeContract, running } from '../../../test-utils/contract.js'
import type { AdapterUnderTest, ContractOptions } from '../../../test-utils/contract.js'
import { contractApp } from './app.js'
import type { HonoClass } from './app.js'

function listen(app: { fetch: (request: Request) => Response | Promise<Response> }): Server {
  return serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
}

function adapter(name: string, HonoOf: HonoClass): AdapterUnderTest {
  return {
    name: `${name} on @hono/node-server`,
    async start(options: ContractOptions) {
      const health = createHealth(options)
      const seenByAuth: string[] = []
      const server = listen(contractApp(HonoOf, seenByAuth, (app) => app.use(createHealthMiddleware(health))))
      drainOnShutdown(health, server)
      return { ...(await running(server, seenByAuth)), health }
    },
    async startPlain() {
      const seenByAuth: string[] = []
      return running(listen(contractApp(HonoOf, seenByAuth)), seenByAuth)
    },
  }
}

describeContract([adapter('Hono 4.13', Hono), adapter('Hono 4.0', Hono4v0 as unknown as HonoClass)])

// Fastify 5 and 4 (both ends of the peer range), both ways in, against the adapter contract
// (test-utils/contract.ts): one entry each.
import { createHealth } from '@healthz/core'
import type { FastifyInstance } from 'fastify'
import { healthz } from '@healthz/fastify'
import type { ServeMode } from '@healthz/fastify'
import { describeContract, running } from '../../../test-utils/contract.js'
import type { AdapterUnderTest, ContractOptions } from '../../../test-utils/contract.js'
import { addOrders, authenticate, versions } from './app.js'
import type { FastifyFactory } from './app.js'

/**
 * The contract app. With serve: 'server' the authentication is a global `onRequest` hook, registered
 * before the plugin: the probes never reach Fastify. With serve: 'route' the probes are Fastify routes,
 * which a global hook would see, so the authentication sits in the encapsulated context of the app
 * routes (the Fastify way, docs/fastify.md).
 */
async function app(Fastify: FastifyFactory, seenByAuth: string[], serve: ServeMode, withHealthz?: (app: FastifyInstance) => PromiseLike<unknown>): Promise<FastifyInstance> {
  const created = Fastify()
  if (serve === 'server') {
    created.addHook('onRequest', authenticate(seenByAuth))
    await withHealthz?.(created)
    addOrders(created)
  } else {
    await withHealthz?.(created)
    await created.register(async (scope) => {
      scope.addHook('onRequest', authenticate(seenByAuth))
      addOrders(scope)
    })
  }
  await created.listen({ port: 0, host: '127.0.0.1' })
  return created
}

function adapter(name: string, Fastify: FastifyFactory, serve: ServeMode): AdapterUnderTest {
  return {
    name: `${name} serve: '${serve}'`,
    async start(options: ContractOptions) {
      const health = createHealth(options)
      const seenByAuth: string[] = []
      const created = await app(Fastify, seenByAuth, serve, (instance) => instance.register(healthz, { health, serve }))
      return { ...(await running(created.server, seenByAuth)), close: () => created.close(), health }
    },
    async startPlain() {
      const seenByAuth: string[] = []
      const created = await app(Fastify, seenByAuth, serve)
      return { ...(await running(created.server, seenByAuth)), close: () => created.close() }
    },
  }
}

describeContract(versions.flatMap(([name, Fastify]) => [adapter(name, Fastify, 'server'), adapter(name, Fastify, 'route')]))

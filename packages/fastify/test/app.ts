// The test app of the Fastify tests, on Fastify 5 or 4 (both ends of the peer range): the
// contract's authentication on every app route, GET /orders and GET /orders/slow.
import Fastify5 from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify'
import Fastify4 from 'fastify4'
import { auth, SLOW_MS } from '../../../test-utils/contract.js'

/** A Fastify factory; Fastify 4's is typed as Fastify 5's, whose plugin types the package builds on (the API the tests use is the same). */
export type FastifyFactory = (options?: FastifyServerOptions) => FastifyInstance

export const versions: ReadonlyArray<readonly [string, FastifyFactory]> = [
  ['Fastify 5', Fastify5 as FastifyFactory],
  ['Fastify 4', Fastify4 as unknown as FastifyFactory],
]

/** An `onRequest` hook that records every URL it sees and answers 401 without the contract's credentials. */
export function authenticate(seen: string[]) {
  return async function authenticateHook(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    seen.push(request.url)
    if (request.headers.authorization !== auth.authorization) await reply.code(401).send({ error: 'unauthorized' })
  }
}

/** The contract's app routes. */
export function addOrders(app: FastifyInstance): void {
  app.get('/orders', async () => ({ orders: [1, 2] }))
  app.get('/orders/slow', async (_request, reply) => {
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS))
    return reply.type('text/plain').send('slow ok')
  })
}

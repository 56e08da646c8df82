import Fastify from 'fastify'
import { healthz } from '@healthz/fastify'
import { health } from './health.js'

const app = Fastify()
await app.register(healthz, { health, serve: 'route' })
// The Fastify way to keep the probes out of authentication: the hook lives in the encapsulated
// context of the routes it guards, and the probe routes are registered outside it.
await app.register(async (api) => {
  api.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization === undefined) await reply.code(401).send({ error: 'unauthorized' })
  })
  api.get('/orders', async () => ({ orders: [] }))
})
await app.listen({ port: 8080, host: '0.0.0.0' })

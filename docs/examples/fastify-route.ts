import Fastify from 'fastify'
import { healthz } from '@healthz/fastify'
import type { ProbeRouteConfig } from '@healthz/fastify'
import { health } from './health.js'

const app = Fastify({ logger: true, ignoreTrailingSlash: true })
// The probes as Fastify routes: Fastify's routing applies (/livez/ is /livez here), and so do
// its global hooks. The probe routes log nothing and carry config.healthz: hooks skip them.
await app.register(healthz, { health, serve: 'route' })
app.addHook('onRequest', async (request, reply) => {
  if ((request.routeOptions.config as Partial<ProbeRouteConfig>).healthz === true) return
  if (request.headers.authorization === undefined) await reply.code(401).send({ error: 'unauthorized' })
})
app.get('/orders', async () => ({ orders: [] }))

await app.listen({ port: 8080, host: '0.0.0.0' })
health.markStarted()

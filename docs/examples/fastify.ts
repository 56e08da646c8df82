import Fastify from 'fastify'
import pg from 'pg'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'
import { healthz } from '@healthz/fastify'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })

// Readiness follows the database; liveness has no dependency (healthz refuses one there).
const health = createHealth({
  service: { name: 'orders', version: '1.0.0' },
  // Borrows a connection from the app's pool; fails at 500 ms, never holding a connection past it.
  readiness: [postgresCheck({ client: pool, timeout: 500 })],
})

const app = Fastify({ logger: true })
// The probes are answered at the server's `request` event, before Fastify routes the request:
// no hook, plugin or log line, registered before or after this, ever sees them.
await app.register(healthz, { health })
app.addHook('onRequest', async (request, reply) => {
  if (request.headers.authorization === undefined) await reply.code(401).send({ error: 'unauthorized' })
})
app.get('/orders', async () => ({ orders: [] }))
// On SIGTERM: readiness fails, the drain delay passes with every route answering, the server
// drains, and then fastify.close() runs this hook.
app.addHook('onClose', async () => {
  await pool.end()
})

await app.listen({ port: 8080, host: '0.0.0.0' })
health.markStarted()

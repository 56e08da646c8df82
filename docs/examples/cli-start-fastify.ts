import Fastify from 'fastify'
import pg from 'pg'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'
import { healthz } from '@healthz/fastify'

// The pool the app already queries with: the check borrows a connection per run.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
// A dependency: it backs readiness, never liveness. At 500 ms the probe answers `fail`, and a
// query still running then has its connection destroyed, not returned to the pool.
const postgres = postgresCheck({ client: pool, timeout: 500 })
const health = createHealth({ service: { name: 'orders', version: '1.0.0' }, readiness: [postgres] })

const app = Fastify({ logger: true })
// First or last, it makes no difference: the probes never reach Fastify's hooks or its logger.
await app.register(healthz, { health })
app.get('/orders', async () => ({ orders: [] }))
// Fastify closes after the drain (in-flight requests answered), so its onClose hooks close the pool.
app.addHook('onClose', async () => {
  await pool.end()
})

await app.listen({ port: 8080, host: '0.0.0.0' })
health.markStarted()

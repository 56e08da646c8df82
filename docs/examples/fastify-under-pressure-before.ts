import Fastify from 'fastify'
import underPressure from '@fastify/under-pressure'
import pg from 'pg'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
const app = Fastify()
// One status route for every probe, and a 503 on EVERY route while over a threshold or while
// the database check fails: readiness, liveness and the app's own routes fail together.
await app.register(underPressure, {
  maxEventLoopDelay: 1000,
  maxHeapUsedBytes: 400 * 2 ** 20,
  healthCheck: async () => {
    await pool.query('SELECT 1')
    return true
  },
  healthCheckInterval: 5000,
  exposeStatusRoute: '/health',
})
await app.listen({ port: 8080, host: '0.0.0.0' })

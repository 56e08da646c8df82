import Fastify from 'fastify'
import pg from 'pg'
import { createHealth } from '@healthz/core'
import { heapCheck } from '@healthz/checks'
import { postgresCheck } from '@healthz/checks/pg'
import { healthz } from '@healthz/fastify'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
const health = createHealth({
  // healthCheck → a readiness check: a database outage takes the pod out of rotation, nothing more.
  // Single flight, 1 s cache and a 500 ms deadline, however many probes arrive.
  readiness: [postgresCheck({ client: pool, timeout: 500 })],
  // maxHeapUsedBytes → a process check, which may back liveness: a leak restarts the process.
  liveness: [heapCheck({ failAboveBytes: 400 * 2 ** 20 })],
  // maxEventLoopDelay → the stall check: liveness fails on a sustained stall, never on one slow tick.
  runtime: { stall: { threshold: 1000 } },
})
const app = Fastify()
await app.register(healthz, { health })
await app.listen({ port: 8080, host: '0.0.0.0' })
health.markStarted()

import { createServer } from 'node:http'
import pg from 'pg'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'
import { createHealthListener, drainOnShutdown } from '@healthz/http'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })

const health = createHealth({
  readiness: [postgresCheck({ client: pool, name: 'postgres' })],
  // The old endpoint keeps its path and its body while monitors still read them:
  // { status: 'ok' | 'error', info, error, details }, 200 / 503, application/json.
  paths: { readiness: '/healthcheck' },
  format: { readiness: 'terminus' },
  // terminus showed the HealthCheckError causes to everyone; here error text needs `details`.
  details: 'always',
})

const server = createServer(createHealthListener(health, { next: app }))
drainOnShutdown(health, server)
server.listen(8080, () => health.markStarted())

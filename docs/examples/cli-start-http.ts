import { createServer } from 'node:http'
import { createHealthListener, drainOnShutdown } from '@healthz/http'
import pg from 'pg'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'

// The pool the app already queries with: the check borrows a connection per run.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
// A dependency: it backs readiness, never liveness. At 500 ms the probe answers `fail`, and a
// query still running then has its connection destroyed, not returned to the pool.
const postgres = postgresCheck({ client: pool, timeout: 500 })
const health = createHealth({ service: { name: 'orders', version: '1.0.0' }, readiness: [postgres] })

// The probes are answered at the server's `request` event; everything else goes to the app.
const server = createServer(createHealthListener(health, { next: app }))
// On SIGTERM: readiness fails, the server stops accepting and drains, then the process exits.
drainOnShutdown(health, server)
health.onShutdown(() => pool.end(), { name: 'postgres' })

server.listen(8080, () => {
  health.markStarted() // boot is done: /startupz answers 200 from now on
})

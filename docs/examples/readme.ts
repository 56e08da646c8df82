import { createServer } from 'node:http'
import pg from 'pg'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'
import { createHealthListener, drainOnShutdown } from '@healthz/http'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })

// Borrows a connection from the app's pool per run. A hard 500 ms deadline: the probe reports
// fail then, and a query still running has its connection destroyed, not returned to the pool.
const postgres = postgresCheck({ client: pool })

const health = createHealth({
  service: { name: 'orders', version: '2.14.0' },
  readiness: [postgres], // dependencies live here, and only here
})

// Probes are answered before `app` runs: no auth middleware or request logger reaches them.
const server = createServer(createHealthListener(health, { next: app }))
// On SIGTERM: readiness fails at once, the server keeps serving for drainDelay (10 s on
// Kubernetes), then stops accepting and lets in-flight requests finish.
drainOnShutdown(health, server)
health.onShutdown(() => pool.end(), { name: 'postgres' })

server.listen(8080)
await boot()
health.markStarted()

import { createServer } from 'node:http'
import pg from 'pg'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'
import { createHealthListener, drainOnShutdown } from '@healthz/http'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
// The deadline: the probe answers at 500 ms, and a query still running then has its connection
// destroyed; at most one check query is in flight, however many probes arrive.
const postgres = postgresCheck({ client: pool, timeout: 500 })

const health = createHealth({
  readiness: [postgres], // /readyz; /livez stays process-only, /startupz opens on markStarted()
  shutdown: {
    signals: ['SIGTERM', 'SIGINT'], // the default
    drainDelay: 5000, // beforeShutdown's wait: readiness already answers 503 during it
    gracePeriod: 10_000, // terminus' timeout: in-flight requests get this long to finish
  },
})

const server = createServer(createHealthListener(health, { next: app }))
drainOnShutdown(health, server) // stop accepting, close idle keep-alive sockets, wait for the rest
health.onShutdown(() => pool.end(), { name: 'postgres' }) // onSignal, run after the drain

server.listen(8080, () => health.markStarted())

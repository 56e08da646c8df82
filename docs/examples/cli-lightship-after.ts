import { createServer } from 'node:http'
import pg from 'pg'
import { createHealth } from '@healthz/core'
import { postgresCheck } from '@healthz/checks/pg'
import { createHealthServer, drainOnShutdown } from '@healthz/http'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
// The ping runs in the background every 5 s (as the interval did); probes read the result.
const postgres = postgresCheck({ client: pool, interval: 5000 })

const health = createHealth({
  readiness: [postgres],
  // Keep lightship's paths while the manifests still use them; /livez and /readyz are the defaults.
  paths: { liveness: '/live', readiness: '/ready' },
  shutdown: { drainDelay: 5000, terminationGracePeriodSeconds: 30 },
})

// The probes on their own port, as with lightship; it answers until the shutdown has finished.
await createHealthServer(health, { port: 9000 }).listen()

const server = createServer(app)
drainOnShutdown(health, server) // what the server.close() handler did, plus idle keep-alive sockets
health.onShutdown(() => pool.end(), { name: 'postgres' })

server.listen(8080, () => health.markStarted()) // signalReady() for boot; checks do the rest

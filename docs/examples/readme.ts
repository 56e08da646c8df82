import { createServer } from 'node:http'
import { createHealth, defineCheck } from '@healthz/core'
import { createHealthListener, drainOnShutdown } from '@healthz/http'

const postgres = defineCheck({
  name: 'postgres',
  componentType: 'datastore',
  // A hard 500 ms deadline: the probe reports fail then, even if the client ignores the signal.
  run: async () => {
    await pool.query('SELECT 1')
  },
})

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

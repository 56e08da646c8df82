import { createServer } from 'node:http'
import { createHealthListener, drainOnShutdown } from '@healthz/http'
import { createHealth, defineCheck } from '@healthz/core'

// A dependency (the default kind): it backs readiness, never liveness.
const postgres = defineCheck({
  name: 'postgres',
  componentType: 'datastore',
  timeout: 500, // the probe answers `fail` at 500 ms even if the database hangs
  run: async ({ signal }) => {
    await db.ping({ signal }) // db: your database client; pass the deadline down
  },
})
const health = createHealth({ service: { name: 'orders', version: '1.0.0' }, readiness: [postgres] })

// The probes are answered at the server's `request` event; everything else goes to the app.
const server = createServer(createHealthListener(health, { next: app }))
// On SIGTERM: readiness fails, the server stops accepting and drains, then the process exits.
drainOnShutdown(health, server)
health.onShutdown(() => db.end(), { name: 'postgres' })

server.listen(8080, () => {
  health.markStarted() // boot is done: /startupz answers 200 from now on
})

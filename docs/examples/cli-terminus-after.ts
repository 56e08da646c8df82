import { createServer } from 'node:http'
import { createHealth, defineCheck } from '@healthz/core'
import { createHealthListener, drainOnShutdown } from '@healthz/http'

const postgres = defineCheck({
  name: 'postgres',
  componentType: 'datastore',
  timeout: 500, // the deadline; the signal aborts the ping, the probe answers at 500 ms regardless
  run: ({ signal }) => db.ping({ signal }),
})

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
health.onShutdown(() => db.end(), { name: 'postgres' }) // onSignal, run after the drain

server.listen(8080, () => health.markStarted())

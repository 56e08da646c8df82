import { createServer } from 'node:http'
import { createHealth } from '@healthz/core'
import { createHealthListener, drainOnShutdown } from '@healthz/http'
import { postgres } from './health.js'

const health = createHealth({ readiness: [postgres] })

const server = createServer(createHealthListener(health, { next: app }))
drainOnShutdown(health, server) // drained in `closing`, after drainDelay
health.onShutdown(() => db.end(), { name: 'postgres' }) // after the drain

server.listen(8080, () => health.markStarted())
// SIGTERM: readiness 503 at once, the server drains 10 s later (on Kubernetes), the pool
// closes, the process exits 0.

import { createServer } from 'node:http'
import { createHealth } from '@healthz/core'
import { createHealthServer, drainOnShutdown } from '@healthz/http'
import { postgres } from './health.js'

const health = createHealth({ readiness: [postgres] })

// It keeps answering (readiness 503, liveness 200) until everything else has finished,
// hooks included, and closes once the shutdown has stopped.
const probes = createHealthServer(health, { port: 9000 })
await probes.listen()

const server = createServer(app)
drainOnShutdown(health, server)
health.onShutdown(() => db.end(), { name: 'postgres' })

server.listen(8080, () => health.markStarted())

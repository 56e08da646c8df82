import { createServer } from 'node:http'
import { createHealth } from '@healthz/core'
import { createHealthServer, drainOnShutdown } from '@healthz/http'
import { postgres } from './health.js'

const health = createHealth({ readiness: [postgres] })

// Probes on 9000 (`port: health` in the manifest), the application on 8080.
await createHealthServer(health, { port: 9000 }).listen()

const server = createServer(app)
drainOnShutdown(health, server)
server.listen(8080, () => health.markStarted())

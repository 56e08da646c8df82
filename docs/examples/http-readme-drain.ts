import { createServer } from 'node:http'
import { createHealthListener, drainOnShutdown } from '@healthz/http'
import { health } from './health.js'

const server = createServer(createHealthListener(health, { next: app }))

// Track the server's connections now; drain it when health's shutdown reaches `closing`.
drainOnShutdown(health, server)
server.listen(8080, () => health.markStarted())

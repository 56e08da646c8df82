import { createServer } from 'node:http'
import { createHealth } from '@healthz/core'
import { createHealthListener, drainOnShutdown } from '@healthz/http'
import { postgres } from './health.js'

// The application owns its signals: healthz installs no handler, and never exits the process.
const health = createHealth({ readiness: [postgres], shutdown: { signals: false } })

const server = createServer(createHealthListener(health, { next: app }))
drainOnShutdown(health, server)
server.listen(8080, () => health.markStarted())

// `once`: a second SIGTERM finds no handler, and Node's default ends the process at once.
process.once('SIGTERM', () => {
  void health.shutdown().then(({ exitCode, failedHooks }) => {
    if (failedHooks.length > 0) console.error(`shutdown hooks failed: ${failedHooks.join(', ')}`)
    process.exit(exitCode)
  })
})

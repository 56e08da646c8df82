// server.ts: a service that drains on SIGTERM instead of dropping requests.
import { createServer } from 'node:http'
import { createHealth } from '@healthz/core'
import { createHealthListener, drainOnShutdown } from '@healthz/http'
import { postgres } from './health.js'

// SIGTERM and SIGINT start the shutdown; the defaults suit the probe settings of docs/probes.md.
const health = createHealth({
  service: { name: 'orders', version: '2.14.0' },
  readiness: [postgres],
})

const server = createServer(createHealthListener(health, { next: app }))
// When shutdown reaches `closing`: stop accepting, close idle keep-alive sockets at once,
// let in-flight requests finish with `Connection: close`, destroy what is left at gracePeriod.
drainOnShutdown(health, server)

// Hooks run once the server has drained, the last registered first: the pool closes, then the
// logger flushes what the shutdown logged.
health.onShutdown(() => logger.flush(), { name: 'logger' })
health.onShutdown(() => db.end(), { name: 'postgres', timeout: 3000 })

health.on('change', (event) => {
  if (event.type === 'phase') console.info(`shutdown: ${event.previous} -> ${event.current}`)
})

server.listen(8080, () => health.markStarted())

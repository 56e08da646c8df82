import Fastify from 'fastify'
import { createHealth } from '@healthz/core'
import { healthz } from '@healthz/fastify'
import { postgres } from './health.js'

// The application owns SIGTERM (close-with-grace, a platform library...): it starts the healthz
// shutdown, not fastify.close(), so that every route keeps answering through the drain delay.
const health = createHealth({ readiness: [postgres], shutdown: { signals: false } })
const app = Fastify()
await app.register(healthz, { health })
await app.listen({ port: 8080, host: '0.0.0.0' })

process.once('SIGTERM', () => {
  // Readiness fails, the drain delay passes, the server drains, fastify.close() runs its hooks,
  // then the onShutdown hooks; resolves with the exit code (1 if a hook failed or requests were cut).
  void health.shutdown().then((result) => process.exit(result.exitCode))
})
